"""Write N valid synthetic proposals for the benchmark: python bench/generate.py N DIR [--seed S].

Each proposal is a realistic mix of the elemental kinds (meetings, documentation, staff,
consultants, travel, contractual services) across the four budget units, with 5 to 40 cost lines
under the default rate card, a 'submitted' date so that a batch has a submission order, and
mostly additional funding (some existing, some extrabudgetary). The same seed writes the same
files. Every file is checked with the estimator before it is written: a draw that does not give
5 to 40 cost lines is drawn again.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from estimator.core.diagnostics import Severity  # noqa: E402
from estimator.core.load import parse_toml  # noqa: E402
from estimator.core.pipeline import resolve_card  # noqa: E402
from estimator.core.price import price  # noqa: E402
from estimator.core.ratecard import RateCard  # noqa: E402
from estimator.core.validate import validate_proposal  # noqa: E402

CONFERENCES = ["PP-26", "WRC-27", "RA-27", "WTSA-28", "WTDC-29", "C26"]
SUBMITTERS = ["ATU", "APT", "CEPT", "CITEL", "RCC", "ASMG", "Kenya", "Brazil", "India", "Japan"]
UNITS = ["GS", "ITU-R", "ITU-T", "ITU-D"]
LANGS = ["ar", "zh", "en", "fr", "ru", "es"]
TARGETS = ["ar", "zh", "fr", "ru", "es"]
GRADES = ["P2", "P3", "P3", "P4", "P5", "G4", "G5", "G6"]
SUBJECTS = [
    "capacity building on AI standards",
    "spectrum for satellite broadband",
    "child online protection",
    "digital public infrastructure",
    "emergency telecommunications",
    "bridging the standardization gap",
    "climate monitoring with ICTs",
    "cybersecurity in developing countries",
]
MIN_LINES, MAX_LINES = 5, 40


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def activity(rng: random.Random, n: int, years: list[int]) -> str:
    kind = rng.choices(
        ["meeting", "documentation", "staff", "consultant", "travel", "services"],
        weights=[30, 20, 20, 10, 12, 8],
    )[0]
    lines = [f'id = "a{n}"', f'kind = "{kind}"']
    if rng.random() < 0.3:
        lines.append(f'unit = "{rng.choice(UNITS)}"')
    span = len(years)
    if span > 1 and rng.random() < 0.4:
        chosen = sorted(rng.sample(years, rng.randint(1, span)))
        lines.append(f"years = [{', '.join(map(str, chosen))}]")
    funding = rng.choices(["additional", "existing", "extrabudgetary"], weights=[75, 15, 10])[0]
    if funding != "additional":
        lines.append(f'funding = "{funding}"')
    if kind == "meeting":
        lines.insert(2, 'title = "Meeting of the group"')
        lines.append(f"count = {rng.randint(1, 4)}")
        lines.append(f"days = {rng.choice([1, 2, 3, 5])}")
        langs = rng.choice([[], ["en", "fr"], ["en", "fr", "es"], LANGS])
        lines.append(f"languages = [{', '.join(map(quote, langs))}]")
        lines.append(f'location = "{rng.choice(["geneva", "geneva", "away", "virtual"])}"')
        if rng.random() < 0.4:
            lines.append("remote = true")
        if rng.random() < 0.3:
            lines.append(f"fellowships = {rng.randint(1, 20)}")
    elif kind == "documentation":
        lines.insert(2, 'title = "Report of the group"')
        if rng.random() < 0.5:
            lines.append(f"words = {rng.randrange(2000, 40000, 500)}")
        else:
            lines.append(f"pages = {rng.randint(5, 120)}")
        if rng.random() < 0.4:
            langs = sorted(rng.sample(TARGETS, rng.randint(1, 5)))
            lines.append(f"languages = [{', '.join(map(quote, langs))}]")
        lines.append('per = "year"')  # so must a document's pages or words (no draw)
    elif kind == "staff":
        lines.insert(2, 'title = "Programme officer"')
        lines.append(f'grade = "{rng.choice(GRADES)}"')
        lines.append(f"months = {rng.randint(1, 12)}")
    elif kind == "consultant":
        lines.insert(2, 'title = "Expert consultant"')
        if rng.random() < 0.5:
            lines.append(f"months = {rng.randint(1, 6)}")
        else:
            lines.append(f"days = {rng.randint(5, 60)}")
        lines.append('per = "year"')  # so must a consultant's months or days (no draw)
    elif kind == "travel":
        lines.insert(2, 'title = "Missions"')
        lines.append(f"trips = {rng.randint(1, 10)}")
        lines.append(f"days = {rng.randint(0, 6)}")
        lines.append(f'traveller = "{rng.choice(["staff", "expert"])}"')
    else:
        lines.insert(2, 'title = "Portal"')
        lines.append(f"amount = {rng.randrange(5000, 200000, 500)}")
        lines.append('per = "year"')  # a multi-year amount must say so (no draw: same corpus)
        lines.append('justification = "Contractual services: design, build and hosting"')
        if rng.random() < 0.3:
            lines.append("external = true")
    return "[[activity]]\n" + "\n".join(lines) + "\n"


def draw(rng: random.Random, i: int) -> str:
    first = rng.randint(2027, 2030)
    years = list(range(first, first + rng.randint(1, 4)))
    subject = rng.choice(SUBJECTS)
    submitters = sorted(rng.sample(SUBMITTERS, rng.randint(1, 3)))
    head = f"""format = 1

[proposal]
reference = "BENCH/{i:05d}"
title = {quote(f"Draft new Resolution [{i}]: {subject}")}
conference = "{rng.choice(CONFERENCES)}"
submitted_by = [{", ".join(map(quote, submitters))}]
action = "ADD"
instrument = "Resolution"
responsible = "{rng.choice(UNITS)}"
period = [{years[0]}, {years[-1]}]
submitted = "2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"
requests = ["instructs the Director of the Bureau to {subject}"]

"""
    count = rng.randint(1, 8)
    return head + "\n".join(activity(rng, n, years) for n in range(1, count + 1))


def line_count(text: str, card: RateCard) -> int | None:
    """The number of cost lines the proposal prices to, or None if it has an error."""
    doc, diags = parse_toml(text.encode("utf-8"), "generated.toml")
    if doc is None:
        return None
    proposal, diags = validate_proposal(doc)
    if proposal is None:
        return None
    lines, diags = price(proposal, card, doc)
    # a warning is part of a realistic mix: only errors make a draw invalid
    return None if any(d.severity is Severity.ERROR for d in diags) else len(lines)


def generate(n: int, folder: Path, seed: int = 2026) -> list[Path]:
    card, diags = resolve_card(None, None)
    if card is None:
        raise SystemExit("\n".join(d.render() for d in diags))
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(1, n + 1):
        while True:
            text = draw(rng, i)
            lines = line_count(text, card)
            if lines is not None and MIN_LINES <= lines <= MAX_LINES:
                break
        path = folder / f"p{i:05d}.toml"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many proposals")
    parser.add_argument("folder", type=Path, help="where to write them")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    paths = generate(args.n, args.folder, args.seed)
    print(f"wrote {len(paths)} proposals in {args.folder}")


if __name__ == "__main__":
    main()
