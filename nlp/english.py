"""An English keyword layer: common English complaint words mapped to the same taxonomy codes.

The Chinese classifiers (keyword matcher, linear model, transformer) know English only through
category names, so "There is a big pothole on the road" became 街头散发小广告. For a text that is
mostly Latin letters, phrases from a small table decide first; a text nothing in the table matches
goes to the inner classifier unchanged, and so does every Chinese text. The table lives here as data
(codes are the taxonomy's, checked by tests/nlp/test_english.py against the catalog).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from nlp.types import Classifier, Prediction, Scored

NAME = "english-keywords"
# code → phrases; a phrase of more words weighs more, so "construction noise" beats "noise".
PHRASES: Mapping[str, Sequence[str]] = {
    "01037": ("streetlight", "street light", "street lamp", "lamp post", "light is out", "lights are out",
              "light is broken", "lights are broken", "light not working", "lights not working"),
    "06010": ("garbage", "rubbish", "trash", "litter", "littering", "waste dumped", "dumped"),
    "06042": ("bin is full", "bins are full", "overflowing bin", "bin overflowing", "bins overflowing",
              "trash can is full", "garbage can is full", "dumpster is full", "overflowing"),
    "06028": ("noise", "noisy", "loud", "loud music", "shouting", "karaoke"),
    "08001": ("construction noise", "drilling", "jackhammer", "construction at night", "building work"),
    "06013": ("pothole", "damaged road", "road is damaged", "broken road", "crack in the road", "road surface"),
    "01023": ("manhole", "manhole cover", "drain cover", "missing cover"),
    "23007": ("water leak", "leaking water", "water is leaking", "burst pipe", "pipe burst", "pipe is leaking",
              "leaking pipe", "no water", "water cut"),
    "23009": ("blocked drain", "drain is blocked", "clogged drain", "sewage", "sewer", "drain overflow"),
    "25002": ("flooded", "flooding", "flood", "waterlogged", "standing water"),
    "09009": ("illegal parking", "illegally parked", "parked car", "parked on the sidewalk", "blocking the driveway",
              "double parked"),
    "09010": ("bikes parked", "bicycles parked", "e-bikes", "shared bikes", "scooters parked"),
    "07001": ("flyposting", "flyers", "illegal posters", "posters", "stickers", "small ads"),
    "04002": ("fallen tree", "tree fell", "tree branch", "branches", "tree is leaning", "dead tree"),
    "21007": ("dog", "dogs", "dog poop", "dog mess", "barking", "unleashed dog"),
    "06027": ("cooking fumes", "kitchen smoke", "oil smoke", "restaurant smoke"),
    "01076": ("elevator", "lift is broken", "lift not working"),
    "02014": ("traffic light", "traffic lights", "traffic signal"),
    "09006": ("street vendor", "street vendors", "hawker", "hawkers", "stalls blocking"),
    "06020": ("burning rubbish", "burning leaves", "burning garbage", "burning trash"),
    "22001": ("gas leak", "smell of gas", "gas smell"),
    "06034": ("abandoned car", "abandoned vehicle"),
}
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
_HAN = re.compile(r"[\u3400-\u9fff]")


def mostly_latin(text: str) -> bool:
    """More Latin letters than twice the Han characters (a Chinese text with an English word stays Chinese)."""
    letters = sum(1 for ch in text if "a" <= ch.lower() <= "z")
    return letters >= 3 and letters > 2 * len(_HAN.findall(text))


class EnglishKeywords:
    """Phrase matcher over word sequences; ``classify`` answers ``code=None`` when nothing matched."""

    def __init__(self, phrases: Mapping[str, Sequence[str]] = PHRASES) -> None:
        self._phrases = {tuple(_WORD.findall(p.lower())): code for code, ps in phrases.items() for p in ps}
        self._longest = max((len(p) for p in self._phrases), default=0)

    @property
    def name(self) -> str:
        return NAME

    def classify(self, text: str) -> Prediction:
        words = _WORD.findall(text.lower())
        scores: dict[str, float] = defaultdict(float)
        terms: list[str] = []
        for start in range(len(words)):
            for size in range(min(self._longest, len(words) - start), 0, -1):
                code = self._phrases.get(tuple(words[start:start + size]))
                if code is not None:
                    scores[code] += size * size  # a phrase outweighs the single words it contains
                    terms.append(" ".join(words[start:start + size]))
                    break
        if not scores:
            return Prediction(None, 0.0, model=NAME)
        total = sum(scores.values())
        top = tuple(sorted((Scored(c, s / total) for c, s in scores.items()), key=lambda s: -s.score))
        confidence = top[0].score * min(1.0, 0.5 + 0.25 * len(terms))  # one lone word is less sure
        return Prediction(top[0].code, round(confidence, 3), top, tuple(terms), model=NAME)

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.classify(t) for t in texts]


class EnglishFirst:
    """Mostly-Latin text goes to the English table first; everything else, and English it cannot place, to
    ``inner`` (the serving classifier: rules, the active model, the keyword matcher)."""

    def __init__(self, inner: Classifier, english: EnglishKeywords | None = None) -> None:
        self.inner, self.english = inner, english or EnglishKeywords()

    @property
    def name(self) -> str:
        return self.inner.name

    def classify(self, text: str) -> Prediction:
        if mostly_latin(text):
            found = self.english.classify(text)
            if found.code is not None:
                return found
        return self.inner.classify(text)

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        """English matches here, the rest in one batch of the inner classifier (a model batches them)."""
        found = [self.english.classify(t) if mostly_latin(t) else None for t in texts]
        rest = [t for t, f in zip(texts, found, strict=True) if f is None or f.code is None]
        inner = iter(self.inner.classify_many(rest) if rest else [])
        return [f if f is not None and f.code is not None else next(inner) for f in found]
