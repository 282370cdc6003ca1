"""Staff: posts at a grade, for work-months or a full-time equivalent a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictInt, model_validator

from cost_models.kind import Amount, Kind
from cost_models.needs import CardFacts, Need
from cost_models.parameters import GRADES, ActivityBase, Grade, PositiveNumber, limit
from cost_models.phrases import N_, Phrase, phrase, plural_phrase


class Staff(ActivityBase):
    kind: Literal["staff"]
    grade: Grade
    months: Annotated[PositiveNumber, limit(12)] | None = None
    fte: Annotated[PositiveNumber, limit(1)] | None = None
    posts: Annotated[StrictInt, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _time(self) -> Staff:
        if (self.months is None) == (self.fte is None):
            raise ValueError("give either months (work-months a year) or fte, not both")
        return self

    @property
    def work_months(self) -> Decimal:
        return self.months if self.months is not None else (self.fte or Decimal(0)) * 12


def _posts(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s post", "%(n)s posts", n)


def _work_months(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s work-month", "%(n)s work-months", n)


def needs(a: Staff, card: CardFacts) -> list[Need]:
    """Staff in fte are posts: priced per post-year (``post.P3``) where the card has that rate,
    as a continuing post costs more than twelve months of temporary assistance; otherwise, and
    for staff in work-months (temporary assistance), per work-month (``staff.P3``)."""
    if a.fte is not None and f"post.{a.grade}" in card.rates:
        return [
            Need(
                "staff",
                f"post.{a.grade}",
                a.posts * a.fte,
                N_("post-year"),
                Phrase(
                    N_("%(posts)s %(grade)s × %(fte)s FTE"),
                    {"posts": _posts(a.posts), "grade": a.grade, "fte": a.fte},
                ),
            )
        ]
    time = (
        _work_months(a.months)
        if a.months is not None
        else Phrase(N_("%(fte)s FTE × 12 months"), {"fte": a.fte or Decimal(0)})
    )
    return [
        Need(
            "staff",
            f"staff.{a.grade}",
            a.posts * a.work_months,
            N_("work-month"),
            Phrase(
                N_("%(posts)s %(grade)s × %(time)s"),
                {"posts": _posts(a.posts), "grade": a.grade, "time": time},
            ),
        )
    ]


def describe(a: Staff, years: tuple[int, ...], amount: Amount) -> Phrase:
    time = (
        plural_phrase("%(n)s work-month a year", "%(n)s work-months a year", a.months)
        if a.months is not None
        else phrase("%(n)s full-time equivalent", n=a.fte or Decimal(0))
    )
    return plural_phrase(
        "%(n)s post at grade %(grade)s, %(time)s each.",
        "%(n)s posts at grade %(grade)s, %(time)s each.",
        a.posts,
        grade=a.grade,
        time=time,
    )


KIND = Kind(
    name="staff",
    parameters=Staff,
    needs=needs,
    rates=tuple(f"staff.{grade}" for grade in GRADES),
    label=N_("Staff"),
    describe=describe,
)
