"""Find datasets and fields by words (play 7: a searchable catalog, offline).

One scoring for two places: the `search` command and the published site's search box
(`publish/static/search.js` reads the same rules from the prebuilt index, see `index_rules`).

Documents. Every dataset and every field is a document with a few *places*, each a set of word
tokens: a field's own `name`, its `label` (friendly name), `terms` (glossary terms and statutes),
`definition`; and *context* places, the `table` (its dataset's full name) and `program` it
belongs to. A dataset's places are its table name, title, description, terms, its program (id
and display name), and its full name as context (`chinook.main.Album`). A place's
tokens are the raw pieces of its text (split like identifiers: snake_case, camelCase, digits)
plus the classifier's normalized words for them (`classify/tokens.py`: abbreviations expanded,
plurals singularized, glued words split), so `HH_INCM_AMT` holds `hh incm amt household income
amount`.

Queries. Each query word (split on spaces) is split into pieces the same way; stop words are
dropped. A word matches a place when each of its pieces is found there as itself, one of its
singular forms, or its abbreviation expansion (all words of it): `walk2work` needs walk, 2 and
work in one place;
the classifier's abbreviation table is used both ways, so `income` finds `HH_INCM_AMT` and `dob`
finds `birth_date`. A token found as a prefix of a longer word (3+ letters) counts half.

Glossary terms are documents too (kind `term`, as DataHub's own search returns them): the
term's `name` and `definition`, its related terms (inherits, contains, values, related) as
`terms`, its group and domain as `program`, and its `owners` and `source` (reference and kind).
The published site's search has no term documents: its glossary page lists them.

Ranking. Every query word must match somewhere; each scores the weight of the best place it was
found in (`WEIGHTS`); the sum ranks, datasets before terms before fields on a tie, then catalog
order. Context places weigh least, so a field that only shares a table's name ranks below every
field whose own name, label, definition or terms match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdw_datahub.bucp.export import Facts
    from cdw_datahub.catalog import Catalog, DatasetView
    from cdw_datahub.classify.engine import Classifier
    from cdw_datahub.classify.tokens import Tokenizer

# What finding a query word in each place is worth; the last two are context places.
WEIGHTS: dict[str, int] = {
    "name": 8,
    "label": 6,
    "terms": 4,
    "program": 4,
    "definition": 2,
    "table": 1,
    "owners": 1,  # a glossary term's owners and source
    "source": 1,
}
KIND_ORDER = {"dataset": 0, "term": 1, "field": 2}  # on equal scores
FIELD_CONTEXT_WEIGHT = 1  # a field's table and program: context, below any own match
MIN_PREFIX = 3
# Word boundaries: anything not a letter or digit, lower->Upper, ACRONYM->Word, letter<->digit.
# Written once for Python's `re` and JavaScript's RegExp (the site exports it verbatim).
SPLIT_PATTERN = (
    r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"
    r"|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)
_SPLIT = re.compile(SPLIT_PATTERN)
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)  # "participant's" -> participant
# A query word read as data (see QueryRules.terms): readings -> pieces -> groups -> tokens.
Word = list[list[list[tuple[str, ...]]]]
STOPWORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
     "on", "or", "the", "to", "with")
)  # fmt: skip


def pieces(text: str) -> list[str]:
    """Lower-case raw pieces of a text or identifier, digits kept (`w2w` -> w, 2, w)."""
    return [p.lower() for p in _SPLIT.split(text or "") if p]


def place_tokens(texts: Iterable[str | None], tokenizer: Tokenizer | None) -> tuple[str, ...]:
    """Raw pieces plus their normalized words, de-duplicated, in first-seen order."""
    out: dict[str, None] = {}
    for text in texts:
        for piece in pieces(text or ""):
            out.setdefault(piece)
            if tokenizer is not None and piece.isalpha():
                for word in tokenizer.word(piece):
                    out.setdefault(word)
    return tuple(out)


@dataclass(frozen=True)
class Document:
    kind: str  # "dataset", "field" or "term" (dataset: its term group, dataset_urn: its URN)
    dataset: str
    dataset_urn: str
    field: str | None
    label: str | None
    definition: str | None
    classification: str | None
    program: str | None
    position: int  # catalog order, the last tie-breaker
    places: dict[str, tuple[str, ...]]
    term: dict[str, Any] | None = None  # a term's glossary facts (bucp summary's keys)


@dataclass(frozen=True)
class Hit:
    kind: str
    dataset: str
    dataset_urn: str
    field: str | None
    label: str | None
    definition: str | None
    classification: str | None
    program: str | None
    score: int
    matched: tuple[str, ...]  # places where the words were found, best first
    term: dict[str, Any] | None = None  # for a term: owners, source, related terms, domain

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["matched"] = list(self.matched)
        return out


@dataclass(frozen=True)
class QueryRules:
    """How query words are read: the classifier's abbreviations, and the stop words."""

    abbreviations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stopwords: frozenset[str] = STOPWORDS

    @classmethod
    def from_policies(cls, policies_dir: Path | None) -> QueryRules:
        """The abbreviation table of `policies/detection.yml` (none when there is no file)."""
        classifier = _classifier(policies_dir)
        if classifier is None:
            return cls()
        table = classifier.policy.abbreviations
        return cls({k.lower(): tuple(v.lower().split()) for k, v in table.items()})

    def terms(self, query: str) -> list[Word]:
        """The query read as data. Per query word (split on spaces), its readings: its pieces
        (`walk2work` -> walk, 2, work) and, for a word of several pieces, the pieces joined
        (`e-mail` -> email); per piece, alternative token groups (the piece, its singular forms,
        its abbreviation expansion). A word matches by any reading; a reading when each piece
        matches by any of its groups; a group when all its tokens are found."""
        out: list[Word] = []
        for chunk in query.split():
            words = pieces(_POSSESSIVE.sub("", chunk))
            kept = [w for w in words if w not in self.stopwords]
            if not kept:
                continue
            readings = [[self._alternatives(w) for w in kept]]
            if len(words) > 1:
                readings.append([self._alternatives("".join(words))])
            out.append(readings)
        if not out:  # a query of stop words only: take them literally
            out = [[[[(w,)] for w in pieces(chunk)]] for chunk in query.split() if pieces(chunk)]
        return out

    def _alternatives(self, word: str) -> list[tuple[str, ...]]:
        groups: list[tuple[str, ...]] = [(word,)]
        for singular in _singulars(word):
            groups.append((singular,))
        for form in (word, *_singulars(word)):
            expansion = self.abbreviations.get(form)
            if expansion:
                kept = tuple(w for w in expansion if w not in self.stopwords) or expansion
                groups.append(kept)
        return list(dict.fromkeys(groups))


