"""NIST SP 800-53 revision 5 control identifiers: `AC-2`, `SC-8(1)`, `PT-5`.

An id is a family code from the rev. 5 list, a dash, the control number, and optionally an
enhancement number in parentheses. The family list is what makes `XY-1` or `AC2` an error a
steward sees at the line where they typed it.
"""

from __future__ import annotations

import re

# The 20 control families of SP 800-53 rev. 5 (section 2.2, table 1).
FAMILIES = {
    "AC": "Access Control",
    "AT": "Awareness and Training",
    "AU": "Audit and Accountability",
    "CA": "Assessment, Authorization, and Monitoring",
    "CM": "Configuration Management",
    "CP": "Contingency Planning",
    "IA": "Identification and Authentication",
    "IR": "Incident Response",
    "MA": "Maintenance",
    "MP": "Media Protection",
    "PE": "Physical and Environmental Protection",
    "PL": "Planning",
    "PM": "Program Management",
    "PS": "Personnel Security",
    "PT": "PII Processing and Transparency",
    "RA": "Risk Assessment",
    "SA": "System and Services Acquisition",
    "SC": "System and Communications Protection",
    "SI": "System and Information Integrity",
    "SR": "Supply Chain Risk Management",
}
CONTROL_ID = re.compile(
    r"(?P<family>[A-Z]{2})-(?P<number>[1-9]\d?)(?:\((?P<enhancement>[1-9]\d?)\))?"
)


def check_control(value: str) -> str:
    """The id as given, or ValueError saying what a NIST SP 800-53 rev. 5 id looks like."""
    found = CONTROL_ID.fullmatch(value)
    if found is None:
        raise ValueError(
            f"'{value}' is not a NIST SP 800-53 control id (write it like AC-2 or SC-8(1))"
        )
    if found.group("family") not in FAMILIES:
        raise ValueError(
            f"'{value}' is not a NIST SP 800-53 rev. 5 control: there is no family "
            f"'{found.group('family')}' (families: {', '.join(FAMILIES)})"
        )
    return value


def family_name(control: str) -> str:
    return FAMILIES.get(control.split("-", 1)[0], "")


def satisfies(implemented: str, required: str) -> bool:
    """An enhancement builds on its base control: implementing SC-8(1) implements SC-8; the
    base alone does not implement a required enhancement."""
    return implemented == required or implemented.startswith(required + "(")
