"""A mail relay for the benchmarks: a real SMTP server (aiosmtpd) that takes every
message after a delay, as a relay across a network would, and writes each message's
Message-ID to a file, one line per message received (a message received twice is two
lines: the duplicates are what the fan-out counts).

    python -m bench.smtp_sink --port N --latency-ms 50 --record received.txt
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import IO

from aiosmtpd.smtp import SMTP, Envelope, Session


class _Recording:
    """aiosmtpd's DATA hook: wait, then note the Message-ID and accept."""

    def __init__(self, record: IO[str], latency_s: float) -> None:
        self._record = record
        self._latency_s = latency_s

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        await asyncio.sleep(self._latency_s)
        content = envelope.original_content or b""
        headers = BytesParser(policy=policy.default).parsebytes(content, headersonly=True)
        self._record.write(f"{headers.get('Message-ID', '-')}\n")
        self._record.flush()
        return "250 Message accepted for delivery"


async def serve(port: int, latency_s: float, record: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    with record.open("a", encoding="utf-8") as file:
        handler = _Recording(file, latency_s)
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="relay.bench"), host="127.0.0.1", port=port
        )
        async with server:
            await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.smtp_sink", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--record", type=Path, required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.latency_ms / 1000, args.record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
