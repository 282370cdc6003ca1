"""Templates compiled once per machine, not once per process: Jinja2's bytecode cache.

Compiling the annex and report templates (Jinja source to Python code) was about half the time
of one ``finimpact estimate`` with every output. Jinja2's public ``FileSystemBytecodeCache``
keeps each compiled template on disk, as Python keeps ``__pycache__``: in a folder of the
user's own (``_jinja2-cache-<uid>`` in the system's temporary folder, made readable by the
user alone, as Jinja2 makes it), under a key of the template's name and file, checked against
a checksum of its source and the Jinja2 and Python versions. A template that changed is
compiled again. Rendering is the same with or without the cache: it only skips compiling.

The cache never fails a run: a folder that cannot be made or written, a file that cannot be
read, and the template is compiled as without it. Code compiled in Jinja's sandbox (a user's
``--template``) is kept apart from the shipped templates' code (``kind``).
"""

from __future__ import annotations

import contextlib
import functools
import os

import jinja2
from jinja2.bccache import Bucket

DISABLE = "FINIMPACT_NO_TEMPLATE_CACHE"
"""Set (to anything) to compile every template in every process, as before the cache."""


class QuietCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, whose disk problems are no one's problem: a bucket that cannot be
    read is compiled again, one that cannot be written is not kept."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable or damaged: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full disk, a folder taken away: not kept
            super().dump_bytecode(bucket)


@functools.lru_cache(maxsize=4)
def bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """The compiled-template cache for one kind of environment (``"shipped"``, ``"sandbox"``,
    ``"word"``), or None when it is turned off or its folder cannot be had."""
    if os.environ.get(DISABLE):
        return None
    try:
        return QuietCache(pattern=f"finimpact-{kind}-%s.cache")
    except (OSError, RuntimeError):  # no safe folder of the user's own
        return None
