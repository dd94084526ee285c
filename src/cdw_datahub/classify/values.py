"""Value detectors: look at a bounded in-memory sample, return only detector ids.

A detector never returns, logs or stores a value: the result is a frozenset of ids such as
{"ssn", "email"}, so nothing sampled can leak into an aspect, report or export (DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from itertools import islice

# Share of non-empty sampled values that must look like the thing. Whole-value detectors need a
# clear majority; "contains" detectors fire on free text (a notes column) at a lower share.
_WHOLE_SHARE = 0.6
_CONTAINS_SHARE = 0.2
_MAX_TEXT = 2000  # long free text: only its start is searched, to bound the cost per value

_SSN = re.compile(r"(?<!\d)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)")
_SSN_BARE = re.compile(r"(?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\d-])(\+?1[ .-]?)?(\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}"
    r"(\s*(x|ext\.?)\s*\d{1,5})?(?![\d-])"
)
_ZIP = re.compile(r"\d{5}(-\d{4})?")
_IPV4 = re.compile(
    r"(?<![\d.])((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
)
_CARD = re.compile(r"(?:\d[ -]?){13,19}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

# A column of birth dates spans decades and reaches well into the past; event dates cluster.
_DOB_MIN_YEAR = 1900
_DOB_MIN_SPAN_DAYS = 15 * 365
_DOB_OLD_DAYS = 5 * 365


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _as_date(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str):
        return None
    s = v.strip()[:10]
    m = _ISO_DATE.fullmatch(s)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _US_DATE.fullmatch(s)
        if m:
            return dt.date(int(m[3]), int(m[1]), int(m[2]))
    except ValueError:
        return None
    return None


def _is_card(s: str) -> bool:
    if not _CARD.fullmatch(s):
        return False
    digits = re.sub(r"\D", "", s)
    return 13 <= len(digits) <= 19 and _luhn(digits)


def detect_values(values: Iterable[object], limit: int = 200) -> frozenset[str]:
    """Ids of the detectors that fire on the first `limit` non-empty values of a column.

    Detector ids: ssn, email, phone, dob, zip, ipv4, credit_card. Only counts are kept while
    scanning; no value is returned or retained.
    """
    seen = 0
    strings = 0
    counts = dict.fromkeys(("ssn", "email", "phone", "zip", "ipv4", "credit_card"), 0)
    dates: list[dt.date] = []
    non_empty = (v for v in values if v is not None and not (isinstance(v, str) and not v.strip()))
    for v in islice(non_empty, max(limit, 0)):
        seen += 1
        d = _as_date(v)
        if d is not None:
            dates.append(d)
            continue
        if not isinstance(v, str):
            continue  # numbers: a 5-digit integer is as likely a key as a ZIP; don't guess
        strings += 1
        s = v.strip()
        text = s[:_MAX_TEXT]
        if _SSN.search(text) or _SSN_BARE.fullmatch(s):
            counts["ssn"] += 1
        if "@" in text and _EMAIL.search(text):
            counts["email"] += 1
        if _PHONE.search(text):
            counts["phone"] += 1
        if _ZIP.fullmatch(s):
            counts["zip"] += 1
        if _IPV4.search(text):
            counts["ipv4"] += 1
        if _is_card(s):
            counts["credit_card"] += 1
    hits: set[str] = set()
    if seen == 0:
        return frozenset()
    # Free-text detectors count against all strings; whole-value ones need a clear majority.
    for det in ("ssn", "email", "phone", "ipv4"):
        if strings and counts[det] / strings >= _CONTAINS_SHARE:
            hits.add(det)
    for det in ("zip", "credit_card"):
        if counts[det] / seen >= _WHOLE_SHARE:
            hits.add(det)
    if dates and len(dates) / seen >= _WHOLE_SHARE and _looks_like_birth_dates(dates):
        hits.add("dob")
    return frozenset(hits)


def _looks_like_birth_dates(dates: list[dt.date]) -> bool:
    today = dt.date.today()
    if any(d > today for d in dates) or min(dates).year < _DOB_MIN_YEAR:
        return False
    if (max(dates) - min(dates)).days < _DOB_MIN_SPAN_DAYS:
        return False
    old = sum(1 for d in dates if (today - d).days > _DOB_OLD_DAYS)
    return old / len(dates) >= 0.5
