"""What things cost: the pricing rules, rate cards, financial plans and activity templates.

Code here is the bottom of the import graph and imports nothing from ``estimator``: the
parameters of activities (``parameters.py``), the elemental cost models (``elemental.py``:
small pure functions from an activity to the quantities it needs of each rate) and the money
arithmetic with its one rounding rule (``money.py``). Everything else is data with sources:
``cards/`` (rate cards), ``plans/`` (financial plans), ``strategic/`` (strategic plans) and
``activities/`` (conference activity templates).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
CARDS = HERE / "cards"
DEFAULT_CARD = "itu-geneva"
