"""Keyword classifier: the default :class:`nlp.types.Classifier` and the rules layer.

Evidence for a label, on normalised text (:func:`nlp.normalize.normalize`):

* exact phrase hits of its names and synonyms — longer phrases weigh more and a
  name weighs more than a synonym; each phrase counts once per message;
* partial credit for jieba words the message shares with its names/synonyms
  ("井盖丢了" → every 井盖 label), damped by how many labels share the word;
* admin rules (:meth:`KeywordClassifier.add_rule`): priority > 0 overrides the
  evidence, priority <= 0 just adds a synonym.

All phrases are matched by one compiled trie-shaped regex (leftmost, longest at
each position), so cost grows with message length, not with the label count.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from nlp.normalize import normalize
from nlp.segmenter import private_tokenizer
from nlp.severity import severity_of_normalized
from nlp.types import LabelTerms, Prediction, Scored

TEMPERATURE = 0.5  # softmax temperature over scores
BACKGROUND = 1.0  # score of the implicit "none of these labels" outcome
NAME_BOOST = 1.5  # a label's own name is stronger evidence than a synonym
PARTIAL_SHARE = 0.5  # a shared word is worth half an exact phrase of its length
RULE_FLOOR = 0.9  # probability an overriding admin rule gives its label
TOP_K = 5
# Words too generic to suggest any label when found alone.
_STOPWORDS = frozenset({"问题", "其他", "管理", "相关", "情况", "投诉", "反映", "事件", "服务", "处理"})

_Trie: TypeAlias = dict[str, "_Trie"]
_END = ""


def _length_weight(n: int) -> float:
    return 1.0 + 0.5 * (min(n, 10) - 1)


def _emit(node: _Trie) -> str:
    alts = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch != _END]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    # Greedy "?" tries the longer continuation first: longest match wins.
    return f"(?:{body})?" if _END in node else body


def _trie_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """Compile literal phrases into one regex that prefers the longest phrase."""
    root: _Trie = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return re.compile(_emit(root)) if root else None


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


class KeywordClassifier:
    """Phrase and word matcher over a label vocabulary (see module docstring)."""

    def __init__(
        self,
        labels: Sequence[LabelTerms],
        *,
        user_words: Sequence[str] = (),
        places: Sequence[str] = (),
    ) -> None:
        self._tokenizer: Any = private_tokenizer()
        self._phrases: dict[str, dict[str, float]] = defaultdict(dict)  # phrase → code → weight
        self._words: dict[str, dict[str, float]] = {}  # word → code → partial weight
        self._rules: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # (priority, -order, code)
        self._rule_count = 0
        self._places = {normalize(p): p for p in places if normalize(p)}
        self._index_words(labels)  # before the user dictionary, so names still split
        for label in labels:
            for phrase, weight in self._label_phrases(label):
                self._add_phrase(phrase, label.code, weight)
        for word in [*user_words, *self._places]:
            self._add_word(normalize(word))
        self._compile()

    @property
    def name(self) -> str:
        return "keyword"

    def add_rule(self, phrase: str, code: str, priority: int = 1) -> None:
        """Admin rule: with priority > 0 a hit of ``phrase`` decides ``code``."""
        norm = normalize(phrase)
        if not norm:
            raise ValueError(f"rule phrase {phrase!r} is empty after normalisation")
        if priority > 0:
            self._rule_count += 1  # earlier rules win ties: negated order sorts them higher
            self._rules[norm].append((priority, -self._rule_count, code))
            self._add_word(norm)
        else:
            self._add_phrase(norm, code, _length_weight(len(norm)))
        self._compile()

    def classify(self, text: str) -> Prediction:
        norm = normalize(text)
        places, body = self._find_places(norm)
        scores: dict[str, float] = defaultdict(float)
        drivers: dict[str, list[str]] = defaultdict(list)
        residual = self._exact_hits(body, scores, drivers)
        self._partial_hits(residual, scores, drivers)
        rule = self._rule_hit(body)
        severity = severity_of_normalized(norm)
        if not scores and rule is None:
            return Prediction(None, 0.0, severity_hint=severity, places=places, model=self.name)
        top = _distribution(scores, rule)
        best = top[0].code
        runner_up = top[1].score if len(top) > 1 else 0.0
        terms = ([rule[0]] if rule and rule[1] == best else []) + drivers[best]
        # Discount by the runner-up: a near tie is a coin flip, not a decision.
        confidence = top[0].score - runner_up / 2
        return Prediction(best, confidence, top, tuple(dict.fromkeys(terms)), severity, places, self.name)

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.classify(t) for t in texts]

    # -- building -----------------------------------------------------------

    @staticmethod
    def _label_phrases(label: LabelTerms) -> Iterable[tuple[str, float]]:
        for names, boost in ((label.names, NAME_BOOST), (label.synonyms, 1.0)):
            for raw in names:
                if phrase := normalize(raw):
                    yield phrase, _length_weight(len(phrase)) * boost

    def _index_words(self, labels: Sequence[LabelTerms]) -> None:
        owners: dict[str, set[str]] = defaultdict(set)
        for label in labels:
            for phrase, _ in self._label_phrases(label):
                for word in self._tokenizer.cut(phrase, HMM=False):
                    if len(word) >= 2 and word not in _STOPWORDS:
                        owners[word].add(label.code)
        for word, codes in owners.items():
            weight = PARTIAL_SHARE * _length_weight(len(word)) / math.sqrt(len(codes))
            self._words[word] = dict.fromkeys(sorted(codes), weight)

    def _add_phrase(self, phrase: str, code: str, weight: float) -> None:
        by_code = self._phrases[phrase]
        by_code[code] = max(weight, by_code.get(code, 0.0))
        self._add_word(phrase)

    def _add_word(self, word: str) -> None:
        if word:
            self._tokenizer.add_word(word)  # keeps the phrase whole when segmenting

    def _compile(self) -> None:
        self._phrase_re = _trie_regex(self._phrases)
        self._place_re = _trie_regex(self._places)
        # Substring pre-check: jieba is the slowest step, skip it when no word can match.
        self._word_re = _trie_regex(self._words)
        # A lookahead finds rule phrases at every start, even inside other hits.
        rules = _trie_regex(self._rules)
        self._rule_re = re.compile(f"(?=({rules.pattern}))") if rules else None

    # -- matching -----------------------------------------------------------

    def _find_places(self, text: str) -> tuple[tuple[str, ...], str]:
        if self._place_re is None:
            return (), text
        hits = list(self._place_re.finditer(text))
        names = tuple(dict.fromkeys(self._places[m.group()] for m in hits))
        # Place names are not evidence of the event type ("垃圾场路").
        return names, _blank(text, (m.span() for m in hits))

    def _exact_hits(self, text: str, scores: dict[str, float], drivers: dict[str, list[str]]) -> str:
        if self._phrase_re is None:
            return text
        hits = list(self._phrase_re.finditer(text))
        for phrase in dict.fromkeys(m.group() for m in hits):
            for code, weight in self._phrases[phrase].items():
                scores[code] += weight
                drivers[code].append(phrase)
        return _blank(text, (m.span() for m in hits))

    def _partial_hits(self, text: str, scores: dict[str, float], drivers: dict[str, list[str]]) -> None:
        if self._word_re is None or not self._word_re.search(text):
            return
        for word in dict.fromkeys(self._tokenizer.cut(text, HMM=False)):
            for code, weight in self._words.get(word, {}).items():
                scores[code] += weight
                drivers[code].append(word)

    def _rule_hit(self, text: str) -> tuple[str, str] | None:
        """Best overriding rule present in ``text`` as (phrase, code)."""
        if self._rule_re is None:
            return None
        found: list[tuple[int, int, int, str, str]] = []
        for m in self._rule_re.finditer(text):
            longest = m.group(1)
            for end in range(1, len(longest) + 1):  # shorter rules sharing the start
                for priority, order, code in self._rules.get(longest[:end], ()):
                    found.append((priority, end, order, longest[:end], code))
        if not found:
            return None
        *_, phrase, code = max(found)
        return phrase, code


def _distribution(scores: dict[str, float], rule: tuple[str, str] | None) -> tuple[Scored, ...]:
    """Softmax over label scores plus a background outcome; top ``TOP_K``."""
    peak = max([BACKGROUND, *scores.values()])
    exps = {code: math.exp((s - peak) / TEMPERATURE) for code, s in scores.items()}
    total = math.exp((BACKGROUND - peak) / TEMPERATURE) + sum(exps.values())
    probs = {code: e / total for code, e in exps.items()}
    if rule is not None:
        # The rule takes RULE_FLOOR of the mass; evidence shares the rest.
        probs = {code: p * (1 - RULE_FLOOR) for code, p in probs.items()}
        probs[rule[1]] = RULE_FLOOR + probs.get(rule[1], 0.0)
    ranked = sorted(probs.items(), key=lambda item: (-item[1], item[0]))[:TOP_K]
    return tuple(Scored(code, p) for code, p in ranked)
