"""What bench/callback.py sends: signed 明文模式 text callbacks, and how it knows an answer is right."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

from bench.texts import COMPLAINTS, TAILS
from tests.bot.wechat import signing  # bench/callback.py puts the checkout first on the path

TOKEN, APPID = "gridlinebench0token0000000000001", "wxbench000000000001"
ACCOUNT = "gh_gridline0001"
FIXED_REPLY = "收到，我们会尽快处理。"
# COMPLAINTS name no place: a place the gazetteer knows would skip "where is it?" and go straight to the
# summary; the reply check below catches it if one slips in.
ASKS_WHERE = ("问题在哪里".encode(), b"Where is it?")  # zh_CN (a new resident's default) or en


@dataclass(frozen=True)
class Keys:
    """What tests/bot/wechat/signing.py signs with (its ``Keys`` protocol)."""

    token: str
    appid: str | None
    aes_key: str | None = None



class Workload:
    """Signed 明文模式 text callbacks, each with its own MsgId, nonce and sender."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys = Keys(TOKEN, APPID)
        # Distinct across runs too (a kept database, a redelivery window): start from the clock.
        base = time.time_ns() // 1000
        self.msg_ids = itertools.count(base)
        self.nonces = itertools.count(base % 10**9)
        self.senders = itertools.count(1)
        self.run_tag = f"{base % 36**4:04x}"

    def build(self, count: int, port: int) -> list[bytes]:
        """Serialised HTTP requests, signed now: WeChat's clock window is ±300 s, the phases much shorter."""
        now = int(time.time())
        out = []
        for _ in range(count):
            openid = f"oBench{self.run_tag}{next(self.senders):018d}"  # 28 characters, like an OpenID
            nonce, msg_id = str(next(self.nonces)), next(self.msg_ids)
            text = self.rng.choice(COMPLAINTS) + self.rng.choice(TAILS)
            # As WeChat writes it: strings in CDATA, CreateTime and MsgId bare.
            xml = signing.message_xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": now,
                                       "MsgType": "text", "Content": text, "MsgId": msg_id})
            req = signing.plain_request(self.keys, xml, timestamp=now, nonce=nonce, openid=openid)
            query = "&".join(f"{k}={v}" for k, v in req.query.items())  # hex, digits, letters: nothing to escape
            head = (f"POST /wechat?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Content-Type: text/xml\r\nContent-Length: {len(req.body)}\r\n\r\n")
            out.append(head.encode("ascii") + req.body)
        return out


def check_gridline(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:120]!r}"
    if body == b"success":  # correct behaviour, but not a passive reply: the answer would follow as 客服消息
        return "answered 'success': the 4 s reply budget ran out before the dialogue did"
    if not body.startswith(b"<xml>") or not any(ask in body for ask in ASKS_WHERE):
        return f"not the 'where is it?' reply: {body[:160].decode('utf-8', 'replace')}"
    return None


def check_fixed(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:120]!r}"
    if FIXED_REPLY.encode() not in body:
        return f"not the fixed reply: {body[:160].decode('utf-8', 'replace')}"
    return None
