"""Wiring the relay and the sender from an :class:`OutboxConfig`: used in-process by the app and by ``gridline sender``.

With a Redis URL the queue is a Redis Stream (consumer group shared by
every sender process), rate limits and access tokens live in Redis; without it
everything is in-process. The database outbox is the source of truth either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis

from intake.cases.context import Clock, utc_now
from notify.backoff import Backoff
from notify.channels.email import EmailChannel, EmailConfig
from notify.channels.local import BlackholeChannel, SandboxChannel
from notify.channels.open311 import Open311Channel
from notify.channels.sms import SmsChannel
from notify.channels.webhook import Subscriber, WebhookChannel
from notify.channels.wechat import WeChatCsChannel, WeChatSubscribeChannel, WeChatTemplateChannel
from notify.channels.wecom import WeComAppChannel, WeComRobotChannel
from notify.channels.witness import FileWitnessChannel
from notify.http import Http
from notify.open311 import Open311Client
from notify.queue import MemoryQueue, Queue
from notify.queue_redis import RedisStreamQueue
from notify.ratelimit import MemoryRateLimiter, Rate, RateLimiter, RedisRateLimiter
from notify.relay import Relay
from notify.sender import Sender, SenderConfig
from notify.sms import client_for
from notify.tokens import MemoryTokenStore, RedisTokenStore, TokenStore
from notify.types import SENT_CHANNELS, Channel, ChannelName
from notify.wechat import WeChatClient, WeComClient
from outbox import upstream
from outbox.config import OutboxConfig
from outbox.directory import Directory
from outbox.router import ReachRouter, RouteConfig
from outbox.store import DbOutboxStore

log = logging.getLogger("gridline.outbound")


@dataclass
class Outbound:
    store: DbOutboxStore
    queue: Queue
    sender: Sender
    relay: Relay
    channels: dict[str, Channel]
    http: Http | None = None
    redis: Redis | None = None
    wechat: WeChatClient | None = None  # the 公众号's API (live, configured): fetching residents' photos
    upstream: Open311Client | None = None  # the upstream platform (live, configured): polling statuses
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self, relay: bool = True) -> None:
        if relay:
            self.tasks.append(asyncio.create_task(self.relay.run(self.stop)))
        self.tasks.append(asyncio.create_task(self.sender.run(self.stop)))

    async def close(self, timeout_s: float = 10.0) -> None:
        """Finish the sends in hand, then let go of connections."""
        self.stop.set()
        if self.tasks:
            _, late = await asyncio.wait(self.tasks, timeout=timeout_s)
            for task in late:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.http is not None:
            await self.http.close()
        if self.redis is not None:
            await self.redis.aclose()


def build(config: OutboxConfig, clock: Clock = utc_now, consumer: str | None = None,
          category_name: Callable[[str], str | None] = lambda code: None,
          sandbox: SandboxChannel | None = None, lease_s: float | None = None) -> Outbound:
    """``lease_s``: how long a claimed message is a sender's alone (and how idle a queue entry must be
    before another sender reclaims it); short for tests that kill senders."""
    redis = Redis.from_url(config.redis_url) if config.redis_url else None
    queue: Queue = RedisStreamQueue(redis, stream=config.stream) if redis is not None else MemoryQueue()
    limiter: RateLimiter = RedisRateLimiter(redis) if redis is not None else MemoryRateLimiter()
    tokens: TokenStore = RedisTokenStore(redis) if redis is not None else MemoryTokenStore()
    sms = config.sms
    route = RouteConfig(config.public_url, config.subscribe_template_id, sms.template_id if sms else None,
                        sms.staff_template_id if sms else None, config.photo_link_key,
                        sms_survey_template=sms.survey_template_id if sms else None)
    router = ReachRouter(Directory(), route, category_name)
    store = DbOutboxStore(router)
    http = Http() if config.kind == "live" else None
    channels = live_channels(config, http, tokens, clock) if http is not None else \
        local_channels((sandbox or SandboxChannel()) if config.kind == "sandbox" else BlackholeChannel())
    rates = {name: Rate(per_s, max(1.0, per_s)) for name, per_s in config.rates.items()}
    sending = SenderConfig(consumer=consumer or f"{socket.gethostname()}-{os.getpid()}",
                           concurrency=config.concurrency, rates=rates,
                           backoff=Backoff(max_attempts=config.max_attempts))
    if lease_s:
        sending = dataclasses.replace(sending, lease_s=lease_s, reclaim_idle_ms=int(lease_s * 1000))
    sender = Sender(store, queue, channels, limiter, sending, clock)
    relay = Relay(store, queue, clock, interval_s=1.0)
    wx = config.wechat
    wechat = WeChatClient(http, wx.api_base, wx.appid, wx.secret.get_secret_value(), tokens) \
        if http is not None and wx is not None else None
    up = config.upstream
    client = Open311Client(http, up.base, up.api_key.get_secret_value(), up.jurisdiction_id) \
        if http is not None and up is not None else None
    return Outbound(store, queue, sender, relay, channels, http, redis, wechat, client)


def local_channels(channel: Channel) -> dict[str, Channel]:
    """Sandbox (recorded, shown on /sandbox) or blackhole (staging): every channel name ends there."""
    return dict.fromkeys(SENT_CHANNELS, channel)


def live_channels(config: OutboxConfig, http: Http, tokens: TokenStore, clock: Clock = utc_now) -> dict[str, Channel]:
    """The channels whose credentials are configured; a message for a missing one is dead-lettered by name."""
    out: dict[str, Channel] = {ChannelName.WECOM_ROBOT: WeComRobotChannel(http, config.wecom_api_base)}
    if (wx := config.wechat) is not None:
        account = WeChatClient(http, wx.api_base, wx.appid, wx.secret.get_secret_value(), tokens)
        out |= {ChannelName.WECHAT_CS: WeChatCsChannel(account),
                ChannelName.WECHAT_SUBSCRIBE: WeChatSubscribeChannel(account),
                ChannelName.WECHAT_TEMPLATE: WeChatTemplateChannel(account)}
    if (mp := config.mp) is not None:
        client = WeChatClient(http, mp.api_base, mp.appid, mp.secret.get_secret_value(), tokens)
        out[ChannelName.MP_SUBSCRIBE] = WeChatSubscribeChannel(client, name=ChannelName.MP_SUBSCRIBE, api="mp")
    if (corp := config.wecom) is not None and config.wecom_agent_id is not None:
        wecom = WeComClient(http, corp.api_base, corp.appid, corp.secret.get_secret_value(), tokens)
        out[ChannelName.WECOM_APP] = WeComAppChannel(wecom, config.wecom_agent_id)
    if config.smtp_url is not None:
        out[ChannelName.EMAIL] = EmailChannel(EmailConfig.from_url(config.smtp_url.get_secret_value()))
    if (up := config.upstream) is not None:
        platform = Open311Client(http, up.base, up.api_key.get_secret_value(), up.jurisdiction_id)
        out[ChannelName.UPSTREAM_OPEN311] = Open311Channel(platform, upstream.recorder(clock))
    if config.webhooks:
        subscribers = {name: Subscriber(hook.url, hook.secret.get_secret_value())
                       for name, hook in config.webhooks.items()}
        out[ChannelName.WEBHOOK] = WebhookChannel(http, subscribers)
    if config.witness_file is not None:
        out[ChannelName.WITNESS_FILE] = FileWitnessChannel(config.witness_file)
    if config.sms is not None:
        out[ChannelName.SMS] = SmsChannel(client_for(http, config.sms.account()))
    return out
