"""Writing outputs: safe file names, and nothing half-written.

Every output of a proposal is rendered in memory first, then written to a temporary file in the
target folder, and only when all of them exist are they moved into place. A failure or an
interruption before that leaves the previous outputs as they were.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from estimator.core.estimate import Estimate
from estimator.render.options import DEFAULT_OPTIONS, FORMATS, RenderOptions
from estimator.render.wording import article34_json, language

Renderer = Callable[[Estimate, RenderOptions], bytes]

_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_stem(reference: str) -> str:
    """A file name stem from a document reference, valid on Windows, macOS and Linux.

    'PP26/44A2/1' becomes 'PP26-44A2-1'; '../../etc/x' becomes 'etc-x'; 'CON' becomes '_CON';
    accents are dropped ('Côte' becomes 'Cote'). Only ASCII letters, digits and ``.+()[]_-``
    remain, never leading or trailing dots or dashes, at most 120 characters. A reference with
    nothing left to keep becomes 'proposal-' and 8 hexadecimal digits of its SHA-256, so that
    two such references do not overwrite each other's outputs.
    """
    text = unicodedata.normalize("NFKD", reference)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w.+()\[\]-]+", "-", text, flags=re.ASCII)
    text = re.sub(r"-{2,}", "-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = text[:120].strip("-. ")
    if not text:
        digest = hashlib.sha256(reference.encode("utf-8", "surrogatepass")).hexdigest()
        return f"proposal-{digest[:8]}"
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    """The estimate's JSON: its facts, and the Article 34 statement in words, in English
    whatever the documents' language (the JSON is data: the same in every language)."""
    data = estimate.to_json()
    with language("en"):
        data["article34"] = article34_json(estimate.article34)
    return data


def render_json(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    return (json.dumps(estimate_json(estimate), indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


def _imported_when_used(module: str, name: str) -> Renderer:
    """The renderer ``name`` of ``module``, imported when it is first called: a format's
    libraries (Jinja2, docxtpl, the workbook writer) load only when that format is asked for,
    so that ``estimate --json`` or ``validate`` do not pay for them."""

    def render(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
        renderer: Renderer = getattr(importlib.import_module(module), name)
        return renderer(estimate, options)

    render.__name__ = render.__qualname__ = name
    return render


RENDERERS: dict[str, tuple[str, Renderer]] = {
    "json": ("estimate.json", render_json),
    "xlsx": ("workings.xlsx", _imported_when_used("estimator.render.workbook", "render_workbook")),
    "docx": ("annex.docx", _imported_when_used("estimator.render.annex", "render_docx")),
    "html": ("annex.html", _imported_when_used("estimator.render.annex", "render_html")),
    "md": ("annex.md", _imported_when_used("estimator.render.annex", "render_markdown")),
}
"""Output format → (file suffix, renderer). Renderers return bytes and write nothing."""
assert tuple(RENDERERS) == FORMATS, "every format of RenderOptions has its renderer"


def output_paths(estimate: Estimate, out_dir: Path, formats: Sequence[str]) -> dict[str, Path]:
    stem = safe_stem(estimate.proposal.info.reference)
    return {f: out_dir / f"{stem}.{RENDERERS[f][0]}" for f in formats}


def render_outputs(
    estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS
) -> dict[str, bytes]:
    """Every format of ``options.formats``, rendered in memory: format → bytes, in the
    language of the options, else of the proposal (``output_language``), else English."""
    with language(options.language_of(estimate.proposal.info.output_language)):
        return {f: RENDERERS[f][1](estimate, options) for f in options.formats}


def write_outputs(
    estimate: Estimate, out_dir: Path, options: RenderOptions = DEFAULT_OPTIONS
) -> list[Path]:
    """Render every format of the options, then move them all into place; return the paths
    written."""
    paths = output_paths(estimate, out_dir, options.formats)
    rendered = render_outputs(estimate, options)
    return write_all({paths[f]: rendered[f] for f in options.formats})


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_all(files: Mapping[Path, bytes | Iterable[bytes]]) -> list[Path]:
    """Write every file or none: temporary files first, then one rename each.

    A file's content is bytes, or pieces of bytes made as they are written (a report of
    thousands of proposals is streamed, never whole in memory). Temporary files are hidden
    ('.<name>.<random>.part') in the target folder, so that the rename never crosses file
    systems; they are flushed to disk before any rename. The files get the usual permissions
    (0666 less the umask), not the private ones of a temporary file.
    """
    mode = 0o666 & ~_umask()
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                if isinstance(data, bytes):
                    f.write(data)
                else:
                    for piece in data:
                        f.write(piece)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
        for tmp, path in temps:
            os.replace(tmp, path)
        temps = []
    finally:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    for path in files:
        _remove_stale_temps(path)
    return list(files)


STALE_AFTER_SECONDS = 3600
"""A temporary file older than this was left by a run that was killed: no run takes an hour."""


def _remove_stale_temps(path: Path) -> None:
    """Remove what killed runs left beside path ('.<name>.<random>.part', over an hour old)."""
    now = time.time()
    for tmp in _leftovers(path.parent).get(path.name, ()):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_AFTER_SECONDS:
                tmp.unlink()


@functools.lru_cache(maxsize=64)
def _leftovers(folder: Path) -> dict[str, tuple[Path, ...]]:
    """The temporary files in a folder, by the name they were to replace, listed once per
    process: a batch writes thousands of files into one folder, and listing it for each
    would make the batch quadratic in the number of proposals."""
    found: dict[str, list[Path]] = {}
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") and name.endswith(".part") and name.count(".") >= 3:
                target = name[1:].removesuffix(".part").rsplit(".", 1)[0]
                found.setdefault(target, []).append(folder / name)
    return {k: tuple(v) for k, v in found.items()}
