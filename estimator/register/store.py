"""The register's database: open (or create) it, check what it is, upgrade an older one, and
run each command in one transaction.

A register is a SQLite file (the default, ``finimpact-register.sqlite`` in the current folder)
or a PostgreSQL database named by a URL (``postgresql://officer@host/conference``, through the
psycopg 3 driver). Writers take the register for themselves for the length of their transaction
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so two officers
adding at the same moment wait for each other and lose nothing; readers never wait. A command
killed midway leaves the register as its last committed transaction left it.

The schema is versioned by Alembic (``migrations``): opening a register made by an older
version of the tool upgrades it, every migration in one transaction of its own before the
command runs (an interrupted upgrade leaves the register as it was); one made by a newer
version is refused, as is a file that is not a register (another database,
another kind of file, a damaged one).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from estimator import __version__, api
from estimator.core.plan import FinancialPlan
from estimator.register import schema as t
from estimator.register.intake import Submission
from estimator.register.position import (
    DECISIONS,
    Closed,
    Contribution,
    Credit,
    DecisionKind,
    RunningPosition,
    Stage,
    compute,
)
from estimator.register.reference import Reference, ReferenceProblem, parse

DEFAULT_FILE = "finimpact-register.sqlite"
"""The register used when none is named: this file in the current folder."""
APPLICATION = "finimpact register"
REVISIONS = ("0001", "0002", "0003")
"""Every schema revision, oldest first; the last is the one this version of the tool writes
(a test checks it against the migrations)."""
HEAD = REVISIONS[-1]
_LOCK = 7_391_254_017
"""The PostgreSQL advisory lock every writer of a register takes."""
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CHUNK = 100


class RegisterProblem(Exception):
    """What stops a command on the register (missing, foreign, damaged, newer, a conflict):
    its message is complete, to print as it is."""


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def from_cents(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def now() -> str:
    """The time of recording, when none is stated: the clock's, in UTC, to the second."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stated_time(text: str) -> str:
    """--at: a date (2026-10-14) or a date and time (2026-10-14T16:30, with or without zone),
    kept as written in ISO form; raise ValueError for anything else."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return dt.datetime.fromisoformat(text).isoformat()


@dataclass(frozen=True)
class Where:
    """A register's location: a SQLAlchemy URL and how to name it to a person."""

    url: sa.URL
    shown: str
    path: Path | None


def where(location: str | Path | None) -> Where:
    """A file path (SQLite) or a URL: ``sqlite:///file``, ``postgresql://...``."""
    text = str(location) if location is not None else DEFAULT_FILE
    if "://" not in text:
        path = Path(text)
        return Where(sa.URL.create("sqlite", database=str(path)), str(path), path)
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError as e:
        raise RegisterProblem(f"{text} is neither a file nor a database URL ({e})") from e
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise RegisterProblem(f"{shown}: name the register's file, sqlite:///register.sqlite")
        return Where(url, url.database, Path(url.database))
    if url.get_backend_name() in ("postgresql", "postgres"):
        return Where(url.set(drivername="postgresql+psycopg"), shown, None)
    raise RegisterProblem(
        f"{shown}: a register is a SQLite file or a PostgreSQL database (postgresql://...)"
    )


@dataclass(frozen=True)
class VersionInfo:
    """A recorded version, as the list shows it."""

    proposal: str
    reference: str
    title: str
    conference: str
    currency: str
    total: Decimal
    additional: Decimal
    card_id: str
    card_sha256: str
    plan_id: str | None
    recorded_by: str | None
    recorded_at: str
    current: bool
    """The greatest version of its proposal (by revision, then addendum, then corrigendum)."""
    decision: DecisionKind | None = None
    """The latest decision on its proposal (None: pending)."""
    counted: bool = False
    """Whether the position counts this version: the one adopted, or a pending proposal's
    current one."""


@dataclass(frozen=True)
class VersionRecord:
    """A version with everything stored about it."""

    info: VersionInfo
    text: str
    estimate_json: str
    card_text: str
    plan_sha256: str | None
    needs: tuple[Credit, ...]
    tool_version: str


@dataclass(frozen=True)
class Added:
    added: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class DecisionInfo:
    """A decision as recorded."""

    proposal: str
    kind: DecisionKind
    version: str | None
    """The version adopted (adopted, adopted as amended)."""
    into: str | None
    """The text a merged proposal was merged into."""
    note: str | None
    recorded_by: str | None
    recorded_at: str


