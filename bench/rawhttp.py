"""A minimal HTTP/1.1 client for load generation: pre-serialised requests out, (status, body) back.

aiohttp's client costs several times more CPU per request than the bare aiohttp server it would
measure; this protocol only writes pre-serialised bytes and splits the answers, so one core of
load generation stays well ahead of one core of server (its CPU share is printed to show it).
"""

from __future__ import annotations

import asyncio


class ClientClosed(ConnectionError):
    pass


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False
        self.reusable = True
        self.head: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._try_complete(eof=False)

    def eof_received(self) -> bool | None:
        self._try_complete(eof=True)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._try_complete(eof=True)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ClientClosed(f"connection closed: {exc!r}"))

    async def exchange(self, payload: bytes) -> tuple[int, bytes]:
        assert self.transport is not None and self.waiter is None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)
        try:
            return await self.waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _try_complete(self, *, eof: bool) -> None:
        if self.waiter is None or self.waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        self.head = head  # as sent (the dict below lower-cases values): for a Location or a Set-Cookie
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        start = end + 4
        body: bytes | None
        if "content-length" in headers:
            stop = start + int(headers["content-length"])
            body = bytes(self.buffer[start:stop]) if len(self.buffer) >= stop else None
            consumed = stop
        elif headers.get("transfer-encoding") == "chunked":
            body, consumed = _dechunk(self.buffer, start)
        else:  # no length: the body runs to the end of the connection
            body, consumed = (bytes(self.buffer[start:]), len(self.buffer)) if eof else (None, 0)
        if body is None:
            return
        del self.buffer[:consumed]
        if headers.get("connection") == "close" or eof:
            self.reusable = False
        self.waiter.set_result((status, body))


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes | None, int]:
    out, pos = bytearray(), start
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None, 0
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2
        if len(buffer) < pos + size + 2:
            return None, 0
        if size == 0:
            return bytes(out), pos + 2
        out += buffer[pos : pos + size]
        pos += size + 2


class Pool:
    """Idle keep-alive connections to one port; a new one when none is idle or the server closed it.

    Callers bound ``exchange`` with ``asyncio.wait_for``, so that connecting counts towards the timeout.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[Connection] = []
        self.all: list[Connection] = []

    async def exchange(self, payload: bytes) -> tuple[int, bytes]:
        conn = None
        while self.idle:
            candidate = self.idle.pop()
            if not candidate.closed:
                conn = candidate
                break
        if conn is None:
            _, conn = await asyncio.get_running_loop().create_connection(Connection, "127.0.0.1", self.port)
            self.all.append(conn)
        try:
            answer = await conn.exchange(payload)
        except BaseException:  # a timeout (cancellation) included: the connection's state is unknown
            conn.close()
            raise
        if conn.reusable and not conn.closed:
            self.idle.append(conn)
        else:
            conn.close()
            self.all.remove(conn)
        return answer

    def close(self) -> None:
        for conn in self.all:
            conn.close()
        self.all.clear()
        self.idle.clear()
