"""What the Cover and Summary sheets say, as (label, value[, link[, more]]) items; a one-item
tuple is a section heading. The workbook lays them out; this module only decides the content."""

from __future__ import annotations

from typing import Any

from cdw_datahub.bucp.model import (
    DatasetFields,
    ExportDocument,
    StatuteDataset,
    Summary,
    SummaryDataset,
)

Item = tuple[Any, ...]
LIST_SEPARATOR = "; "
NOT_RECORDED = "not recorded (export with --bucp ID to take it from the register)"


def _joined(values: list[str | None], sep: str = "; ") -> str:
    return sep.join(dict.fromkeys(v for v in values if v)) or "-"


def _harvest(datasets: list[SummaryDataset]) -> str:
    dates = {d["harvested"] for d in datasets}
    if dates == {None}:
        return "not recorded by this catalog"
    if len(dates) == 1:
        return f"{dates.pop()} (all {len(datasets)} dataset(s))"
    return "\n".join(f"{d['dataset']}: {d['harvested'] or 'not recorded'}" for d in datasets)


def _request_items(doc: ExportDocument) -> list[Item]:
    request = doc.request
    if request is None:
        return [
            ("BUCP", NOT_RECORDED),
            ("Requesting department", NOT_RECORDED),
            ("Providing department", NOT_RECORDED),
        ]
    return [
        ("BUCP", request.id),
        ("Title", request.title),
        ("Requesting department", request.requesting_department),
        ("Providing department", request.providing_department),
        ("Legal authority", _joined(list(request.authorities))),
        ("Use-case sponsor", request.sponsor or "-"),
        ("Point of contact (data coordinator)", request.coordinator or "-"),
    ]


def cover_items(doc: ExportDocument) -> list[Item]:
    s = doc.summary
    c = s["classification"]
    datasets = s["datasets"]
    items: list[Item] = _request_items(doc)
    items += [
        ("Program(s)", _joined([d["program"] or d["dataset"].split(".")[0] for d in datasets])),
        ("Data steward(s)", _joined([r["steward"] for r in doc.rows])),
        ("Export date", doc.generated),
        ("Catalog", doc.catalog),
        ("Catalog harvest date(s)", _harvest(datasets)),
        (
            f"Datasets ({len(datasets)})",
            "\n".join(f"{d['dataset']} ({d['fields']} field(s))" for d in datasets) or "none",
        ),  # fmt: skip
        ("Fields", len(doc.rows)),
        ("Fields by classification level",),
    ]
    items += [(level, n) for level, n in c["by_level"].items()]
    items.append(("Fields by classification status",))
    items += [(status, n) for status, n in c["by_status"].items()]
    items.append(("Classification",))
    items.append(("Strictest classification", c["strictest"]))
    items.append(("Required NIST SP 800-53 controls", ", ".join(c["controls"]) or "none listed"))
    items.append((f"Statutes triggered ({len(s['statutes'])})",))
    if not s["statutes"]:
        items.append(("none", "no statute is recorded on these fields"))
    for statute in s["statutes"]:
        items.append((statute["title"] or statute["citation"], statute["citation"],
                      statute["url"] or None, statute["status"]))  # fmt: skip
    items.append(("Sheets",))
    items += [
        ("Fields sheet", "the BUCP Technical Fields, one row per field"),
        ("Statutes sheet", "one row per statute and field, each citation linked to its text"),
        ("Summary sheet", "statutes by dataset, classification and controls, late-statute risk"),
        ("Glossary sheet", "the department's terms used by these fields"),
    ]
    return items


def _fields_text(groups: list[DatasetFields] | list[StatuteDataset]) -> str:
    """`dataset: a, b` per line; a field is a name or a statute's {field, status, ...} entry."""
    return "\n".join(
        f"{g['dataset']}: "
        + ", ".join(f if isinstance(f, str) else f["field"] for f in g["fields"])
        for g in groups
    )


def summary_items(s: Summary) -> list[Item]:
    c = s["classification"]
    items: list[Item] = [(f"Statutes triggered ({len(s['statutes'])})",)]
    if not s["statutes"]:
        items.append(("none", "no statute is recorded on these fields"))
    for statute in s["statutes"]:
        decided = "\n".join(
            d["text"]
            + "".join(f"\nwhy {r['id']}: {r['reason']}" for r in d["rules"] if r["reason"])
            for d in statute["decisions"]
        )
        items.append((statute["citation"], statute["title"] or statute["citation"],
                      statute["url"] or None, f"status: {statute['status']}"))  # fmt: skip
        items.append(("  how it was decided", decided))
        items.append(("  strictest level of its fields", statute["strictest"]))
        items.append(("  fields by dataset", _fields_text(statute["datasets"])))
    items.append(("Assessed by legal: no statute applies",))
    items.append(("fields", _fields_text(s["no_statute_applies"]) or "none"))
    items.append(("Classification",))
    items.append(("Strictest classification", c["strictest"]))
    items.append(("Required NIST SP 800-53 controls", ", ".join(c["controls"]) or "none listed"))
    items.append(("Unclassified fields (protect as FIPS 199 Moderate)", c["unclassified_fields"]))
    items.append(("Categories present",))
    if not s["categories"]:
        items.append(("none", "-"))
    for cat in s["categories"]:
        items.append((cat["name"], len(cat["fields"]), None, LIST_SEPARATOR.join(cat["fields"])))
    risk = s["late_statute_risk"]
    items.append(("Late-statute risk",))
    items.append(("What it means", risk["explanation"]))
    items.append(("Fields without statute review", risk["not_assessed_count"], None,
                  _fields_text(risk["not_assessed"])))  # fmt: skip
    items.append(("Statutes suggested, awaiting legal review", risk["suggested_count"]))
    items.append(("Unclassified", len(s["unclassified_fields"])))
    items.append(("Suggested, not reviewed", len(s["suggested_fields"])))
    items.append(("No definition", len(s["undefined_fields"])))
    return items
