"""The case-cycle bench's client: each request pre-serialised and sent as bytes on a keep-alive connection.

aiohttp's client spent about as much CPU per request as the server it measured (it ran in the same
process); here a JSON body is one ``json.dumps``, a phone form is the cell's pre-built photo part with
a few short text parts around it, and an answer is split by :mod:`bench.rawhttp`'s protocol.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from bench.rawhttp import Connection

BOUNDARY = "----gridline-bench-cycle-7f3a"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def part(name: str, value: str) -> bytes:
    return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()


def photo_part(jpeg: bytes) -> bytes:
    """Built once per cell: the photo's bytes are never copied again per request."""
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="IMG_0001.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n")
    return head.encode() + jpeg + b"\r\n"


class Answer:
    __slots__ = ("body", "head", "status")

    def __init__(self, status: int, head: list[str], body: bytes) -> None:
        self.status, self.head, self.body = status, head, body

    def header(self, name: str) -> list[str]:
        prefix = name.lower() + ":"
        return [line.split(":", 1)[1].strip() for line in self.head[1:] if line.lower().startswith(prefix)]

    def json(self) -> dict[str, Any]:
        reply: dict[str, Any] = json.loads(self.body)
        return reply


class Client:
    """One connection at a time (a lane's); ``fresh()`` between cycles lets the kernel spread the
    connections over the server's processes (SO_REUSEPORT hashes each new one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: Connection | None = None

    async def send(self, method: str, path: str, headers: str = "", body: bytes = b"") -> Answer:
        if self.conn is None or self.conn.closed or not self.conn.reusable:
            self.fresh()
            _, self.conn = await asyncio.get_running_loop().create_connection(Connection, "127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n"
        status, reply = await self.conn.exchange(head.encode() + body)
        return Answer(status, self.conn.head, reply)

    def fresh(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    async def api(self, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self.send("POST", path, f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n",
                                 json.dumps(body, ensure_ascii=False).encode())
        if answer.status not in (200, 201):
            raise RuntimeError(f"{path} {body.get('action', '')}: {answer.status} {answer.body[:300]!r}")
        return answer.json()

    async def page(self, path: str, cookie: str) -> Answer:
        return await self.send("GET", path, f"Cookie: {cookie}\r\n")

    async def form(self, path: str, cookie: str, parts: list[bytes]) -> Answer:
        body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
        return await self.send("POST", path, f"Cookie: {cookie}\r\n"
                               f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n", body)


def cookies(answer: Answer) -> str:
    """The ``Cookie`` header a browser would send back after this answer's ``Set-Cookie`` lines."""
    return "; ".join(line.split(";", 1)[0] for line in answer.header("set-cookie"))
