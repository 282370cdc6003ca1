"""Batch: cost every proposal of a conference, then report them together against the plan.

Each proposal is priced and written into its own outputs (``write_outputs``) as it comes, in a
pool of processes when ``jobs`` > 1. Only a small :class:`BatchRow` per proposal is kept (never the
Estimate), so memory does not grow with the number of proposals. The rows are put in
submission order (the ``submitted`` date of ``[proposal]``, then the file path; proposals
without a date come last) and the cumulative additional credits are set against the plan's
headroom for every year and budget unit, to show which proposal first exceeds it.

The result does not depend on ``jobs``: work is handed out and collected in file order.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import tomllib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, overload

from estimator.core.assess import YearUnit, additional_by_year_unit
from estimator.core.diagnostics import Diagnostic, Severity, TextPosition
from estimator.core.estimate import Estimate
from estimator.core.load import MAX_BYTES, kind_of, read_bytes, read_toml
from estimator.core.pipeline import estimate as run_estimate
from estimator.core.pipeline import resolve_card
from estimator.core.plan import FinancialPlan, resolve_plan
from estimator.render.options import DEFAULT_OPTIONS, RenderOptions
from estimator.render.outputs import safe_stem, write_outputs
from estimator.render.stopping import clean_up_on_sigterm
from estimator.render.wording import article34_statement

ORDER_RULE = (
    "Submission order: by the date each proposal was submitted, then by file path; proposals "
    "without a date come after those with one."
)


@dataclass(frozen=True)
class BatchRow:
    """What the consolidated report needs of one costed proposal: a few hundred bytes."""

    file: str
    reference: str
    title: str
    conference: str
    submitted_by: tuple[str, ...]
    submitted: str | None
    currency: str
    card: str
    total: Decimal
    by_year: dict[int, Decimal]
    by_unit: dict[str, Decimal]
    by_funding: dict[str, Decimal]
    additional: dict[YearUnit, Decimal]
    """Additional credits per (year, budget unit): what counts against the headroom."""
    verdict: str
    statement: str
    outputs: tuple[str, ...]
    warnings: tuple[Diagnostic, ...] = ()

    @classmethod
    def of(cls, estimate: Estimate, file: str, outputs: Iterable[Path]) -> BatchRow:
        info = estimate.proposal.info
        return cls(
            file=file,
            reference=info.reference,
            title=info.title,
            conference=info.conference,
            submitted_by=tuple(info.submitted_by),
            submitted=info.submitted,
            currency=estimate.currency,
            card=estimate.card.id,
            total=estimate.total,
            by_year=estimate.by_year(),
            by_unit=estimate.by_unit(),
            by_funding=estimate.by_funding(),
            additional=additional_by_year_unit(estimate.lines),
            verdict=estimate.article34.verdict,
            statement=article34_statement(estimate.article34),
            outputs=tuple(p.name for p in outputs),
            warnings=estimate.warnings,
        )


class RowStore(Sequence[BatchRow]):
    """The rows of a batch, kept in a temporary file: only their positions stay in memory.

    Rows are added as proposals are costed; ``seal()`` puts them in submission order; then
    ``store[i]`` and iteration read them back from the file, so a report can make as many
    passes as it needs without holding every row. What stays in memory per row is a few
    integers in arrays (sort key, offset, size): nothing that scatters small objects over the
    heap, so the memory of a batch of thousands stays flat.
    """

    def __init__(self, files: Iterable[Path] = ()) -> None:
        # the store owns its file for its lifetime; close() or exit removes it
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="finimpact-rows-")  # noqa: SIM115
        self._rank = {str(p): i for i, p in enumerate(sorted(files, key=str))}
        """File path → its place in path order, the tie-break of the submission order."""
        self._keys = array("q")
        self._offsets = array("q")
        self._sizes = array("q")
        self._order = array("q")
        self._sealed = False

    def _key(self, row: BatchRow) -> int:
        """Submission order as one integer: dated first, by date, then by file path."""
        date = int(row.submitted.replace("-", "")) if row.submitted else 99_999_999
        rank = self._rank.get(row.file)
        if rank is None:
            rank = self._rank[row.file] = len(self._rank)
        return date * 10_000_000 + rank

    def add(self, row: BatchRow) -> None:
        if self._sealed:
            raise RuntimeError("rows cannot be added to a sealed store")
        data = pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
        self._offsets.append(self._file.seek(0, io.SEEK_END))
        self._file.write(data)
        self._sizes.append(len(data))
        self._keys.append(self._key(row))

    def seal(self) -> None:
        self._file.flush()  # rows are read back with pread, from the file itself
        keys = self._keys
        self._order = array("q", sorted(range(len(keys)), key=keys.__getitem__))
        self._sealed = True

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, i: int) -> BatchRow: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[BatchRow]: ...

    def __getitem__(self, i: int | slice) -> BatchRow | Sequence[BatchRow]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not self._sealed:
            raise RuntimeError("seal the store before reading it")
        j = self._order[i]
        offset, size = self._offsets[j], self._sizes[j]
        # pread, not seek and read: a process forked to write a report reads the same file
        data = os.pread(self._file.fileno(), size, offset)
        row: BatchRow = pickle.loads(data)  # our own file, written above
        return row

    def __iter__(self) -> Iterator[BatchRow]:
        for i in range(len(self)):
            yield self[i]

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class Failure:
    """A proposal that could not be costed, and why."""

    file: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Settings:
    """What every proposal of a batch shares: handed once to each worker process."""

    out_dir: Path
    options: RenderOptions
    card_path: Path | None
    plan: FinancialPlan | None
    currency: str


@dataclass(frozen=True)
class Batch:
    """The outcome of a batch: rows in submission order, failures in file order."""

    rows: Sequence[BatchRow]
    failures: tuple[Failure, ...]
    plan: FinancialPlan | None
    currency: str
    files: int
    """Proposal files named or found (rate cards and plans found in folders are skipped)."""
    skipped: tuple[tuple[str, str], ...] = ()
    """Files found that are not proposals, and what they are."""

    @property
    def ok(self) -> bool:
        return not self.failures

    def close(self) -> None:
        """Remove the temporary file that holds the rows."""
        if isinstance(self.rows, RowStore):
            self.rows.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def find_proposals(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The TOML files named, and those under the folders named (recursively), sorted."""
    found: list[Path] = []
    diags: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.toml") if p.is_file())
        elif path.exists():
            found.append(path)
        else:
            diags.append(
                Diagnostic(str(path), (), "no-file", "no such file or folder (check the path)")
            )
    unique = list(dict.fromkeys(found))
    return unique, diags


