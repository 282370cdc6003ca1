"""LibreOffice headless for the tests: recalculate workbooks, convert documents (docx → pdf).

Starting soffice is the slow part (a second or more), so ``convert`` takes many files and makes
one call for all of them. Each call has its own throw-away user profile
(``-env:UserInstallation``), so parallel test runs and a desktop LibreOffice never collide.

    from libreoffice import convert, require_soffice

    require_soffice()                      # skips (or fails under CI=true) when missing
    outputs = convert([a, b], "xlsx", out_dir)

Recalculating: converting an .xlsx to .xlsx makes LibreOffice compute every formula that has no
cached value (openpyxl writes none) and store the results, which openpyxl then reads with
``data_only=True``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

INSTALL_HINT = (
    "LibreOffice (soffice) is not installed: install it with "
    "`apt-get install libreoffice-calc-nogui libreoffice-writer-nogui` "
    "(or from https://www.libreoffice.org) to run the recalculation and conversion tests"
)


def soffice() -> str | None:
    """The soffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The soffice executable; without it, skip the test, or fail it under CI (CI=true)."""
    found = soffice()
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {INSTALL_HINT}")
    pytest.skip(INSTALL_HINT)


def convert(files: Sequence[Path], target: str, out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert the files with one soffice call; return the converted files, in order.

    ``target`` is what ``soffice --convert-to`` takes: "xlsx", "pdf", or
    "pdf:writer_pdf_Export". The files need distinct names (the outputs are named after
    them), and ``out_dir`` must not be a folder of the inputs (xlsx → xlsx would overwrite).
    """
    exe = require_soffice()
    if not files:
        return []
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise ValueError(f"files with the same name cannot be converted together: {stems}")
    out_dir = out_dir.resolve()
    if any(f.resolve().parent == out_dir for f in files):
        raise ValueError("out_dir must differ from the folders of the inputs")
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "." + target.split(":")[0]
    expected = [out_dir / (f.stem + suffix) for f in files]
    for path in expected:
        path.unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="finimpact-lo-profile-"))
    try:
        result = subprocess.run(
            [
                exe,
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--nologo",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                target,
                "--outdir",
                str(out_dir),
                *(str(f.resolve()) for f in files),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [p.name for p in expected if not p.exists()]
    if result.returncode != 0 or missing:
        raise RuntimeError(
            f"soffice --convert-to {target} failed (exit {result.returncode});"
            f" missing: {missing}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        )
    return expected
