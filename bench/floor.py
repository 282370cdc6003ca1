"""The floor of the benchmark: python bench/floor.py DIR OUT [--jobs N] [--format a,b].

It does what `finimpact batch` must do at the least, with the same libraries and no pricing
logic: read and parse every proposal (tomllib, decimals), and for each one render one output per
format (an annex in Markdown, HTML and Word with Jinja2 and docxtpl, a workbook with openpyxl, a
JSON file) listing the proposal's activities and their keys, then write them to OUT. Templates
are compiled once per process, as a renderer that caches them would. The work is spread over N
processes in file order, like `finimpact batch --jobs N`.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import tomllib
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

FORMATS = ("json", "md", "html", "docx", "xlsx")

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

_STATE: dict[str, Any] = {}


def _setup(out: Path, formats: tuple[str, ...]) -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    html = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    _STATE.update(
        out=out,
        formats=formats,
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


def render_one(path: Path) -> int:
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    p = data["proposal"]
    rows = _rows(data)
    out: Path = _STATE["out"]
    stem = path.stem
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
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.append(["Activity", "Kind", "Key", "Value"])
            for r in rows:
                ws.append([r["id"], r["kind"], r["key"], r["value"]])
            buffer = io.BytesIO()
            wb.save(buffer)
            blob = buffer.getvalue()
        else:
            continue
        with tempfile.NamedTemporaryFile(dir=out, delete=False, suffix=".part") as f:
            f.write(blob)
        Path(f.name).replace(out / f"{stem}.{fmt}")
    return len(rows)


def run(files: list[Path], out: Path, formats: tuple[str, ...], jobs: int) -> int:
    out.mkdir(parents=True, exist_ok=True)
    if jobs <= 1:
        _setup(out, formats)
        return sum(render_one(f) for f in files)
    chunk = max(1, min(16, len(files) // (jobs * 8)))
    with ProcessPoolExecutor(jobs, initializer=_setup, initargs=(out, formats)) as pool:
        return sum(pool.map(render_one, files, chunksize=chunk))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--format", dest="formats", default=",".join(FORMATS))
    args = parser.parse_args()
    formats = tuple(f for f in args.formats.split(",") if f)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        sys.exit(f"the floor has no renderer for {', '.join(unknown)}")
    files = sorted(args.folder.rglob("*.toml"))
    rows = run(files, args.out, formats, args.jobs)
    print(f"floor: {len(files)} proposals, {rows} rows, formats {','.join(formats)}")


if __name__ == "__main__":
    main()
