"""The two floors of the benchmark, each the least work of some kind that a batch must do.

``python bench/floor.py plain DIR OUT [--jobs N] [--format a,b] [--xlsx openpyxl|xlsxwriter]``

Plain library use: the same libraries as the tool, the same files, no logic. For each proposal
it parses the TOML (tomllib, decimals) and writes one output per format (JSON with json; the
Markdown and HTML annexes with Jinja2, templates compiled once per process; the Word annex with
docxtpl, a one-table template made with python-docx; the workbook with the tool's workbook
library), each listing the proposal's activities key by key (about as many rows as it has cost
lines), every file written durably as the tool writes (a temporary file, flushed to disk with
fsync, then renamed). Then the four consolidated reports (workbook, HTML, Markdown, JSON) with
one row per proposal, in the main process, as the tool writes them: as many files as the tool.

``python bench/floor.py stage BATCH_OUT STAGE`` (not timed) copies the tool's outputs, each
zip stored uncompressed, and ``python bench/floor.py replay DIR OUT --from STAGE [--jobs N]``
is the byte-replay floor, the I/O limit: for each proposal it parses the TOML, then deflates
and durably writes the tool's own output files byte for byte (zip entries in their order, with
their dates, at zlib's default level as zipfile compresses); the four reports last, in the main
process. It has no rendering at all: what the batch costs above it is the tool's own work.

The work is spread over N processes in file order, like ``finimpact batch --jobs N``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMATS = ("json", "md", "html", "docx", "xlsx")
REPORTS = ("xlsx", "html", "md", "json")

_TEXT = """# {{ p.reference }}: {{ p.title }}

{{ p.conference }}, submitted by {{ p.submitted_by | join(", ") }}; \
period {{ p.period[0] }}-{{ p.period[1] }}

| Activity | Kind | Key | Value |
|---|---|---|---|
{% for r in rows %}| {{ r.id }} | {{ r.kind }} | {{ r.key }} | {{ r.value }} |
{% endfor %}
"""
_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ p.reference }}</title></head>
<body><h1>{{ p.reference }}: {{ p.title }}</h1><p>{{ p.conference }}</p><table>
{% for r in rows %}<tr><td>{{ r.id }}</td><td>{{ r.kind }}</td><td>{{ r.key }}</td>
<td>{{ r.value }}</td></tr>
{% endfor %}</table></body></html>
"""
_REPORT_TEXT = """# Batch report

| # | File | Reference | Title | Conference | Activities |
|---:|---|---|---|---|---:|
{% for r in rows %}| {{ loop.index }} | {{ r.file }} | {{ r.reference }} | {{ r.title }} | \
{{ r.conference }} | {{ r.activities }} |
{% endfor %}
"""
_REPORT_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Batch</title></head>
<body><h1>Batch report</h1><table>
{% for r in rows %}<tr><td>{{ loop.index }}</td><td>{{ r.file }}</td><td>{{ r.reference }}</td>
<td>{{ r.title }}</td><td>{{ r.conference }}</td><td>{{ r.activities }}</td></tr>
{% endfor %}</table></body></html>
"""
SUFFIXES = {
    "json": "estimate.json",
    "md": "annex.md",
    "html": "annex.html",
    "docx": "annex.docx",
    "xlsx": "workings.xlsx",
}

_STATE: dict[str, Any] = {}


def durable_write(files: dict[Path, bytes]) -> None:
    """As the tool writes: every file to a temporary file flushed to disk, then renamed."""
    mode = 0o644
    temps = []
    for path, blob in files.items():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        temps.append((tmp, path))
    for tmp, path in temps:
        os.replace(tmp, path)


def _setup(out: Path, formats: tuple[str, ...], xlsx: str = "xlsxwriter") -> None:
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    html = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    _STATE.update(
        out=out,
        formats=formats,
        xlsx=xlsx,
        md=env.from_string(_TEXT),
        html=html.from_string(_HTML),
        docx=_docx_template() if "docx" in formats else None,
    )


def _docx_template() -> bytes:
    """A Word template with a title and one table row per item, built with python-docx."""
    from docx import Document

    doc = Document()
    doc.add_heading("{{ p.reference }}: {{ p.title }}", level=1)
    doc.add_paragraph("{{ p.conference }}, period {{ p.period[0] }}-{{ p.period[1] }}")
    table = doc.add_table(rows=3, cols=4)
    table.rows[0].cells[0].text = "{%tr for r in rows %}"
    cells = table.rows[1].cells
    for cell, key in zip(cells, ("id", "kind", "key", "value"), strict=True):
        cell.text = "{{ r." + key + " }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _rows(data: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for activity in data.get("activity", []):
        for key, value in activity.items():
            rows.append(
                {
                    "id": str(activity.get("id")),
                    "kind": str(activity.get("kind")),
                    "key": key,
                    "value": str(value),
                }
            )
    return rows


def _default(value: Any) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value)


def workbook(header: list[str], rows: Iterable[list[str]], library: str) -> bytes:
    """One sheet of plain cells, written by the library the tool's workbooks use."""
    buffer = io.BytesIO()
    if library == "openpyxl":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append(r)
        wb.save(buffer)
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, header)
        for i, r in enumerate(rows, start=1):
            sheet.write_row(i, 0, r)
        book.close()
    return buffer.getvalue()