def _classifier(policies_dir: Path | None) -> Classifier | None:
    from cdw_datahub.classify.engine import Classifier
    from cdw_datahub.policy.files import DETECTION_FILE

    detection = Path(policies_dir) / DETECTION_FILE if policies_dir else None
    if detection is None or not detection.is_file():
        return None
    return Classifier.from_file(detection)


def tokenizer_for(policies_dir: Path | None) -> Tokenizer | None:
    """The classifier's tokenizer (abbreviations, plurals, glued words), when there are rules."""
    classifier = _classifier(policies_dir)
    return classifier.tokenizer if classifier is not None else None


def _singulars(word: str) -> list[str]:
    out = []
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        out.append(word[:-1])
    return out


def place_weight(place: str, kind: str) -> int:
    """Context places of a field (its table, its program) weigh the least."""
    if kind == "field" and place in ("table", "program"):
        return FIELD_CONTEXT_WEIGHT
    return WEIGHTS[place]


def _token_score(token: str, tokens: tuple[str, ...]) -> int:
    """2 exact, 1 as the prefix of a longer word, 0 not found."""
    if token in tokens:
        return 2
    if len(token) >= MIN_PREFIX and any(t.startswith(token) for t in tokens):
        return 1
    return 0


def _quality(word: Word, tokens: tuple[str, ...]) -> int:
    """How well one query word is found in one place (0: not at all), by its best reading."""
    return max(
        min(max(min(_token_score(t, tokens) for t in group) for group in piece) for piece in r)
        for r in word
    )


