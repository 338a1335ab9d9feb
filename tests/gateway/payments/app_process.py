"""A gateway web process of its own for the cross-process tests.

    python -m tests.gateway.payments.app_process SETTINGS_JSON URL_FILE

It serves the app built from the settings (GatewaySettings fields, secrets as plain
strings) on a free loopback port, writes the base URL to URL_FILE once it listens, and
serves until SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from gateway.app import create_app
from gateway.settings import GatewaySettings
from simulators.server import serve_asgi


async def serve(settings: GatewaySettings, url_file: Path) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with serve_asgi(create_app(settings)) as url:
        await asyncio.to_thread(url_file.write_text, url)
        await stop.wait()


def main(argv: list[str]) -> int:
    settings = GatewaySettings.model_validate(json.loads(argv[0]))
    asyncio.run(serve(settings, Path(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
