"""The ceiling for a Python server: an ASGI app that answers every request with the same bytes.

The bytes are read once from the file BENCH_PAYLOAD names (the runner writes a story page there).
"""

import os
from pathlib import Path
from typing import Any

PAYLOAD = Path(os.environ["BENCH_PAYLOAD"]).read_bytes()
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(PAYLOAD)).encode()),
    ],
}
BODY = {"type": "http.response.body", "body": PAYLOAD}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send(START)
    await send(BODY)
