"""The first register schema: BUCPs, events, authorities, requests, disputes, restrictions,
specialized terms.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _bucp_fk() -> sa.Column:
    return sa.Column(
        "bucp_id", sa.String(32), sa.ForeignKey("bucp.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "bucp",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("requesting_department", sa.String(200), nullable=False),
        sa.Column("providing_department", sa.String(200), nullable=False),
        sa.Column("sponsor", sa.String(200)),
        sa.Column("coordinator", sa.String(200)),
        sa.Column("benefits", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "bucp_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _bucp_fk(),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("bucp_id", "seq", name="uq_bucp_event_seq"),
    )
    op.create_table(
        "bucp_authority",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _bucp_fk(),
        sa.Column("citation", sa.String(300), nullable=False),
    )
    op.create_table(
        "bucp_request",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _bucp_fk(),
        sa.Column("dataset", sa.String(300), nullable=False),
        sa.Column("field", sa.String(300)),
    )
    op.create_table(
        "bucp_dispute",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _bucp_fk(),
        sa.Column("raised_on", sa.Date, nullable=False),
        sa.Column("issue", sa.Text),
        sa.Column("resolved_on", sa.Date),
        sa.Column("resolution", sa.Text),
    )
    op.create_table(
        "bucp_restriction",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _bucp_fk(),
        sa.Column("citation", sa.String(300), nullable=False),
        sa.Column("solution", sa.String(32), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "bucp_specialized",
        sa.Column(
            "bucp_id", sa.String(32), sa.ForeignKey("bucp.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("security", sa.Text),
        sa.Column("privacy", sa.Text),
    )
    for table in ("event", "authority", "request", "dispute", "restriction"):
        op.create_index(f"ix_bucp_{table}_bucp_id", f"bucp_{table}", ["bucp_id"])


def downgrade() -> None:
    for table in ("specialized", "restriction", "dispute", "request", "authority", "event"):
        op.drop_table(f"bucp_{table}")
    op.drop_table("bucp")
