"""The email channel against a real aiosmtpd server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notify.channels.email import EmailChannel, EmailConfig
from notify.types import Envelope, Outcome
from tests.fakes.smtp import SmtpRecorder, free_port, start_smtp

BODY = {"subject": "督办：GL-0001 超期", "text": "案件 GL-0001 已超期。", "html": "<p>案件 <b>GL-0001</b> 已超期。</p>"}


def env(address: str = "dept@example.org", body: dict[str, str] | None = None) -> Envelope:
    return Envelope(id="e1", channel="email", address=address, kind="case.escalated", body=body or BODY,
                    key="case:GL-0001:escalated:dept")


@pytest.fixture
def smtp() -> Iterator[tuple[str, SmtpRecorder]]:
    controller, recorder = start_smtp(auth=("mailer", "s3cret"))
    yield f"smtp://mailer:s3cret@127.0.0.1:{controller.port}?from=gridline@example.org", recorder
    controller.stop()


def test_config_from_url() -> None:
    config = EmailConfig.from_url("smtp://u%40x:p%2Fw@mail.example.org:587?starttls=1&from=noreply@example.org")
    assert (config.host, config.port, config.username, config.password) == ("mail.example.org", 587, "u@x", "p/w")
    assert config.starttls and not config.tls and config.sender == "noreply@example.org"
    assert EmailConfig.from_url("smtps://mail.example.org").port == 465


def test_password_is_not_in_the_repr() -> None:
    config = EmailConfig.from_url("smtp://mailer:hunter2-smtp@mail.example.org:587")
    assert config.password == "hunter2-smtp"
    assert "hunter2-smtp" not in repr(config) and "hunter2-smtp" not in str(config)


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://h?from=not-an-address"])
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        EmailConfig.from_url(url)


async def test_html_and_text_are_delivered(smtp: tuple[str, SmtpRecorder]) -> None:
    url, recorder = smtp
    attempt = await EmailChannel(EmailConfig.from_url(url)).send(env())
    assert attempt.outcome is Outcome.DELIVERED
    [got] = recorder.received
    assert got.recipients == ["dept@example.org"] and got.sender == "gridline@example.org"
    parts = {p.get_content_type(): bytes(p.get_payload(decode=True)).decode() for p in got.message.walk()
             if not p.is_multipart()}
    assert "GL-0001" in parts["text/plain"] and "<b>GL-0001</b>" in parts["text/html"]
    assert "GL-0001" in str(got.message["Message-ID"]) and got.message.is_multipart()


async def test_text_only(smtp: tuple[str, SmtpRecorder]) -> None:
    url, recorder = smtp
    attempt = await EmailChannel(EmailConfig.from_url(url)).send(env(body={"subject": "日报", "text": "3 件"}))
    assert attempt.outcome is Outcome.DELIVERED and not recorder.received[0].message.is_multipart()


async def test_wrong_password_is_dead(smtp: tuple[str, SmtpRecorder]) -> None:
    url, _ = smtp
    attempt = await EmailChannel(EmailConfig.from_url(url.replace("s3cret", "wrong"))).send(env())
    assert attempt.outcome is Outcome.DEAD and attempt.code == 535


async def test_refused_recipient_stops(smtp: tuple[str, SmtpRecorder]) -> None:
    url, recorder = smtp
    recorder.refuse_rcpt["gone@example.org"] = "550 5.1.1 no such user"
    attempt = await EmailChannel(EmailConfig.from_url(url)).send(env("gone@example.org"))
    assert (attempt.outcome, attempt.code) == (Outcome.STOP, 550)


async def test_temporary_failure_retries(smtp: tuple[str, SmtpRecorder]) -> None:
    url, recorder = smtp
    recorder.fail_data.append("451 4.3.0 try again later")
    attempt = await EmailChannel(EmailConfig.from_url(url)).send(env())
    assert (attempt.outcome, attempt.code) == (Outcome.RETRY, 451) and not recorder.received


async def test_no_server_retries() -> None:
    channel = EmailChannel(EmailConfig.from_url(f"smtp://127.0.0.1:{free_port()}"))
    assert (await channel.send(env())).outcome is Outcome.RETRY


@pytest.mark.parametrize(("address", "body"), [
    ("not an address", BODY), ("a@b.org\r\nBcc: x@y.org", BODY), ("a@b.org\n", BODY),
    ("dept@example.org", {"subject": "x"}),
])
async def test_bad_envelopes_are_dead(address: str, body: dict[str, str]) -> None:
    channel = EmailChannel(EmailConfig.from_url(f"smtp://127.0.0.1:{free_port()}"))
    assert (await channel.send(env(address, body))).outcome is Outcome.DEAD


async def test_subject_cannot_inject_headers(smtp: tuple[str, SmtpRecorder]) -> None:
    url, recorder = smtp
    body = {**BODY, "subject": "hi\r\nBcc: evil@example.org"}
    assert (await EmailChannel(EmailConfig.from_url(url)).send(env(body=body))).outcome is Outcome.DELIVERED
    assert recorder.received[0].message["Bcc"] is None and recorder.received[0].recipients == ["dept@example.org"]
