"""Address text → grid cell, for reports that come without a location.

Two tiers, exact always above fuzzy:

* exact: a name or alias occurs verbatim in the text. A hit lying inside a longer
  hit ("南澳" inside "南澳大道") is dropped, and more specific kinds rank higher
  (landmark/road/unit > community > street), then longer names.
* fuzzy: word-aligned spans of the text (jieba, with the gazetteer's names in its
  dictionary so they stay whole) compared with each name by difflib ratio, catching
  typos ("葵涌社去") and a missing administrative suffix ("土洋" for 土洋社区).

Scores: exact in [0.80, 1.00], fuzzy below 0.80.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

logging.getLogger("jieba").setLevel(logging.WARNING)  # it logs dictionary loading at INFO

_SPECIFICITY = {"street": 0, "community": 1, "road": 2, "landmark": 2, "unit": 2}
_ADMIN_SUFFIXES = ("社区居委会", "居委会", "村委会", "社区", "街道", "村")
_FUZZY_THRESHOLD = 0.72
_CORE_SIMILARITY = 0.9  # the name minus its administrative suffix: nearly as good as the name
_WORD_FREQ = 1_000_000  # high enough that jieba never splits a gazetteer name


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    name: str
    kind: str  # "street" | "community" | "road" | "landmark" | "unit"
    code: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddressMatch:
    code: str
    name: str
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class _Form:
    """One spelling of an entry: its name, an alias, or the suffix-less core of either."""

    text: str
    entry: GazetteerEntry
    similarity: float  # 1.0 for the name and aliases, _CORE_SIMILARITY for cores


class Gazetteer:
    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self._entries = tuple(entries)
        for e in self._entries:
            if e.kind not in _SPECIFICITY:
                raise ValueError(f"unknown gazetteer kind {e.kind!r} for {e.name}")
        self._exact = [_Form(t, e, 1.0) for e in self._entries for t in dict.fromkeys((e.name, *e.aliases))]
        self._cores = [_Form(c, f.entry, _CORE_SIMILARITY) for f in self._exact if (c := _core(f.text))]
        self._forms = (*self._exact, *self._cores)
        self._by_char: dict[str, list[int]] = {}
        for i, form in enumerate(self._forms):
            for ch in dict.fromkeys(form.text):
                self._by_char.setdefault(ch, []).append(i)
        self._max_len = max((len(f.text) for f in self._exact), default=0)
        self._tokenizer: jieba.Tokenizer | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """Every name and alias, longest first (handy as a user dictionary elsewhere)."""
        return sorted({f.text for f in self._exact}, key=lambda t: (-len(t), t))

    def best(self, text: str) -> AddressMatch | None:
        found = self.match(text)
        return found[0] if found else None

    def match(self, text: str) -> list[AddressMatch]:
        """Candidate cells for ``text``, best first, at most one per code."""
        exact, spelled = self._exact_hits(text)
        best: dict[str, AddressMatch] = {}
        for m in [*exact, *self._fuzzy_hits(text, spelled)]:
            if m.code not in best or m.score > best[m.code].score:
                best[m.code] = m
        return sorted(best.values(), key=lambda m: (-m.score, -len(m.name), m.code))

    def _exact_hits(self, text: str) -> tuple[list[AddressMatch], list[str]]:
        spans = [(i, i + len(f.text), f) for f in self._exact for i in _occurrences(text, f.text)]
        kept = {id(s[2]): s[2] for s in spans if not any(_strictly_inside(s, o) for o in spans)}
        hits = [_scored(f.entry, 0.80 + _bonus(f.entry, f.text)) for f in kept.values()]
        return hits, [f.text for f in kept.values()]

    def _fuzzy_hits(self, text: str, spelled: list[str]) -> list[AddressMatch]:
        out: list[AddressMatch] = []
        for span in self._spans(text):
            if any(span in hit for hit in spelled):
                continue  # part of a name already found verbatim: "大鹏" in "大鹏所城" is no hint
            for form in self._sharing_characters(span):
                sim = form.similarity if span == form.text else _ratio(span, form.text)
                if sim >= _FUZZY_THRESHOLD:
                    out.append(_scored(form.entry, 0.75 * sim + _bonus(form.entry, form.entry.name) / 5))
        return out

    def _sharing_characters(self, span: str) -> list[_Form]:
        seen: dict[int, _Form] = {}
        for ch in span:
            for i in self._by_char.get(ch, ()):
                seen.setdefault(i, self._forms[i])
        return list(seen.values())

    def _spans(self, text: str) -> set[str]:
        """Runs of consecutive words, 2 .. longest name + 1 characters long."""
        words = list(self._tok().cut(text, HMM=False))
        spans: set[str] = set()
        for i in range(len(words)):
            joined = ""
            for word in words[i:]:
                joined += word
                if len(joined) > self._max_len + 1:
                    break
                if len(joined) >= 2:
                    spans.add(joined)
        return spans

    def _tok(self) -> jieba.Tokenizer:
        # Private, so our words never leak into (or get overridden by) jieba's global
        # tokenizer or another gazetteer's; lazy, so building a Gazetteer stays cheap.
        if self._tokenizer is None:
            tok = _private_tokenizer()
            for form in self._forms:
                tok.add_word(form.text, freq=_WORD_FREQ)
            self._tokenizer = tok
        return self._tokenizer


def _main_dictionary() -> tuple[dict[str, int], int]:
    # jieba's global tokenizer holds the process's one parse of the dictionary, shared with nlp's
    # tokenizers (nlp.segmenter): nothing in gridline segments with it or adds words to it.
    jieba.dt.check_initialized()
    return jieba.dt.FREQ, jieba.dt.total


def _private_tokenizer() -> jieba.Tokenizer:
    """A fresh tokenizer seeded with a copy of the parsed main dictionary.

    Parsing jieba's dictionary costs about a second; copying the parsed one costs
    ~20 ms. ``FREQ``/``total``/``initialized`` are exactly what ``initialize()`` sets.
    """
    freq, total = _main_dictionary()
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(freq), total, True
    return tok


def _core(name: str) -> str | None:
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def _occurrences(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def _ratio(a: str, b: str) -> float:
    # ratio() ≤ 2·min(len)/(len a + len b): skip the full comparison when even that bound cannot reach
    # the threshold (most candidates), then let quick_ratio() (another upper bound) prune the rest.
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < _FUZZY_THRESHOLD:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= _FUZZY_THRESHOLD else 0.0


def _bonus(entry: GazetteerEntry, spelled: str) -> float:
    """Up to 0.20: 0.05 per specificity step, 0.005 per character (capped at 10)."""
    return 0.05 * _SPECIFICITY[entry.kind] + 0.005 * min(len(spelled), 10)


def _strictly_inside(span: tuple[int, int, _Form], other: tuple[int, int, _Form]) -> bool:
    (a0, a1, _), (b0, b1, _) = span, other
    return b0 <= a0 and a1 <= b1 and (b1 - b0) > (a1 - a0)


def _scored(entry: GazetteerEntry, score: float) -> AddressMatch:
    return AddressMatch(entry.code, entry.name, entry.kind, round(min(score, 1.0), 4))
