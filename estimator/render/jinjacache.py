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
import hashlib
import os
from collections.abc import Callable

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


def kept(kind: str, source: str, make: Callable[[str], str]) -> str:
    """``make(source)``, kept on disk beside the compiled templates, for a step as pure as
    compiling (docxtpl's ``patch_xml`` of a Word template's part): read back in the next
    process instead of done again. The file is named by ``kind`` (which names the library and
    its version) and the SHA-256 of the source, and holds the SHA-256 of what it keeps: a file
    cut short or changed is made again, and a cache that cannot be had, read or written only
    means the step is done, as without it."""
    cache = bytecode_cache("word")
    folder = getattr(cache, "directory", None)
    if not isinstance(folder, str):
        return make(source)
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()
    path = os.path.join(folder, f"finimpact-{kind}-{key}.text")
    try:
        with open(path, "rb") as f:
            check, _, body = f.read().partition(b"\n")
        if check == hashlib.sha256(body).hexdigest().encode("ascii"):
            return body.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    result = make(source)
    body = result.encode("utf-8")
    temporary = f"{path}.{os.getpid()}"
    try:
        with open(temporary, "wb") as f:
            f.write(hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body)
        os.replace(temporary, path)  # whole or not at all, for a process reading it at once
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)
    return result
