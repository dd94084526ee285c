"""The summary that travels with a BUCP export: what legal and security act on, computed from the
exported rows.

- statutes triggered, grouped statute -> dataset -> fields, each with how it was decided
  (reviewed by whom and when, where recorded; suggested by a rule, with the rule's reason) and the
  fields legal assessed as governed by no statute;
- the strictest classification and the NIST SP 800-53 controls it requires, and field counts by
  level and by review status;
- categories present, by their display names;
- the late-statute risk: fields nobody has reviewed yet, where a statute can still turn up during
  approval and stall the BUCP;
- the glossary terms used, with their definitions, groups, owners, source, related terms and
  domain (the glossary sheet sent with the data; `bucp/glossary.py`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from cdw_datahub.bucp.export import Facts, Level
from cdw_datahub.bucp.glossary import DETAIL_LABELS, detail_text
from cdw_datahub.bucp.glossary import entry as glossary_entry

CLASSIFICATION_STATUSES = ("reviewed", "suggested", "unclassified", "inherited")
LATE_STATUTE_RISK = (
    "A statute that restricts sharing, found during approval instead of now, stalls the BUCP: "
    "no rule matched the fields below and legal has not assessed them, so one may still apply."
)


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


def _decision(statute: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """How one statute was decided on one field, as the summary states it."""
    rules = statute.get("rules") or []
    if statute.get("status") == "inherited":
        upstream = ", ".join(statute.get("inherited_from") or []) or "an upstream field"
        return {"status": "inherited", "text": f"inherited through lineage from {upstream}",
                "rules": []}  # fmt: skip
    if statute.get("status") == "reviewed":
        # the file, not the line: one decision per file keeps the summary short
        where = ", ".join(dict.fromkeys(r.rsplit(":", 1)[0] for r in rules))
        return {
            "status": "reviewed",
            "text": (statute.get("review") or "reviewed")
            + (f", recorded in {where}" if where else ""),
            "rules": [],
        }
    described = [{"id": r, "reason": facts.statute_rules.get(r, "")} for r in rules]
    names = ", ".join(rules) or "a detection rule"
    return {"status": "suggested", "text": f"suggested by rule {names}", "rules": described}


def _statutes(rows: Sequence[dict[str, Any]], facts: Facts) -> list[dict[str, Any]]:
    statutes: dict[str, dict[str, Any]] = {}
    for row in rows:
        for statute in row["statutes"]:
            entry = statutes.setdefault(
                statute["citation"],
                {k: statute[k] for k in ("citation", "title", "url")}
                | {"decisions": {}, "datasets": {}, "fields": [], "levels": []},
            )
            decision = _decision(statute, facts)
            entry["decisions"].setdefault(decision["text"], {**decision, "fields": 0})
            entry["decisions"][decision["text"]]["fields"] += 1
            entry["datasets"].setdefault(row["dataset"], []).append(
                {"field": row["field"], "field_name": row["field_name"],
                 "status": decision["status"]}
            )  # fmt: skip
            entry["fields"].append(_ref(row))
            entry["levels"].append(row)
    out = []
    for entry in sorted(statutes.values(), key=lambda s: s["citation"]):
        decisions = list(entry.pop("decisions").values())
        statuses = {d["status"] for d in decisions}
        level, _ = strictest(entry.pop("levels"), facts)
        out.append(
            {
                **entry,
                "status": statuses.pop() if len(statuses) == 1 else "partly reviewed",
                "decisions": decisions,
                "datasets": [{"dataset": d, "fields": f} for d, f in entry["datasets"].items()],
                "strictest": level.name if level else facts.unclassified_label,
            }
        )
    return out


def _by_dataset(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = {}
    for row in rows:
        grouped.setdefault(row["dataset"], []).append(row["field"])
    return [{"dataset": d, "fields": f} for d, f in grouped.items()]


def _classification(rows: Sequence[dict[str, Any]], facts: Facts) -> dict[str, Any]:
    level, unclassified_count = strictest(rows, facts)
    # control -> what requires it (the strictest level, the unclassified fields' Moderate)
    sources: dict[str, list[str]] = {}
    for control in level.controls if level else ():
        sources.setdefault(control, []).append(level.name if level else "")
    if unclassified_count:
        for control in facts.unclassified_controls:
            sources.setdefault(control, []).append(facts.unclassified_label)
    controls = list(sources)
    by_level = {lvl.name: 0 for lvl in facts.levels}
    by_level[facts.unclassified_label] = 0
    by_status = dict.fromkeys(CLASSIFICATION_STATUSES, 0)
    for row in rows:
        by_level[row["classification"]] = by_level.get(row["classification"], 0) + 1
        by_status[row["classification_status"]] = by_status.get(row["classification_status"], 0) + 1
    reviews: dict[str, int] = {}  # "reviewed by Linda Nguyen on 2026-12-01" -> fields
    for row in rows:
        if row.get("classification_review"):
            reviews[row["classification_review"]] = reviews.get(row["classification_review"], 0) + 1
    return {
        "strictest": level.name if level else facts.unclassified_label,
        "level": level.id if level else None,
        "fips199": None if level else facts.unclassified_fips199,
        "controls": controls,
        "control_sources": sources,
        "unclassified_fields": unclassified_count,
        "by_level": by_level,
        "by_status": by_status,
        "reviews": reviews,
    }


def _glossary(
    rows: Sequence[dict[str, Any]], facts: Facts, terms_used: dict[str, list[str]] | None
) -> list[dict[str, Any]]:
    glossary: list[dict[str, Any]]
    if terms_used is not None:
        glossary = [
            glossary_entry(facts.glossary.get(urn), urn, facts.term_name(urn),
                           facts.terms.get(urn, ("", ""))[1], fields)
            for urn, fields in terms_used.items()
        ]  # fmt: skip
    else:
        terms: dict[str, list[str]] = {}
        for row in rows:
            for term in row["glossary_terms"]:
                terms.setdefault(term, []).append(_ref(row))
        by_name = {t.name: t for t in reversed(facts.glossary.values())}  # the first wins
        glossary = [
            glossary_entry(by_name.get(name), "", name, "", fields)
            for name, fields in terms.items()
        ]
    glossary.sort(key=lambda g: (g["term"].lower(), g["definition"]))
    return glossary


def build_summary(
    rows: Sequence[dict[str, Any]], facts: Facts, terms_used: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The summary of exported rows; `terms_used` (term URN -> field refs, from ExportReport)
    keeps two terms with the same name (W2W and Healthy Habits "Participant") apart."""
    datasets: dict[str, dict[str, Any]] = {}
    categories: dict[str, list[str]] = {}
    for row in rows:
        ds = datasets.setdefault(
            row["dataset_urn"],
            {"dataset": row["dataset"], "dataset_urn": row["dataset_urn"], "fields": 0},
        )
        ds["fields"] += 1
        for category in row["categories"]:
            categories.setdefault(category, []).append(_ref(row))
    order = facts.category_rank
    not_assessed = [r for r in rows if r.get("statute_status") == "not assessed"]
    return {
        "datasets": list(datasets.values()),
        "field_count": len(rows),
        "statutes": _statutes(rows, facts),
        "no_statute_applies": _by_dataset(
            [r for r in rows if r.get("statute_status") == "assessed: none apply"]
        ),
        "classification": _classification(rows, facts),
        "categories": [
            {"id": cid, "name": facts.category_name(cid), "fields": fields}
            for cid, fields in sorted(
                categories.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])
            )
        ],
        "late_statute_risk": {
            "explanation": LATE_STATUTE_RISK,
            "not_assessed": _by_dataset(not_assessed),
            "not_assessed_count": len(not_assessed),
            "suggested_count": sum(1 for r in rows if r.get("statute_status") == "suggested"),
        },
        "unclassified_fields": [
            _ref(r) for r in rows if r["classification_status"] == "unclassified"
        ],
        "suggested_fields": [_ref(r) for r in rows if r["classification_status"] == "suggested"],
        "undefined_fields": [_ref(r) for r in rows if not (r["definition"] or "").strip()],
        "glossary": _glossary(rows, facts, terms_used),
    }


