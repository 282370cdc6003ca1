"""Text from a proposal, fit for XML: the workbook and the Word annex are XML inside a zip.

A TOML string may hold characters that XML 1.0 cannot: control characters other than tab and
line breaks (written as escapes such as ``\\u0001``) and the noncharacters U+FFFE and U+FFFF.
They are shown as U+FFFD, the replacement character, so that the reader sees something was
there; the JSON estimate keeps the text exactly.
"""

from __future__ import annotations

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""The characters XML 1.0 cannot hold: control characters (but tab and line breaks), lone
surrogates, U+FFFE and U+FFFF."""

REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """The text with every character XML cannot hold replaced by U+FFFD."""
    return NOT_XML.sub(REPLACEMENT, text)
