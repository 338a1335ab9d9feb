"""Where the SOAP adapter is in the CIS's two change feeds, kept in one opaque cursor.

MultiSpeak 3.0 pages GetModifiedCustomers and GetModifiedServiceLocations each on its
own: a client remembers, per feed, the SessionID of the last session it received
whole (`previous`), and while it pages through a session, that session's SessionID
and the objectID it received last (the server's LastSent). The cursor is those two
positions as compact JSON, so it survives being stored as a plain string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

CUSTOMERS: Final = "GetModifiedCustomers"
SERVICE_LOCATIONS: Final = "GetModifiedServiceLocations"
FEEDS: Final = (CUSTOMERS, SERVICE_LOCATIONS)
NOUNS: Final = {CUSTOMERS: "customer", SERVICE_LOCATIONS: "serviceLocation"}  # array items
_FIELDS: Final = ("previous", "session", "last_received")


@dataclass(frozen=True, slots=True)
class FeedPosition:
    previous: str | None  # the last session received whole; None: none yet
    session: str | None = None  # the session being paged through, if any
    last_received: str | None = None  # its last objectID received

    def request(self) -> tuple[dict[str, Any], dict[str, str] | None]:
        """The operation's arguments and the extra header attributes for the next page."""
        arguments = {"previousSessionID": self.previous, "lastReceived": self.last_received or ""}
        header = None if self.session is None else {"SessionID": self.session}
        return arguments, header

    def after(self, header: Mapping[str, Any]) -> FeedPosition:
        """Where the feed is once an answer with this reply header has been taken in.

        Raises `ValueError` for a header without the paging attributes it needs.
        """
        session = header.get("SessionID")
        if not session:
            raise ValueError("the answer's header has no SessionID")
        remaining = int(header.get("ObjectsRemaining") or 0)
        if remaining <= 0:
            return FeedPosition(previous=str(session))
        last_sent = header.get("LastSent")
        if not last_sent:
            raise ValueError("objects remain, but the answer's header has no LastSent")
        return FeedPosition(self.previous, session=str(session), last_received=str(last_sent))

    @property
    def paging(self) -> bool:
        return self.session is not None


def encode(positions: Mapping[str, FeedPosition]) -> str:
    return json.dumps(
        {feed: [getattr(positions[feed], name) for name in _FIELDS] for feed in FEEDS},
        separators=(",", ":"),
    )


def decode(cursor: str) -> dict[str, FeedPosition]:
    """The positions in a cursor `encode` made; `ValueError` for anything else."""
    try:
        raw = json.loads(cursor)
    except json.JSONDecodeError:
        raise ValueError("not a CIS change cursor") from None
    if not isinstance(raw, dict) or set(raw) != set(FEEDS):
        raise ValueError("not a CIS change cursor")
    positions = {}
    for feed in FEEDS:
        values = raw[feed]
        if (
            not isinstance(values, list)
            or len(values) != len(_FIELDS)
            or not all(v is None or isinstance(v, str) for v in values)
        ):
            raise ValueError("not a CIS change cursor")
        positions[feed] = FeedPosition(*values)
    return positions
