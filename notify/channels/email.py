"""Email to departments through aiosmtplib: escalations and daily digests, text with an optional HTML part."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from notify.channels.base import bad_body
from notify.types import Attempt, ChannelName, Envelope, Outcome

ADDRESS = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
SENDER = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9.-]{1,253}$")  # may be a bare host such as localhost
TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class EmailConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line or a traceback
    starttls: bool = False
    tls: bool = False  # implicit TLS (smtps://)
    timeout_s: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> EmailConfig:
        """``smtp://user:pass@host:587?starttls=1&from=gridline@example.org`` or ``smtps://…`` (port 465)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP URL must look like smtp://user:pass@host:port?starttls=1&from=a@b")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        tls = parts.scheme == "smtps"
        sender = query.get("from") or f"gridline@{parts.hostname}"
        if not SENDER.fullmatch(sender):
            raise ValueError(f"bad from address {sender!r}")
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25), sender=sender,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   starttls=query.get("starttls", "0").lower() in TRUE, tls=tls)


def build_message(config: EmailConfig, envelope: Envelope) -> EmailMessage | str:
    subject, text, html = (envelope.body.get(k) for k in ("subject", "text", "html"))
    if not isinstance(subject, str) or not isinstance(text, str) or not (html is None or isinstance(html, str)):
        return "subject and text are required strings"
    if not ADDRESS.fullmatch(envelope.address):
        return "recipient address"
    msg = EmailMessage()
    msg["From"] = formataddr(("Gridline", config.sender))
    msg["To"] = envelope.address
    msg["Subject"] = subject.replace("\r", " ").replace("\n", " ")[:200]
    # The idempotency key doubles as Message-ID so a duplicate can be recognised by the receiving side.
    msg["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", "-", envelope.key)[:64])
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


class EmailChannel:
    def __init__(self, config: EmailConfig, name: str = ChannelName.EMAIL) -> None:
        self._config, self._name = config, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        msg = build_message(self._config, envelope)
        if isinstance(msg, str):
            return bad_body(msg)
        c = self._config
        try:
            await aiosmtplib.send(msg, hostname=c.host, port=c.port, username=c.username, password=c.password,
                                  start_tls=c.starttls, use_tls=c.tls, timeout=c.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _refused(exc.recipients[0] if exc.recipients else None)
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx is temporary (greylisting, mailbox busy), 5xx permanent.
            outcome = Outcome.RETRY if 400 <= exc.code < 500 else Outcome.DEAD
            return Attempt(outcome, code=exc.code, detail=exc.message[:500])
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Attempt(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"[:500])
        return Attempt(Outcome.DELIVERED, detail=str(msg["Message-ID"]))


def _refused(error: aiosmtplib.SMTPRecipientRefused | None) -> Attempt:
    if error is None:
        return Attempt(Outcome.DEAD, detail="recipient refused")
    outcome = Outcome.RETRY if 400 <= error.code < 500 else Outcome.STOP
    return Attempt(outcome, code=error.code, detail=error.message[:500])
