"""A register to plain files and back: the proposals as recorded (TOML), the rate cards they
were costed on (TOML), the estimates as made (JSON), and one JSON index of every version and
decision in the order recorded, with who recorded each and when.

Importing costs every version again from its text and card, and refuses the folder if any
figure differs from the index: a register imported from an export gives the same position.
The same register gives the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cost_models.money import money
from estimator import __version__, api
from estimator.register.intake import Submission, submit_text
from estimator.register.store import Register, RegisterProblem, Stamp, Stored

FORMAT = "finimpact/register-export/1"
INDEX = "index.json"


def _safe(reference: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", reference).strip("-") or "proposal"


def export(register: Register, folder: Path) -> list[Path]:
    """Write the register into ``folder`` (new, or empty), all or nothing; return the index
    and the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise RegisterProblem(f"{folder}: export into a new or empty folder")
    stored = register.dump()
    parent = folder.resolve().parent
    if not parent.is_dir():
        raise RegisterProblem(f"cannot write {folder}: its folder does not exist")
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=parent))
    try:
        written = _write(stored, work)
        if folder.exists():
            folder.rmdir()
        os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return [folder / p.relative_to(work) for p in written]


def _write(stored: Stored, work: Path) -> list[Path]:
    (work / "versions").mkdir()
    (work / "cards").mkdir()
    written: list[Path] = []
    cards: dict[str, str] = {}
    for sha, (card_id, text) in stored.cards.items():
        name = f"cards/{_safe(card_id)}-{sha[:12]}.toml"
        (work / name).write_text(text, encoding="utf-8", newline="")
        cards[sha] = name
        written.append(work / name)
    versions = []
    for n, v in enumerate(stored.versions, 1):
        stem = f"versions/{n:05d}-{_safe(v.reference)}"
        (work / f"{stem}.toml").write_text(v.text, encoding="utf-8", newline="")
        (work / f"{stem}.estimate.json").write_text(v.estimate_json, "utf-8", newline="")
        written += [work / f"{stem}.toml", work / f"{stem}.estimate.json"]
        versions.append(
            {
                "reference": v.reference,
                "proposal": v.proposal,
                "file": f"{stem}.toml",
                "estimate": f"{stem}.estimate.json",
                "text_sha256": v.text_sha256,
                "card": {"id": v.card_id, "sha256": v.card_sha256, "file": cards[v.card_sha256]},
                "plan": None if v.plan_id is None else {"id": v.plan_id, "sha256": v.plan_sha256},
                "currency": v.currency,
                "total": money(v.total),
                "additional": money(v.additional),
                "needs": [
                    {"year": n.year, "unit": n.unit, "additional": money(n.amount)} for n in v.needs
                ],
                "recorded_by": v.recorded_by,
                "recorded_at": v.recorded_at,
                "costed_by": v.tool_version,
            }
        )
    index = {
        "format": FORMAT,
        "tool": {"name": "finimpact", "version": __version__},
        "versions": versions,
        "decisions": [
            {
                "proposal": d.proposal,
                "decision": d.kind,
                "version": d.version,
                "into": d.into,
                "note": d.note,
                "recorded_by": d.recorded_by,
                "recorded_at": d.recorded_at,
            }
            for d in stored.decisions
        ],
    }
    (work / INDEX).write_text(
        json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline=""
    )
    return [work / INDEX, *written]


def read_export(folder: Path) -> tuple[list[tuple[Submission, Stamp]], list[dict[str, Any]]]:
    """The versions of an export, each costed again from its text and card and checked
    against the index, with who recorded it and when; and its decisions. Raises
    RegisterProblem naming every version whose files or figures do not match."""
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RegisterProblem(f"{folder / INDEX}: not a register export ({e})") from e
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise RegisterProblem(f"{folder / INDEX}: not a register export (format {FORMAT})")
    out: list[tuple[Submission, Stamp]] = []
    problems: list[str] = []
    for v in index["versions"]:
        try:
            text = (folder / v["file"]).read_text(encoding="utf-8")
            estimate_json = (folder / v["estimate"]).read_text(encoding="utf-8")
            card = folder / v["card"]["file"]
        except (OSError, KeyError, TypeError) as e:
            problems.append(f"{v.get('reference', '?')}: {e}")
            continue
        sub, diags = submit_text(text, v["file"], rates=card)
        if sub is None:
            problems += [d.render() for d in diags if d.severity is api.Severity.ERROR]
            continue
        found = {
            "reference": sub.reference.text,
            "text_sha256": sub.text_sha256,
            "card": sub.card_sha256,
            "total": money(sub.total),
            "needs": [[n.year, n.unit, money(n.amount)] for n in sub.needs],
        }
        expected = {
            "reference": v["reference"],
            "text_sha256": v["text_sha256"],
            "card": v["card"]["sha256"],
            "total": v["total"],
            "needs": [[n["year"], n["unit"], n["additional"]] for n in v["needs"]],
        }
        wrong = [k for k in found if found[k] != expected[k]]
        if wrong:
            problems.append(
                f"{v['reference']} ({v['file']}): its {', '.join(wrong)} differ from the index"
                " when costed again"
            )
            continue
        plan = v.get("plan") or {}
        sub = Submission(
            **{
                **sub.__dict__,
                "estimate_json": estimate_json,
                "plan_id": plan.get("id"),
                "plan_sha256": plan.get("sha256"),
            }
        )
        out.append((sub, Stamp(v["recorded_by"], v["recorded_at"])))
    if problems:
        raise RegisterProblem(
            f"nothing imported from {folder}:\n" + "\n".join(f"  {p}" for p in problems)
        )
    return out, list(index["decisions"])
