"""Normalised text → sparse TF-IDF features for the linear backend.

Four blocks, each sublinear TF-IDF and unit length, then the row is unit length:

* characters 1–3 of the whole text: robust to typos and to words jieba splits oddly;
* jieba words of the whole text: whole-word evidence ("物业费", "拖欠工资");
* the same two for the *head*, the text up to the first sentence end. Residents
  put the point first ("井盖丢了，小孩差点掉下去…"; on web boards the subject
  line), and the long tail of a story otherwise drowns it. In cross-validation on
  real messages this alone was worth about three points of macro-F1. For a
  one-sentence message the head is the whole text, which costs nothing.

Vocabulary and IDF come from every text given to :meth:`TextFeatures.fit_transform`,
labelled or not: unlabelled messages teach which n-grams are common (low IDF)
even when nobody labelled them.

scikit-learn fits the vocabularies; afterwards a fitted :class:`TextFeatures` is
plain data (terms and IDF per block, see :meth:`TextFeatures.arrays`), so a model
is saved as numbers and strings, never as pickled objects.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

from nlp.segmenter import private_tokenizer


@functools.cache
def _tokenizer() -> Any:
    """Private (not jieba's global one) and shared by every model: we never add words to it, so nothing leaks
    between models; made at the first fit or load, not when the module is imported."""
    return private_tokenizer()


HEAD_CHARS = 48  # a subject line, not a second copy of a long story
_HEAD_END = re.compile(r"[。!?！？;；\n]")
_WORDLIKE = re.compile(r"\w")
_WHITE = re.compile(r"\s\s+")  # what scikit-learn's char analyzer collapses
KINDS = ("char", "word", "char", "word")  # the four blocks: whole text, then head
# In a big corpus an n-gram seen once is mostly noise and memory; in a small seed
# set it may be all the evidence a label has.
_BIG_CORPUS = 2000
_BATCH = 32  # from this many messages numpy's per-call cost is worth paying


def head(text: str) -> str:
    """The first sentence of ``text``, at most ``HEAD_CHARS`` characters."""
    end = _HEAD_END.search(text)
    return text[: end.start() if end else len(text)][:HEAD_CHARS]


def _tokens(tokens: list[str]) -> list[str]:
    return tokens  # words are segmented once, up front


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams exactly as scikit-learn's ``analyzer="char"`` makes them (checked by a test)."""
    text = _WHITE.sub(" ", text)
    grams = list(text) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(text) + 1)):
        grams += [text[i : i + n] for i in range(len(text) - n + 1)]
    return grams


