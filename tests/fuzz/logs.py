"""Log records that mean a bug: anything at ERROR or above, and anything with a
traceback, whatever its level (the gateway logs the errors it masks with theirs)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class ProblemRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def take(self) -> list[str]:
        """The problems since the last call, formatted with their tracebacks."""
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        taken = [formatter.format(record) for record in self.records]
        self.records.clear()
        return taken


@contextmanager
def problems_logged() -> Iterator[ProblemRecords]:
    """Records down to INFO reach the handler (a traceback may come with a warning or
    a note) for as long as this lasts. Not DEBUG: aiosqlite writes two lines for every
    statement, which would slow the run down. Nor httpx's INFO line for each of the
    test's own requests."""
    root, client = logging.getLogger(), logging.getLogger("httpx")
    handler = ProblemRecords()
    levels = root.level, client.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    client.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        root.setLevel(levels[0])
        client.setLevel(levels[1])
        root.removeHandler(handler)
