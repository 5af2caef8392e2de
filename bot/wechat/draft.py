"""A resident's report in progress, kept in the key-value store with a TTL (Redis or in-process).

States: idle → collecting → confirming → submitted, with the detours choosing
(a category by number), offering (duplicates: 附议 or 新建) and awaiting_home
(the ALERTS menu asked for a home location).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from bot.storage.base import Entry, KeyValueStore

TTL_SECONDS = 30 * 60
MAX_TEXT = 2000
MAX_PHOTOS = 9


@dataclass
class Draft:
    state: str = "idle"
    texts: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)
    lat: float | None = None  # GCJ-02, as WeChat sends it
    lng: float | None = None
    label: str | None = None
    address: str | None = None
    category: str | None = None
    choices: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)
    lang: str | None = None  # the language the resident writes this report in (replies follow it)
    target: str | None = None  # 补充: the report the next text or location is added to

    @property
    def description(self) -> str:
        return "。".join(self.texts)[:MAX_TEXT]

    @property
    def has_place(self) -> bool:
        return (self.lat is not None and self.lng is not None) or bool(self.address)

    def add_text(self, text: str) -> None:
        if len(self.description) + len(text) <= MAX_TEXT:
            self.texts.append(text)

    def add_photo(self, ref: str) -> int:
        if len(self.photos) < MAX_PHOTOS and ref not in self.photos:
            self.photos.append(ref)
        return len(self.photos)


class DraftStore:
    def __init__(self, kv: KeyValueStore, ttl: float = TTL_SECONDS) -> None:
        self._kv, self._ttl = kv, ttl

    async def load(self, openid: str) -> Draft:
        raw = await self._kv.get(f"wx:draft:{openid}")
        if raw is None:
            return Draft()
        try:
            return Draft(**json.loads(raw))
        except (TypeError, ValueError):
            return Draft()  # an unreadable draft (older shape) is dropped, not fatal

    async def save(self, openid: str, draft: Draft) -> None:
        await self._kv.set_many([self.entry(openid, draft)])

    def entry(self, openid: str, draft: Draft) -> Entry:
        """What saving ``draft`` writes, for a caller that batches it with other writes; empty drafts go."""
        if draft.state == "idle" and not draft.texts and not draft.photos and not draft.has_place:
            return Entry(f"wx:draft:{openid}", None)
        return Entry(f"wx:draft:{openid}", json.dumps(asdict(draft), ensure_ascii=False), self._ttl)
