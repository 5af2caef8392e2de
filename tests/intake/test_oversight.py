"""Supervisors' tools without a database: what is counted and how the assignee's message reads."""

from __future__ import annotations

from intake.cases.oversight import counts
from intake.store.models import CaseEvent
from outbox.texts import Words


def test_counts_are_people_s_steps_only() -> None:
    events = [CaseEvent(action=a, role=r) for a, r in (
        ("open", "resident"), ("supervise", "system"), ("supervise", "supervisor"), ("urge", "dispatcher"),
        ("urge", "admin"), ("instruct", "supervisor"), ("recall", "dispatcher"), ("comment", "worker"))]
    assert counts(events) == {"supervise": 1, "urge": 2, "instruct": 1, "recall": 1}
    assert counts([]) == {"supervise": 0, "urge": 0, "instruct": 0, "recall": 0}


def test_the_assignee_reads_who_and_why() -> None:
    values = {"case_no": "GL1", "by": "督查员", "note": "今日办结", "to": "registered"}
    assert Words("zh_CN").staff("case.supervise", values) == "诉求 GL1 已被 督查员 督办：今日办结"
    assert Words("zh_CN").staff("case.urge", values) == "诉求 GL1：督查员 催办，请尽快处理：今日办结"
    assert Words("zh_HK").staff("case.instruct", values) == "訴求 GL1：督查员 批示：今日办结"
    assert Words("en").staff("case.recall", values) == "Case GL1 was recalled by 督查员 (registered): 今日办结"
