"""Proposals into submissions: each file read and costed through ``estimator.api``, then held
as what the register stores (the text, the card with its text, the plan, the estimate and its
additional credits by year and budget unit). Nothing here touches the database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from estimator import api
from estimator.register.position import Credit
from estimator.register.reference import Reference, ReferenceProblem, parse


@dataclass(frozen=True)
class Submission:
    """One costed version, ready to record."""

    reference: Reference
    title: str
    conference: str
    currency: str
    text: str
    text_sha256: str
    card_id: str
    card_sha256: str
    card_text: str
    plan_id: str | None
    plan_sha256: str | None
    total: Decimal
    additional: Decimal
    needs: tuple[Credit, ...]
    estimate_json: str
    name: str
    """Where it came from (a file), for messages."""

    @property
    def same_as(self) -> tuple[str, str, str | None]:
        """What makes re-adding a version change nothing: the same text, card and plan."""
        return (self.text_sha256, self.card_sha256, self.plan_sha256)


def find_files(paths: Sequence[Path]) -> tuple[list[Path], list[api.Diagnostic]]:
    """The files named, and the *.toml under the folders named (recursively), sorted."""
    found: list[Path] = []
    problems: list[api.Diagnostic] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.toml") if p.is_file())
        elif path.exists():
            found.append(path)
        else:
            problems.append(api.Diagnostic(str(path), (), "no-file", "no such file or folder"))
    return list(dict.fromkeys(found)), problems


def submit_text(
    text: str,
    name: str,
    *,
    rates: api.Rates = None,
    plan: Path | str | None = None,
) -> tuple[Submission | None, list[api.Diagnostic]]:
    """A proposal's TOML text costed into a submission; None and every problem when it
    cannot be costed."""
    source, problems = api.parse_source(text, name)
    if source is None:
        return None, problems
    return submit_source(source, rates=rates, plan=plan)


def submit_source(
    source: api.Source, *, rates: api.Rates = None, plan: Path | str | None = None
) -> tuple[Submission | None, list[api.Diagnostic]]:
    outcome = api.estimate(source, rates=rates, plan=plan)
    diags = list(outcome.diagnostics)
    est = outcome.estimate
    if est is None or not outcome.ok or source.text is None:
        return None, diags
    info = est.proposal.info
    try:
        reference = parse(info.reference)
    except ReferenceProblem as e:
        return None, [*diags, source.diag(("proposal", "reference"), "reference", str(e))]
    card, found = api.rate_card(rates if rates is not None else info.rate_card)
    if card is None or card.sha256 != est.card_sha256 or card.document.text is None:
        return None, [*diags, *found]  # the card changed on disk while it was read
    needs = tuple(Credit(r.year, r.unit, r.additional) for r in est.article34.required)
    assessed = est.article34.plan
    estimate_json = api.render(est, api.RenderOptions(formats=("json",)))["json"]
    return (
        Submission(
            reference=reference,
            title=info.title,
            conference=info.conference,
            currency=est.currency,
            text=source.text,
            text_sha256=hashlib.sha256(source.text.encode("utf-8")).hexdigest(),
            card_id=card.id,
            card_sha256=card.sha256,
            card_text=card.document.text,
            plan_id=None if assessed is None else assessed.id,
            plan_sha256=None if assessed is None else assessed.sha256,
            total=est.total,
            additional=est.article34.additional,
            needs=needs,
            estimate_json=estimate_json.decode("utf-8"),
            name=source.file,
        ),
        diags,
    )


def submit_files(
    paths: Sequence[Path], *, rates: api.Rates = None, plan: Path | str | None = None
) -> tuple[list[Submission], list[api.Diagnostic], list[str]]:
    """Every proposal of the paths costed: the submissions, every problem, and the files
    skipped (rate cards and plans found in a folder)."""
    files, problems = find_files(paths)
    named = {p.resolve() for p in paths if p.is_file()}
    subs: list[Submission] = []
    skipped: list[str] = []
    for file in files:
        source, found = api.read_source(file)
        problems += found
        if source is None:
            continue
        kind = api.kind_of(source.data)
        if kind != "proposal" and file.resolve() not in named:
            skipped.append(f"{file}: skipped: a {kind}, not a proposal")
            continue
        sub, found = submit_source(source, rates=rates, plan=plan)
        problems += found
        if sub is not None:
            subs.append(sub)
    return subs, problems, skipped
