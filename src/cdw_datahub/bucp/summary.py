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
from collections.abc import Mapping, Sequence

from cdw_datahub.bucp.export import Facts, Level
from cdw_datahub.bucp.glossary import DETAIL_LABELS, detail_text
from cdw_datahub.bucp.glossary import entry as glossary_entry
from cdw_datahub.bucp.model import (
    CategorySummary,
    ClassificationSummary,
    DatasetFields,
    Decision,
    DecisionRule,
    FieldRow,
    GlossaryEntry,
    LateStatuteRisk,
    RowStatute,
    StatuteDataset,
    StatuteField,
    StatuteSummary,
    Summary,
    SummaryDataset,
)

CLASSIFICATION_STATUSES = ("reviewed", "suggested", "unclassified", "inherited")
LATE_STATUTE_RISK = (
    "A statute that restricts sharing, found during approval instead of now, stalls the BUCP: "
    "no rule matched the fields below and legal has not assessed them, so one may still apply."
)


def _ref(row: FieldRow) -> str:
    return f"{row['dataset']}.{row['field']}"


def strictest(rows: Sequence[FieldRow], facts: Facts) -> tuple[Level | None, int]:
    """(the strictest level of the rows, how many of them are unclassified), by `Facts.strictest`:
    unclassified fields make it "protect as Moderate" unless a field is at the top level."""
    level_ids = {lvl.name: lvl.id for lvl in facts.levels}  # a row names its level for people
    levels = [
        None
        if r["classification_status"] == "unclassified"
        else level_ids.get(r["classification"], r["classification"])
        for r in rows
    ]
    top = facts.strictest(levels)
    return (facts.level(top) if top is not None else None), levels.count(None)


def _decision(statute: RowStatute, facts: Facts) -> Decision:
    """How one statute was decided on one field, as the summary states it (on no fields yet)."""
    rules = statute["rules"]
    if statute["status"] == "inherited":
        upstream = ", ".join(statute["inherited_from"]) or "an upstream field"
        text = f"inherited through lineage from {upstream}"
        return Decision(status="inherited", text=text, rules=[], fields=0)
    if statute["status"] == "reviewed":
        # the file, not the line: one decision per file keeps the summary short
        where = ", ".join(dict.fromkeys(r.rsplit(":", 1)[0] for r in rules))
        text = (statute["review"] or "reviewed") + (f", recorded in {where}" if where else "")
        return Decision(status="reviewed", text=text, rules=[], fields=0)
    described = [DecisionRule(id=r, reason=facts.statute_rules.get(r, "")) for r in rules]
    names = ", ".join(rules) or "a detection rule"
    return Decision(
        status="suggested", text=f"suggested by rule {names}", rules=described, fields=0
    )


def _statutes(rows: Sequence[FieldRow], facts: Facts) -> list[StatuteSummary]:
    by_citation: dict[str, list[tuple[FieldRow, RowStatute]]] = {}
    for row in rows:
        for statute in row["statutes"]:
            by_citation.setdefault(statute["citation"], []).append((row, statute))
    return [_statute_summary(found, facts) for _, found in sorted(by_citation.items())]


def _statute_summary(found: list[tuple[FieldRow, RowStatute]], facts: Facts) -> StatuteSummary:
    """One statute: how it was decided, on which fields, and the strictest level among them."""
    decisions: dict[str, Decision] = {}
    datasets: dict[str, list[StatuteField]] = {}
    for row, statute in found:
        decision = _decision(statute, facts)
        decisions.setdefault(decision["text"], decision)["fields"] += 1
        datasets.setdefault(row["dataset"], []).append(
            StatuteField(
                field=row["field"], field_name=row["field_name"], status=decision["status"]
            )
        )
    statuses = {d["status"] for d in decisions.values()}
    level, _ = strictest([row for row, _ in found], facts)
    first = found[0][1]
    return StatuteSummary(
        citation=first["citation"],
        title=first["title"],
        url=first["url"],
        datasets=[StatuteDataset(dataset=d, fields=f) for d, f in datasets.items()],
        fields=[_ref(row) for row, _ in found],
        status=statuses.pop() if len(statuses) == 1 else "partly reviewed",
        decisions=list(decisions.values()),
        strictest=level.name if level else facts.unclassified_label,
    )


def _by_dataset(rows: Sequence[FieldRow]) -> list[DatasetFields]:
    grouped: dict[str, list[str]] = {}
    for row in rows:
        grouped.setdefault(row["dataset"], []).append(row["field"])
    return [DatasetFields(dataset=d, fields=f) for d, f in grouped.items()]


