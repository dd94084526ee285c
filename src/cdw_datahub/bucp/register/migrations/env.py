"""Alembic environment for the BUCP register: always run in code, on a connection we pass in.

`store.upgrade()` builds the alembic Config itself and puts the open connection in
`config.attributes["connection"]`, so there is no alembic.ini and no URL to keep in sync.
"""

from __future__ import annotations

from alembic import context

from cdw_datahub.bucp.register.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