def _peek(path: Path) -> dict[str, Any] | None:
    """A file's TOML tables, read quickly without validation; None if it cannot be read."""
    raw = read_bytes(path)  # a named pipe is refused, not waited on
    if isinstance(raw, tuple) or len(raw) > MAX_BYTES:
        return None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None


def _reference(data: dict[str, Any] | None) -> str | None:
    proposal = data.get("proposal") if data is not None else None
    reference = proposal.get("reference") if isinstance(proposal, dict) else None
    return reference if isinstance(reference, str) and reference else None


def not_a_proposal(data: dict[str, Any] | None) -> str | None:
    """Why a file found is not a proposal (by the rule of ``kind_of``), or None."""
    if data is None:
        return None
    kind = kind_of(data)
    return None if kind == "proposal" else f"a {kind}, not a proposal"


def duplicates(references: Mapping[Path, str | None]) -> dict[Path, Diagnostic]:
    """Files whose reference (or the output name made from it) another file uses too."""
    by_stem: dict[str, list[tuple[Path, str]]] = {}
    for path, reference in references.items():
        if reference is not None:
            by_stem.setdefault(safe_stem(reference).lower(), []).append((path, reference))
    out: dict[Path, Diagnostic] = {}
    for group in by_stem.values():
        if len(group) < 2:
            continue
        for path, reference in group:
            # named by name, not path: the message goes into the batch report
            others = [
                f"{p.name} ('{r}')" if r != reference else p.name for p, r in group if p != path
            ]
            doc, _ = read_toml(path)
            same = all(r == reference for _, r in group)
            out[path] = Diagnostic(
                str(path),
                ("proposal", "reference"),
                "duplicate-reference",
                f"reference '{reference}' is also used by {', '.join(others)}"
                if same
                else f"reference '{reference}' gives the same output file names as "
                f"{', '.join(others)}",
                "each proposal of a batch needs its own reference",
                locator=doc.locator if doc else TextPosition(1, 1),
            )
    return out


_SETTINGS: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _SETTINGS
    _SETTINGS = settings
    clean_up_on_sigterm()  # a worker stopped by SIGTERM removes its temporary files too


def _cost_in_worker(path: Path) -> BatchRow | Failure:
    assert _SETTINGS is not None, "worker not initialized"
    return cost_one(path, _SETTINGS)


def cost_one(path: Path, settings: Settings) -> BatchRow | Failure:
    """Price one proposal, write its outputs, and keep only its row.

    A bug met on one proposal (an exception) fails that proposal, not the batch: it is
    reported as an internal error to report, and the other proposals are still costed.
    """
    try:
        return _cost_and_write(path, settings)
    except Exception as e:
        display = str(path)
        return Failure(
            display,
            (
                Diagnostic(
                    display,
                    (),
                    "internal-error",
                    f"internal error while costing this proposal ({type(e).__name__});"
                    " please report it",
                    "the other proposals were costed",
                    locator=TextPosition(1, 1),
                ),
            ),
        )


