"""Turning an outbox row into the body one channel sends (``Envelope.body``: the API's JSON minus the address).

Group chats are seen by many people: personal data in them is masked and the
full details stay behind the link, for the worker only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from intake.grid.geodesy import wgs84_to_gcj02
from intake.sla.calendar import to_shanghai
from notify.mask import mask_text
from outbox import alert_texts
from outbox.texts import Words

TEXT_MAX = 600  # a customer-service text stays readable on a phone
THING_MAX = 20  # WeChat's "thing" field limit in subscribe messages
SMS_PARAM_MAX = 35  # the longest template parameter both SMS providers take


@dataclass(frozen=True, slots=True)
class Facts:
    """What a message says about its case, looked up when it is routed."""

    case_no: str | None = None
    category: str | None = None
    severity: str | None = None
    deadline: datetime | None = None
    address: str | None = None
    lat: float | None = None
    lng: float | None = None
    photos: int = 0
    note: str | None = None  # the handler's public note (已办结), or the step's own note
    assignee: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def resident_text(kind: str, payload: Mapping[str, Any], facts: Facts, words: Words) -> str:
    values = {**payload, "case_no": facts.case_no or "", "note": facts.note or payload.get("note"),
              "photos": facts.photos}
    text = (words.resident(kind, values) or alert_texts.resident(kind, payload, words)
            or str(payload.get("text") or payload.get("title") or kind))
    return text[:TEXT_MAX]


def cs_body(text: str) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": text}}


def news_body(title: str, text: str, url: str, picurl: str, photos: int) -> dict[str, Any]:
    """A customer-service news card (one article, as WeChat allows): the step, the text, the photos behind
    the link and the first one as its picture."""
    return {"msgtype": "news", "news": {"articles": [{
        "title": title[:64], "description": f"{text} ({photos})"[:TEXT_MAX], "url": url, "picurl": picurl}]}}


def sms_body(template_id: str, kind: str, facts: Facts, words: Words) -> dict[str, Any]:
    """A template SMS: the case number and the step in a few words (the template holds the rest)."""
    return {"template": template_id, "params": [(facts.case_no or "-")[:32], words.progress(kind)[:SMS_PARAM_MAX]]}


def sms_survey_body(template_id: str, facts: Facts) -> dict[str, Any]:
    """The 回访 question by SMS: the case number; the template asks for a reply of 1, 2 or 3."""
    return {"template": template_id, "params": [(facts.case_no or "-")[:32]]}


def sms_staff_body(template_id: str, kind: str, payload: Mapping[str, Any], facts: Facts,
                   words: Words) -> dict[str, Any]:
    """A worker's notice by SMS (their grid has no WeCom group): the notice's first line, masked, in short."""
    values = {**payload, **alert_texts.staff_values(kind, payload, words), "case_no": facts.case_no or ""}
    return {"template": template_id, "params": [mask_text(words.staff(kind, values))[:SMS_PARAM_MAX]]}


def subscribe_body(template_id: str, text: str, facts: Facts, words: Words, now: datetime) -> dict[str, Any]:
    """A one-time subscribe message: case number, progress (shortened), time — the template's three fields."""
    return {"template_id": template_id, "page": f"pages/case/detail?no={quote(facts.case_no or '')}",
            "data": {"character_string1": {"value": (facts.case_no or "-")[:32]},
                     "thing2": {"value": text[:THING_MAX]},
                     "time3": {"value": f"{to_shanghai(now):%Y-%m-%d %H:%M}"}}}


def group_markdown(kind: str, payload: Mapping[str, Any], facts: Facts, words: Words, base_url: str) -> dict[str, Any]:
    """A task card, reminder or notice for a grid's WeCom group (markdown, masked)."""
    values = {**payload, **alert_texts.staff_values(kind, payload, words), "case_no": facts.case_no or ""}
    lines = [f"**{mask_text(words.staff(kind, values))}**"]
    lines += [f"> {k}: {mask_text(v)}" for k, v in alert_texts.rows(kind, payload, words)]
    lines += alert_texts.ask(kind, payload, words, base_url)
    if facts.case_no:
        lines += _case_lines(facts, words, base_url)
    if kind.startswith("digest.") and isinstance(items := payload.get("items"), list):
        lines += [f"> {mask_text(str(i.get('case_no')))} {mask_text(str(i.get('summary') or ''))}"
                  for i in items if isinstance(i, dict)]
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)[:3500]}}


def _case_lines(facts: Facts, words: Words, base_url: str) -> list[str]:
    unknown = words.label("unknown")
    link = f"{base_url.rstrip('/')}/worker/cases/{quote(facts.case_no or '')}"
    deadline = f"{to_shanghai(facts.deadline):%Y-%m-%d %H:%M}" if facts.deadline else unknown
    lines = [f"> {words.label('category')}: {facts.category or unknown}",
             f"> {words.label('severity')}: {facts.severity or unknown}",
             f"> {words.label('deadline')}: {deadline}",
             f"> {words.label('address')}: {mask_text(facts.address or unknown)}",
             f"> {words.label('photos')}: {facts.photos}"]
    if facts.assignee:
        lines.append(f"> {words.label('assignee')}: {facts.assignee}")
    if facts.lat is not None and facts.lng is not None:
        lng, lat = wgs84_to_gcj02(facts.lng, facts.lat)  # Amap speaks GCJ-02
        lines.append(f"[{words.label('map')}](https://uri.amap.com/marker?position={lng:.6f},{lat:.6f})")
    lines.append(f"[{words.label('accept')}]({link}?action=accept) · [{words.label('handle')}]({link}?action=handle)")
    return lines


def email_body(kind: str, payload: Mapping[str, Any], facts: Facts, words: Words, base_url: str) -> dict[str, Any]:
    """Escalations and digests for departments: a subject, plain text and the same as HTML."""
    values = {**payload, **alert_texts.staff_values(kind, payload, words), "case_no": facts.case_no or ""}
    subject = f"[gridline] {words.staff(kind, values)}"
    rows: list[tuple[str, str]] = alert_texts.rows(kind, payload, words)
    if facts.case_no:
        rows += [(words.label("category"), facts.category or ""), (words.label("address"), facts.address or ""),
                 (words.label("deadline"), f"{to_shanghai(facts.deadline):%Y-%m-%d %H:%M}" if facts.deadline else ""),
                 (words.label("details"), f"{base_url.rstrip('/')}/worker/cases/{facts.case_no}")]
    raw = payload.get("items")
    items: list[Any] = raw if isinstance(raw, list) else []
    rows += [(str(i.get("case_no")), str(i.get("summary") or "")) for i in items if isinstance(i, dict)]
    text = subject + "\n\n" + "\n".join(f"{k}: {v}" for k, v in rows)
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    page = f"<html><body><h3>{html.escape(subject)}</h3><table>{cells}</table></body></html>"
    return {"subject": subject[:200], "text": text, "html": page}