def _term_score(word: Word, doc: Document) -> tuple[int, list[str]]:
    """Best (score, places it was found in) of one query word over a document's places."""
    best = 0
    found: list[str] = []
    for place, tokens in doc.places.items():
        quality = _quality(word, tokens)
        if quality:
            found.append(place)
            best = max(best, place_weight(place, doc.kind) * quality // 2 or 1)
    return best, found


def score(terms: Sequence[Word], doc: Document) -> tuple[int, tuple[str, ...]] | None:
    """(score, matched places) when every query word is found, else None."""
    total = 0
    where: set[str] = set()
    for word in terms:
        got, found = _term_score(word, doc)
        if not got:
            return None
        total += got
        where.update(found)
    return total, tuple(p for p in WEIGHTS if p in where)


def rank(documents: Iterable[Document], rules: QueryRules, query: str) -> list[Hit]:
    terms = rules.terms(query)
    if not terms:
        return []
    scored = []
    for doc in documents:
        found = score(terms, doc)
        if found:
            scored.append((doc, *found))
    scored.sort(key=lambda s: (-s[1], KIND_ORDER[s[0].kind], s[0].position))
    return [
        Hit(d.kind, d.dataset, d.dataset_urn, d.field, d.label, d.definition, d.classification,
            d.program, total, where, d.term)
        for d, total, where in scored
    ]  # fmt: skip


# ---------------------------------------------------------------- documents


def _dataset_classification(ds: DatasetView, facts: Facts) -> str:
    level = ds.prop("cdw.dataset.classification")
    if not level or level == "unclassified":
        return facts.unclassified_label
    return facts.level(level).name


def dataset_documents(
    ds: DatasetView,
    rows: Sequence[Mapping[str, Any]],
    facts: Facts,
    tokenizer: Tokenizer | None,
    position: int,
) -> list[Document]:
    """The dataset's document, then one per export row (`bucp.export.field_row`) of its fields."""
    program = ds.program
    program_texts = [program, facts.programs.get(program or "")]
    title = ds.prop("cdw.dataset.title")
    docs = [
        Document(
            "dataset", ds.name, ds.urn, None, title, ds.description,
            _dataset_classification(ds, facts), program, position,
            {
                "name": place_tokens([ds.table], tokenizer),
                "label": place_tokens([title], tokenizer),
                "terms": place_tokens((facts.term_name(t.urn) for t in ds.terms), tokenizer),
                "program": place_tokens(program_texts, tokenizer),
                "definition": place_tokens([ds.description], tokenizer),
                "table": place_tokens([ds.name], tokenizer),
            },
        )
    ]  # fmt: skip
    context = {
        "table": place_tokens([ds.name], tokenizer),
        "program": place_tokens(program_texts, tokenizer),
    }
    for i, row in enumerate(rows, start=1):
        statutes = [f"{s['citation']} {s['title']}" for s in row["statutes"]]
        docs.append(
            Document(
                "field", ds.name, ds.urn, row["field"], row["field_name"], row["definition"],
                row["classification"], program, position + i,
                {
                    "name": place_tokens([row["field"]], tokenizer),
                    "label": place_tokens([row["field_name"]], tokenizer),
                    "terms": place_tokens([*row["glossary_terms"], *statutes], tokenizer),
                    "definition": place_tokens([row["definition"]], tokenizer),
                    **context,
                },
            )
        )  # fmt: skip
    return docs


def term_documents(facts: Facts, tokenizer: Tokenizer | None, position: int) -> list[Document]:
    """One document per glossary term (of the catalog and the glossary files)."""
    docs = []
    for i, t in enumerate(facts.glossary.values()):
        docs.append(
            Document(
                "term", t.group or "glossary", t.urn, None, t.name, t.definition, None, None,
                position + i,
                {
                    "name": place_tokens([t.name], tokenizer),
                    "terms": place_tokens([*t.inherits, *t.contains, *t.values, *t.related],
                                          tokenizer),
                    "program": place_tokens([t.group, t.domain], tokenizer),
                    "definition": place_tokens([t.definition], tokenizer),
                    "owners": place_tokens(t.owners, tokenizer),
                    "source": place_tokens([t.source_ref, t.source], tokenizer),
                },
                {k: v for k, v in t.entry([]).items() if k != "fields"},
            )
        )  # fmt: skip
    return docs


def catalog_documents(
    catalog: Catalog, facts: Facts, tokenizer: Tokenizer | None
) -> list[Document]:
    from cdw_datahub.bucp.export import field_row

    docs: list[Document] = []
    for ds in catalog.datasets():
        rows = [field_row(ds, fv, facts) for fv in ds.fields]
        docs.extend(dataset_documents(ds, rows, facts, tokenizer, len(docs)))
    return docs + term_documents(facts, tokenizer, len(docs))


def search(
    catalog: Catalog,
    query: str,
    glossary_dir: Path | None = None,
    policies_dir: Path | None = None,
) -> list[Hit]:
    from cdw_datahub.bucp.export import load_facts

    rules = QueryRules.from_policies(policies_dir)
    if not rules.terms(query):
        return []
    facts = load_facts(catalog, glossary_dir, policies_dir)
    docs = catalog_documents(catalog, facts, tokenizer_for(policies_dir))
    return rank(docs, rules, query)


def words_of(query: str) -> list[str]:
    """The query's words as the search reads them (empty: nothing to search for)."""
    return pieces(query)


def index_rules(rules: QueryRules) -> dict[str, Any]:
    """What the site's search.js needs to read a query exactly as `rank` does."""
    return {
        "split": SPLIT_PATTERN,
        "possessive": _POSSESSIVE.pattern,  # case-insensitive
        "stopwords": sorted(rules.stopwords),
        "abbreviations": {k: list(v) for k, v in sorted(rules.abbreviations.items())},
        "weights": WEIGHTS,
        "context_weight": FIELD_CONTEXT_WEIGHT,
        "min_prefix": MIN_PREFIX,
    }
