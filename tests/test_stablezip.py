"""A zip assembled from entries compressed beforehand is, byte for byte, the zip Python's
zipfile writes for the same contents (so the annex can keep its template's parts compressed)."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.render.stablezip import EPOCH, DateTime, archive, deflated, restamped


def _zipfile_bytes(files: list[tuple[str, bytes, DateTime]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content, date_time in files:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, content)
    return out.getvalue()


_names = st.text(  # any name but a folder's (ending in /) or one zipfile would rewrite
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\\"),
    min_size=1,
    max_size=30,
).filter(lambda name: not name.endswith("/"))
_contents = st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode))
_dates = st.tuples(
    st.integers(1980, 2107),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_names, _contents, _dates), max_size=8, unique_by=lambda f: f[0]))
def test_an_archive_is_the_zip_that_zipfile_writes(
    files: list[tuple[str, bytes, DateTime]],
) -> None:
    entries = [deflated(name, content, date_time) for name, content, date_time in files]
    assert archive(entries) == _zipfile_bytes(files)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(_names, _contents), max_size=6, unique_by=lambda f: f[0]),
    st.lists(_dates, min_size=6, max_size=6),
    st.lists(_dates, min_size=6, max_size=6),
)
def test_a_restamped_zip_keeps_its_entries_and_forgets_when_it_was_written(
    files: list[tuple[str, bytes]], first: list[DateTime], second: list[DateTime]
) -> None:
    written = [
        _zipfile_bytes([(name, content, dates[i]) for i, (name, content) in enumerate(files)])
        for dates in (first, second)
    ]
    once, again = (restamped(data) for data in written)
    assert once == again
    with zipfile.ZipFile(io.BytesIO(once)) as z:
        assert [(i.filename, z.read(i)) for i in z.infolist()] == files
        assert all(i.date_time == EPOCH for i in z.infolist())
