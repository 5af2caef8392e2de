"""The recording notifier behind /sandbox: deduplicated by key, bounded in items and in keys."""

from __future__ import annotations

from notify.recording import RecordingNotifier
from notify.types import Notification, Recipient

WHO = Recipient("resident", "o1", "wechat")


def note(key: str, group: str | None = None) -> Notification:
    return Notification("case.open", WHO, key, group=group)


async def test_a_key_is_recorded_once() -> None:
    rec = RecordingNotifier()
    await rec.publish([note("a"), note("a"), note("b")])
    assert [n.key for n in rec.sent] == ["a", "b"]


async def test_memory_stays_bounded_and_an_evicted_key_may_come_back() -> None:
    rec = RecordingNotifier(maxlen=3)
    await rec.publish([note(str(i)) for i in range(1000)])
    assert [n.key for n in rec.sent] == ["997", "998", "999"]
    assert len(rec._keys) == 3
    await rec.publish([note("0"), note("999")])
    assert [n.key for n in rec.sent] == ["998", "999", "0"]


async def test_withdraw_counts_recorded_messages_as_reached() -> None:
    rec = RecordingNotifier()
    await rec.publish([note("a", "alert:1"), note("b", "alert:2")])
    done = await rec.withdraw("alert:1")
    assert (done.stopped, done.reached) == ((), (WHO,))
