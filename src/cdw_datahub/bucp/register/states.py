"""The BUCP lifecycle as data: events, the state each leaves behind, and what may follow what.

A BUCP's state is the last event recorded for it. The table below is the whole rule set; the store
checks every new event against it (and so does the tracker import), so a register can never hold
"fulfilled before approved" or a dispute resolved that was never raised.
"""

from __future__ import annotations

# Events in the order they normally happen; `RANK` breaks ties between events on the same day
# when a one-row-per-BUCP tracker spreadsheet is turned into an event history.
EVENTS = (
    "drafted",
    "submitted",
    "under review",
    "disputed",
    "dispute resolved",
    "approved",
    "denied",
    "fulfilled",
    "closed",
)
RANK = {event: i for i, event in enumerate(EVENTS)}

# state (the last event, None for a BUCP with no events yet) -> events allowed next.
# A dispute can be raised again after a resolution; a denied BUCP can be resubmitted; any open
# BUCP can be closed (withdrawn) at any point.
TRANSITIONS: dict[str | None, tuple[str, ...]] = {
    None: ("drafted", "submitted"),
    "drafted": ("submitted", "closed"),
    "submitted": ("under review", "closed"),
    "under review": ("disputed", "approved", "denied", "closed"),
    "disputed": ("dispute resolved", "closed"),
    "dispute resolved": ("disputed", "under review", "approved", "denied", "closed"),
    "approved": ("fulfilled", "closed"),
    "denied": ("submitted", "closed"),
    "fulfilled": ("closed",),
    "closed": (),
}

# States a BUCP counts as "in review" (requested, not yet decided) and "current" (data provided
# or about to be) for the priority rubric.
IN_REVIEW = frozenset({"submitted", "under review", "disputed", "dispute resolved"})
CURRENT = frozenset({"approved", "fulfilled"})
# Still in the pipeline: not yet fulfilled, denied or closed (what "open BUCPs by age" lists).
IN_PROGRESS = frozenset(
    {"drafted", "submitted", "under review", "disputed", "dispute resolved", "approved"}
)

RESTRICTION_SOLUTIONS = ("aggregation", "de-identification", "other", "unsolved")


def normalize_event(text: str) -> str | None:
    """Accept `under review`, `under_review`, `Under-Review`; None when it is no event."""
    key = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
    return key if key in RANK else None


def allowed_after(state: str | None) -> tuple[str, ...]:
    return TRANSITIONS[state]


def transition_error(event: str, state: str | None) -> str:
    allowed = allowed_after(state)
    where = f"a BUCP in state '{state}'" if state else "a BUCP with no events yet"
    nxt = ", ".join(f"'{e}'" for e in allowed) if allowed else "nothing (it is closed)"
    return f"event '{event}' is not allowed for {where}; allowed next: {nxt}"
