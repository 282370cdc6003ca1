"""The documents in the six official languages (docs/languages.md): --lang and the proposal's
output_language choose the language, figures are written as Babel writes them for its locale."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from typer.testing import CliRunner

from estimator import api
from estimator.cli.app import app
from estimator.render.options import OptionProblem, RenderOptions
from estimator.render.wording import LANGUAGES, language

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "pp26-ai-capacity.toml"


def _html(text: str, options: RenderOptions) -> str:
    outcome = api.estimate_text(text, "p.toml")
    assert outcome.estimate is not None
    return api.render(outcome.estimate, options)["html"].decode("utf-8")


def test_lang_wins_over_the_proposals_output_language() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "[proposal]\n", '[proposal]\noutput_language = "ru"\n', 1
    )
    assert '<html lang="ru"' in _html(text, RenderOptions(formats=("html",)))
    assert '<html lang="fr"' in _html(text, RenderOptions(formats=("html",), language="fr"))
    plain = SEED.read_text(encoding="utf-8")
    assert '<html lang="en"' in _html(plain, RenderOptions(formats=("html",)))


def test_an_unknown_language_is_refused_naming_the_option() -> None:
    with pytest.raises(OptionProblem) as e:
        RenderOptions(language="de")
    assert e.value.option == "--lang"
    result = CliRunner().invoke(app, ["estimate", str(SEED), "--lang", "de"])
    assert result.exit_code == 2
    assert "--lang" in result.output


def test_the_proposal_refuses_an_output_language_that_is_not_official() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "[proposal]\n", '[proposal]\noutput_language = "de"\n', 1
    )
    outcome = api.estimate_text(text, "p.toml")
    assert outcome.estimate is None or not outcome.ok
    assert any("output_language" in ".".join(map(str, d.path)) for d in outcome.diagnostics)


def test_the_json_is_the_same_in_every_language() -> None:
    outcome = api.estimate_file(SEED)
    assert outcome.estimate is not None
    english = api.render(outcome.estimate, RenderOptions(formats=("json",)))["json"]
    for lang in LANGUAGES:
        options = RenderOptions(formats=("json",), language=lang)
        assert api.render(outcome.estimate, options)["json"] == english


@pytest.mark.parametrize("lang", LANGUAGES)
def test_amounts_are_written_as_babel_writes_them_for_the_locale(lang: str) -> None:
    from estimator.render.wording import CLDR_LOCALES, FORMATS, NUMBERING

    digits = NUMBERING.get(lang, "default")
    locale = CLDR_LOCALES[lang]
    with language(lang):
        for text in ("0", "7", "1234", "-1234567", "123456789"):
            value = Decimal(text)
            assert FORMATS.whole(value) == format_decimal(
                value, "#,##0", locale=locale, numbering_system=digits
            )
        for text in ("0.5", "1234.5", "-98765.4321"):
            value = Decimal(text)
            assert FORMATS.money(value) == format_decimal(
                value, "#,##0.00", locale=locale, numbering_system=digits,
                decimal_quantization=False,
            )  # fmt: skip
        # Western digits in every language, Arabic included (docs/languages.md)
        assert [c for c in FORMATS.whole(Decimal(1234567)) if c.isdigit()] == list("1234567")