# ---------------------------------------------------------------- text and Markdown


def _wrapped(prefix: str, items: Sequence[str], indent: str) -> list[str]:
    """`prefix: a, b, c` wrapped at 100 columns, continuation lines indented."""
    text = f"{prefix}{', '.join(items)}"
    return textwrap.wrap(text, 100, subsequent_indent=indent, break_on_hyphens=False) or [prefix]


def _statute_lines(s: dict[str, Any], markdown: bool) -> list[str]:
    cite = f"[{s['citation']}]({s['url']})" if markdown and s["url"] else s["citation"]
    title = f" - {s['title']}" if s["title"] else ""
    url = f" <{s['url']}>" if s["url"] and not markdown else ""
    lines = [f"- {cite}{title}{url}"]
    lines.append(f"    status: {s['status']}; strictest level of its fields: {s['strictest']}")
    for d in s["decisions"]:
        lines.append(f"    {d['text']} ({d['fields']} field(s))")
        for rule in d["rules"]:
            if rule["reason"]:
                lines += _wrapped(f"      why {rule['id']}: ", [rule["reason"]], "        ")
    for ds in s["datasets"]:
        by_status: dict[str, list[str]] = {}
        for f in ds["fields"]:
            by_status.setdefault(f["status"], []).append(f["field"])
        for status, names in by_status.items():
            tag = f" {status}" if s["status"] == "partly reviewed" else ""
            lines += _wrapped(f"    {ds['dataset']}{tag} ({len(names)}): ", names, "        ")
    return lines