def _classification(rows: Sequence[FieldRow], facts: Facts) -> ClassificationSummary:
    level, unclassified_count = strictest(rows, facts)
    # control -> what requires it (the strictest level, the unclassified fields' Moderate)
    sources: dict[str, list[str]] = {}
    if level is not None:
        for control in level.controls:
            sources.setdefault(control, []).append(level.name)
    if unclassified_count:
        for control in facts.unclassified_controls:
            sources.setdefault(control, []).append(facts.unclassified_label)
    by_level = {lvl.name: 0 for lvl in facts.levels}
    by_level[facts.unclassified_label] = 0
    by_status = dict.fromkeys(CLASSIFICATION_STATUSES, 0)
    reviews: dict[str, int] = {}  # "reviewed by Linda Nguyen on 2026-12-01" -> fields
    for row in rows:
        by_level[row["classification"]] = by_level.get(row["classification"], 0) + 1
        by_status[row["classification_status"]] = by_status.get(row["classification_status"], 0) + 1
        if review := row["classification_review"]:
            reviews[review] = reviews.get(review, 0) + 1
    return ClassificationSummary(
        strictest=level.name if level else facts.unclassified_label,
        level=level.id if level else None,
        fips199=None if level else facts.unclassified_fips199,
        controls=list(sources),
        control_sources=sources,
        unclassified_fields=unclassified_count,
        by_level=by_level,
        by_status=by_status,
        reviews=reviews,
    )


def _glossary(
    rows: Sequence[FieldRow], facts: Facts, terms_used: dict[str, list[str]] | None
) -> list[GlossaryEntry]:
    glossary: list[GlossaryEntry]
    if terms_used is not None:
        glossary = [
            glossary_entry(
                facts.glossary.get(urn),
                urn,
                facts.term_name(urn),
                facts.terms.get(urn, ("", ""))[1],
                fields,
            )  # fmt: skip
            for urn, fields in terms_used.items()
        ]
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


def _datasets(
    rows: Sequence[FieldRow], facts: Facts, harvested: Mapping[str, str | None]
) -> list[SummaryDataset]:
    datasets: dict[str, SummaryDataset] = {}
    for row in rows:
        urn, name = row["dataset_urn"], row["dataset"]
        if urn not in datasets:
            program = facts.programs.get(name.split(".", 1)[0]) if "." in name else None
            datasets[urn] = SummaryDataset(
                dataset=name,
                dataset_urn=urn,
                fields=0,
                harvested=harvested.get(urn),
                program=program,
            )
        datasets[urn]["fields"] += 1
    return list(datasets.values())


def _categories(rows: Sequence[FieldRow], facts: Facts) -> list[CategorySummary]:
    fields: dict[str, list[str]] = {}
    for row in rows:
        for category in row["categories"]:
            fields.setdefault(category, []).append(_ref(row))
    order = facts.category_rank
    return [
        CategorySummary(id=cid, name=facts.category_name(cid), fields=refs)
        for cid, refs in sorted(
            fields.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])
        )
    ]


def build_summary(
    rows: Sequence[FieldRow],
    facts: Facts,
    terms_used: dict[str, list[str]] | None = None,
    harvested: Mapping[str, str | None] | None = None,
) -> Summary:
    """The summary of exported rows; `terms_used` (term URN -> field refs, from ExportReport)
    keeps two terms with the same name (W2W and Healthy Habits "Participant") apart;
    `harvested` is each dataset's catalog harvest date (dataset URN -> ISO date)."""
    not_assessed = [r for r in rows if r["statute_status"] == "not assessed"]
    return Summary(
        datasets=_datasets(rows, facts, harvested or {}),
        field_count=len(rows),
        statutes=_statutes(rows, facts),
        no_statute_applies=_by_dataset(
            [r for r in rows if r["statute_status"] == "assessed: none apply"]
        ),
        classification=_classification(rows, facts),
        categories=_categories(rows, facts),
        late_statute_risk=LateStatuteRisk(
            explanation=LATE_STATUTE_RISK,
            not_assessed=_by_dataset(not_assessed),
            not_assessed_count=len(not_assessed),
            suggested_count=sum(1 for r in rows if r["statute_status"] == "suggested"),
        ),
        unclassified_fields=[_ref(r) for r in rows if r["classification_status"] == "unclassified"],
        suggested_fields=[_ref(r) for r in rows if r["classification_status"] == "suggested"],
        undefined_fields=[_ref(r) for r in rows if not (r["definition"] or "").strip()],
        glossary=_glossary(rows, facts, terms_used),
    )


