"""普通消息 and 事件推送 of a 公众号, as one typed, frozen ``Message``.

Field names follow WeChat's XML: 地理位置消息 has ``Location_X`` = latitude and ``Location_Y`` =
longitude (GCJ-02, as the WeChat client reports), ``location_select`` carries the same inside
``SendLocationInfo``, and the 上报地理位置 ``LOCATION`` event uses ``Latitude`` / ``Longitude`` /
``Precision``. 扫描带参数二维码 arrives as ``subscribe`` with ``EventKey`` "qrscene_<scene>" for a
new follower but as ``SCAN`` with the bare scene for an existing one; ``event_key`` drops the
prefix so both read the same (``raw`` keeps WeChat's value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, cast

from bot.wechat.errors import CallbackError

Kind = Literal["text", "voice", "image", "location", "link", "video", "shortvideo", "event", "unknown"]
_KINDS = frozenset({"text", "voice", "image", "location", "link", "video", "shortvideo", "event"})
_SCENE_PREFIX = "qrscene_"
MAX_LABEL = 200


@dataclass(frozen=True)
class Message:
    kind: Kind
    from_user: str  # the resident's OpenID
    to_user: str  # our account's original ID (gh_…)
    create_time: int
    msg_id: str | None = None
    content: str | None = None
    recognition: str | None = None  # 语音识别 text of a voice message
    media_id: str | None = None
    pic_url: str | None = None
    lat: float | None = None
    lng: float | None = None
    precision: float | None = None  # metres, LOCATION events only
    label: str | None = None
    scale: int | None = None
    event: str | None = None  # lower-case
    event_key: str | None = None
    raw: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False, repr=False)

    @property
    def dedup_key(self) -> str:
        """WeChat retries a callback 3 times: 消息 dedup on MsgId, 事件 on FromUserName + CreateTime."""
        if self.msg_id is not None and self.kind != "event":
            return f"msg:{self.msg_id}"
        return f"evt:{self.from_user}:{self.create_time}:{self.event or self.kind}"


def message_from_fields(fields: Mapping[str, str]) -> Message:
    """Map parsed XML fields to a Message; CallbackError("malformed_xml") if no sender or time."""
    try:
        sender, receiver, created = fields["FromUserName"], fields["ToUserName"], int(fields["CreateTime"])
    except (KeyError, ValueError):
        raise CallbackError("malformed_xml") from None
    msg_type = fields.get("MsgType", "").lower()
    kind = cast(Kind, msg_type if msg_type in _KINDS else "unknown")
    event = (fields.get("Event", "").lower() or None) if kind == "event" else None
    lat, lng, precision, label, scale = _place(fields, kind, event)
    return Message(
        kind=kind, from_user=sender, to_user=receiver, create_time=created,
        msg_id=fields.get("MsgId"), content=fields.get("Content"), recognition=fields.get("Recognition"),
        media_id=fields.get("MediaId"), pic_url=fields.get("PicUrl"),
        lat=lat, lng=lng, precision=precision, label=label, scale=scale,
        event=event, event_key=_event_key(fields, event), raw=MappingProxyType(dict(fields)),
    )


def _event_key(fields: Mapping[str, str], event: str | None) -> str | None:
    key = fields.get("EventKey")
    if key is not None and event == "subscribe" and key.startswith(_SCENE_PREFIX):
        return key[len(_SCENE_PREFIX) :]
    return key


_Place = tuple[float | None, float | None, float | None, str | None, int | None]


def _place(fields: Mapping[str, str], kind: Kind, event: str | None) -> _Place:
    if event == "location":
        lat, lng = _coord(fields.get("Latitude"), 90), _coord(fields.get("Longitude"), 180)
        return lat, lng, _coord(fields.get("Precision"), math.inf), None, None
    prefix = "SendLocationInfo." if event == "location_select" else "" if kind == "location" else None
    if prefix is None:
        return None, None, None, None, None
    lat, lng = _coord(fields.get(prefix + "Location_X"), 90), _coord(fields.get(prefix + "Location_Y"), 180)
    label = fields.get(prefix + "Label")
    # A place's name, shown and kept as a case's address: clipped to what an address column holds.
    return lat, lng, None, label[:MAX_LABEL] if label else label, _int(fields.get(prefix + "Scale"))


def _coord(text: str | None, limit: float) -> float | None:
    # A coordinate that is not a finite number in range is dropped, not guessed at.
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= limit else None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
