"""Column and table names -> normalized word tokens.

Database names come as snake_case, camelCase, UPPER_CASE, glued words (`PATIENTINSURANCEID`) and
legacy abbreviations (`PRTCPNT_SSN_NBR`). Rules in `policies/detection.yml` are written in plain
words, so every name is reduced to the same vocabulary first: split, expand abbreviations,
singularize, and break glued words into known words. Results are cached per raw word because real
schemas repeat the same words thousands of times.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

# Word boundaries inside one identifier: lower->Upper ("birthDate"), ACRONYM->Word ("IDNumber"),
# letter<->digit ("address1", "icd10").
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])"
)
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_WORD = re.compile(r"[A-Za-z]+")

# Glued-word segmentation: a piece of one unknown letter costs this much more than a known word,
# and at most one such letter is tolerated ("OUTSTANDINGP" -> outstanding + p).
_UNKNOWN_CHAR_COST = 3
_MAX_UNKNOWN_CHARS = 1
_MIN_SEGMENT_LEN = 5
_MAX_PIECE_LEN = 24
_MIN_PREFIX = 4
_PREFIX_COST = 2
_MAX_PREFIX_SHARE = 0.6


def split_identifier(name: str) -> list[str]:
    """Raw lower-case words of an identifier; digits are dropped (they only number repeats)."""
    words: list[str] = []
    for chunk in _NON_ALNUM.split(name):
        if not chunk:
            continue
        for part in _CAMEL.split(chunk):
            if part and not part.isdigit():
                words.append(part.lower())
    return words


class Tokenizer:
    """Normalizes identifiers and free text to a tuple of known words.

    `abbreviations` maps a lower-case abbreviation to its expansion (one or more words);
    `vocabulary` is every word the rules know, used to singularize and to split glued words.
    """

    def __init__(
        self,
        abbreviations: Mapping[str, str],
        vocabulary: Iterable[str],
        prefix_words: Iterable[str] = (),
        glue_words: Iterable[str] = (),
    ):
        self._abbrev: dict[str, tuple[str, ...]] = {
            k.lower(): tuple(v.lower().split()) for k, v in abbreviations.items()
        }
        self._vocab: frozenset[str] = frozenset(w.lower() for w in vocabulary) | frozenset(
            w for exp in self._abbrev.values() for w in exp
        )
        # Pieces a glued word may be split into: known words of 3+ letters, the declared
        # abbreviations, and the short glue words listed as such (id, of, at); any other 2-letter
        # word, such as "ip" inside "hawaiipi", would mostly cut words at random.
        self._pieces: frozenset[str] = (
            frozenset(w for w in self._vocab if len(w) >= 3)
            | frozenset(a for a in self._abbrev if len(a) >= 2)
            | frozenset(w.lower() for w in glue_words if len(w) >= 2)
        )
        # Truncation fallback ("incarc" -> incarceration): a prefix of 4+ letters that starts
        # exactly one of these words stands for it.
        owners: dict[str, set[str]] = {}
        for w in prefix_words:
            w = w.lower()
            # A truncation keeps at most 60% of the word: "check" must not become "checksum".
            for n in range(_MIN_PREFIX, int(len(w) * _MAX_PREFIX_SHARE) + 1):
                owners.setdefault(w[:n], set()).add(w)
        # Ambiguous prefixes stand for nothing, unless every owner is a form of one word
        # ("incarc": incarceration / incarcerated share "incarcerat"): then the shortest.
        self._prefix: dict[str, str] = {}
        for p, ws in owners.items():
            shortest = min(ws, key=lambda w: (len(w), w))
            if len(ws) == 1 or len(os.path.commonprefix(list(ws))) >= 0.8 * len(shortest):
                self._prefix[p] = shortest
        self.word = lru_cache(maxsize=65536)(self._word)
        self.tokens = lru_cache(maxsize=65536)(self._tokens)

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._vocab

    def _tokens(self, name: str) -> tuple[str, ...]:
        out: list[str] = []
        for raw in split_identifier(name):
            out.extend(self.word(raw))
        return tuple(out)

    def prose(self, text: str) -> tuple[str, ...]:
        """Words of free text (a comment): known words, singulars, and abbreviations (two-letter
        ones only in capitals: "no", "st"); never split or truncated, so a word matches only
        as a whole word ("performed" holds no "med")."""
        out: list[str] = []
        for raw in _WORD.findall(text):
            w = raw.lower()
            if w in self._abbrev and (len(w) > 2 or raw.isupper() and len(raw) > 1):
                out.extend(self._abbrev[w])
            elif w in self._vocab:
                out.append(w)
            else:
                single = self._singular(w)
                out.extend(single if single is not None and w not in self._abbrev else (w,))
        return tuple(out)

    def _known(self, w: str) -> tuple[str, ...] | None:
        if w in self._abbrev:
            return self._abbrev[w]
        # Singular first, so "claims" and a phrase written "drivers license" both become the
        # singular word the concepts are written with.
        singular = self._singular(w)
        if singular is not None:
            return singular
        if w in self._vocab:
            return (w,)
        return None

    def _singular(self, w: str) -> tuple[str, ...] | None:
        candidates = []
        if w.endswith("ies") and len(w) > 4:
            candidates.append(w[:-3] + "y")
        if w.endswith("es") and len(w) > 4:
            candidates.append(w[:-2])
        if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            candidates.append(w[:-1])
        for c in candidates:
            if c in self._abbrev:
                return self._abbrev[c]
            if c in self._vocab:
                return (c,)
        return None

    def _word(self, w: str) -> tuple[str, ...]:
        known = self._known(w)
        if known is not None:
            return known
        if w in self._prefix:
            return (self._prefix[w],)
        if len(w) >= _MIN_SEGMENT_LEN and w.isalpha():
            pieces = self._segment(w)
            if pieces is not None:
                out: list[str] = []
                for p in pieces:
                    out.extend(
                        self._known(p) or ((self._prefix[p],) if p in self._prefix else (p,))
                    )
                return tuple(out)
        return (w,)

    def _segment(self, w: str) -> list[str] | None:
        """Cheapest split of a glued word into known pieces (fewest pieces, ~no unknown letters)."""
        n = len(w)
        inf = float("inf")
        best: list[float] = [0.0] + [inf] * n
        back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
        unknown: list[int] = [0] * (n + 1)
        for end in range(1, n + 1):
            for start in range(max(0, end - _MAX_PIECE_LEN), end):
                if best[start] == inf:
                    continue
                piece = w[start:end]
                if piece in self._pieces or self._singular(piece) is not None and len(piece) > 3:
                    cost, unk = best[start] + 1, unknown[start]
                elif piece in self._prefix:
                    cost, unk = best[start] + _PREFIX_COST, unknown[start]
                elif end - start == 1:
                    cost, unk = best[start] + _UNKNOWN_CHAR_COST, unknown[start] + 1
                else:
                    continue
                if unk <= _MAX_UNKNOWN_CHARS and cost < best[end]:
                    best[end], back[end], unknown[end] = cost, (start, True), unk
        if best[n] == inf:
            return None
        pieces: list[str] = []
        end = n
        while end > 0:
            start, _ = back[end]
            pieces.append(w[start:end])
            end = start
        pieces.reverse()
        if len(pieces) < 2:
            return None
        return pieces
