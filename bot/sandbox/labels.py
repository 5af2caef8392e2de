"""Names for every message kind and delivery state the simulator shows, through gettext.

The msgids are ``kind:<kind>`` and ``delivery:<state>`` (like ``metric:…``): short labels that must
not collide with the longer sentences of the same words elsewhere in the catalog.
"""

from __future__ import annotations

from typing import Any

from intake.i18n import DEFAULT, gettext_for
from intake.sla.calendar import to_shanghai
from outbox.deliveries import Delivery, Shown


def _(msgid: str) -> str:
    """Marks a msgid for extraction; translated when shown."""
    return msgid


KINDS: dict[str, str] = {
    "wechat.reply": _("kind:wechat.reply"), "case.open": _("kind:case.open"),
    "case.register": _("kind:case.register"), "case.reject": _("kind:case.reject"),
    "case.dispatch": _("kind:case.dispatch"), "case.accept": _("kind:case.accept"),
    "case.handle": _("kind:case.handle"), "case.close": _("kind:case.close"),
    "case.withdraw": _("kind:case.withdraw"), "case.reopen": _("kind:case.reopen"),
    "case.merge": _("kind:case.merge"), "case.return": _("kind:case.return"), "case.void": _("kind:case.void"),
    "case.task": _("kind:case.task"), "case.remind": _("kind:case.remind"), "case.overdue": _("kind:case.overdue"),
    "case.supervise": _("kind:case.supervise"), "case.urge": _("kind:case.urge"),
    "case.instruct": _("kind:case.instruct"), "case.recall": _("kind:case.recall"),
    "case.escalated": _("kind:case.escalated"), "survey.request": _("kind:survey.request"),
    "survey.reminder": _("kind:survey.reminder"), "survey.escalated": _("kind:survey.escalated"),
    "alert.issued": _("kind:alert.issued"), "alert.updated": _("kind:alert.updated"),
    "alert.cancelled": _("kind:alert.cancelled"), "alert.card": _("kind:alert.card"),
    "alert.card.updated": _("kind:alert.card.updated"), "alert.silent": _("kind:alert.silent"),
    "digest.grid": _("kind:digest.grid"), "digest.department": _("kind:digest.department"),
}
OTHER = _("kind:other")
SHOWN: dict[Shown, str] = {
    Shown.DELIVERED: _("delivery:delivered"), Shown.SCHEDULED: _("delivery:scheduled"),
    Shown.HELD: _("delivery:held"), Shown.QUEUED: _("delivery:queued"), Shown.STOPPED: _("delivery:stopped"),
    Shown.FAILED: _("delivery:failed"), Shown.WITHDRAWN: _("delivery:withdrawn"), Shown.UNKNOWN: _("delivery:unknown"),
}
UNTIL = _("until {time}")


def kind_label(kind: str, lang: str = DEFAULT) -> str:
    # case.void.duplicate, case.void.out_of_area …: one label for the family
    msgid = KINDS.get(kind) or KINDS.get(kind.rsplit(".", 1)[0]) or OTHER
    return gettext_for(lang).gettext(msgid)


def describe(d: Delivery | None, lang: str = DEFAULT) -> dict[str, Any]:
    """The state, its label and the reason as the page shows them (``unknown`` when not in the outbox)."""
    d = d or Delivery(Shown.UNKNOWN)
    _t = gettext_for(lang).gettext
    label = _t(SHOWN[d.shown])
    if d.until is not None:
        label += " " + _t(UNTIL).format(time=to_shanghai(d.until).strftime("%m-%d %H:%M"))
    return {"state": str(d.shown), "label": label, "reason": d.reason, "channel": d.channel,
            "at": d.at.isoformat() if d.at else None, "until": d.until.isoformat() if d.until else None,
            "text": d.text}
