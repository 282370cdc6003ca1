"""The first register: proposals, their costed versions (text, card, estimate) and each
version's additional credits by year and budget unit.

Revision ID: 0001
Revises: nothing (the first)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finimpact_register",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "card",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("reference", sa.String(240), nullable=False, unique=True),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("addendum", sa.Integer, nullable=False),
        sa.Column("corrigendum", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("conference", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("card_sha256", sa.String(64), sa.ForeignKey("card.sha256"), nullable=False),
        sa.Column("card_id", sa.String(200), nullable=False),
        sa.Column("plan_id", sa.String(80)),
        sa.Column("plan_sha256", sa.String(64)),
        sa.Column("total_cents", sa.BigInteger, nullable=False),
        sa.Column("additional_cents", sa.BigInteger, nullable=False),
        sa.Column("estimate", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("tool_version", sa.String(40), nullable=False),
    )
    op.create_index("version_proposal", "version", ["proposal_id"])
    op.create_table(
        "requirement",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("version.id"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("unit", sa.String(20), primary_key=True),
        sa.Column("cents", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("a register is never downgraded: keep a copy before upgrading")
