"""What a BUCP in the register contributes to its package: the selection and the cover's parties.

    request = request_of(register.get("BUCP-2026-003"))
    selection = request.selection()     # exactly the datasets and fields the register records

The register names datasets `<program>.<table>` (`w2w.commute`), the form every selector accepts;
a dataset requested without fields means all of its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cdw_datahub.bucp.select import Selection
from cdw_datahub.errors import InputError

# The register (SQLAlchemy's ORM and its models, 27,000 objects) is imported where a BUCP is read
# from it: every export imports this module for `Request`, and most read no register.
if TYPE_CHECKING:
    from cdw_datahub.bucp.register.store import BucpRecord


@dataclass(frozen=True)
class Request:
    """A BUCP as the cover shows it (never its Specialized content)."""

    id: str
    title: str
    program: str
    requesting_department: str
    providing_department: str
    sponsor: str | None = None
    coordinator: str | None = None
    authorities: tuple[str, ...] = ()
    requested: tuple[tuple[str, str | None], ...] = field(default=())  # (dataset, field|None)

    def selection(self) -> Selection:
        if not self.requested:
            raise InputError(
                "the BUCP requests no datasets yet; add them with "
                f"`cdw-datahub bucp request {self.id} <program>.<table> [FIELD]...`",
                self.id,
                "requested",
            )
        datasets = tuple(dict.fromkeys(d for d, _ in self.requested))
        with_fields = {d for d, f in self.requested if f}
        patterns = [f"{d}.{f}" for d, f in self.requested if f]
        patterns += [f"{d}.*" for d in datasets if d not in with_fields]
        return Selection(datasets, tuple(dict.fromkeys(patterns)), None)


def request_of(record: BucpRecord) -> Request:
    return Request(
        id=record.id,
        title=record.title,
        program=record.program,
        requesting_department=record.requesting_department,
        providing_department=record.providing_department,
        sponsor=record.sponsor,
        coordinator=record.coordinator,
        authorities=tuple(record.authorities),
        requested=tuple(record.requests),
    )


def load_request(register_url: str, bucp_id: str) -> Request:
    """The BUCP from the register; an unknown id is an InputError naming the register."""
    from cdw_datahub.bucp.register.store import open_register

    with open_register(register_url) as register:
        return request_of(register.get(bucp_id))
