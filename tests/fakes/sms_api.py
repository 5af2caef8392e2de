"""A local fake of Tencent Cloud SMS (``POST /tencent/``) and Aliyun Dysmsapi (``POST /aliyun/``).

It checks each request's signature as the providers do (TC3-HMAC-SHA256 over the exact body; Aliyun's RPC
HMAC-SHA1 over the sorted form, nonces used once, timestamps within 15 minutes), and answers their real
JSON and codes: per-number daily limits, illegal numbers, unapproved signatures and templates, scripted
faults (``fail_next``). Every accepted message is in ``sent``.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from notify.sms import rpc_signature, tc3_signature

AUTH = re.compile(r"^TC3-HMAC-SHA256 Credential=([^/]+)/([^,]+), SignedHeaders=content-type;host, Signature=(\w+)$")
CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class Sent:
    provider: str
    phone: str
    template: str
    params: tuple[str, ...]


@dataclass
class FakeSms:
    secret_id: str = "AKIDfake0000000000000000000000000000"
    secret_key: str = "fake-sms-secret-key-0123456789abcd"
    app_id: str = "1400000001"
    signs: set[str] = field(default_factory=lambda: {"网格通"})
    templates: set[str] = field(default_factory=lambda: {"1001", "SMS_100001"})
    daily_limit: int = 10  # messages per number per day, as both providers' defaults
    fail_next: list[str] = field(default_factory=list)  # codes answered to the next requests, in order
    sent: list[Sent] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    nonces: set[str] = field(default_factory=set)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/tencent/", self._tencent)
        app.router.add_post("/aliyun/", self._aliyun)
        return app

    def _check(self, provider: str, phone: str, sign: str, template: str) -> str:
        """The message's code: ``OK`` when accepted (the caller spells it as its provider does)."""
        ali = provider == "aliyun"
        if self.fail_next:
            return self.fail_next.pop(0)
        if not CN_MOBILE.match(phone.removeprefix("+86") if not ali else phone):
            return "isv.MOBILE_NUMBER_ILLEGAL" if ali else "InvalidParameterValue.IncorrectPhoneNumber"
        if sign not in self.signs:
            return "isv.SMS_SIGNATURE_ILLEGAL" if ali else "FailedOperation.SignatureIncorrectOrUnapproved"
        if template not in self.templates:
            return "isv.SMS_TEMPLATE_ILLEGAL" if ali else "FailedOperation.TemplateIncorrectOrUnapproved"
        if self.counts[phone[-11:]] >= self.daily_limit:
            return "isv.BUSINESS_LIMIT_CONTROL" if ali else "LimitExceeded.PhoneNumberDailyLimit"
        self.counts[phone[-11:]] += 1
        return "OK"

    async def _tencent(self, request: web.Request) -> web.Response:
        body = await request.read()
        if (problem := self._tc3_problem(request, body)) is not None:
            return _tencent_error(problem, "signature check failed")
        data = json.loads(body)
        if data.get("SmsSdkAppId") != self.app_id:
            return _tencent_error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist")
        phone = data["PhoneNumberSet"][0]
        params = tuple(data.get("TemplateParamSet", []))
        code = self._check("tencent", phone, data.get("SignName", ""), data.get("TemplateId", ""))
        if code == "OK":
            code = "Ok"
            self.sent.append(Sent("tencent", phone, data["TemplateId"], params))
        status = {"SerialNo": f"2433:{len(self.sent)}", "PhoneNumber": phone, "Fee": 1, "SessionContext": "",
                  "Code": code, "Message": "send success" if code == "Ok" else code, "IsoCode": "CN"}
        return web.json_response({"Response": {"SendStatusSet": [status], "RequestId": _request_id()}})

    def _tc3_problem(self, request: web.Request, body: bytes) -> str | None:
        found = AUTH.match(request.headers.get("Authorization", ""))
        if found is None or request.headers.get("X-TC-Action") != "SendSms" \
                or request.headers.get("X-TC-Version") != "2021-01-11":
            return "AuthFailure.SignatureFailure"
        if found[1] != self.secret_id:
            return "AuthFailure.SecretIdNotFound"
        stamp = int(request.headers.get("X-TC-Timestamp", "0") or 0)
        if abs(time.time() - stamp) > 300:
            return "AuthFailure.SignatureExpire"
        scope, expected = tc3_signature(self.secret_key, host=request.headers.get("Host", ""), path=request.path,
                                        payload=body, timestamp=stamp,
                                        content_type=request.headers.get("Content-Type", ""))
        return None if scope == found[2] and hmac.compare_digest(expected, found[3]) else "AuthFailure.SignatureFailure"

    async def _aliyun(self, request: web.Request) -> web.Response:
        form = dict(parse_qsl((await request.read()).decode(), keep_blank_values=True))
        signature = form.pop("Signature", "")
        if form.get("AccessKeyId") != self.secret_id:
            return _aliyun_reply("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        if not hmac.compare_digest(rpc_signature(self.secret_key, request.method, form), signature):
            return _aliyun_reply("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.",
                                 400)
        stamp = datetime.strptime(form.get("Timestamp", "1970-01-01T00:00:00Z"), "%Y-%m-%dT%H:%M:%SZ")
        if abs(time.time() - stamp.replace(tzinfo=UTC).timestamp()) > 900:
            return _aliyun_reply("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400)
        if form.get("SignatureNonce", "") in self.nonces:
            return _aliyun_reply("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
        self.nonces.add(form.get("SignatureNonce", ""))
        phone, template = form.get("PhoneNumbers", ""), form.get("TemplateCode", "")
        params: dict[str, Any] = json.loads(form.get("TemplateParam") or "{}")
        code = self._check("aliyun", phone, form.get("SignName", ""), template)
        if code == "OK":
            self.sent.append(Sent("aliyun", phone, template, tuple(str(v) for v in params.values())))
            return web.json_response({"Code": "OK", "Message": "OK", "BizId": f"9006197^{len(self.sent)}",
                                      "RequestId": _request_id()})
        return _aliyun_reply(code, code)


def _request_id() -> str:
    return f"{time.time_ns():032x}"[-32:]


def _tencent_error(code: str, message: str) -> web.Response:
    return web.json_response({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": _request_id()}})


def _aliyun_reply(code: str, message: str, status: int = 200) -> web.Response:
    return web.json_response({"Code": code, "Message": message, "RequestId": _request_id()}, status=status)
