"""The words of alert and survey-escalation messages, on every channel (resident text, group card, mail).

Alerts carry their own facts in the payload (``intake.alerts.notices.payload``), not a case number:
residents read the signal, the message and what to do; a grid's group reads the same plus how many
residents were told and how to answer (``已通知到户 N 户`` / ``需要支援``, parsed by ``acks.parse_ack_text``,
so those two stay literal in every language).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from outbox.texts import Words


def _(msgid: str) -> str:
    """Marks a msgid for extraction; the text is translated when a message is rendered."""
    return msgid


COLOUR = {"blue": _("Blue"), "yellow": _("Yellow"), "orange": _("Orange"), "red": _("Red")}
TITLE = _("{signal} {colour} warning")
RESIDENT = {
    "alert.issued": _("[{title}] {message}"),
    "alert.updated": _("[Update: {title}] {message}"),
    "alert.cancelled": _("[Lifted: {title}] The warning has been lifted."),
}
GUIDANCE = _("What to do: {guidance}")
LABELS = {
    "message": _("Message"), "guidance": _("What to do"), "instructions": _("Instructions for grid workers"),
    "grid": _("Grid"), "told": _("Residents told"),
    "expires": _("Valid until"), "cells": _("Silent grids"), "comment": _("Resident's comment"),
    "ack": _("Acknowledge"),
}
ASK = _("Reply in this group with `{done}` once the households are told, or `{help}` if you need support.")
DEFAULT_ASK = ("已通知到户 N 户", "需要支援")
MESSAGE_MAX = 500


def title(payload: Mapping[str, Any], words: Words) -> str:
    """``台风黄色预警`` (or ``台风 Yellow warning``): the signal and colour, else the headline or event."""
    signal, colour = payload.get("signal_name"), COLOUR.get(str(payload.get("colour")))
    if signal and colour:
        return words.t(TITLE, signal=signal, colour=words.t(colour))
    return str(payload.get("headline") or payload.get("event") or "")


def resident(kind: str, payload: Mapping[str, Any], words: Words) -> str | None:
    """The resident's text of an alert message; ``None`` for other kinds."""
    msgid = RESIDENT.get(kind)
    if msgid is None:
        return None
    message = str(payload.get("message") or payload.get("headline") or "")[:MESSAGE_MAX]
    text = words.t(msgid, title=title(payload, words), message=message)
    if kind != "alert.cancelled" and payload.get("guidance"):
        text += "\n" + words.t(GUIDANCE, guidance=str(payload["guidance"])[:MESSAGE_MAX])
    return text


def staff_values(kind: str, payload: Mapping[str, Any], words: Words) -> dict[str, Any]:
    """Extra placeholders of the staff headline (``{title}``) for alert kinds."""
    return {"title": title(payload, words)} if kind.startswith("alert.") else {}


def rows(kind: str, payload: Mapping[str, Any], words: Words) -> list[tuple[str, str]]:
    """Label/value rows under a staff headline: the card's body, the mail's table."""
    out: list[tuple[str, str]] = []
    if kind.startswith("alert."):
        for name in ("message", "guidance", "instructions"):
            if payload.get(name):
                out.append((words.t(LABELS[name]), str(payload[name])[:MESSAGE_MAX]))
        if payload.get("grid"):
            out.append((words.t(LABELS["grid"]), str(payload["grid"])))
        if payload.get("residents") is not None:
            out.append((words.t(LABELS["told"]), str(payload["residents"])))
        if payload.get("expires"):
            out.append((words.t(LABELS["expires"]), str(payload["expires"])))
        if isinstance(cells := payload.get("silent_cells"), list) and cells:
            out.append((words.t(LABELS["cells"]), ", ".join(str(c) for c in cells[:20])))
    elif kind.startswith("survey.") and payload.get("comment"):
        out.append((words.t(LABELS["comment"]), str(payload["comment"])[:MESSAGE_MAX]))
    return out


def ask(kind: str, payload: Mapping[str, Any], words: Words, base_url: str) -> list[str]:
    """A group card's request to answer, with a link to the worker's alerts page (``/worker/alerts``)."""
    if kind not in ("alert.card", "alert.card.updated") or payload.get("alert_id") is None:
        return []
    hint = payload.get("ack")
    done, help_ = (str(hint[0]), str(hint[1])) if isinstance(hint, list) and len(hint) == 2 else DEFAULT_ASK
    # The worker's alerts page (signed in as on any worker page), the card's cell marked: a tap answers.
    link = f"{base_url.rstrip('/')}/worker/alerts?alert={quote(str(payload['alert_id']))}"
    grid = quote(str(payload.get("grid") or ""))
    return [words.t(ASK, done=done, help=help_), f"[{words.t(LABELS['ack'])}]({link}&grid={grid})"]
