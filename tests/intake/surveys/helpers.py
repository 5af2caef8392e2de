"""Walking a case to 结案 on a context of its own (its own recorder, the survey texts), shared clock."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.surveys import render
from intake import residents
from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.store.models import Case
from intake.surveys.policy import SurveyPolicy
from notify.recording import RecordingNotifier
from notify.types import Withdrawn
from tests.conftest import Services
from tests.intake.test_cases_lifecycle import worker_actor

DESK = Actor("user:desk", "desk", Role.DISPATCHER)
TO_CLOSED = ("verify", "register", "dispatch", "accept", "handle", "check", "close")
AFTER_REOPEN = ("dispatch", "accept", "handle", "check", "close")


class Recorder(RecordingNotifier):
    """Records what was withdrawn too."""

    def __init__(self) -> None:
        super().__init__()
        self.withdrawn: list[str] = []

    async def withdraw(self, group: str) -> Withdrawn:
        self.withdrawn.append(group)
        return await super().withdraw(group)


@dataclass
class World:
    svc: Services
    ctx: CaseContext
    sent: Recorder

    async def resident(self, ref: str, lang: str = "zh_CN", subscribed: bool = True) -> None:
        who = await residents.get("wechat", ref, self.svc.clock.now)
        await residents.set_lang(who, lang)
        await residents.set_subscribed(who, subscribed)

    async def report(self, ref: str, leaf: int = 40, **extra: object) -> str:
        index = self.ctx.grid.index
        lng, lat = index.centroid(index.leaves[leaf].code)
        opened = await open_case(self.ctx, NewReport("wechat", ref, "小区门口路灯不亮了，晚上很黑", lng, lat,
                                                     category="01037", **extra))  # type: ignore[arg-type]
        return opened.case.case_no

    async def step(self, case_no: str, *actions: str) -> Case:
        case = await Case.get(case_no=case_no)
        worker = await worker_actor(case.grid_code or "")
        for action in actions:
            self.svc.clock.advance(minutes=5)
            who = worker if action in ("accept", "handle") else DESK
            params = {"user_id": worker.user_id} if action == "dispatch" else {}
            note = "已更换灯泡，恢复照明。" if action == "close" else f"{action}: 说明"
            case = await act(self.ctx, case_no, who, ActionRequest(action, note=note, params=params))
        return case

    def kinds(self, case_no: str) -> list[tuple[str, str]]:
        return [(n.kind, n.recipient.ref) for n in self.sent.for_case(case_no) if n.kind.startswith("survey.")]


def world(svc: Services, **policy: object) -> World:
    sent = Recorder()
    ctx = dataclasses.replace(svc.ctx, notifier=sent, surveys=SurveyPolicy(render=render, **policy))  # type: ignore[arg-type]
    return World(svc, ctx, sent)
