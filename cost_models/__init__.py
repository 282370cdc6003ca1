"""What things cost: the pricing rules, rate cards, financial plans and activity templates.

Code here is the bottom of the import graph and imports nothing from ``estimator``: the
activity kinds (``kinds/``, one module per kind: its parameters, its pricing from an activity
to the quantities it needs of each rate, and its wording; ``kind.py`` says what a kind is and
holds the registry), the vocabulary they share (``parameters.py``, ``needs.py``), the wording
they hand to the renderers (``phrases.py``) and the money arithmetic with its one rounding rule
(``money.py``). Everything else is data with sources:
``cards/`` (rate cards), ``plans/`` (financial plans), ``strategic/`` (strategic plans) and
``activities/`` (conference activity templates).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
CARDS = HERE / "cards"
DEFAULT_CARD = "itu-geneva"
