"""The Specialized Security draft that `bucp readiness` writes, beside the agreed terms.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bucp_specialized") as batch:
        batch.add_column(sa.Column("security_draft", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("bucp_specialized") as batch:
        batch.drop_column("security_draft")
