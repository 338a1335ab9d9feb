"""What the demo sent, read where it arrived: emails as .eml files in its outbox folder,
texts in the SMS provider stand-in's outbox."""

from __future__ import annotations

import email
import email.policy
import json
import re
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import TypeVar

import httpx

from gateway.demo import STAND_INS_FILE
from tests.web.browser import TIMEOUT_MS
from tests.web.demo_process import DemoProcess

T = TypeVar("T")
_CODE = re.compile(r"\b(\d{6})\b")
# How often to look again for a message the worker is still sending.
_POLL_S = 0.2


def eventually(find: Callable[[], T | None], what: str) -> T:
    """`find()`'s first answer other than None, asked again until the tests' timeout."""
    ends = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < ends:
        found = find()
        if found is not None:
            return found
        time.sleep(_POLL_S)
    raise AssertionError(f"never found {what}")


def emails_to(demo: DemoProcess, address: str) -> list[EmailMessage]:
    """Every email the demo wrote to `address`, oldest first (the files sort by time)."""
    found = []
    for path in sorted((demo.data_dir / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def new_email(demo: DemoProcess, address: str, *, after: int, subject: str) -> str:
    """The plain text of the first email to `address` past the first `after`, once it
    is written, which must have `subject`."""

    def find() -> EmailMessage | None:
        sent = emails_to(demo, address)
        return sent[after] if len(sent) > after else None

    message = eventually(find, f"email {after + 1} to {address}")
    assert message["Subject"] == subject
    return text_of(message)


def link_in(text: str, path: str) -> str:
    [link] = re.findall(r"https?://\S+" + re.escape(path) + r"\?token=[A-Za-z0-9_-]+", text)
    return link


def code_in(text: str) -> str:
    [code] = _CODE.findall(text)
    return code


def texts_to(demo: DemoProcess, number: str) -> list[str]:
    """The bodies of the texts the SMS stand-in took for `number`, newest first."""
    stand_ins = json.loads((demo.data_dir / STAND_INS_FILE).read_text())
    answer = httpx.get(f"{stand_ins['sms']}/outbox", timeout=10)
    answer.raise_for_status()
    return [m["body"] for m in answer.json()["messages"] if m["to"] == number]


def code_texted_to(demo: DemoProcess, number: str) -> str:
    body = eventually(lambda: next(iter(texts_to(demo, number)), None), f"a text to {number}")
    return code_in(body)