@dataclass(frozen=True)
class Stamp:
    """Who recorded a version, and when."""

    by: str | None
    at: str


@dataclass(frozen=True)
class VersionDump:
    proposal: str
    reference: str
    text: str
    text_sha256: str
    card_id: str
    card_sha256: str
    plan_id: str | None
    plan_sha256: str | None
    currency: str
    total: Decimal
    additional: Decimal
    needs: tuple[Credit, ...]
    estimate_json: str
    recorded_by: str | None
    recorded_at: str
    tool_version: str


@dataclass(frozen=True)
class Stored:
    """A whole register, as the export writes it."""

    versions: list[VersionDump]
    cards: dict[str, tuple[str, str]]
    decisions: list[DecisionInfo]


def open_register(location: str | Path | None, *, create: bool = False) -> Register:
    """The register at ``location`` (None: DEFAULT_FILE), checked and, if older, upgraded.
    ``create``: make it when it does not exist (commands that add); otherwise a missing
    register is a problem. Raises RegisterProblem with a message to print."""
    place = where(location)
    if place.path is not None:
        _check_file(place, create)
    try:
        engine = _engine(place)
    except (ImportError, sa.exc.NoSuchModuleError) as e:
        raise RegisterProblem(
            f"{place.shown}: PostgreSQL needs the psycopg driver:"
            " pip install 'finimpact[postgresql]'"
        ) from e
    register = Register(engine, place)
    try:
        register.prepare(create)
    except BaseException:
        engine.dispose()
        raise
    return register


def _check_file(place: Where, create: bool) -> None:
    path = place.path
    assert path is not None
    if path.is_dir():
        raise RegisterProblem(f"{place.shown} is a folder: name the register's file")
    if not path.exists():
        if not create:
            raise RegisterProblem(
                f"no register at {place.shown}: record a proposal first"
                " (finimpact register add FILE), or name the register with --db"
            )
        if not path.parent.exists():
            raise RegisterProblem(f"cannot make {place.shown}: its folder does not exist")
        return
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise RegisterProblem(f"cannot read {place.shown}: {e.strerror or e}") from e
    if head and head != _SQLITE_MAGIC:
        raise RegisterProblem(
            f"{place.shown} is not a register: it is not a SQLite database"
            " (name another file with --db)"
        )