def workbook_library() -> str:
    """The library the tool's workbooks are written with (bench/run.py passes it instead)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import estimator.render.workbook  # noqa: F401

    return "xlsxwriter" if "xlsxwriter" in sys.modules else "openpyxl"


def render_one(path: Path) -> dict[str, str | int]:
    """Parse one proposal and write its outputs; return its row of the reports."""
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    p = data["proposal"]
    rows = _rows(data)
    out: Path = _STATE["out"]
    stem = path.stem
    files: dict[Path, bytes] = {}
    for fmt in _STATE["formats"]:
        if fmt == "json":
            blob = json.dumps(data, default=_default, indent=2).encode("utf-8")
        elif fmt == "md":
            blob = _STATE["md"].render(p=p, rows=rows).encode("utf-8")
        elif fmt == "html":
            blob = _STATE["html"].render(p=p, rows=rows).encode("utf-8")
        elif fmt == "docx":
            from docxtpl import DocxTemplate

            tpl = DocxTemplate(io.BytesIO(_STATE["docx"]))
            tpl.render({"p": p, "rows": rows}, autoescape=True)
            buffer = io.BytesIO()
            tpl.save(buffer)
            blob = buffer.getvalue()
        elif fmt == "xlsx":
            cells = ([r["id"], r["kind"], r["key"], r["value"]] for r in rows)
            blob = workbook(["Activity", "Kind", "Key", "Value"], cells, _STATE["xlsx"])
        else:
            continue
        files[out / f"{stem}.{SUFFIXES[fmt]}"] = blob
    durable_write(files)
    return {
        "file": str(path),
        "reference": str(p.get("reference")),
        "title": str(p.get("title")),
        "conference": str(p.get("conference")),
        "activities": len(data.get("activity", [])),
    }


def plain_reports(rows: list[dict[str, str | int]], out: Path, xlsx: str) -> None:
    """The four consolidated reports, one row per proposal, as the tool writes them last."""
    import jinja2

    text = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(_REPORT_TEXT)
    html = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    keys = ["file", "reference", "title", "conference", "activities"]
    cells = ([str(r[k]) for k in keys] for r in rows)
    durable_write(
        {
            out / "batch-report.xlsx": workbook(keys, cells, xlsx),
            out / "batch-report.html": html.from_string(_REPORT_HTML)
            .render(rows=rows)
            .encode("utf-8"),
            out / "batch-report.md": text.render(rows=rows).encode("utf-8"),
            out / "batch-report.json": json.dumps(rows, indent=2).encode("utf-8"),
        }
    )


def plain(files: list[Path], out: Path, formats: tuple[str, ...], jobs: int, xlsx: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    if jobs <= 1:
        _setup(out, formats, xlsx)
        rows = [render_one(f) for f in files]
    else:
        chunk = max(1, min(8, len(files) // (jobs * 8)))
        with ProcessPoolExecutor(jobs, initializer=_setup, initargs=(out, formats, xlsx)) as pool:
            rows = list(pool.map(render_one, files, chunksize=chunk))
    plain_reports(rows, out, xlsx)
    return len(rows)


# --- the byte-replay floor ---------------------------------------------------------------


def stage(batch_out: Path, staged: Path) -> int:
    """Copy the tool's outputs into `staged`, each zip's entries stored, not deflated (not
    timed: the replay then deflates them as the tool must). Also writes manifest.json, the
    outputs of each proposal file, from the batch report."""
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    count = 0
    for path in sorted(batch_out.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as src, zipfile.ZipFile(staged / path.name, "w") as dst:
                for info in src.infolist():
                    copy = zipfile.ZipInfo(info.filename, info.date_time)
                    copy.external_attr = info.external_attr
                    dst.writestr(copy, src.read(info), compress_type=zipfile.ZIP_STORED)
        else:
            shutil.copyfile(path, staged / path.name)
        count += 1
    report = json.loads((batch_out / "batch-report.json").read_text("utf-8"))
    manifest = {row["file"]: row["outputs"] for row in _rows_of(report)}
    (staged / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return count


def _rows_of(report: Any) -> list[dict[str, Any]]:
    """The per-proposal rows of batch-report.json, wherever its layout keeps them."""
    for key in ("rows", "proposals"):
        if isinstance(report.get(key), list):
            return [r for r in report[key] if "file" in r and "outputs" in r]
    raise SystemExit("batch-report.json has no list of rows with their outputs")


def _replay_bytes(source: Path) -> bytes:
    """A staged file as the tool wrote it: a stored zip deflated again, or the bytes."""
    if source.suffix not in (".xlsx", ".docx"):
        return source.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr = info.external_attr
            copy.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(copy, src.read(info))
    return buffer.getvalue()


def _replay_setup(out: Path, staged: Path, folder: Path) -> None:
    _STATE.update(out=out, staged=staged, folder=folder)


def replay_one(item: tuple[str, list[str]]) -> int:
    file, outputs = item
    source = _STATE["folder"] / Path(file).name  # the report may name a file by its path
    tomllib.loads(source.read_text(encoding="utf-8"), parse_float=Decimal)
    out: Path = _STATE["out"]
    staged: Path = _STATE["staged"]
    durable_write({out / name: _replay_bytes(staged / name) for name in outputs})
    return len(outputs)


def replay(folder: Path, staged: Path, out: Path, jobs: int) -> int:
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, list[str]] = json.loads((staged / "manifest.json").read_text("utf-8"))
    items = sorted(manifest.items())
    if jobs <= 1:
        _replay_setup(out, staged, folder)
        written = sum(replay_one(i) for i in items)
    else:
        chunk = max(1, min(8, len(items) // (jobs * 8)))
        with ProcessPoolExecutor(
            jobs, initializer=_replay_setup, initargs=(out, staged, folder)
        ) as pool:
            written = sum(pool.map(replay_one, items, chunksize=chunk))
    reports = sorted(staged.glob("batch-report.*"))
    durable_write({out / p.name: _replay_bytes(p) for p in reports})
    return written + len(reports)


def same_bytes(a: Path, b: Path) -> tuple[int, int]:
    """How many files of folder a are in folder b with the same bytes, of how many."""
    names = [p.name for p in a.iterdir() if p.is_file() and not p.name.startswith(".")]
    same = 0
    for name in names:
        with contextlib.suppress(OSError):
            same += (a / name).read_bytes() == (b / name).read_bytes()
    return same, len(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="floor", required=True)
    one = sub.add_parser("plain", help="plain library use")
    one.add_argument("folder", type=Path)
    one.add_argument("out", type=Path)
    one.add_argument("--jobs", type=int, default=1)
    one.add_argument("--format", dest="formats", default=",".join(FORMATS))
    one.add_argument(
        "--xlsx",
        choices=("auto", "openpyxl", "xlsxwriter"),
        default="auto",
        help="the workbook library [default: the one the tool's workbooks use]",
    )
    two = sub.add_parser("stage", help="prepare the byte replay (not timed)")
    two.add_argument("batch_out", type=Path)
    two.add_argument("staged", type=Path)
    three = sub.add_parser("replay", help="the byte-replay floor")
    three.add_argument("folder", type=Path, help="the proposals (parsed, as the tool does)")
    three.add_argument("out", type=Path)
    three.add_argument("--from", dest="staged", type=Path, required=True)
    three.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if args.floor == "plain":
        formats = tuple(f for f in args.formats.split(",") if f)
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            sys.exit(f"the floor has no renderer for {', '.join(unknown)}")
        files = sorted(args.folder.rglob("*.toml"))
        library = workbook_library() if args.xlsx == "auto" else args.xlsx
        n = plain(files, args.out, formats, args.jobs, library)
        print(f"plain floor: {n} proposals, formats {','.join(formats)}, workbooks {library}")
    elif args.floor == "stage":
        print(f"staged {stage(args.batch_out, args.staged)} files")
    else:
        print(f"replay floor: {replay(args.folder, args.staged, args.out, args.jobs)} files")


if __name__ == "__main__":
    main()
