"""Alert and survey messages read properly on every channel: resident text, the WeCom group card, mail."""

from __future__ import annotations

from typing import Any

from bot.surveys import render as survey_text
from intake.alerts.notices import ACK_HINT
from outbox import render
from outbox.texts import Words

BASE = "https://grid.example.org"
GRID = "44030701100100101"


def alert(**kw: Any) -> dict[str, Any]:
    return {"alert_id": 42, "identifier": "x", "version": 1, "signal": "01", "signal_name": "台风",
            "colour": "yellow", "colour_zh": "黄色", "event": "台风", "headline": "台风黄色预警",
            "message": "台风将于今晚影响本区，请 13812345678 联系", "guidance": "关好门窗，远离海边",
            "sent": "2026-11-18T09:00:00+08:00", "expires": None, **kw}


def test_resident_alert_text_in_each_language() -> None:
    zh = render.resident_text("alert.issued", alert(), render.Facts(), Words("zh_CN"))
    assert zh.startswith("【台风黄色预警】台风将于今晚影响本区") and zh.endswith("防御指引：关好门窗，远离海边")
    en = render.resident_text("alert.updated", alert(colour="red"), render.Facts(), Words("en"))
    assert en.startswith("[Update: 台风 Red warning] 台风将于今晚") and "What to do: 关好门窗" in en
    hk = render.resident_text("alert.issued", alert(colour="orange"), render.Facts(), Words("zh_HK"))
    assert hk.startswith("【台风橙色預警】") and "防禦指引" in hk
    gone = render.resident_text("alert.cancelled", alert(), render.Facts(), Words("zh_CN"))
    assert gone == "【解除：台风黄色预警】该预警已解除。"
    assert "alert." not in zh + en + hk + gone


def test_resident_alert_without_signal_uses_the_headline_and_stays_short() -> None:
    text = render.resident_text("alert.issued", alert(signal_name=None, headline="深圳市气象台发布大风橙色预警",
                                                      message="风" * 2000, guidance=None),
                                render.Facts(), Words("zh_CN"))
    assert text.startswith("【深圳市气象台发布大风橙色预警】风") and len(text) <= render.TEXT_MAX


def test_group_card_for_an_alert() -> None:
    payload = {**alert(), "grid": GRID, "residents": 37, "ack": list(ACK_HINT)}
    body = render.group_markdown("alert.card", payload, render.Facts(), Words(), BASE)
    card = body["markdown"]["content"]
    assert body["msgtype"] == "markdown"
    lines = card.split("\n")
    assert lines[0] == f"**网格 {GRID} 气象预警：台风黄色预警**"
    assert "> 内容: 台风将于今晚影响本区，请 138****5678 联系" in lines  # masked in a group chat
    assert "> 防御指引: 关好门窗，远离海边" in lines and "> 已通知居民: 37" in lines
    assert "请网格员通知到户后在群内回复 `已通知到户 N 户`，需要支援请回复 `需要支援`。" in lines
    assert f"[回报]({BASE}/worker/alerts?alert=42&grid={GRID})" in lines
    updated = render.group_markdown("alert.card.updated", {**payload, "colour": "red"}, render.Facts(), Words(),
                                    BASE)["markdown"]["content"]
    assert updated.startswith(f"**网格 {GRID} 气象预警更新：台风红色预警**") and "已通知到户 N 户" in updated


def test_lifted_and_silent_for_staff() -> None:
    lifted = render.group_markdown("alert.cancelled", alert(), render.Facts(), Words(), BASE)["markdown"]["content"]
    assert lifted.startswith("**气象预警已解除：台风黄色预警**") and "回报" not in lifted
    silent = {"alert_id": 42, "headline": "台风黄色预警", "colour": "yellow", "street": "440307011",
              "silent_cells": [GRID, "44030701100100102"], "silent_count": 2}
    mail = render.email_body("alert.silent", silent, render.Facts(), Words(), BASE)
    assert mail["subject"] == "[gridline] 街道 440307011 有 2 个网格未回报预警 台风黄色预警"
    assert f"未回报网格: {GRID}, 44030701100100102" in mail["text"] and "<th>未回报网格</th>" in mail["html"]


def test_survey_request_reminder_and_escalation() -> None:
    asked = {"case_no": "SZ20261118000123", "round": 0, "lang": "zh_CN", "category": "01037",
             "category_name": "路灯异常", "result": "已更换灯泡。"}
    asked["text"] = survey_text("survey.request", "zh_CN", asked)
    text = render.resident_text("survey.request", asked, render.Facts(case_no="SZ20261118000123"), Words("zh_CN"))
    assert "SZ20261118000123" in text and "路灯异常" in text and "已更换灯泡" in text
    assert "1 满意" in text and "3 不满意" in text and "survey." not in text
    en = survey_text("survey.reminder", "en", {**asked, "lang": "en"})
    assert render.resident_text("survey.reminder", {**asked, "text": en}, render.Facts(), Words("en")).startswith(
        "Reminder: how was your report SZ20261118000123")
    up = {"case_no": "SZ20261118000123", "round": 1, "grid": GRID, "category": "01037",
          "comment": "还是不亮", "reopened_before": True}
    facts = render.Facts(case_no="SZ20261118000123", category="路灯异常", address="南澳大道 1 号")
    mail = render.email_body("survey.escalated", up, facts, Words(), BASE)
    assert mail["subject"] == "[gridline] SZ20261118000123 重办后群众仍不满意，请督办"
    assert "群众意见: 还是不亮" in mail["text"] and "类别: 路灯异常" in mail["text"]
    card = render.group_markdown("survey.escalated", up, facts, Words(), BASE)["markdown"]["content"]
    assert card.startswith("**SZ20261118000123 重办后群众仍不满意，请督办**") and "> 群众意见: 还是不亮" in card
