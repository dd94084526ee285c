"""The summary that travels with a BUCP export: what the "Specialized Security" and "Specialized
Privacy" parts of the proposal need, computed from the exported rows.

- statutes triggered, with the fields under each (found now, not during approval);
- the strictest classification and the NIST SP 800-53 controls it requires;
- categories present (direct identifiers, quasi-identifiers, health information);
- fields still unclassified or without a definition (the late-statute risk);
- the glossary terms used, with their definitions (the glossary sheet sent with the data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdw_datahub.bucp.export import Facts, Level


def _ref(row: dict[str, Any]) -> str:
    return f"{row['dataset']}.{row['field']}"


def strictest(rows: Sequence[dict[str, Any]], facts: Facts) -> tuple[Level | None, int]:
    """(the strictest level, how many fields are unclassified).

    An unclassified field makes the whole request "protect as Moderate" unless a field is already
    at the top level, which nothing unclassified could exceed (the rule of policy.strictest).
    """
    by_name = {lvl.name: lvl for lvl in facts.levels}
    unclassified = sum(1 for r in rows if r["classification_status"] == "unclassified")
    known = [
        by_name.get(r["classification"]) or facts.level(r["classification"])
        for r in rows
        if r["classification_status"] != "unclassified"
    ]
    if not known:
        return None, unclassified
    top = max(known, key=lambda lvl: facts.strictness(lvl.id))
    if unclassified and facts.strictness(top.id) < len(facts.levels) - 1:
        return None, unclassified
    return top, unclassified


def build_summary(
    rows: Sequence[dict[str, Any]], facts: Facts, terms_used: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The summary of exported rows; `terms_used` (term URN -> field refs, from ExportReport)
    keeps two terms with the same name (W2W and Healthy Habits "Participant") apart."""
    datasets: dict[str, dict[str, Any]] = {}
    statutes: dict[str, dict[str, Any]] = {}
    categories: dict[str, list[str]] = {}
    terms: dict[str, list[str]] = {}
    for row in rows:
        ds = datasets.setdefault(
            row["dataset_urn"],
            {"dataset": row["dataset"], "dataset_urn": row["dataset_urn"], "fields": 0},
        )
        ds["fields"] += 1
        for statute in row["statutes"]:
            entry = statutes.setdefault(statute["citation"], {**statute, "fields": []})
            entry["fields"].append(_ref(row))
        for category in row["categories"]:
            categories.setdefault(category, []).append(_ref(row))
        for term in row["glossary_terms"]:
            terms.setdefault(term, []).append(_ref(row))

    level, unclassified_count = strictest(rows, facts)
    controls: list[str] = list(level.controls) if level else []
    if unclassified_count:
        controls += [c for c in facts.unclassified_controls if c not in controls]
    glossary: list[dict[str, Any]]
    if terms_used is not None:
        glossary = [
            {"term": facts.term_name(urn), "definition": facts.terms.get(urn, ("", ""))[1],
             "fields": fields}
            for urn, fields in terms_used.items()
        ]  # fmt: skip
    else:
        definitions = {name: definition for name, definition in facts.terms.values()}
        glossary = [
            {"term": name, "definition": definitions.get(name, ""), "fields": fields}
            for name, fields in terms.items()
        ]
    glossary.sort(key=lambda g: (g["term"].lower(), g["definition"]))
    category_order = list(facts.categories)

    return {
        "datasets": list(datasets.values()),
        "field_count": len(rows),
        "statutes": sorted(statutes.values(), key=lambda s: s["citation"]),
        "classification": {
            "strictest": level.name if level else facts.unclassified_label,
            "level": level.id if level else None,
            "fips199": None if level else facts.unclassified_fips199,
            "controls": controls,
            "unclassified_fields": unclassified_count,
        },
        "categories": [
            {"id": cid, "name": facts.categories.get(cid, cid), "fields": fields}
            for cid, fields in sorted(
                categories.items(),
                key=lambda kv: (
                    category_order.index(kv[0]) if kv[0] in category_order else len(category_order),
                    kv[0],
                ),
            )
        ],
        "unclassified_fields": [
            _ref(r) for r in rows if r["classification_status"] == "unclassified"
        ],
        "suggested_fields": [_ref(r) for r in rows if r["classification_status"] == "suggested"],
        "undefined_fields": [_ref(r) for r in rows if not (r["definition"] or "").strip()],
        "glossary": glossary,
    }


def summary_text(summary: dict[str, Any], markdown: bool = False) -> str:
    """The summary as text: plain (the `table` format) or a Markdown section body."""
    h = "### " if markdown else ""
    bullet = "- "
    lines: list[str] = []
    names = ", ".join(d["dataset"] for d in summary["datasets"]) or "none"
    lines.append(f"{summary['field_count']} field(s) from {names}")
    lines.append("")

    lines.append(f"{h}Statutes triggered ({len(summary['statutes'])})")
    if not summary["statutes"]:
        lines.append(f"{bullet}none recorded on these fields")
    for s in summary["statutes"]:
        cite = f"[{s['citation']}]({s['url']})" if markdown and s["url"] else s["citation"]
        title = f" - {s['title']}" if s["title"] else ""
        url = f" <{s['url']}>" if s["url"] and not markdown else ""
        lines.append(f"{bullet}{cite}{title}{url}")
        lines.append(f"    fields: {', '.join(s['fields'])}")
    lines.append("")

    c = summary["classification"]
    lines.append(f"{h}Strictest classification: {c['strictest']}")
    if c["unclassified_fields"]:
        lines.append(
            f"{bullet}{c['unclassified_fields']} unclassified field(s): protect as FIPS 199 "
            "Moderate until classified (SAM 5305.5)"
        )
    lines.append(
        f"{bullet}required NIST SP 800-53 controls: {', '.join(c['controls']) or 'none listed'}"
    )
    lines.append("")

    lines.append(f"{h}Categories present")
    if not summary["categories"]:
        lines.append(f"{bullet}none")
    for cat in summary["categories"]:
        lines.append(f"{bullet}{cat['name']} ({len(cat['fields'])}): {', '.join(cat['fields'])}")
    lines.append("")

    lines.append(f"{h}Late-statute risk")
    for key, what in (
        ("unclassified_fields", "unclassified"),
        ("suggested_fields", "classification suggested, not reviewed"),
        ("undefined_fields", "no definition"),
    ):
        fields = summary[key]
        lines.append(f"{bullet}{what} ({len(fields)}): {', '.join(fields) or 'none'}")
    lines.append("")

    lines.append(f"{h}Glossary ({len(summary['glossary'])} term(s))")
    for term in summary["glossary"]:
        lines.append(f"{bullet}{term['term']}: {term['definition'] or '(no definition)'}")
    return "\n".join(lines).rstrip() + "\n"