class TextFeatures:
    """Fitted vectorizers; :meth:`transform` gives the classifier's input matrix."""

    def __init__(self, *, head_weight: float = 1.0, char_ngrams: tuple[int, int] = (1, 3)) -> None:
        self.head_weight = head_weight
        self.char_ngrams = char_ngrams
        self._terms: list[list[str]] = []  # per block, in column order
        self._idf: list[NDArray[np.float32]] = []
        self._names: NDArray[np.object_] = np.empty(0, dtype=object)
        self._is_word: NDArray[np.bool_] = np.empty(0, dtype=bool)
        self._lookups: list[tuple[dict[str, int], list[float]]] = []
        self._offsets: NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._idf_all: NDArray[np.float64] = np.empty(0)

    def words(self, text: str) -> list[str]:
        return [w for w in self._cut(text) if _WORDLIKE.search(w)]

    def _cut(self, text: str) -> list[str]:
        return list(_tokenizer().lcut(text, HMM=False))  # HMM guesses at unknown words: slower, no better in CV

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Fit on ``docs`` and return their features (each text is segmented once)."""
        min_df = 2 if len(docs) >= _BIG_CORPUS else 1
        vectorizers = [self._vectorizer(kind, min_df) for kind in KINDS]
        blocks = [v.fit_transform(col) for v, col in zip(vectorizers, self._columns(docs), strict=True)]
        self._set_blocks([v.get_feature_names_out().tolist() for v in vectorizers],
                         [np.asarray(v.idf_, dtype=np.float32) for v in vectorizers])
        return self._combine(blocks)

    def arrays(self) -> dict[str, NDArray[Any]]:
        """The fitted state as plain arrays (for ``numpy.savez``; nothing here needs pickle to load)."""
        out: dict[str, NDArray[Any]] = {}
        for i, (terms, idf) in enumerate(zip(self._terms, self._idf, strict=True)):
            if any("\n" in t for t in terms):
                raise ValueError("a term contains a newline: text was not normalised")
            out[f"terms{i}"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
            out[f"idf{i}"] = idf
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, *, head_weight: float, char_ngrams: tuple[int, int]) -> TextFeatures:
        """Rebuild what :meth:`arrays` saved (``arrays`` is a mapping such as an ``NpzFile``)."""
        features = cls(head_weight=head_weight, char_ngrams=char_ngrams)
        terms, idf = [], []
        for i in range(len(KINDS)):
            raw = bytes(np.asarray(arrays[f"terms{i}"], dtype=np.uint8)).decode("utf-8")
            terms.append(raw.split("\n") if raw else [])
            idf.append(np.asarray(arrays[f"idf{i}"], dtype=np.float32))
            if len(terms[i]) != len(idf[i]):
                raise ValueError(f"feature block {i}: {len(terms[i])} terms but {len(idf[i])} weights")
        features._set_blocks(terms, idf)
        return features

    def _set_blocks(self, terms: list[list[str]], idf: list[NDArray[np.float32]]) -> None:
        self._terms, self._idf = terms, idf
        self._names = np.array([t for block in terms for t in block], dtype=object)
        self._is_word = np.concatenate([np.full(len(block), kind == "word") for block, kind in
                                        zip(terms, KINDS, strict=True)]) if terms else np.empty(0, dtype=bool)
        self._lookups = []

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Same numbers as the vectorizers' own ``transform``, without scikit-learn's per-call input
        checks, which cost about a millisecond per message: most of a single classification."""
        self._ready()
        if len(docs) >= _BATCH:
            return self._batch(docs)
        indptr, indices, values = [0], list[int](), list[float]()
        for doc in docs:
            row = self._row(doc)
            indices += row.keys()
            values += row.values()
            indptr.append(len(indices))
        return sp.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64),
                              np.asarray(indptr, dtype=np.int64)), shape=(len(docs), len(self._names)))

    def _ready(self) -> None:
        """Build the lookup tables on first use (a loaded model pays for them once, at warm-up)."""
        if not self._lookups:
            self._lookups = [({t: j for j, t in enumerate(terms)}, idf.tolist())
                             for terms, idf in zip(self._terms, self._idf, strict=True)]
            self._offsets = np.cumsum([0] + [len(terms) for terms in self._terms])
            self._idf_all = np.concatenate([np.asarray(idf, dtype=np.float64) for idf in self._idf])

    def _grams(self, doc: str) -> tuple[list[str], list[str], list[str], list[str]]:
        text, words, first, head_words = self._doc_columns(doc)
        low, high = self.char_ngrams
        chars = char_ngrams(text, low, high)
        # A one-sentence message is its own head: reuse its n-grams.
        return chars, words, chars if first == text else char_ngrams(first, low, high), head_words

    def _batch(self, docs: Sequence[str]) -> sp.csr_matrix:
        """The same numbers as :meth:`_row`, with the arithmetic done by numpy over the whole batch."""
        self._ready()
        offsets = self._offsets
        rows: list[int] = []
        cols: list[int] = []
        for i, doc in enumerate(docs):
            for (vocabulary, _), column, offset in zip(self._lookups, self._grams(doc), offsets.tolist(), strict=False):
                found = [offset + j for j in map(vocabulary.get, column) if j is not None]
                cols += found
                rows += [i] * len(found)
        shape = (len(docs), int(offsets[-1]))
        counts = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=shape)  # duplicates are summed
        counts.sum_duplicates()
        row_of = np.repeat(np.arange(len(docs)), np.diff(counts.indptr))
        block = np.searchsorted(offsets, counts.indices, side="right") - 1
        values = (1.0 + np.log(counts.data)) * self._idf_all[counts.indices]
        key = row_of * len(self._lookups) + block
        norms = np.sqrt(np.bincount(key, weights=values * values, minlength=len(docs) * len(self._lookups)))
        weights = np.array([1.0, 1.0, self.head_weight, self.head_weight])
        values = values * weights[block] / np.where(norms > 0, norms, 1.0)[key]
        total = np.sqrt(np.bincount(row_of, weights=values * values, minlength=len(docs)))
        values = values / np.where(total > 0, total, 1.0)[row_of]
        return sp.csr_matrix((values.astype(np.float32), counts.indices, counts.indptr), shape=shape)

    def _row(self, doc: str) -> dict[int, float]:
        """Column → value for one document; plain Python, as numpy's per-call cost dominates short rows."""
        weights = (1.0, 1.0, self.head_weight, self.head_weight)
        grams = self._grams(doc)
        offset, row = 0, {}
        for (vocabulary, idf), column, weight in zip(self._lookups, grams, weights, strict=True):
            counts = Counter(map(vocabulary.get, column))  # counted in C
            counts.pop(None, None)  # n-grams outside the vocabulary
            block = {j: (1.0 + math.log(n)) * idf[j] for j, n in counts.items() if j is not None}  # sublinear tf·idf
            norm = math.sqrt(sum(v * v for v in block.values())) or 1.0
            row.update({offset + j: v * weight / norm for j, v in block.items()})  # each block unit length
            offset += len(vocabulary)
        norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
        return {j: v / norm for j, v in row.items()}

    def _combine(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        from sklearn.preprocessing import normalize as unit_rows

        weights = (1.0, 1.0, self.head_weight, self.head_weight)
        return unit_rows(sp.hstack([w * b for w, b in zip(weights, blocks, strict=True)], format="csr"))

    @property
    def names(self) -> NDArray[np.object_]:
        """Surface form (n-gram or word) of every column."""
        return self._names

    @property
    def is_word(self) -> NDArray[np.bool_]:
        """Which columns are jieba words (the rest are character n-grams)."""
        return self._is_word

    def _vectorizer(self, kind: str, min_df: int) -> Any:
        # scikit-learn is imported only to train: a loaded model classifies without it (a second at start-up)
        from sklearn.feature_extraction.text import TfidfVectorizer

        analyzer: Any = "char" if kind == "char" else _tokens
        ngrams = self.char_ngrams if kind == "char" else (1, 1)
        return TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, lowercase=False,
                               min_df=min_df, dtype=np.float32)

    def _columns(self, docs: Sequence[str]) -> list[list[Any]]:
        return [list(column) for column in zip(*(self._doc_columns(d) for d in docs), strict=True)]

    def _doc_columns(self, doc: str) -> tuple[str, list[str], str, list[str]]:
        first, tokens = head(doc), self._cut(doc)
        # The head's words are the body's first words (segmenting once is a third of the cost).
        used, head_tokens = 0, []
        for token in tokens:
            used += len(token)
            if used > len(first):
                break
            head_tokens.append(token)
        wordlike = [t for t in tokens if _WORDLIKE.search(t)]
        return doc, wordlike, first, [t for t in head_tokens if _WORDLIKE.search(t)]