def _cost_and_write(path: Path, settings: Settings) -> BatchRow | Failure:
    display = str(path)
    outcome = run_estimate(
        path, settings.card_path, display, plan=settings.plan, currency=settings.currency
    )
    if not outcome.ok or outcome.estimate is None:
        return Failure(display, tuple(outcome.diagnostics))
    result = outcome.estimate
    try:
        written = write_outputs(result, settings.out_dir, settings.options)
    except OSError as e:  # a full disk, a folder taken away: the input is fine, say so
        return Failure(
            display,
            (
                Diagnostic(
                    display,
                    (),
                    "cannot-write",
                    f"costed, but its outputs cannot be written in {settings.out_dir}:"
                    f" {e.strerror or e}",
                    "check that --out is a folder you can write to, with room on its disk",
                    locator=TextPosition(1, 1),
                ),
            ),
        )
    return BatchRow.of(result, display, written)


def batch_settings(
    out_dir: Path,
    options: RenderOptions = DEFAULT_OPTIONS,
    card_path: Path | None = None,
    plan_path: Path | None = None,
) -> tuple[Settings | None, list[Diagnostic]]:
    """Load the card's currency and the plan once, for every proposal of the batch."""
    card, diags = resolve_card(card_path, None)
    if card is None:
        return None, diags
    plan, found = resolve_plan(plan_path, card)
    diags += found
    if any(d.severity is Severity.ERROR for d in diags):
        return None, diags
    currency = plan.currency if plan is not None else card.currency
    return Settings(out_dir, options, card_path, plan, currency), diags


def run_batch(
    files: Sequence[Path],
    settings: Settings,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Batch:
    """Cost every file; return the rows in submission order and the failures in file order."""
    skipped: dict[Path, str] = {}
    references: dict[Path, str | None] = {}
    for path, (why, reference) in zip(files, _sorted_out(files, jobs), strict=True):
        if why is not None:
            skipped[path] = why
        else:
            references[path] = reference
    clashes = duplicates(references)
    failures = [
        Failure(str(p), (clashes[p], *_problems(p, settings))) for p in files if p in clashes
    ]
    todo = [p for p in files if p not in clashes and p not in skipped]
    rows = RowStore(todo)
    done = len(files) - len(todo)
    if progress:
        progress(done, len(files))
    for result in _results(todo, settings, jobs):
        if isinstance(result, BatchRow):
            rows.add(result)
        else:
            failures.append(result)
        done += 1
        if progress:
            progress(done, len(files))
    rows.seal()
    order = {str(p): i for i, p in enumerate(files)}
    failures.sort(key=lambda f: order.get(f.file, len(order)))
    count = len(files) - len(skipped)
    notes = tuple((str(p), why) for p, why in skipped.items())
    return Batch(rows, tuple(failures), settings.plan, settings.currency, count, notes)


def _sort_out(path: Path) -> tuple[str | None, str | None]:
    """What the check before costing needs of a file: why it is not a proposal (None if it
    is one), and its reference."""
    data = _peek(path)
    return not_a_proposal(data), _reference(data)


def _sorted_out(files: Sequence[Path], jobs: int) -> list[tuple[str | None, str | None]]:
    """_sort_out of every file, in file order; read by the worker processes when there are
    several, so that the main process does not read every file alone while they wait."""
    if jobs <= 1 or len(files) < 4 * jobs:
        return [_sort_out(path) for path in files]
    chunk = max(1, min(64, len(files) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_sort_out, files, chunksize=chunk))


def _problems(path: Path, settings: Settings) -> list[Diagnostic]:
    """The other problems of a file that is not costed (its reference clashes): every problem
    of every file is reported in one run."""
    outcome = run_estimate(
        path, settings.card_path, str(path), plan=settings.plan, currency=settings.currency
    )
    return [d for d in outcome.diagnostics if d.severity is Severity.ERROR]


def _results(files: Sequence[Path], settings: Settings, jobs: int) -> Iterator[BatchRow | Failure]:
    if jobs <= 1 or len(files) < 2:
        for path in files:
            yield cost_one(path, settings)
        return
    segment = jobs * WORKER_PROPOSALS
    for start in range(0, len(files), segment):
        part = files[start : start + segment]
        chunk = max(1, min(8, len(part) // (jobs * 8)))
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(settings,)
        ) as pool:
            yield from pool.map(_cost_in_worker, part, chunksize=chunk)


WORKER_PROPOSALS = 500
"""Worker processes are replaced after about this many proposals each (a new pool per segment
of the files, in order), so that what the libraries keep (allocator fragmentation, caches)
cannot grow with the size of the batch. Forking a pool costs a few milliseconds."""
