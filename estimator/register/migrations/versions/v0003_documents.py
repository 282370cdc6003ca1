"""The texts apart: each version's proposal text and estimate move to version_document, so
that listing the versions and computing the position read small rows only (a SQLite row is
read from its start: columns after a large text cost reading that text).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "version_document",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("version.id"), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("estimate", sa.Text, nullable=False),
    )
    op.execute(
        "INSERT INTO version_document (version_id, text, estimate)"
        " SELECT id, text, estimate FROM version"
    )
    # plain SQL, the same for SQLite (3.35 and later) and PostgreSQL: no copy of the table
    op.execute("ALTER TABLE version DROP COLUMN text")
    op.execute("ALTER TABLE version DROP COLUMN estimate")


def downgrade() -> None:
    raise NotImplementedError("a register is never downgraded: keep a copy before upgrading")
