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
    """Every logger's records reach the handler: the root logger is opened to DEBUG
    (records with a traceback may come at any level) for as long as this lasts."""
    root = logging.getLogger()
    handler = ProblemRecords()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.setLevel(level)
        root.removeHandler(handler)
