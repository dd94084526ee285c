"""The department's BUCP register (play 1): SQLAlchemy models, Alembic migrations, the store."""

from cdw_datahub.bucp.register.store import (
    BucpRecord,
    EventRecord,
    NewBucp,
    Register,
    open_register,
)

__all__ = ["BucpRecord", "EventRecord", "NewBucp", "Register", "open_register"]
