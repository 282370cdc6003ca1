"""The gettext catalogues (estimator/locale, docs/languages.md): the template holds every message
of the code and the templates, each language's catalogue translates every one of them, with the
English placeholders, and the compiled .mo files are what Babel compiles from the .po files."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from estimator.render.wording import LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
BEING_TRANSLATED: dict[str, str] = {}
"""Catalogues still being filled (language → the worktree filling it): they may have
untranslated entries, never wrong ones. Remove a language once its catalogue is complete."""

PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _po(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "finimpact.po").open("rb") as f:
        return read_po(f, locale=lang)


def _pot() -> Catalog:
    with (LOCALE_DIR / "finimpact.pot").open("rb") as f:
        return read_po(f)


def _keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_the_template_holds_every_message_of_the_code_and_templates(tmp_path: Path) -> None:
    # the extraction command of docs/languages.md, run afresh on the sources
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "phrase", "-k", "plural_phrase:1,2", "--no-location",
         "--sort-output", "-o", str(fresh), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with fresh.open("rb") as f:
        extracted = _keys(read_po(f))
    committed = _keys(_pot())
    assert not extracted - committed, "run the extraction and update of docs/languages.md"
    assert not committed - extracted, "the template holds messages no longer in the code"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalogue_has_every_message_of_the_template(lang: str) -> None:
    catalog = _po(lang)
    assert _keys(catalog) == _keys(_pot()), "run pybabel update (docs/languages.md)"
    assert not [m.id for m in catalog.obsolete.values()], "obsolete entries left in the .po"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalogue_translates_every_message_without_fuzzy_entries(lang: str) -> None:
    catalog = _po(lang)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries to check: {fuzzy[:5]}"
    missing = [
        m.id
        for m in catalog
        if m.id and not (all(m.string) if isinstance(m.string, tuple | list) else m.string)
    ]
    if lang in BEING_TRANSLATED and missing:
        pytest.xfail(f"{lang}: {len(missing)} messages still untranslated")
    assert not missing, f"{lang}: untranslated: {missing[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_translation_has_the_placeholders_of_the_english(lang: str) -> None:
    wrong = []
    for m in _po(lang):
        if not m.id:
            continue
        if isinstance(m.id, str):
            english, forms = _placeholders(m.id), [m.string] if m.string else []
        else:
            english = _placeholders(m.id[1])
            forms = [s for s in m.string if s]
        for form in forms:
            # a plural form may leave out the count (Arabic's one and two); nothing else
            got = _placeholders(form)
            allowed = set(english) - ({"%(n)s"} if isinstance(m.id, tuple) else set())
            same_names = allowed <= set(got) <= set(english)
            if not same_names or got.count("%%") != english.count("%%"):
                wrong.append((m.id, form))
    assert not wrong, f"{lang}: placeholders differ from the English: {wrong[:3]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_catalogue_says_it_was_not_reviewed_by_the_language_services(lang: str) -> None:
    head = " ".join(w for w in _po(lang).header_comment.split() if w != "#")
    assert "it has not been reviewed by the language services of the International" in head


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_babel_compiles_from_the_po(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _po(lang))
    shipped = (LOCALE_DIR / lang / "LC_MESSAGES" / "finimpact.mo").read_bytes()
    assert shipped == compiled.getvalue(), "run pybabel compile (docs/languages.md)"
