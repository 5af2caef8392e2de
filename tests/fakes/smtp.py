"""A real SMTP server (aiosmtpd) on a loopback port that keeps what it receives, with scripted refusals."""

from __future__ import annotations

import email
import socket
import warnings
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class SmtpRecorder:
    received: list[Received] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> SMTP answer, e.g. "550 no such user"
    fail_data: list[str] = field(default_factory=list)  # answers to the next DATA commands, e.g. "451 try later"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.fail_data:
            return self.fail_data.pop(0)
        raw: Any = envelope.content
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode())
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp(auth: tuple[str, str] | None = None) -> tuple[Controller, SmtpRecorder]:
    """A started server; ``auth`` requires that login (over plain text, loopback only)."""
    recorder = SmtpRecorder()
    kwargs: dict[str, Any] = {}
    if auth is not None:
        def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> Any:
            from aiosmtpd.smtp import AuthResult, LoginPassword
            ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == auth
            return AuthResult(success=ok, handled=False)
        kwargs = {"authenticator": check, "auth_require_tls": False, "auth_required": True}
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller, recorder