def _grouped_lines(groups: Sequence[dict[str, Any]]) -> list[str]:
    if not groups:
        return ["- none"]
    lines: list[str] = []
    for g in groups:
        lines += _wrapped(f"- {g['dataset']} ({len(g['fields'])}): ", g["fields"], "    ")
    return lines


def _refs_by_dataset(refs: Sequence[str]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = {}
    for ref in refs:
        dataset, _, name = ref.rpartition(".")
        grouped.setdefault(dataset, []).append(name)
    return [{"dataset": d, "fields": f} for d, f in grouped.items()]


def summary_text(summary: dict[str, Any], markdown: bool = False) -> str:
    """The summary as text: plain (the `table` format) or a Markdown section body."""
    h = "### " if markdown else ""
    lines: list[str] = []
    names = ", ".join(d["dataset"] for d in summary["datasets"]) or "none"
    lines += _wrapped(f"{summary['field_count']} field(s) from ", [names], "    ")
    lines.append("")

    lines.append(f"{h}Statutes triggered ({len(summary['statutes'])})")
    if not summary["statutes"]:
        lines.append("- none recorded on these fields")
    for s in summary["statutes"]:
        lines += _statute_lines(s, markdown)
    lines.append("")
    lines.append(f"{h}Assessed by legal: no statute applies")
    lines += _grouped_lines(summary["no_statute_applies"])
    lines.append("")

    c = summary["classification"]
    lines.append(f"{h}Strictest classification: {c['strictest']}")
    if c["unclassified_fields"]:
        lines.append(
            f"- {c['unclassified_fields']} unclassified field(s): protect as FIPS 199 "
            "Moderate until classified (SAM 5305.5)"
        )
    lines += _wrapped(
        "- required NIST SP 800-53 controls: ", [", ".join(c["controls"]) or "none listed"], "    "
    )
    lines.append(
        "- fields by level: " + ", ".join(f"{k} {v}" for k, v in c["by_level"].items() if v)
    )
    lines.append("- fields by status: " + ", ".join(f"{k} {v}" for k, v in c["by_status"].items()))
    for review, count in c.get("reviews", {}).items():
        lines.append(f"- {review}: {count} field(s)")
    lines.append("")

    lines.append(f"{h}Categories present")
    if not summary["categories"]:
        lines.append("- none")
    for cat in summary["categories"]:
        lines.append(f"- {cat['name']} ({len(cat['fields'])})")
        for group in _refs_by_dataset(cat["fields"]):
            lines += _wrapped(f"    {group['dataset']}: ", group["fields"], "        ")
    lines.append("")

    risk = summary["late_statute_risk"]
    lines.append(f"{h}Late-statute risk ({risk['not_assessed_count']} field(s) without review)")
    lines += textwrap.wrap(risk["explanation"], 100)
    lines += _grouped_lines(risk["not_assessed"])
    lines.append(f"- statutes suggested, awaiting legal review: {risk['suggested_count']} field(s)")
    for key, what in (
        ("unclassified_fields", "unclassified"),
        ("suggested_fields", "classification suggested, not reviewed"),
        ("undefined_fields", "no definition"),
    ):
        lines.append(f"- {what}: {len(summary[key])}")
    lines.append("")

    lines.append(f"{h}Glossary ({len(summary['glossary'])} term(s))")
    for term in summary["glossary"]:
        lines.append(f"- {term['term']}: {term['definition'] or '(no definition)'}")
        for key, label in DETAIL_LABELS:  # owners, source, related terms, domain, ...
            text = detail_text(term, key)
            if text:
                lines += _wrapped(f"    {label.lower()}: ", [text], "        ")
    return "\n".join(lines).rstrip() + "\n"
