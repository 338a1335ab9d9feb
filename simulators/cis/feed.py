"""The CIS stand-in's change feed: what GetModifiedCustomers / GetModifiedServiceLocations answer.

How this stand-in reads MultiSpeak 3.0 (the CB_Server WSDL documents the two
operations, and GetAllXXX, whose paging they share; the `MultiSpeakMsgHeader` carries
SessionID, PreviousSessionID, ObjectsRemaining and LastSent):

- A *session* is one delivery of data, made in one call or several. The server names
  it in the reply header's SessionID. Here a session holds every object changed after
  the client's `previousSessionID` and up to the moment the session began, each object
  once and in its current state (not one entry per change).
- `previousSessionID` is the SessionID of the last session the client received
  completely. Empty means it has received none: the session then holds every object
  the change log has recorded (changes since the CIS database was loaded).
- Paging: an answer holds at most `page_size` objects, in objectID order. The reply
  header's ObjectsRemaining counts the objects of the session still to come and
  LastSent names the last objectID of this answer. The client asks for the rest with
  `lastReceived` = LastSent and, in its request header, the SessionID of the session it
  is paging through; the first call of a session has an empty `lastReceived` and no
  SessionID. So a session is the same set of objects however slowly it is paged.
- Once ObjectsRemaining is 0 the session is complete and its SessionID becomes the
  client's next `previousSessionID`. Changes made while a session is paged belong to
  the next session: nothing is missed, and an object changed in both comes in both.
- A SessionID or previousSessionID that this server never issued, a previousSessionID
  after the SessionID, or a `lastReceived` without a SessionID, is a SOAP Fault: the
  client should start over.

SessionIDs are opaque to clients; here they are the change log's sequence number at
the session's start. The standard does not say how long a server keeps sessions
resumable; this one keeps every one (its log is never trimmed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from simulators.cis.store import change_log
from simulators.soap import SoapFault

CUSTOMER: Final = "customer"
SERVICE_LOCATION: Final = "serviceLocation"


async def record_change(conn: AsyncConnection, noun: str, object_id: str) -> None:
    """Note, in the caller's transaction, that an object of `noun` changed."""
    await conn.execute(
        change_log.insert().values(
            noun=noun, object_id=object_id, changed_at=datetime.now(UTC).replace(microsecond=0)
        )
    )


def _blank_is_none(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


@dataclass(frozen=True, slots=True)
class FeedRequest:
    previous_session: str | None  # the body's previousSessionID
    session: str | None  # the request header's SessionID: the session being paged
    last_received: str | None

    @classmethod
    def of(cls, body: Any, header: Mapping[str, Any]) -> FeedRequest:
        return cls(
            previous_session=_blank_is_none(body.previousSessionID),
            session=_blank_is_none(header.get("SessionID")),
            last_received=_blank_is_none(body.lastReceived),
        )


@dataclass(frozen=True, slots=True)
class FeedPage:
    object_ids: tuple[str, ...]
    session_id: str
    objects_remaining: int

    def header(self) -> dict[str, Any]:
        """The reply's `MultiSpeakMsgHeader` attributes that page the session."""
        attributes: dict[str, Any] = {
            "SessionID": self.session_id,
            "ObjectsRemaining": self.objects_remaining,
        }
        if self.object_ids:
            attributes["LastSent"] = self.object_ids[-1]
        return attributes


def _position(session_id: str, newest: int, what: str) -> int:
    if not session_id.isdigit() or int(session_id) > newest:
        raise SoapFault(f"{what} {session_id!r} is not a session this server issued")
    return int(session_id)


async def modified_page(
    conn: AsyncConnection, noun: str, request: FeedRequest, *, page_size: int
) -> FeedPage:
    """The ids of the objects of `noun` in the next answer of the session asked for."""
    newest = (
        await conn.execute(select(func.coalesce(func.max(change_log.c.sequence), 0)))
    ).scalar_one()
    if request.last_received is not None and request.session is None:
        raise SoapFault("lastReceived continues a session: send its SessionID in the header")
    since = (
        0
        if request.previous_session is None
        else _position(request.previous_session, newest, "previousSessionID")
    )
    until = newest if request.session is None else _position(request.session, newest, "SessionID")
    if since > until:
        raise SoapFault("previousSessionID is later than the SessionID being paged")
    query = (
        select(change_log.c.object_id)
        .distinct()
        .where(
            (change_log.c.noun == noun)
            & (change_log.c.sequence > since)
            & (change_log.c.sequence <= until)
        )
        .order_by(change_log.c.object_id)
    )
    if request.last_received is not None:
        query = query.where(change_log.c.object_id > request.last_received)
    # The stand-in's log is small: reading the session's ids whole is simplest.
    remaining = tuple((await conn.execute(query)).scalars())
    page = remaining[:page_size]
    return FeedPage(
        object_ids=page, session_id=str(until), objects_remaining=len(remaining) - len(page)
    )
