"""SMS providers: Tencent Cloud SMS (``SendSms`` 2021-01-11, TC3-HMAC-SHA256) and Aliyun Dysmsapi (``SendSms``,
RPC signature HMAC-SHA1), both through the one HTTP seam.

A message is a template id and its parameters (providers send only approved templates under an approved
signature); each client answers an :class:`SmsReply` with the provider's own code, which
:mod:`notify.channels.sms` maps to an outcome. The signing functions are shared with the fake server in
the test tree, so a mistake in either shows up as ``AuthFailure.SignatureFailure`` / ``SignatureDoesNotMatch``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

from notify.http import Http

Provider = Literal["tencent", "aliyun"]
TENCENT_VERSION = "2021-01-11"
ALIYUN_VERSION = "2017-05-25"
BASES: dict[str, str] = {"tencent": "https://sms.tencentcloudapi.com", "aliyun": "https://dysmsapi.aliyuncs.com"}


@dataclass(frozen=True)
class SmsAccount:
    """``secret_key`` is the plain secret: only a client holds it, and ``repr`` leaves it out."""

    provider: Provider
    secret_id: str  # Tencent SecretId / Aliyun AccessKeyId
    secret_key: str = field(repr=False)
    sign_name: str
    app_id: str = ""  # Tencent SmsSdkAppId (Aliyun has none)
    region: str = "ap-guangzhou"
    api_base: str = ""

    @property
    def base(self) -> str:
        return (self.api_base or BASES[self.provider]).rstrip("/") + "/"


@dataclass(frozen=True, slots=True)
class SmsReply:
    code: str  # "Ok" / "OK" when sent, else the provider's code (``LimitExceeded.PhoneNumberDailyLimit`` …)
    message: str = ""
    status: int = 200
    serial: str = ""  # the provider's id of the sent message

    @property
    def ok(self) -> bool:
        return self.code in ("Ok", "OK")


class SmsClient(Protocol):
    async def send(self, phone: str, template: str, params: Sequence[str]) -> SmsReply: ...


def tc3_signature(secret_key: str, *, host: str, path: str, payload: bytes, timestamp: int, service: str = "sms",
                  content_type: str = "application/json; charset=utf-8") -> tuple[str, str]:
    """``(credential scope, signature)`` of a TC3-HMAC-SHA256 POST signing ``content-type`` and ``host``."""
    canonical = "\n".join(["POST", path, "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host",
                           hashlib.sha256(payload).hexdigest()])
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{day}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac256(f"TC3{secret_key}".encode(), day)
    key = _hmac256(_hmac256(key, service), "tc3_request")
    return scope, hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def rpc_encode(value: str) -> str:
    """Aliyun's percent-encoding (RFC 3986: only ``A-Za-z0-9-_.~`` stay as they are)."""
    return quote(value, safe="-_.~")


def rpc_signature(secret_key: str, method: str, params: Mapping[str, str]) -> str:
    """The RPC signature: HMAC-SHA1 with ``secret&`` over ``METHOD&%2F&encode(sorted query)``, base64."""
    query = "&".join(f"{rpc_encode(k)}={rpc_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{rpc_encode('/')}&{rpc_encode(query)}"
    return base64.b64encode(hmac.new(f"{secret_key}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class TencentSms:
    def __init__(self, http: Http, account: SmsAccount) -> None:
        self._http, self._account = http, account

    async def send(self, phone: str, template: str, params: Sequence[str]) -> SmsReply:
        acc = self._account
        body = json.dumps({"PhoneNumberSet": [phone], "SmsSdkAppId": acc.app_id, "SignName": acc.sign_name,
                           "TemplateId": template, "TemplateParamSet": list(params)},
                          ensure_ascii=False, separators=(",", ":")).encode()
        url = urlsplit(acc.base)
        now = int(datetime.now(UTC).timestamp())
        scope, signature = tc3_signature(acc.secret_key, host=url.netloc, path=url.path or "/", payload=body,
                                         timestamp=now)
        headers = {"Content-Type": "application/json; charset=utf-8", "X-TC-Action": "SendSms",
                   "X-TC-Version": TENCENT_VERSION, "X-TC-Timestamp": str(now), "X-TC-Region": acc.region,
                   "Authorization": f"TC3-HMAC-SHA256 Credential={acc.secret_id}/{scope}, "
                                    f"SignedHeaders=content-type;host, Signature={signature}"}
        reply = await self._http.call("POST", acc.base, data=body, headers=headers)
        answer = reply.data.get("Response")
        answer = answer if isinstance(answer, dict) else {}
        if isinstance(error := answer.get("Error"), dict):  # the whole request failed
            return SmsReply(str(error.get("Code", "")), str(error.get("Message", "")), reply.status)
        sent = answer.get("SendStatusSet")
        first = sent[0] if isinstance(sent, list) and sent and isinstance(sent[0], dict) else {}
        return SmsReply(str(first.get("Code", "InternalError.NoStatus")), str(first.get("Message", "")),
                        reply.status, str(first.get("SerialNo", "")))


class AliyunSms:
    def __init__(self, http: Http, account: SmsAccount) -> None:
        self._http, self._account = http, account

    async def send(self, phone: str, template: str, params: Sequence[str]) -> SmsReply:
        acc = self._account
        # Aliyun's templates name their variables; ours are positional: ${p1}, ${p2} …
        named = {f"p{i}": value for i, value in enumerate(params, 1)}
        query = {"Action": "SendSms", "Version": ALIYUN_VERSION, "Format": "JSON", "AccessKeyId": acc.secret_id,
                 "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": secrets.token_hex(16),
                 "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "RegionId": "cn-hangzhou",
                 "PhoneNumbers": phone.removeprefix("+86"), "SignName": acc.sign_name, "TemplateCode": template,
                 "TemplateParam": json.dumps(named, ensure_ascii=False, separators=(",", ":"))}
        query["Signature"] = rpc_signature(acc.secret_key, "POST", query)
        form = "&".join(f"{rpc_encode(k)}={rpc_encode(v)}" for k, v in query.items()).encode()
        reply = await self._http.call("POST", acc.base, data=form,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        data = reply.data
        return SmsReply(str(data.get("Code", "")), str(data.get("Message", "")), reply.status,
                        str(data.get("BizId", "")))


def client_for(http: Http, account: SmsAccount) -> SmsClient:
    return TencentSms(http, account) if account.provider == "tencent" else AliyunSms(http, account)
