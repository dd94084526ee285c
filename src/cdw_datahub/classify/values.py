"""Value detectors: look at a bounded in-memory sample, return only detector ids.

A detector never returns, logs or stores a value: the result is a frozenset of ids such as
{"ssn", "email"}, so nothing sampled can leak into an aspect, report or export (README).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

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


# Every detector needs a digit, except email, which needs an "@": text with neither (names,
# codes, free text) is counted and skipped without running the detectors.
_CANDIDATE = re.compile(r"[\d@]")
# An SSN has 9 digits, a phone number 10, a card number 13 or more.
_NINE_DIGITS = re.compile(r"(?:\D*\d){9}")


def _as_date(s: str) -> dt.date | None:
    """A date written as YYYY-MM-DD or M/D/YYYY at the start of a stripped string."""
    s = s[:10]
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
    scanning; no value is returned or retained. Runs once per sampled column, so each cheap
    necessary condition (a "-", a length) is checked before its regular expression.
    """
    seen = strings = ssn = email = phone = zip_code = ipv4 = card = 0
    dates: list[dt.date] = []
    for v in values:
        if seen >= limit:
            break
        if isinstance(v, str):
            s = v.strip()
            if not s:
                continue
            seen += 1
            if not _CANDIDATE.search(s):
                strings += 1
                continue
            if s[0].isdigit():
                d = _as_date(s)
                if d is not None:
                    dates.append(d)
                    continue
            strings += 1
            text = s[:_MAX_TEXT]
            n = len(s)
            if _NINE_DIGITS.match(text):
                if ("-" in text and _SSN.search(text)) or (n == 9 and _SSN_BARE.fullmatch(s)):
                    ssn += 1
                if _PHONE.search(text):
                    phone += 1
                if n >= 13 and _is_card(s):
                    card += 1
            if "@" in text and _EMAIL.search(text):
                email += 1
            if (n == 5 or n == 10) and _ZIP.fullmatch(s):
                zip_code += 1
            if "." in text and _IPV4.search(text):
                ipv4 += 1
        elif v is not None:
            seen += 1
            if isinstance(v, dt.datetime):
                dates.append(v.date())
            elif isinstance(v, dt.date):
                dates.append(v)
            # numbers: a 5-digit integer is as likely a key as a ZIP; don't guess
    if seen == 0:
        return frozenset()
    hits: set[str] = set()
    # Free-text detectors count against all strings; whole-value ones need a clear majority.
    if strings:
        for det, count in (("ssn", ssn), ("email", email), ("phone", phone), ("ipv4", ipv4)):
            if count / strings >= _CONTAINS_SHARE:
                hits.add(det)
    for det, count in (("zip", zip_code), ("credit_card", card)):
        if count / seen >= _WHOLE_SHARE:
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
