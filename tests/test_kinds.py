"""The activity kinds: one module each in cost_models/kinds/, checked when imported, and the
walk of docs/extending.md followed step by step with the module and proposal it shows."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest
from pydantic import ConfigDict

from cost_models.kind import Kind, KindError, Registry, kind_of_module
from cost_models.kinds import KINDS
from cost_models.needs import CardFacts, Need
from cost_models.parameters import ActivityBase
from cost_models.phrases import Phrase
from estimator.core.load import parse_toml
from estimator.core.price import price
from estimator.core.ratecard import parse_card
from estimator.core.validate import validate_proposal

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXTENDING = (DOCS / "extending.md").read_text(encoding="utf-8")
CASES = Path(__file__).resolve().parent / "cases"

CARD_HEAD = """format = 1

[card]
id = "case-printing"
title = "Case card: printing"
currency = "CHF"
escalation = 0
words_per_page = 250

"""


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", EXTENDING, flags=re.S)


def _module_from_text(text: str, tmp_path: Path, name: str = "printing") -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"kind_under_test_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: pydantic reads the module's names
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_the_registry_holds_every_module_of_the_kinds_folder() -> None:
    modules = sorted(
        p.stem for p in (ROOT / "cost_models" / "kinds").glob("*.py") if p.stem != "__init__"
    )
    assert list(KINDS.names) == modules
    assert {"meeting", "documentation", "staff", "consultant", "travel", "services"} <= set(
        KINDS.names
    )


def test_the_extending_walk_adds_a_kind_that_validates_prices_and_reads(tmp_path: Path) -> None:
    (module_text,) = _blocks("python")
    rate_block, proposal_text = _blocks("toml")
    kind = kind_of_module(_module_from_text(module_text, tmp_path))
    kinds = KINDS.with_kinds(kind)

    doc, found = parse_toml(proposal_text.encode(), "proposal.toml")
    assert doc is not None and found == []
    proposal, diags = validate_proposal(doc, kinds=kinds)
    assert proposal is not None, [d.message for d in diags]

    card_doc, _ = parse_toml((CARD_HEAD + rate_block).encode(), "card.toml")
    assert card_doc is not None
    card, card_diags = parse_card(card_doc)
    assert card is not None, [d.message for d in card_diags]

    lines, price_diags = price(proposal, card, doc, kinds)
    assert price_diags == []
    raw = tomllib.loads(proposal_text, parse_float=Decimal)["activity"][0]
    value = tomllib.loads(CARD_HEAD + rate_block, parse_float=Decimal)["rate"][0]["value"][0]
    printed = Decimal(raw["pages"]) * raw["copies"]
    period = range(proposal.info.period[0], proposal.info.period[1] + 1)
    assert [line.year for line in lines] == list(period)
    for line in lines:
        assert line.rate_id == "printing.page"
        assert line.element == "documentation-processing"
        assert line.quantity == printed
        assert line.amount == printed * value["amount"]
        assert line.quantity_basis == f"{raw['pages']} pages × {raw['copies']} copies"

    described = kinds.describe(proposal.activities[0].spec, proposal.info.years, str).text()
    assert described == (
        f"{raw['copies']} copies a year of a document of {raw['pages']} pages, printed."
    )
    assert "printing.page" in kinds.rates


def test_the_kind_of_the_walk_is_unknown_until_registered(tmp_path: Path) -> None:
    proposal_text = _blocks("toml")[1]
    doc, _ = parse_toml(proposal_text.encode(), "proposal.toml")
    assert doc is not None
    proposal, diags = validate_proposal(doc)
    assert proposal is None
    assert [d.code for d in diags] == ["unknown-kind"]


def test_an_unknown_key_of_a_new_kind_is_an_error_at_its_line(tmp_path: Path) -> None:
    (module_text,) = _blocks("python")
    kinds = KINDS.with_kinds(kind_of_module(_module_from_text(module_text, tmp_path)))
    proposal_text = _blocks("toml")[1] + "colour = true\n"
    doc, _ = parse_toml(proposal_text.encode(), "proposal.toml")
    assert doc is not None
    proposal, diags = validate_proposal(doc, kinds=kinds)
    assert proposal is None
    (problem,) = diags
    assert "colour" in problem.message
    assert problem.line == proposal_text.count("\n")


def test_a_kind_missing_a_part_fails_when_its_module_is_imported(tmp_path: Path) -> None:
    (module_text,) = _blocks("python")
    without = module_text.replace("    describe=describe,\n", "")
    assert without != module_text
    with pytest.raises(TypeError, match="describe"):
        _module_from_text(without, tmp_path)


def test_a_module_of_the_kinds_folder_without_kind_fails_when_imported(tmp_path: Path) -> None:
    module = _module_from_text('"""Forgot the KIND."""\n', tmp_path, "nokind")
    with pytest.raises(KindError, match="defines no KIND"):
        kind_of_module(module)


class _Loose(ActivityBase):
    kind: Literal["loose"]


def _needs(a: Any, card: CardFacts) -> list[Need]:
    return []


def _describe(a: Any, years: Any, amount: Any) -> Phrase:
    return Phrase("x")


def _kind(**changes: Any) -> Kind[Any]:
    parts: dict[str, Any] = {
        "name": "loose",
        "parameters": _Loose,
        "needs": _needs,
        "rates": (),
        "label": "Loose",
        "describe": _describe,
    }
    return Kind(**(parts | changes))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"name": "wtsa.loose"}, "name"),
        ({"name": "Loose"}, "name"),
        ({"name": "other"}, "Literal['other']"),
        ({"parameters": dict}, "subclass of ActivityBase"),
        ({"needs": None}, "needs must be a function"),
        ({"rates": ["a"]}, "tuple of rate ids"),
        ({"label": ""}, "label"),
    ],
)
def test_a_malformed_kind_is_refused_with_its_name(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(KindError, match=re.escape(words)):
        _kind(**changes)


def test_parameters_that_accept_unknown_keys_are_refused() -> None:
    class Lax(_Loose):
        model_config = ConfigDict(frozen=True, extra="ignore")

    with pytest.raises(KindError, match="forbid unknown keys"):
        _kind(parameters=Lax)


def test_two_kinds_with_one_name_are_refused() -> None:
    with pytest.raises(KindError, match="two activity kinds are named 'meeting'"):
        Registry((*KINDS, KINDS["meeting"]))


def test_a_need_priced_into_no_object_of_expenditure_is_refused() -> None:
    with pytest.raises(ValueError, match="not an object of expenditure"):
        Need("printing", "printing.page", Decimal(1), "page", Phrase("x"))


@pytest.mark.parametrize("name", KINDS.names)
def test_every_kind_has_a_hand_computed_case(name: str) -> None:
    used = [
        case.parent.name
        for case in sorted(CASES.glob("*/proposal.toml"))
        if f'kind = "{name}"' in re.sub(r"\s*=\s*", " = ", case.read_text(encoding="utf-8"))
    ]
    assert used, f"no case in tests/cases/ uses kind '{name}'"


@pytest.mark.parametrize("name", KINDS.names)
def test_every_kind_is_documented_in_the_format_and_the_pricing_rules(name: str) -> None:
    proposal_format = (DOCS / "proposal-format.md").read_text(encoding="utf-8")
    pricing = (DOCS / "pricing.md").read_text(encoding="utf-8")
    assert f"\n### {name}\n" in proposal_format
    assert f"\n| {name} |" in pricing


def test_every_file_model_builds_its_validator() -> None:
    """The models build their validators on first use (defer_build): a model whose definition
    pydantic cannot build would fail only when a file first needs it. Build them all here."""
    import estimator.api  # noqa: F401  (imports every model of a file's content)
    from cost_models.parameters import Strict

    def every(model: type[Strict]) -> list[type[Strict]]:
        return [model, *(m for sub in model.__subclasses__() for m in every(sub))]

    models = every(Strict)
    assert len(models) > 20
    for model in models:
        model.model_rebuild(force=True)
        assert model.__pydantic_complete__, model.__name__
