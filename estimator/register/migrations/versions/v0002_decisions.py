"""Decisions: adopted, adopted as amended (the version adopted), merged into another text,
withdrawn, not adopted; each with who recorded it and when.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("version.id")),
        sa.Column("into_text", sa.String(240)),
        sa.Column("note", sa.Text),
        sa.Column("recorded_by", sa.Text),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index("decision_proposal", "decision", ["proposal_id"])


def downgrade() -> None:
    raise NotImplementedError("a register is never downgraded: keep a copy before upgrading")