def _engine(place: Where) -> sa.Engine:
    if place.path is None:
        return sa.create_engine(place.url, pool_pre_ping=False)
    engine = sa.create_engine(place.url, connect_args={"timeout": 120})

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, record: Any) -> None:
        dbapi.isolation_level = None  # transactions are begun below, not by the driver
        dbapi.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("finimpact_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Register:
    """An open register. Each public method is one transaction."""

    def __init__(self, engine: sa.Engine, place: Where) -> None:
        self.engine = engine
        self.place = place

    @property
    def shown(self) -> str:
        return self.place.shown

    @property
    def name(self) -> str:
        """The register in one word, as the outputs name a proposal's source: its file's name
        (finimpact-register.sqlite), or its PostgreSQL database's (conference)."""
        if self.place.path is not None:
            return self.place.path.name
        return self.place.url.database or "register"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # transactions

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._errors(), self.engine.connect() as conn:
            conn.execution_options(finimpact_write=True)
            with conn.begin():
                if self.engine.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
                yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.OperationalError as e:
            raise RegisterProblem(f"{self.shown}: {_reason(e)}") from e
        except sa.exc.DatabaseError as e:
            raise RegisterProblem(
                f"{self.shown} cannot be read as a register: {_reason(e)}"
                " (restore it from a copy or an export)"
            ) from e

    # opening

    def _state(self, conn: sa.Connection) -> str | None:
        """The schema revision; None for an empty database; RegisterProblem for another."""
        tables = set(sa.inspect(conn).get_table_names())
        if not tables:
            return None
        if t.about.name not in tables or "alembic_version" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise RegisterProblem(
                f"{self.shown} is not a finimpact register: it holds other tables ({shown})"
            )
        app = conn.execute(
            sa.select(t.about.c.value).where(t.about.c.key == "application")
        ).scalar()
        if app != APPLICATION:
            raise RegisterProblem(f"{self.shown} is not a finimpact register")
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        if revision not in REVISIONS:
            raise RegisterProblem(
                f"{self.shown} was written by a newer finimpact (schema revision {revision};"
                f" this one knows up to {HEAD}): upgrade finimpact to open it"
            )
        return str(revision)

    def prepare(self, create: bool) -> None:
        """Check that the database is a register of a revision this tool knows; make it
        (``create``) when empty, upgrade it when older."""
        with self._read() as conn:
            state = self._state(conn)
        if state == HEAD:
            return
        if state is None and not create:
            raise RegisterProblem(
                f"{self.shown} is empty: record a proposal first (finimpact register add FILE)"
            )
        with self._write() as conn:  # checked again: another process may have done it
            state = self._state(conn)
            if state == HEAD:
                return
            migrate(conn, HEAD)
            if state is None:
                conn.execute(
                    sa.insert(t.about),
                    [
                        {"key": "application", "value": APPLICATION},
                        {"key": "created_with", "value": f"finimpact {__version__}"},
                    ],
                )

    # commands

    def add(
        self,
        submissions: Sequence[Submission],
        *,
        by: str | None,
        at: str | None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Added:
        """Record the submissions, all or none. A version already recorded with the same
        text, card and plan is left as it is; one recorded with another is a conflict, and
        nothing is recorded. ``at``: the stated time (None: the clock's)."""
        when = at or now()
        unique: dict[str, Submission] = {}
        conflicts: list[str] = []
        for s in submissions:
            first = unique.setdefault(s.reference.text, s)
            if first.same_as != s.same_as:
                conflicts.append(f"{s.reference}: {first.name} and {s.name} differ")
        with self._write() as conn:
            stored = self._stored(conn, list(unique))
            for ref, s in unique.items():
                old = stored.get(ref)
                if old is not None and old != s.same_as:
                    what = "text" if old[0] != s.text_sha256 else "rate card or plan"
                    conflicts.append(
                        f"{ref} ({s.name}) is already recorded with another {what}: a changed"
                        " text is a new version (Rev., Add. or Corr.)"
                    )
            if conflicts:
                raise RegisterProblem(
                    "nothing recorded:\n" + "\n".join(f"  {c}" for c in conflicts)
                )
            new = [s for ref, s in unique.items() if ref not in stored]
            self._insert(conn, new, by, when, progress)
        return Added(
            tuple(s.reference.text for s in new),
            tuple(ref for ref in unique if ref in stored),
        )

    def _stored(
        self, conn: sa.Connection, refs: list[str]
    ) -> dict[str, tuple[str, str, str | None]]:
        v = t.version.c
        out: dict[str, tuple[str, str, str | None]] = {}
        for i in range(0, len(refs), 500):
            rows = conn.execute(
                sa.select(v.reference, v.text_sha256, v.card_sha256, v.plan_sha256).where(
                    v.reference.in_(refs[i : i + 500])
                )
            )
            for ref, text, card, plan in rows:
                out[ref] = (text, card, plan)
        return out

    def _insert(
        self,
        conn: sa.Connection,
        new: list[Submission],
        by: str | None,
        when: str,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        if not new:
            return
        proposals = self._proposal_ids(conn, [s.reference.base for s in new])
        cards = {s.card_sha256: s for s in new}
        known = set(
            conn.execute(
                sa.select(t.card.c.sha256).where(t.card.c.sha256.in_(list(cards)))
            ).scalars()
        )
        missing = [
            {"sha256": sha, "id": s.card_id, "text": s.card_text}
            for sha, s in cards.items()
            if sha not in known
        ]
        if missing:
            conn.execute(sa.insert(t.card), missing)
        for i in range(0, len(new), _CHUNK):
            chunk = new[i : i + _CHUNK]
            conn.execute(
                sa.insert(t.version),
                [_version_row(s, proposals[s.reference.base], by, when) for s in chunk],
            )
            ids = dict(
                conn.execute(
                    sa.select(t.version.c.reference, t.version.c.id).where(
                        t.version.c.reference.in_([s.reference.text for s in chunk])
                    )
                ).all()
            )
            conn.execute(
                sa.insert(t.version_document),
                [
                    {
                        "version_id": ids[s.reference.text],
                        "text": s.text,
                        "estimate": s.estimate_json,
                    }
                    for s in chunk
                ],
            )
            needs = [
                {
                    "version_id": ids[s.reference.text],
                    "year": n.year,
                    "unit": n.unit,
                    "cents": cents(n.amount),
                }
                for s in chunk
                for n in s.needs
            ]
            if needs:
                conn.execute(sa.insert(t.requirement), needs)
            if progress is not None:
                progress(i + len(chunk), len(new))

    def _proposal_ids(self, conn: sa.Connection, bases: list[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(bases))
        p = t.proposal.c
        found: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            found.update(
                conn.execute(
                    sa.select(p.reference, p.id).where(p.reference.in_(wanted[i : i + 500]))
                ).all()
            )
        for base in wanted:  # in order: ids follow the order of first recording
            if base not in found:
                found[base] = conn.execute(
                    sa.insert(t.proposal).values(reference=base).returning(p.id)
                ).scalar_one()
        return found

    def versions(self, proposal: str | None = None) -> list[VersionInfo]:
        """Every version, proposals in the order of first recording, each proposal's
        versions in order; or those of one proposal (its reference, with or without
        revision)."""
        with self._read() as conn:
            return self._versions(conn, proposal)

    def _versions(self, conn: sa.Connection, proposal: str | None) -> list[VersionInfo]:
        v, p = t.version.c, t.proposal.c
        query = sa.select(
            p.reference.label("base"),
            p.id.label("pid"),
            v.id,
            v.reference,
            v.rev,
            v.addendum,
            v.corrigendum,
            v.title,
            v.conference,
            v.currency,
            v.total_cents,
            v.additional_cents,
            v.card_id,
            v.card_sha256,
            v.plan_id,
            v.recorded_by,
            v.recorded_at,
        ).join_from(t.version, t.proposal, v.proposal_id == p.id)
        if proposal is not None:
            query = query.where(p.reference == _base(proposal))
        rows = sorted(
            conn.execute(query).all(),
            key=lambda r: (r.pid, r.rev, r.addendum, r.corrigendum),
        )
        current: dict[int, str] = {}
        for r in rows:
            current[r.pid] = r.reference
        d = t.decision.c
        last: dict[int, tuple[DecisionKind, int | None]] = {}
        for pid, kind, vid in conn.execute(
            sa.select(d.proposal_id, d.kind, d.version_id).order_by(d.id)
        ):
            last[pid] = (kind, vid)

        def counted(r: Any) -> bool:
            kind, vid = last.get(r.pid, (None, None))
            if kind is None:
                return bool(current[r.pid] == r.reference)
            return kind in ("adopted", "amended") and vid == r.id

        return [
            VersionInfo(
                r.base,
                r.reference,
                r.title,
                r.conference,
                r.currency,
                from_cents(r.total_cents),
                from_cents(r.additional_cents),
                r.card_id,
                r.card_sha256,
                r.plan_id,
                r.recorded_by,
                r.recorded_at,
                current[r.pid] == r.reference,
                last.get(r.pid, (None, None))[0],
                counted(r),
            )
            for r in rows
        ]

    def version(self, reference: str) -> VersionRecord | None:
        """One version with its text, card and estimate; its reference as written in the
        proposal (any spelling of its revision)."""
        try:
            ref = parse(reference).text
        except ReferenceProblem as e:
            raise RegisterProblem(str(e)) from e
        with self._read() as conn:
            v = t.version.c
            doc = t.version_document.c
            row = conn.execute(
                sa.select(
                    v.id, doc.text, doc.estimate, v.plan_sha256, v.tool_version, t.card.c.text
                )
                .join_from(t.version, t.card, v.card_sha256 == t.card.c.sha256)
                .join(t.version_document, doc.version_id == v.id)
                .where(v.reference == ref)
            ).first()
            if row is None:
                return None
            [info] = [i for i in self._versions(conn, ref) if i.reference == ref]
            r = t.requirement.c
            needs = conn.execute(
                sa.select(r.year, r.unit, r.cents).where(r.version_id == row.id)
            ).all()
        return VersionRecord(
            info,
            row.text,
            row.estimate,
            row[5],
            row.plan_sha256,
            tuple(Credit(y, u, from_cents(c)) for y, u, c in sorted(needs)),
            row.tool_version,
        )

    # decisions

    def decide(
        self,
        reference: str,
        kind: DecisionKind,
        *,
        version: str | None = None,
        into: str | None = None,
        note: str | None = None,
        by: str | None,
        at: str | None,
    ) -> tuple[DecisionInfo, bool]:
        """Record a decision on a proposal (named by any of its versions): adopted (the
        version named, else its current one), adopted as amended (``version``, required: the
        amended text, recorded as a version of the proposal), merged into ``into`` (required),
        withdrawn or not adopted. A later decision replaces an earlier one in the position;
        every one is kept. The same decision as the last one recorded changes nothing
        (returns it and False)."""
        base = _base(reference)
        if kind == "amended" and version is None:
            raise RegisterProblem(
                "adopted as amended: name the version adopted with --version (record the"
                " amended text first, as a revision of the proposal)"
            )
        if kind == "merged" and not into:
            raise RegisterProblem("merged: name the text it was merged into with --into")
        if kind not in ("adopted", "amended") and version is not None:
            raise RegisterProblem(f"--version goes with adopted or amended, not {kind}")
        if kind != "merged" and into is not None:
            raise RegisterProblem(f"--into goes with merged, not {kind}")
        with self._write() as conn:
            versions = self._versions(conn, base)
            if not versions:
                raise RegisterProblem(f"{base} is not in {self.shown} (finimpact register list)")
            chosen: VersionInfo | None = None
            if kind in ("adopted", "amended"):
                wanted = _parsed(version).text if version is not None else None
                if wanted is None:
                    chosen = next(v for v in versions if v.current)
                else:
                    found = [v for v in versions if v.reference == wanted]
                    if not found:
                        known = ", ".join(v.reference for v in versions)
                        raise RegisterProblem(
                            f"{wanted} is not a recorded version of {base} ({known}): record"
                            " it first (finimpact register add)"
                        )
                    chosen = found[0]
            into_text = _parsed(into).text if into else None
            last = self._decisions(conn, base)
            same = (kind, chosen.reference if chosen else None, into_text, note)
            if last and (last[-1].kind, last[-1].version, last[-1].into, last[-1].note) == same:
                return last[-1], False
            pid = conn.execute(
                sa.select(t.proposal.c.id).where(t.proposal.c.reference == base)
            ).scalar_one()
            vid = None
            if chosen is not None:
                vid = conn.execute(
                    sa.select(t.version.c.id).where(t.version.c.reference == chosen.reference)
                ).scalar_one()
            conn.execute(
                sa.insert(t.decision).values(
                    proposal_id=pid,
                    kind=kind,
                    version_id=vid,
                    into_text=into_text,
                    note=note,
                    recorded_by=by,
                    recorded_at=at or now(),
                )
            )
            return self._decisions(conn, base)[-1], True

    def decisions(self, reference: str) -> list[DecisionInfo]:
        """Every decision recorded on a proposal, in the order recorded."""
        with self._read() as conn:
            return self._decisions(conn, _base(reference))

    def _decisions(self, conn: sa.Connection, base: str | None) -> list[DecisionInfo]:
        d, p, v = t.decision.c, t.proposal.c, t.version.c
        query = (
            sa.select(
                d.id,
                p.reference,
                d.kind,
                v.reference.label("version"),
                d.into_text,
                d.note,
                d.recorded_by,
                d.recorded_at,
            )
            .join_from(t.decision, t.proposal, d.proposal_id == p.id)
            .outerjoin(t.version, d.version_id == v.id)
            .order_by(d.id)
        )
        if base is not None:
            query = query.where(p.reference == base)
        return [
            DecisionInfo(
                r.reference, r.kind, r.version, r.into_text, r.note, r.recorded_by, r.recorded_at
            )
            for r in conn.execute(query)
        ]

    # the position

    def position(self, plan: FinancialPlan | None) -> RunningPosition:
        """The running Article 34 position: the decisions taken (the versions adopted, in the
        order the decisions were recorded), then the proposals pending (their current
        versions, in the order first recorded), against ``plan`` (None: summed only)."""
        with self._read() as conn:
            v, r = t.version.c, t.requirement.c
            versions = conn.execute(
                sa.select(
                    v.id,
                    v.proposal_id,
                    v.reference,
                    v.rev,
                    v.addendum,
                    v.corrigendum,
                    v.title,
                    v.currency,
                    v.recorded_at,
                )
            ).all()
            bases = dict(conn.execute(sa.select(t.proposal.c.id, t.proposal.c.reference)).all())
            d = t.decision.c
            decisions = conn.execute(
                sa.select(
                    d.id, d.proposal_id, d.kind, d.version_id, d.into_text, d.recorded_at
                ).order_by(d.id)
            ).all()
            needs: dict[int, list[Credit]] = {}
            for vid, year, unit, c in conn.execute(
                sa.select(r.version_id, r.year, r.unit, r.cents)
            ):
                needs.setdefault(vid, []).append(Credit(year, unit, from_cents(c)))
        by_id = {row.id: row for row in versions}
        current: dict[int, Any] = {}
        for row in versions:
            best = current.get(row.proposal_id)
            if best is None or (row.rev, row.addendum, row.corrigendum) > (
                best.rev,
                best.addendum,
                best.corrigendum,
            ):
                current[row.proposal_id] = row
        last: dict[int, Any] = {}
        for taken in decisions:
            last[taken.proposal_id] = taken  # the latest decision on each proposal
        recorded = set(bases.values())

        def contribution(row: Any, stage: Stage, decision: Any = None) -> Contribution:
            ordered = sorted(needs.get(row.id, ()), key=lambda n: (n.year, n.unit))
            return Contribution(
                stage,
                bases[row.proposal_id],
                row.reference,
                row.title,
                tuple(ordered),
                None if decision is None else decision.kind,
                None if decision is None else decision.recorded_at,
            )

        adopted: list[Contribution] = []
        closed: list[Closed] = []
        for row in sorted(last.values(), key=lambda r: r.id):
            if row.kind in ("adopted", "amended"):
                adopted.append(contribution(by_id[row.version_id], "adopted", row))
            else:
                cur = current[row.proposal_id]
                into = row.into_text
                closed.append(
                    Closed(
                        bases[row.proposal_id],
                        cur.reference,
                        cur.title,
                        row.kind,
                        row.recorded_at,
                        into,
                        into is not None and _parsed(into).base in recorded,
                    )
                )
        pending = [
            contribution(current[pid], "pending") for pid in sorted(current) if pid not in last
        ]
        counted = {c.version for c in [*adopted, *pending]}
        currencies = sorted({row.currency for row in versions if row.reference in counted})
        if len(currencies) > 1:
            raise RegisterProblem(
                f"the versions counted are in {' and '.join(currencies)}: a position is in"
                " one currency (record them costed on cards in one currency)"
            )
        currency = currencies[0] if currencies else (plan.currency if plan else None)
        if plan is not None and currency is not None and plan.currency != currency:
            raise RegisterProblem(
                f"the financial plan '{plan.id}' is in {plan.currency}, the register's"
                f" versions in {currency}: name a plan in {currency}"
            )
        times = [row.recorded_at for row in versions] + [row.recorded_at for row in decisions]
        return compute(
            adopted,
            pending,
            plan,
            currency=currency,
            closed=closed,
            versions=len(versions),
            as_of=max(times) if times else None,
        )

    # export and import

    def dump(self) -> Stored:
        """Everything recorded, in the order recorded (one read transaction)."""
        with self._read() as conn:
            v = t.version.c
            doc = t.version_document.c
            rows = conn.execute(
                sa.select(t.version, doc.text, doc.estimate, t.proposal.c.reference.label("base"))
                .join_from(t.version, t.proposal, v.proposal_id == t.proposal.c.id)
                .join(t.version_document, doc.version_id == v.id)
                .order_by(v.id)
            ).all()
            r = t.requirement.c
            needs: dict[int, list[Credit]] = {}
            for vid, year, unit, c in conn.execute(
                sa.select(r.version_id, r.year, r.unit, r.cents)
            ):
                needs.setdefault(vid, []).append(Credit(year, unit, from_cents(c)))
            cards = {
                sha: (card_id, text)
                for sha, card_id, text in conn.execute(
                    sa.select(t.card.c.sha256, t.card.c.id, t.card.c.text).order_by(t.card.c.sha256)
                )
            }
            decisions = self._decisions(conn, None)
        versions = [
            VersionDump(
                row.base,
                row.reference,
                row.text,
                row.text_sha256,
                row.card_id,
                row.card_sha256,
                row.plan_id,
                row.plan_sha256,
                row.currency,
                from_cents(row.total_cents),
                from_cents(row.additional_cents),
                tuple(sorted(needs.get(row.id, ()), key=lambda n: (n.year, n.unit))),
                row.estimate,
                row.recorded_by,
                row.recorded_at,
                row.tool_version,
            )
            for row in rows
        ]
        return Stored(versions, cards, decisions)

    def load(
        self, versions: Sequence[tuple[Submission, Stamp]], decisions: Sequence[dict[str, Any]]
    ) -> None:
        """Record an export's versions, each with who recorded it and when, and its
        decisions, in one transaction, into a register that holds nothing yet."""
        with self._write() as conn:
            held = conn.execute(sa.select(sa.func.count()).select_from(t.version)).scalar_one()
            if held:
                raise RegisterProblem(
                    f"{self.shown} already holds {held} versions: import into a new or empty"
                    " register"
                )
            for sub, stamp in versions:
                self._insert(conn, [sub], stamp.by, stamp.at, None)
            ids = dict(conn.execute(sa.select(t.proposal.c.reference, t.proposal.c.id)).all())
            vids = dict(conn.execute(sa.select(t.version.c.reference, t.version.c.id)).all())
            rows = []
            for d in decisions:
                kind = d.get("decision")
                if kind not in DECISIONS or d.get("proposal") not in ids:
                    raise RegisterProblem(f"a decision of the export cannot be read: {d}")
                version = d.get("version")
                if version is not None and version not in vids:
                    raise RegisterProblem(f"a decision names {version}, which is not recorded")
                rows.append(
                    {
                        "proposal_id": ids[d["proposal"]],
                        "kind": kind,
                        "version_id": None if version is None else vids[version],
                        "into_text": d.get("into"),
                        "note": d.get("note"),
                        "recorded_by": d.get("recorded_by"),
                        "recorded_at": d["recorded_at"],
                    }
                )
            if rows:
                conn.execute(sa.insert(t.decision), rows)

    def remake(self, reference: str) -> api.Outcome:
        """A version's estimate made again from its recorded text and card (for the
        difference between versions, which needs the estimates themselves)."""
        record = self.version(reference)
        if record is None:
            raise RegisterProblem(f"{reference} is not recorded in {self.shown}")
        with tempfile.TemporaryDirectory(prefix="finimpact-card-") as folder:
            card = Path(folder) / f"{record.info.card_id}.toml"
            card.write_text(record.card_text, encoding="utf-8", newline="")
            # named by the register it is read from: the outputs name a proposal's source by
            # its file's name, and 'PP26/44A2/1' would show as a file '1'
            outcome = api.estimate_text(record.text, self.name, rates=card)
        est = outcome.estimate
        if est is None or est.total != record.info.total:
            raise RegisterProblem(
                f"{record.info.reference} no longer costs what was recorded on its card"
                f" ({record.info.currency} {record.info.total}): it was costed by finimpact"
                f" {record.tool_version}, whose rules differ from this one's"
            )
        return outcome


def _parsed(reference: str) -> Reference:
    try:
        return parse(reference)
    except ReferenceProblem as e:
        raise RegisterProblem(str(e)) from e


def _base(reference: str) -> str:
    return _parsed(reference).base


def _version_row(s: Submission, proposal_id: int, by: str | None, when: str) -> dict[str, Any]:
    ref: Reference = s.reference
    return {
        "proposal_id": proposal_id,
        "reference": ref.text,
        "rev": ref.rev,
        "addendum": ref.add,
        "corrigendum": ref.corr,
        "title": s.title,
        "conference": s.conference,
        "currency": s.currency,
        "text_sha256": s.text_sha256,
        "card_sha256": s.card_sha256,
        "card_id": s.card_id,
        "plan_id": s.plan_id,
        "plan_sha256": s.plan_sha256,
        "total_cents": cents(s.total),
        "additional_cents": cents(s.additional),
        "recorded_by": by,
        "recorded_at": when,
        "tool_version": __version__,
    }


def _reason(e: sa.exc.DBAPIError) -> str:
    """The driver's own words, first line only (never the statement or its parameters)."""
    return str(e.orig).strip().splitlines()[0] if e.orig is not None else type(e).__name__


def migrate(conn: sa.Connection, target: str) -> None:
    """Run the migrations up to ``target`` on the connection, in its transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    command.upgrade(config, target)


def estimate_data(record: VersionRecord) -> dict[str, Any]:
    """The stored estimate, as JSON data."""
    data: dict[str, Any] = json.loads(record.estimate_json)
    return data
