"""The reach router against the database: the 48-hour window, subscribe credits, holding, groups, mail."""

from __future__ import annotations

from datetime import timedelta

from intake.cases.context import CaseContext
from intake.store.models import Department, Region, Resident, SubscriptionCredit
from intake.store.models_outbox import GridGroup
from notify.store import State
from notify.types import Attempt, Notification, Outcome, Recipient
from outbox.store import DbOutboxStore, release_credited, release_held
from tests.conftest import Services
from tests.outbox.conftest import decisions, row


async def resident(svc: Services, openid: str, seen_hours_ago: float | None, lang: str = "zh_CN",
                   subscribed: bool = True) -> None:
    seen = svc.clock.now - timedelta(hours=seen_hours_ago) if seen_hours_ago is not None else None
    await Resident.create(channel="wechat", external_id=openid, lang=lang, last_seen_at=seen, subscribed=subscribed)


async def publish_and_route(octx: CaseContext, store: DbOutboxStore, svc: Services, key: str,
                            recipient: Recipient, kind: str = "case.register", **payload: object) -> None:
    await octx.notifier.publish([Notification(kind, recipient, key, payload=payload)])
    await store.route_pending(svc.clock.now, only=[(await row(key)).id])


async def test_inside_the_window_a_customer_service_message_in_the_residents_language(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    await resident(svc, f"cs{uid}", seen_hours_ago=3, lang="en")
    await publish_and_route(octx, store, svc, f"cs{uid}", Recipient("resident", f"cs{uid}", "wechat"))
    msg = await row(f"cs{uid}")
    assert (msg.status, msg.channel, msg.address) == ("pending", "wechat_cs", f"cs{uid}")
    assert msg.body is not None and msg.body["msgtype"] == "text"
    assert "registered as a case" in msg.body["text"]["content"]
    assert await decisions(f"cs{uid}") == [("route", "wechat_cs", "cs")]


async def test_outside_the_window_a_credit_is_spent_then_messages_are_held_until_the_resident_writes(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    openid = f"sub{uid}"
    await resident(svc, openid, seen_hours_ago=49)
    await SubscriptionCredit.create(openid=openid, template_id="tmplA", credits=1, last_answer="accept",
                                    updated_at=svc.clock.now)
    to = Recipient("resident", openid, "wechat")
    await publish_and_route(octx, store, svc, f"s1{uid}", to)
    first = await row(f"s1{uid}")
    assert (first.status, first.channel) == ("pending", "wechat_subscribe")
    assert first.body is not None and first.body["template_id"] == "tmplA"
    assert first.body["data"]["thing2"]["value"].startswith("您反映的问题")
    assert (await SubscriptionCredit.get(openid=openid)).credits == 0
    await publish_and_route(octx, store, svc, f"s2{uid}", to)
    second = await row(f"s2{uid}")
    assert (second.status, second.channel) == ("held", "")
    assert await decisions(f"s2{uid}") == [("route", "", "hold")]
    # The resident writes: the message is released and goes out as a customer-service message.
    await Resident.filter(external_id=openid).update(last_seen_at=svc.clock.now)
    assert await release_held("wechat", openid, svc.clock.now) == 1
    await store.route_pending(svc.clock.now, only=[second.id])
    assert ((await row(f"s2{uid}")).status, (await row(f"s2{uid}")).channel) == ("pending", "wechat_cs")
    assert [d[2] for d in await decisions(f"s2{uid}")] == ["hold", "release", "cs"]


async def test_a_window_refusal_from_the_api_routes_the_message_again(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    openid = f"fb{uid}"
    await resident(svc, openid, seen_hours_ago=1)
    await publish_and_route(octx, store, svc, f"fb{uid}", Recipient("resident", openid, "wechat"))
    msg = await row(f"fb{uid}")
    assert await store.claim(str(msg.id), svc.clock.now, 60) is not None
    await store.record(str(msg.id), Attempt(Outcome.FALLBACK, 45015, "response out of time limit"),
                       State.FALLBACK, None, svc.clock.now)
    await store.route_pending(svc.clock.now, only=[msg.id])
    again = await row(f"fb{uid}")
    assert (again.status, again.attempts, again.last_code) == ("held", 1, 45015)  # no credit: held, not cs again
    assert [d[1:] for d in await decisions(f"fb{uid}")] == [
        ("wechat_cs", "cs"), ("wechat_cs", "fallback"), ("", "hold")]


async def test_unsubscribed_and_unreachable_residents_are_stopped(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    await resident(svc, f"un{uid}", seen_hours_ago=1, subscribed=False)
    await publish_and_route(octx, store, svc, f"un{uid}", Recipient("resident", f"un{uid}", "wechat"))
    await publish_and_route(octx, store, svc, f"o311{uid}", Recipient("resident", f"x{uid}", "open311-city"))
    assert ((await row(f"un{uid}")).status, (await row(f"o311{uid}")).status) == ("stopped", "stopped")


async def test_a_grid_uses_its_own_group_or_the_nearest_region_above(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    leaf = svc.ctx.grid.index.leaves[-1].code
    parents = [c.code for c in svc.ctx.grid.index.chain(leaf)]
    street = parents[1]
    assert await Region.exists(code=street)
    await GridGroup.filter(grid_code__in=[leaf, street]).delete()
    await GridGroup.create(grid_code=street, webhook_key=f"street-{uid}", updated_at=svc.clock.now, updated_by="t")
    payload = {"photos": 2}
    await publish_and_route(octx, store, svc, f"g1{uid}", Recipient("grid_group", leaf), "case.task", **payload)
    msg = await row(f"g1{uid}")
    assert (msg.status, msg.channel, msg.address) == ("pending", "wecom_robot", f"street-{uid}")
    assert msg.body is not None and msg.body["msgtype"] == "markdown"
    await GridGroup.create(grid_code=leaf, webhook_key=f"leaf-{uid}", updated_at=svc.clock.now, updated_by="t")
    await publish_and_route(octx, store, svc, f"g2{uid}", Recipient("grid_group", leaf), "case.task")
    assert (await row(f"g2{uid}")).address == f"leaf-{uid}"
    await GridGroup.filter(grid_code__in=[leaf, street]).delete()
    await publish_and_route(octx, store, svc, f"g3{uid}", Recipient("grid_group", leaf), "case.task")
    assert (await row(f"g3{uid}")).status == "stopped"


async def test_departments_get_mail_and_supervisors_their_region_or_its_mail(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    region = svc.ctx.grid.index.leaves[0].code
    street = [c.code for c in svc.ctx.grid.index.chain(region)][1]
    await Department.create(code=f"d{uid}", line="城管", name="测试科", region_code=street, email=f"d{uid}@example.org")
    await Department.create(code=f"n{uid}", line="城管", name="无邮箱科", region_code=street)
    await publish_and_route(octx, store, svc, f"d{uid}", Recipient("department", f"d{uid}"), "case.escalated",
                            level=2)
    mail = await row(f"d{uid}")
    assert (mail.channel, mail.address) == ("email", f"d{uid}@example.org")
    assert mail.body is not None and {"subject", "text", "html"} <= set(mail.body)
    await publish_and_route(octx, store, svc, f"n{uid}", Recipient("department", f"n{uid}"), "case.escalated")
    assert (await row(f"n{uid}")).status == "stopped"
    await GridGroup.filter(grid_code__in=[c.code for c in svc.ctx.grid.index.chain(region)]).delete()
    await publish_and_route(octx, store, svc, f"sv{uid}", Recipient("supervisor", region), "case.overdue", level=1)
    sup = await row(f"sv{uid}")
    assert sup.channel == "email" and sup.address is not None and sup.address.endswith("example.org")
    await Department.filter(code__in=[f"d{uid}", f"n{uid}"]).delete()


async def test_a_new_subscribe_credit_releases_held_messages(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str) -> None:
    openid = f"mp{uid}"
    await publish_and_route(octx, store, svc, f"mp{uid}", Recipient("resident", openid, "mp"))
    assert (await row(f"mp{uid}")).status == "held"
    await release_credited(svc.clock.now)
    assert (await row(f"mp{uid}")).status == "held"  # no credit yet: stays held
    await SubscriptionCredit.create(openid=openid, template_id="tmplB", credits=2, last_answer="accept",
                                    updated_at=svc.clock.now)
    assert await release_credited(svc.clock.now) >= 1
    await store.route_pending(svc.clock.now, only=[(await row(f"mp{uid}")).id])
    msg = await row(f"mp{uid}")
    assert (msg.status, msg.channel, msg.address) == ("pending", "mp_subscribe", openid)
    assert (await SubscriptionCredit.get(openid=openid)).credits == 1
