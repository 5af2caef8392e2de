"""Reading CAP messages: OASIS CAP 1.2 (namespaced) and the mainland-China national profile (no namespace).

The China profile (see ../shared/data/standards/cap_profile_cn_notes.md) differs from CAP 1.2 in
``sendTime`` for ``sent``, ``eventType`` (e.g. 11B06) for ``event``/``eventCode``, the warning colour as
``severity``, comma-separated 12-digit division codes as ``geocode`` and bare identifiers in ``references``.
Both become one :class:`CapMessage`. Parsing goes through defusedxml: a DTD, an entity declaration or an
external reference is refused before anything is expanded (billion laughs, XXE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from intake.alerts.area import Area, parse_circle, parse_polygon
from intake.alerts.xmlenc import as_parseable
from intake.errors import Invalid

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
MSG_TYPES = ("Alert", "Update", "Cancel")
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MAX_INFOS, MAX_AREAS, MAX_SHAPES, MAX_GEOCODES = 20, 100, 100, 1000
_BEIJING = timezone(timedelta(hours=8))


class CapError(Invalid):
    """The message is not a CAP alert gridline can read; the message says why."""

    code = "invalid_cap"


@dataclass(frozen=True, slots=True)
class CapMessage:
    profile: str  # "oasis" | "cn"
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: tuple[str, ...]  # identifiers of earlier messages
    language: str
    event: str
    event_code: str | None
    severity: str  # as sent: Extreme…Unknown, or a colour in the China profile
    headline: str
    description: str
    instruction: str | None
    expires: datetime | None
    area: Area
    area_desc: str


def parse(data: bytes) -> CapMessage:
    try:
        root = fromstring(as_parseable(data), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CapError("DTDs, entity declarations and external references are not allowed in CAP") from None
    except ParseError as exc:
        raise CapError(f"malformed XML: {exc}") from None
    except ValueError as exc:  # expat's own refusals (an encoding it cannot read) are not ParseErrors
        raise CapError(f"unreadable XML: {str(exc)[:100]}") from None
    if root.tag == f"{{{CAP12}}}alert":
        return _Reader(root, f"{{{CAP12}}}", "oasis").message()
    if root.tag == "alert":
        return _Reader(root, "", "cn").message()
    raise CapError(f"root element {root.tag[:120]!r} is not a CAP alert: expected <alert> in namespace {CAP12} "
                   "(CAP 1.2) or without a namespace (China national profile)")


class _Reader:
    def __init__(self, root: Element, ns: str, profile: str) -> None:
        self.root, self.ns, self.profile = root, ns, profile

    def text(self, el: Element, name: str, required: bool = False) -> str:
        child = el.find(self.ns + name)
        value = (child.text or "").strip() if child is not None else ""
        if required and not value:
            raise CapError(f"<{name}> is required")
        if len(value) > 20_000:
            raise CapError(f"<{name}> is too long")
        return value

    def when(self, el: Element, *names: str, required: bool = False) -> datetime | None:
        raw = next((v for v in (self.text(el, n) for n in names) if v), "")
        if not raw:
            if required:
                raise CapError(f"<{names[0]}> is required")
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise CapError(f"<{names[0]}> is not a date-time: {raw[:40]!r}") from None
        if value.tzinfo is None:  # CAP requires an offset; the China profile means Beijing time
            if self.profile == "oasis":
                raise CapError(f"<{names[0]}> needs a time-zone offset")
            value = value.replace(tzinfo=_BEIJING)
        return value

    def message(self) -> CapMessage:
        r = self.root
        msg_type, status = self.text(r, "msgType", True), self.text(r, "status", True)
        if msg_type not in MSG_TYPES:
            raise CapError(f"msgType {msg_type[:20]!r} is not handled; one of {', '.join(MSG_TYPES)}")
        if status not in STATUSES:
            raise CapError(f"status {status[:20]!r} is not a CAP status")
        infos = r.findall(self.ns + "info")
        if not infos or len(infos) > MAX_INFOS:
            raise CapError(f"a CAP alert needs 1–{MAX_INFOS} <info> blocks")
        info = _preferred(infos, self.ns)
        polygons, circles, codes, descs = [], [], [], []
        for block in infos:  # the languages of one alert cover the same area: take the union
            areas = block.findall(self.ns + "area")
            if len(areas) > MAX_AREAS:
                raise CapError(f"more than {MAX_AREAS} <area> blocks")
            for area in areas:
                descs.append(self.text(area, "areaDesc"))
                shapes = area.findall(self.ns + "polygon") + area.findall(self.ns + "circle")
                if len(shapes) > MAX_SHAPES:
                    raise CapError(f"more than {MAX_SHAPES} polygons and circles in one area")
                polygons += [parse_polygon(p.text, latlon=True) for p in area.findall(self.ns + "polygon")
                             if (p.text or "").strip()]
                circles += [parse_circle(c.text) for c in area.findall(self.ns + "circle") if (c.text or "").strip()]
                codes += self.geocodes(area)
        if len(codes) > MAX_GEOCODES:
            raise CapError(f"more than {MAX_GEOCODES} geocodes")
        event_code = self.text(info, "eventType") or self._event_code(info) or None
        return CapMessage(
            profile=self.profile, identifier=_bounded(self.text(r, "identifier", True), "identifier", 200),
            sender=_bounded(self.text(r, "sender", True), "sender", 200),
            sent=self.when(r, "sent", "sendTime", required=True) or datetime.min, status=status, msg_type=msg_type,
            references=_references(self.text(r, "references")), language=self.text(info, "language") or "en-US",
            event=self.text(info, "event")[:100], event_code=event_code and event_code[:40],
            severity=self.text(info, "severity") or "Unknown", headline=self.text(info, "headline")[:300],
            description=self.text(info, "description"), instruction=self.text(info, "instruction") or None,
            expires=self.when(info, "expires"),
            area=Area(polygons=tuple(polygons), circles=tuple(circles), divisions=tuple(dict.fromkeys(codes))),
            area_desc="; ".join(dict.fromkeys(d for d in descs if d))[:500])

    def geocodes(self, area: Element) -> list[str]:
        """Division codes only (6, 9 or 12 digits); other schemes do not map onto our grid."""
        out = []
        for gc in area.findall(self.ns + "geocode"):
            if self.profile == "cn":
                values = (gc.text or "").replace("，", ",").split(",")
            else:  # CAP 1.2: only a Chinese division scheme; FIPS, SAME, UGC … numbers mean something else
                values = [self.text(gc, "value")] if _division_scheme(self.text(gc, "valueName")) else []
            out += [v.strip() for v in values if v.strip().isdigit() and len(v.strip()) in (6, 9, 12)]
        return out

    def _event_code(self, info: Element) -> str:
        for ec in info.findall(self.ns + "eventCode"):
            value = self.text(ec, "value")
            if value:
                return value
        return ""


def _division_scheme(name: str) -> bool:
    """A geocode ``valueName`` naming China's division codes (GB/T 2260, adcode, 行政区划代码)."""
    plain = name.lower().replace(" ", "").replace("/", "").replace("-", "")
    return ("gb" in plain and "2260" in plain) or plain in ("adcode", "行政区划代码", "行政区划")


def _preferred(infos: list[Element], ns: str) -> Element:
    """The Chinese block when there is one (zh-CN first), else the first."""
    def lang(el: Element) -> str:
        child = el.find(ns + "language")
        return (child.text or "").strip().lower() if child is not None else ""

    for wanted in ("zh-cn", "zh"):
        for info in infos:
            if lang(info).startswith(wanted):
                return info
    return infos[0]


def _references(raw: str) -> tuple[str, ...]:
    """CAP 1.2: ``sender,identifier,sent`` triplets; China profile: bare identifiers."""
    out = []
    for token in raw.split()[:100]:
        parts = token.split(",")
        out += [parts[1]] if len(parts) == 3 else [p for p in parts if p]
    return tuple(dict.fromkeys(p[:200] for p in out))


def _bounded(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise CapError(f"<{name}> is longer than {limit} characters")
    return value
