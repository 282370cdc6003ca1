"""Zip files with fixed dates: the same content gives the same bytes, whenever it is written.

`restamped` re-writes a zip (a Word file that python-docx saved with the time of saving on
every entry) with one fixed date on every entry: read through the standard library's zipfile,
written by `archive`.

A renderer that writes many files from one template writes the same large parts (a Word
template's styles, theme, fonts...) into every file. zipfile compresses whatever it is given,
every time, and cannot take data compressed beforehand; here an entry is compressed once
(`deflated`), kept, and `archive` lays out the file around it: local header and data for each
entry, then the central directory and its end record.

The bytes are those of `zipfile.ZipFile(out, "w", ZIP_DEFLATED)` given each entry by
`writestr(info, content)`, for a ZipInfo with the entry's date and permissions 0644 (the
tests compare the two): no data descriptors, no extra fields, no comments, UTF-8 flag for a
name that is not ASCII, "made by" Unix. Archives over 4 GiB (ZIP64) are refused.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

DateTime = tuple[int, int, int, int, int, int]
"""(year, month, day, hour, minute, second), as zipfile.ZipInfo.date_time."""

EPOCH: DateTime = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip entry can carry: a fixed date keeps the bytes of a file fixed."""

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_VERSION = 20  # 2.0: deflate, as zipfile writes it for a deflated entry
_MADE_ON_UNIX = 3  # ZipInfo.create_system (zipfile has 0 on Windows: here 3 everywhere)
_DEFLATED = 8
_UTF8_NAME = 0x800
_PERMISSIONS = 0o644 << 16
_LIMIT = (1 << 31) - 1  # zipfile's ZIP64_LIMIT: beyond it, zipfile would write ZIP64 fields
_NONE = (0, 0, 0, 0)  # central header: extra field and comment lengths, disk, internal attributes


def restamped(data: bytes, date_time: DateTime = EPOCH) -> bytes:
    """The zip `data` with the same entries, in the same order, each dated `date_time`,
    deflated, with permissions 0644: nothing in it depends on when or where it was written.

    Read through zipfile; an entry whose content was seen before (a Word template's styles,
    theme, settings: the same in every annex) is not compressed again."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return archive(
            _deflated_once(item.filename, source.read(item), date_time)
            for item in source.infolist()
        )


_SEEN: dict[tuple[str, bytes, DateTime], Entry] = {}
_SEEN_LIMIT = 256


def _deflated_once(name: str, content: bytes, date_time: DateTime) -> Entry:
    key = (name, content, date_time)
    entry = _SEEN.get(key)
    if entry is None:
        entry = deflated(name, content, date_time)
        if len(content) >= 1024:  # small entries cost little to compress: not kept
            if len(_SEEN) >= _SEEN_LIMIT:
                _SEEN.clear()
            _SEEN[key] = entry
    return entry


@dataclass(frozen=True, slots=True)
class Entry:
    """A file inside a zip, compressed: its name, date (year, month, day, hour, minute,
    second), the CRC-32 and size of its content, and the deflated content."""

    name: str
    date_time: DateTime
    crc: int
    size: int
    data: bytes


def deflated(name: str, content: bytes, date_time: DateTime = EPOCH) -> Entry:
    """An entry with `content` compressed as zipfile compresses it (raw deflate, zlib's default
    level, one compress call then flush)."""
    if len(content) * 1.05 > _LIMIT:
        raise ValueError(f"{name}: too large for a zip without ZIP64 extensions")
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return Entry(name, date_time, zlib.crc32(content), len(content), data)


def archive(entries: Iterable[Entry]) -> bytes:
    """The zip file holding `entries`, in their order."""
    parts: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    count = 0
    for entry in entries:
        try:
            name, flags = entry.name.encode("ascii"), 0
        except UnicodeEncodeError:
            name, flags = entry.name.encode("utf-8"), _UTF8_NAME
        year, month, day, hour, minute, second = entry.date_time
        date = (year - 1980) << 9 | month << 5 | day
        time = hour << 11 | minute << 5 | second // 2
        common = (flags, _DEFLATED, time, date, entry.crc, len(entry.data), entry.size, len(name))
        local = _LOCAL_HEADER.pack(b"PK\x03\x04", _VERSION, 0, *common, 0)
        versions = (_VERSION, _MADE_ON_UNIX, _VERSION, 0)
        central = _CENTRAL_HEADER.pack(
            b"PK\x01\x02", *versions, *common, *_NONE, _PERMISSIONS, offset
        )
        directory += (central, name)
        parts += (local, name, entry.data)
        offset += len(local) + len(name) + len(entry.data)
        count += 1
    listing = b"".join(directory)
    if offset > _LIMIT or len(listing) > _LIMIT or count > 0xFFFF:
        raise ValueError("too large for a zip without ZIP64 extensions")
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, len(listing), offset, 0)
    return b"".join([*parts, listing, end])
