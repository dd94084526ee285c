"""Short statute citations for narrow cells: "California Civil Code section 1798.24, subdivision
(e)" -> "Civ. Code § 1798.24(e)", "Code of Federal Regulations, Title 45, section 164.514" ->
"45 CFR 164.514" (California Style Manual abbreviations). The full citation stays everywhere
else; a citation no pattern knows is returned as it is.
"""

from __future__ import annotations

import re

CALIFORNIA_CODES = {
    "Civil": "Civ. Code",
    "Government": "Gov. Code",
    "Welfare and Institutions": "Welf. & Inst. Code",
    "Health and Safety": "Health & Saf. Code",
    "Public Resources": "Pub. Resources Code",
    "Penal": "Pen. Code",
    "Business and Professions": "Bus. & Prof. Code",
    "Education": "Ed. Code",
    "Labor": "Lab. Code",
    "Family": "Fam. Code",
    "Vehicle": "Veh. Code",
}
_CALIFORNIA = re.compile(
    r"^California (?P<code>" + "|".join(CALIFORNIA_CODES) + r") Code\b.*?\bsections? "
    r"(?P<section>\d+(?:\.\d+)*)(?P<rest>.*)$"
)
_CFR = re.compile(
    r"^Code of Federal Regulations, Title (?P<title>\d+), (?P<kind>section|Part) "
    r"(?P<section>\d+(?:\.\d+)*)(?P<rest>.*)$"
)
# ", subdivision (e)" / ", subdivisions (a)-(b)" / ", paragraph (b)(2)" -> "(e)", "(a)-(b)", ...
_SUBDIVISION = re.compile(r"^,? ?(?:subdivisions?|paragraphs?) (?P<sub>\(.*)$")
_FORMERLY = re.compile(r"\s*\(formerly[^)]*\)")


def _rest(rest: str) -> str:
    rest = _FORMERLY.sub("", rest).rstrip()
    found = _SUBDIVISION.match(rest)
    if found:
        return found.group("sub").replace(" ", "")
    return rest.replace(",", "", 1) if rest.startswith(", Subpart") else rest


def short_citation(citation: str) -> str:
    text = " ".join(citation.split())
    found = _CALIFORNIA.match(text)
    if found:
        code = CALIFORNIA_CODES[found.group("code")]
        return f"{code} § {found.group('section')}{_rest(found.group('rest'))}"
    found = _CFR.match(text)
    if found:
        part = "Part " if found.group("kind") == "Part" else ""
        section = f"{part}{found.group('section')}{_rest(found.group('rest'))}"
        return f"{found.group('title')} CFR {section}"
    return text
