"""Ideas that add dense views of the texts to the recipe's sparse features (issue #17, second round).

Every representation here is fitted once, without labels, on all 7,941 texts (as the recipe's vocabulary
is), cached on the :class:`bench.classifier_ideas.Setup` and appended to its rows: the SVM then weighs the
dense columns against the n-grams. Figures are in ``bench/classifier_ideas.py``'s table.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

Idea = Callable[[Any, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _cached(s: Any, key: str, make: Callable[[], np.ndarray]) -> np.ndarray:
    """Made once per run; with ``BENCH_DENSE_CACHE=DIR`` also kept across runs (word vectors take minutes)."""
    store: dict[str, np.ndarray] = s.__dict__.setdefault("dense", {})
    if key not in store:
        folder = os.environ.get("BENCH_DENSE_CACHE")
        path = Path(folder) / f"{key.replace('/', '_')}.npy" if folder else None
        store[key] = np.load(path) if path and path.exists() else make()
        if path and not path.exists():
            np.save(path, store[key])
    return store[key]


def _small_tfidf(s: Any, min_df: int) -> sp.csr_matrix:
    """Words plus character 1–2-grams, ``min_df`` 2: about a tenth of the recipe's columns, so an SVD
    finishes on 2 cores (the recipe's 549,457 columns did not in 10 minutes)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, lowercase=False, min_df=min_df)
    words = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True, lowercase=False, min_df=min_df)
    return normalize(sp.hstack([chars.fit_transform(s.prepared), words.fit_transform(s.tokens())], format="csr"))


def lsa_vectors(s: Any, dims: int = 250, min_df: int = 2) -> np.ndarray:
    def make() -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.preprocessing import normalize

        z = TruncatedSVD(dims, algorithm="randomized", n_iter=5, random_state=0).fit_transform(_small_tfidf(s, min_df))
        return np.asarray(normalize(z))
    return _cached(s, f"lsa{dims}/{min_df}", make)


def word_vectors(s: Any, kind: str) -> np.ndarray:
    """IDF-weighted mean of word vectors trained here (gensim, one worker: repeatable), unit length.

    gensim is not a project dependency: install it beside the bench only
    (``pip install --target DIR gensim`` and ``PYTHONPATH=DIR``)."""
    def make() -> np.ndarray:
        from gensim.models import FastText, Word2Vec  # type: ignore[import-not-found, unused-ignore]
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = s.tokens()
        settings = {"vector_size": 100, "window": 5, "min_count": 2, "epochs": 10, "workers": 1, "seed": 0, "sg": 1}
        model = FastText(docs, min_n=1, max_n=2, **settings) if kind == "fasttext" else Word2Vec(docs, **settings)
        idf = TfidfVectorizer(analyzer=lambda t: t, min_df=2).fit(docs)
        weight = dict(zip(idf.get_feature_names_out(), idf.idf_, strict=True))
        out = np.zeros((len(docs), model.vector_size))
        for i, doc in enumerate(docs):
            known = [w for w in doc if w in weight and (kind == "fasttext" or w in model.wv)]
            if known:
                out[i] = np.average([model.wv[w] for w in known], axis=0, weights=[weight[w] for w in known])
        return np.asarray(out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9))
    return _cached(s, kind, make)


def appended(vectors: Callable[[Any], np.ndarray], weight: float) -> Idea:
    """The recipe with ``weight`` × the dense vector (unit length) appended to each row, rows unit again."""
    def run(s: Any, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.preprocessing import normalize

        from bench.classifier_ideas import fit, svm

        kept = copy.copy(s)  # shares everything but the features
        kept.x = normalize(sp.hstack([s.x, sp.csr_matrix(weight * vectors(s))], format="csr"))
        return fit(svm, kept, train, test)
    return run


def dense_only(vectors: Callable[[Any], np.ndarray]) -> Idea:
    """Diagnostic: the SVM on the dense vectors alone (how much they know by themselves)."""
    def run(s: Any, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from bench.classifier_ideas import svm

        model = svm().fit(vectors(s)[train], s.y[train])
        return model.classes_, model.decision_function(vectors(s)[test])
    return run


def ideas() -> dict[str, Idea]:
    out = {
        "lsa": appended(lsa_vectors, 1.0),
        "lsa/2": appended(lsa_vectors, 0.5),
        "lsa-only": dense_only(lsa_vectors),
        "lsa/3": appended(lsa_vectors, 0.3),
        "lsa*0.7": appended(lsa_vectors, 0.7),
        "lsa100/2": appended(lambda s: lsa_vectors(s, 100), 0.5),
        "lsa400/2": appended(lambda s: lsa_vectors(s, 400), 0.5),
        "lsa-df10/2": appended(lambda s: lsa_vectors(s, 250, 10), 0.5),
    }
    both = appended(lambda s: np.hstack([lsa_vectors(s), word_vectors(s, "word2vec")]), 0.5)
    out["lsa+word2vec"] = both  # each at ½
    for kind in ("word2vec", "fasttext"):  # these need gensim (see word_vectors)
        def vectors(s: Any, kind: str = kind) -> np.ndarray:
            return word_vectors(s, kind)
        out |= {kind: appended(vectors, 1.0), f"{kind}/2": appended(vectors, 0.5), f"{kind}-only": dense_only(vectors)}
    return out
