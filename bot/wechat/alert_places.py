"""``ALERTS`` / ``预警`` in the 公众号: where the resident gets alerts for, and the warnings in force there.

The places are the home grid (a grid poster's QR code or a shared location) and the mini-program's
alert places filed under the same openid. Warnings in force are active, unexpired alerts whose cells
hold one of those places: one query, newest first, a few lines at most.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q, Subquery

from bot.wechat.router import Turn
from intake.i18n import gettext_for
from intake.store.models import AlertPlace
from intake.store.models_alerts import Alert, AlertCell

SHOWN = 5  # a chat reply stays short; the rest is in the pushed messages
LINE_MAX = 60


class AlertTexts:
    def __init__(self, lang: str) -> None:
        self._ = gettext_for(lang).gettext

    def none_yet(self) -> str:
        return self._("You have no place for weather and typhoon alerts yet. "
                      "Send your home location and we will tell you when a warning covers it.")

    def places(self, lines: list[str]) -> str:
        return self._("You receive alerts for:") + "\n" + "\n".join(f"· {line}" for line in lines)

    def home(self, name: str) -> str:
        return self._("Home: {name}").format(name=name)

    def place(self, label: str, name: str) -> str:
        return self._("{label}: {name}").format(label=label, name=name)

    def quiet(self) -> str:
        return self._("No warning is in force for these places now.")

    def active(self, lines: list[str]) -> str:
        return self._("Warnings in force:") + "\n" + "\n".join(f"⚠ {line}" for line in lines)

    def change(self) -> str:
        return self._("To change your home place, tap 服务 → 预警订阅 in the menu and send a location.")


async def reply(turn: Turn) -> str:
    t = AlertTexts(turn.t.lang)
    places = await _places(turn, t)
    if not places:
        turn.draft.state = "awaiting_home"  # the next location they send becomes their home place
        return t.none_yet()
    found = await active_for([code for code, _ in places], turn.now)
    shown = [f"{a.headline}（{a.message[:LINE_MAX]}）" if a.message and a.message != a.headline else a.headline
             for a in found]
    warnings = t.active(shown) if shown else t.quiet()
    return "\n\n".join((t.places([line for _, line in places]), warnings, t.change()))


async def _places(turn: Turn, t: AlertTexts) -> list[tuple[str, str]]:
    """(cell code, line) for the home grid, then each alert place with a cell."""
    index, out = turn.ctx.grid.index, []
    if turn.resident.home_grid and (cell := index.find(turn.resident.home_grid)) is not None:
        out.append((cell.code, t.home(cell.name)))
    for p in await AlertPlace.filter(openid=turn.resident.external_id, grid_code__isnull=False).order_by("kind"):
        if p.grid_code and (cell := index.find(p.grid_code)) is not None:
            out.append((cell.code, t.place(p.label or p.kind, cell.name)))
    return out


async def active_for(cells: list[str], now: datetime, limit: int = SHOWN) -> list[Alert]:
    """Active, unexpired alerts over any of ``cells``, newest first."""
    covering = AlertCell.filter(grid_code__in=cells).values("alert_id")
    return await Alert.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), status="active",
                              id__in=Subquery(covering)).order_by("-sent_at", "-id").limit(limit)
