"""The upstream Open311 client and channel against a fake GeoReport v2 platform: answers, refusals, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from notify.channels.open311 import Open311Channel
from notify.http import Http, TransportError
from notify.open311 import Created, Open311Client, Open311Error
from notify.types import Envelope, Outcome
from tests.fakes.open311_upstream import FakeUpstream, error

BODY = {"service_code": "pothole", "description": "路面坑洼，车辆通行困难", "lat": 22.54, "long": 114.05,
        "address_string": "深南大道 1001 号"}


@dataclass
class Platform:
    fake: FakeUpstream
    base: str
    http: Http
    created: list[tuple[str, Created]]

    def client(self, key: str | None = None) -> Open311Client:
        return Open311Client(self.http, self.base, key or self.fake.api_key, self.fake.jurisdiction)

    def channel(self, key: str | None = None) -> Open311Channel:
        async def record(envelope: Envelope, created: Created) -> None:
            self.created.append((envelope.key, created))

        return Open311Channel(self.client(key), record)


@pytest.fixture
async def platform() -> AsyncIterator[Platform]:
    fake = FakeUpstream(jurisdiction="shenzhen.gov.cn")
    server = TestServer(fake.app())
    await server.start_server()
    http = Http(timeout_s=2.0)
    yield Platform(fake, str(server.make_url("")).rstrip("/") + "/", http, [])
    await http.close()
    await server.close()


def env(body: dict[str, Any] | None = None) -> Envelope:
    return Envelope(id="1", channel="upstream_open311", address="platform", kind="upstream.request", body=body or BODY,
                    key="upstream:GL-1")


async def test_a_case_becomes_a_service_request_and_its_id_is_recorded(platform: Platform) -> None:
    attempt = await platform.channel().send(env())
    assert attempt.outcome is Outcome.DELIVERED and attempt.detail.startswith("service_request_id=638344")
    [posted] = platform.fake.posts
    assert posted["api_key"] == platform.fake.api_key and posted["jurisdiction_id"] == "shenzhen.gov.cn"
    assert (posted["service_code"], posted["lat"], posted["long"]) == ("pothole", "22.54", "114.05")
    assert platform.created == [("upstream:GL-1", Created("638344", None, "受理，3个工作日内处理"))]


async def test_statuses_are_read_back_and_tokens_resolved(platform: Platform) -> None:
    platform.fake.by_token = True
    created = await platform.client().create({"service_code": "streetlight", "address_string": "A", "description": "x"})
    assert created.service_request_id is None and created.token
    assert await platform.client().resolve(created.token) is None  # not created upstream yet
    sid = platform.fake.publish(created.token)
    assert await platform.client().resolve(created.token) == sid
    platform.fake.close(sid, "已修复")
    [status] = await platform.client().statuses([sid, "no-such"])
    assert (status.service_request_id, status.status, status.status_notes, status.agency) == \
        (sid, "closed", "已修复", "区城管局")


@pytest.mark.parametrize(("key", "body", "code"), [
    ("wrong-key", BODY, 403),  # [{"code":403,"description":"Invalid api_key"}]
    (None, {**BODY, "service_code": "graffiti"}, 400),  # a service the platform does not offer
])
async def test_refusals_are_dead_letters_with_the_platforms_code(platform: Platform, key: str | None,
                                                                 body: dict[str, Any], code: int) -> None:
    attempt = await platform.channel(key).send(env(body))
    assert (attempt.outcome, attempt.code) == (Outcome.DEAD, code)
    assert not platform.created and not platform.fake.posts


async def test_the_error_list_is_read_as_the_spec_writes_it(platform: Platform) -> None:
    with pytest.raises(Open311Error) as refused:
        await platform.client("wrong-key").create({"service_code": "pothole", "description": "x",
                                                   "address_string": "A"})
    assert (refused.value.status, refused.value.code, refused.value.description) == (403, 403, "Invalid api_key")


@pytest.mark.parametrize("answer", [
    error(503, "maintenance"),
    web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html"),
    error(429, "Too Many Requests"),
    web.Response(status=200, text="<html>login</html>", content_type="text/html"),  # a portal page, not the API
    web.json_response([{"service_notice": "neither id nor token"}]),
    web.Response(status=201, body=b"[" + b" " * (2 << 20) + b"]", content_type="application/json"),  # too long
])
async def test_transient_failures_retry_and_the_next_try_goes_through(platform: Platform,
                                                                      answer: web.Response) -> None:
    platform.fake.fail.append(answer)
    first = await platform.channel().send(env())
    assert first.outcome is Outcome.RETRY and not platform.created
    second = await platform.channel().send(env())
    assert second.outcome is Outcome.DELIVERED and len(platform.created) == 1


async def test_an_unreachable_platform_retries_and_the_key_is_not_in_the_error(platform: Platform) -> None:
    channel = Open311Channel(Open311Client(platform.http, "http://127.0.0.1:9/", "s3cret-key"), _ignore)
    attempt = await channel.send(env())
    assert attempt.outcome is Outcome.RETRY and "s3cret-key" not in attempt.detail


@pytest.mark.parametrize("body", [
    {"description": "no service"},
    {"service_code": "pothole", "lat": 1, "long": 2},  # no description
    {"service_code": "pothole", "description": "x", "lat": 22.5},  # half a position, no address
])
async def test_unsendable_bodies_are_dead_without_a_call(platform: Platform, body: dict[str, Any]) -> None:
    attempt = await platform.channel().send(env(body))
    assert attempt.outcome is Outcome.DEAD and attempt.detail.startswith("bad body")
    assert not platform.fake.posts


async def test_a_recording_failure_never_posts_twice(platform: Platform) -> None:
    async def broken(envelope: Envelope, created: Created) -> None:
        raise RuntimeError("database down")

    attempt = await Open311Channel(platform.client(), broken).send(env())
    assert attempt.outcome is Outcome.DELIVERED and "638344" in attempt.detail  # on record in the attempt


async def test_a_status_read_of_a_broken_platform_raises_transport_error(platform: Platform) -> None:
    platform.fake.fail.append(web.Response(status=200, text='{"oops": ', content_type="application/json"))
    with pytest.raises(TransportError):
        await platform.client().statuses(["1"])


async def _ignore(envelope: Envelope, created: Created) -> None:
    return None
