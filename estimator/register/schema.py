"""The register's tables as this version of the tool reads and writes them (SQLAlchemy Core).
They are made, and changed, only by the migrations (``migrations/versions``): a test checks
that the migrations, run from the first, give exactly these tables and columns."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

about = sa.Table(
    "finimpact_register",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
"""What the database is: application = 'finimpact register', and the tool that made it."""

proposal = sa.Table(
    "proposal",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(200), nullable=False, unique=True),
)
"""A proposal, by its reference without revision; ids follow the order of first recording."""

card = sa.Table(
    "card",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
"""Each rate card used, once, by its SHA-256, with its text: an estimate can be remade."""

version = sa.Table(
    "version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposal.id"), nullable=False),
    sa.Column("reference", sa.String(240), nullable=False, unique=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("addendum", sa.Integer, nullable=False),
    sa.Column("corrigendum", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("conference", sa.String(40), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("card_sha256", sa.String(64), sa.ForeignKey("card.sha256"), nullable=False),
    sa.Column("card_id", sa.String(200), nullable=False),
    sa.Column("plan_id", sa.String(80)),
    sa.Column("plan_sha256", sa.String(64)),
    sa.Column("total_cents", sa.BigInteger, nullable=False),
    sa.Column("additional_cents", sa.BigInteger, nullable=False),
    sa.Column("recorded_by", sa.Text),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("tool_version", sa.String(40), nullable=False),
    sa.Index("version_proposal", "proposal_id"),
)
"""One costed text: its reference and revision, the card and plan used, its totals (in cents),
who recorded it and when. Its text and estimate are in version_document."""

version_document = sa.Table(
    "version_document",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("version.id"), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("estimate", sa.Text, nullable=False),
)
"""A version's proposal as recorded (TOML) and its estimate (the JSON ``finimpact estimate
--json`` prints), apart from the version's row, which stays small for listing and summing."""

requirement = sa.Table(
    "requirement",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("version.id"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("unit", sa.String(20), primary_key=True),
    sa.Column("cents", sa.BigInteger, nullable=False),
)
"""A version's additional credits by year and budget unit, in cents: what the position sums."""

decision = sa.Table(
    "decision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposal.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("version.id")),
    sa.Column("into_text", sa.String(240)),
    sa.Column("note", sa.Text),
    sa.Column("recorded_by", sa.Text),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Index("decision_proposal", "proposal_id"),
)
"""A decision on a proposal (estimator.register.position.DECISIONS), in the order recorded:
the version adopted (adopted, adopted as amended), the text it was merged into (merged)."""
