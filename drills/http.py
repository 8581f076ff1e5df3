"""A lean HTTP/1.1 client over asyncio streams, with keep-alive connections.

The drills run the load on the same two cores as the server; a general-purpose client costs
several times more CPU per request and would make the load generator the bottleneck."""

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    started: float
    finished: float

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Failure:
    """No response at all: refused, reset or closed connection."""

    error: str
    started: float
    finished: float
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.finished - self.started


Outcome = Response | Failure


class Client:
    """Keeps idle connections to one host and port and reuses them, one request at a time each."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        body_pause: float = 0.0,
    ) -> Outcome:
        """Send one request; with `body_pause`, half the body goes, then the rest after a pause
        (a slow client uploading)."""
        started = time.monotonic()
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if json_body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        raw_head = ("\r\n".join(head) + "\r\n\r\n").encode()
        connection = None
        try:
            connection = self._idle.pop() if self._idle else await self._connect()
            reader, writer = connection
            if body_pause:
                writer.write(raw_head + body[: len(body) // 2])
                await writer.drain()
                await asyncio.sleep(body_pause)
                writer.write(body[len(body) // 2 :])
            else:
                writer.write(raw_head + body)
            await writer.drain()
            response = await asyncio.wait_for(self._read(reader, started), self.timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            if connection is not None:
                connection[1].close()
            return Failure(type(error).__name__, started, time.monotonic())
        if response.headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append(connection)
        return response

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 5)

    @staticmethod
    async def _read(reader: asyncio.StreamReader, started: float) -> Response:
        status_line = await reader.readuntil(b"\r\n")
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Response(status, headers, body, started, time.monotonic())

    async def close(self) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()
