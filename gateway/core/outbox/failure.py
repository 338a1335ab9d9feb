"""What the outbox keeps of a failure: the exception's type and message, one line, short.

Never a traceback: its frames and arguments could hold a card token or a password.
Adapters already word their errors without credentials (see DESIGN.md); a handler that
raises its own exceptions must do the same.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.exc import StatementError

MAX_ERROR_LENGTH: Final = 500


def describe_failure(error: BaseException) -> str:
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    message = " ".join(_message(error).split())
    return truncate(f"{name}: {message}" if message else name)


def truncate(text: str) -> str:
    if len(text) <= MAX_ERROR_LENGTH:
        return text
    return text[: MAX_ERROR_LENGTH - 1] + "…"


def _message(error: BaseException) -> str:
    if isinstance(error, StatementError):
        # SQLAlchemy's text appends the statement and its bound parameters, which can hold
        # a member's details: keep the driver's own message only.
        return str(error.orig) if error.orig is not None else ""
    return str(error)