# ---------------------------------------------------------------- text and Markdown


def _wrapped(prefix: str, items: Sequence[str], indent: str) -> list[str]:
    """`prefix: a, b, c` wrapped at 100 columns, continuation lines indented."""
    text = f"{prefix}{', '.join(items)}"
    return textwrap.wrap(text, 100, subsequent_indent=indent, break_on_hyphens=False) or [prefix]


def _statute_lines(s: StatuteSummary, markdown: bool) -> list[str]:
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


def _grouped_lines(groups: Sequence[DatasetFields]) -> list[str]:
    if not groups:
        return ["- none"]
    lines: list[str] = []
    for g in groups:
        lines += _wrapped(f"- {g['dataset']} ({len(g['fields'])}): ", g["fields"], "    ")
    return lines


def _refs_by_dataset(refs: Sequence[str]) -> list[DatasetFields]:
    grouped: dict[str, list[str]] = {}
    for ref in refs:
        dataset, _, name = ref.rpartition(".")
        grouped.setdefault(dataset, []).append(name)
    return [DatasetFields(dataset=d, fields=f) for d, f in grouped.items()]


def _statutes_section(statutes: Sequence[StatuteSummary], h: str, markdown: bool) -> list[str]:
    lines = [f"{h}Statutes triggered ({len(statutes)})"]
    if not statutes:
        lines.append("- none recorded on these fields")
    for s in statutes:
        lines += _statute_lines(s, markdown)
    return lines


def _no_statute_section(groups: Sequence[DatasetFields], h: str) -> list[str]:
    return [f"{h}Assessed by legal: no statute applies", *_grouped_lines(groups)]


def _classification_section(c: ClassificationSummary, h: str) -> list[str]:
    lines = [f"{h}Strictest classification: {c['strictest']}"]
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
    for review, count in c["reviews"].items():
        lines.append(f"- {review}: {count} field(s)")
    return lines


def _categories_section(categories: Sequence[CategorySummary], h: str) -> list[str]:
    lines = [f"{h}Categories present"]
    if not categories:
        lines.append("- none")
    for cat in categories:
        lines.append(f"- {cat['name']} ({len(cat['fields'])})")
        for group in _refs_by_dataset(cat["fields"]):
            lines += _wrapped(f"    {group['dataset']}: ", group["fields"], "        ")
    return lines


def _risk_section(summary: Summary, h: str) -> list[str]:
    risk = summary["late_statute_risk"]
    lines = [f"{h}Late-statute risk ({risk['not_assessed_count']} field(s) without review)"]
    lines += textwrap.wrap(risk["explanation"], 100)
    lines += _grouped_lines(risk["not_assessed"])
    lines.append(f"- statutes suggested, awaiting legal review: {risk['suggested_count']} field(s)")
    lines.append(f"- unclassified: {len(summary['unclassified_fields'])}")
    lines.append(f"- classification suggested, not reviewed: {len(summary['suggested_fields'])}")
    lines.append(f"- no definition: {len(summary['undefined_fields'])}")
    return lines


def _glossary_section(glossary: Sequence[GlossaryEntry], h: str) -> list[str]:
    lines = [f"{h}Glossary ({len(glossary)} term(s))"]
    for term in glossary:
        lines.append(f"- {term['term']}: {term['definition'] or '(no definition)'}")
        for key, label in DETAIL_LABELS:  # owners, source, related terms, domain, ...
            text = detail_text(term, key)
            if text:
                lines += _wrapped(f"    {label.lower()}: ", [text], "        ")
    return lines


def summary_text(summary: Summary, markdown: bool = False) -> str:
    """The summary as text: plain (the `table` format) or a Markdown section body."""
    h = "### " if markdown else ""
    names = ", ".join(d["dataset"] for d in summary["datasets"]) or "none"
    lines = _wrapped(f"{summary['field_count']} field(s) from ", [names], "    ")
    for section in (
        _statutes_section(summary["statutes"], h, markdown),
        _no_statute_section(summary["no_statute_applies"], h),
        _classification_section(summary["classification"], h),
        _categories_section(summary["categories"], h),
        _risk_section(summary, h),
        _glossary_section(summary["glossary"], h),
    ):
        lines += ["", *section]
    return "\n".join(lines).rstrip() + "\n"
