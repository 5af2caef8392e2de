"""What every trained backend does to a message before the model sees it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.normalize import normalize

Prepared = tuple[str, str, tuple[str, ...]]  # (normalised, places blanked, place names found)


class Preparer:
    """Normalise, and find and blank place names (a street called 垃圾场路 is not about garbage).

    Gazetteer places are matched as whole strings before segmentation, longest first. That is
    what a jieba user dictionary would buy (人民路 kept as one unit) and more: a place name is not
    evidence for any category, so it never reaches the features. jieba's own dictionary is
    process-wide and shared by every model, so we do not add words to it.
    """

    def __init__(self, places: Iterable[str] = ()) -> None:
        # normalised form → the gazetteer's own spelling, which is what the Prediction reports
        self._names = {normalize(p): p for p in places if normalize(p)}
        unique = sorted(self._names, key=len, reverse=True)  # whole names first: 人民路口 before 人民路
        self._places = re.compile("|".join(map(re.escape, unique))) if unique else None

    def __call__(self, text: str) -> Prepared:
        """(normalised text, the same with place names blanked, the place names found)."""
        norm = normalize(text)
        if self._places is None:
            return norm, norm, ()
        found = tuple(dict.fromkeys(self._names[m.group()] for m in self._places.finditer(norm)))
        return norm, self._places.sub(" ", norm), found
