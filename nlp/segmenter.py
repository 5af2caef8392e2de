"""jieba tokenizers that share one parse of jieba's main dictionary per process.

Parsing the dictionary (~500,000 words) costs about half a second of CPU per tokenizer; the keyword
matcher, the linear model's features and the gazetteer (``intake.grid.gazetteer``, the same idea) each
want a private tokenizer, because they add different words. jieba's own global tokenizer is the one
parse: nothing in gridline segments with it or adds words to it, so its dictionary is jieba's as shipped.
A private tokenizer starts from a copy (~10 ms).
"""

from __future__ import annotations

import logging
from typing import Any

import jieba

logging.getLogger("jieba").setLevel(logging.WARNING)  # it logs "Building prefix dict…" for every load


def private_tokenizer() -> Any:
    """A fresh tokenizer with jieba's main dictionary, parsed once per process; ``add_word`` stays private."""
    jieba.dt.check_initialized()
    tok = jieba.Tokenizer()
    # Exactly what Tokenizer.initialize() sets.
    tok.FREQ, tok.total, tok.initialized = dict(jieba.dt.FREQ), jieba.dt.total, True
    return tok
