"""The register's tables (SQLAlchemy 2 declarative). Schema changes go through a new migration in
`migrations/versions/`; `tests/test_register.py` checks the migrations build exactly these tables.

Specialized Security / Specialized Privacy text lives in its own table (`bucp_specialized`) so
that no query for lists, metrics or exports can pick it up by accident: only `Register.get(...,
specialized=True)` joins it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Bucp(Base):
    __tablename__ = "bucp"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # BUCP-2026-001
    title: Mapped[str] = mapped_column(String(300))
    program: Mapped[str] = mapped_column(String(64))  # providing program id, e.g. w2w
    requesting_department: Mapped[str] = mapped_column(String(200))
    providing_department: Mapped[str] = mapped_column(String(200))
    sponsor: Mapped[str | None] = mapped_column(String(200))
    coordinator: Mapped[str | None] = mapped_column(String(200))
    benefits: Mapped[str | None] = mapped_column(Text)  # the outcome of the sharing, at close
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    events: Mapped[list[Event]] = relationship(order_by="Event.seq", cascade="all, delete-orphan")
    authorities: Mapped[list[Authority]] = relationship(
        order_by="Authority.id", cascade="all, delete-orphan"
    )
    requests: Mapped[list[RequestItem]] = relationship(
        order_by="RequestItem.id", cascade="all, delete-orphan"
    )
    disputes: Mapped[list[Dispute]] = relationship(
        order_by="Dispute.id", cascade="all, delete-orphan"
    )
    restrictions: Mapped[list[Restriction]] = relationship(
        order_by="Restriction.id", cascade="all, delete-orphan"
    )


class Event(Base):
    """One dated step in a BUCP's status history; `seq` orders them (dates can tie)."""

    __tablename__ = "bucp_event"
    __table_args__ = (UniqueConstraint("bucp_id", "seq", name="uq_bucp_event_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucp_id: Mapped[str] = mapped_column(ForeignKey("bucp.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    on: Mapped[dt.date] = mapped_column("event_date", Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Authority(Base):
    """A legal authority citation for the sharing, e.g. `Welfare and Institutions Code 10850`."""

    __tablename__ = "bucp_authority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucp_id: Mapped[str] = mapped_column(ForeignKey("bucp.id", ondelete="CASCADE"), index=True)
    citation: Mapped[str] = mapped_column(String(300))


class RequestItem(Base):
    """A requested dataset (`<program>.<table>`), or one field of it when `field` is set."""

    __tablename__ = "bucp_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucp_id: Mapped[str] = mapped_column(ForeignKey("bucp.id", ondelete="CASCADE"), index=True)
    dataset: Mapped[str] = mapped_column(String(300))
    field: Mapped[str | None] = mapped_column(String(300))


class Dispute(Base):
    """Raised by a `disputed` event, resolved by the next `dispute resolved` event."""

    __tablename__ = "bucp_dispute"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucp_id: Mapped[str] = mapped_column(ForeignKey("bucp.id", ondelete="CASCADE"), index=True)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    issue: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)


class Restriction(Base):
    """A statute that restricted the sharing, and how it was solved."""

    __tablename__ = "bucp_restriction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucp_id: Mapped[str] = mapped_column(ForeignKey("bucp.id", ondelete="CASCADE"), index=True)
    citation: Mapped[str] = mapped_column(String(300))
    solution: Mapped[str] = mapped_column(String(32))  # states.RESTRICTION_SOLUTIONS
    note: Mapped[str | None] = mapped_column(Text)


class Specialized(Base):
    """Specialized Security / Specialized Privacy terms: restricted to specific staff."""

    __tablename__ = "bucp_specialized"

    bucp_id: Mapped[str] = mapped_column(
        ForeignKey("bucp.id", ondelete="CASCADE"), primary_key=True
    )
    security: Mapped[str | None] = mapped_column(Text)
    privacy: Mapped[str | None] = mapped_column(Text)
    # drafted by `bucp readiness` from policies/receiving.yml; the agreed terms stay in `security`
    security_draft: Mapped[str | None] = mapped_column(Text)
