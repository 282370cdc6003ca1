"""The register's database: open (or create) it, check what it is, upgrade an older one, and
run each command in one transaction.

A register is a SQLite file (the default, ``finimpact-register.sqlite`` in the current folder)
or a PostgreSQL database named by a URL (``postgresql://officer@host/conference``, through the
psycopg 3 driver). Writers take the register for themselves for the length of their transaction
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so two officers
adding at the same moment wait for each other and lose nothing; readers never wait. A command
killed midway leaves the register as its last committed transaction left it.

The schema is versioned by Alembic (``migrations``): opening a register made by an older
version of the tool upgrades it, in the same transaction as the command that opened it; one
made by a newer version is refused, as is a file that is not a register (another database,
another kind of file, a damaged one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from estimator import __version__
from estimator.register import schema as t
from estimator.register.intake import Submission
from estimator.register.position import Need
from estimator.register.reference import Reference, ReferenceProblem, parse

DEFAULT_FILE = "finimpact-register.sqlite"
"""The register used when none is named: this file in the current folder."""
APPLICATION = "finimpact register"
REVISIONS = ("0001",)
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


@dataclass(frozen=True)
class VersionRecord:
    """A version with everything stored about it."""

    info: VersionInfo
    text: str
    estimate_json: str
    card_text: str
    plan_sha256: str | None
    needs: tuple[Need, ...]
    tool_version: str


@dataclass(frozen=True)
class Added:
    added: tuple[str, ...]
    unchanged: tuple[str, ...]


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
            row = conn.execute(
                sa.select(v.id, v.text, v.estimate, v.plan_sha256, v.tool_version, t.card.c.text)
                .join_from(t.version, t.card, v.card_sha256 == t.card.c.sha256)
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
            tuple(Need(y, u, from_cents(c)) for y, u, c in sorted(needs)),
            row.tool_version,
        )


def _base(reference: str) -> str:
    try:
        return parse(reference).base
    except ReferenceProblem as e:
        raise RegisterProblem(str(e)) from e


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
        "text": s.text,
        "text_sha256": s.text_sha256,
        "card_sha256": s.card_sha256,
        "card_id": s.card_id,
        "plan_id": s.plan_id,
        "plan_sha256": s.plan_sha256,
        "total_cents": cents(s.total),
        "additional_cents": cents(s.additional),
        "estimate": s.estimate_json,
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
