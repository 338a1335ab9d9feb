"""What the gateway logged besides its routine lines, counted, for the report's notes."""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

_REQUEST_ID: Final = re.compile(r"\b[0-9a-f]{32}\b")
# Field paths of aliased fields ("a17.balance") differ only by the alias's number.
_ALIAS: Final = re.compile(r"\b([a-z])\d+\b")
_ROUTINE: Final = ("INFO:", "Traceback", "During handling", "The above exception")
MAX_LINES: Final = 8
MAX_LINE_LENGTH: Final = 300


def log_digest(text: str, *, limit: int = MAX_LINES) -> list[str]:
    """The most frequent warning and error lines, as "N× line" (request ids and the
    numbers of aliases blanked).

    Routine uvicorn lines and traceback bodies are left out; a traceback's last line
    (the exception) is kept.
    """
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        if not line.strip() or line[0].isspace() or line.startswith(_ROUTINE):
            continue
        plain = _ALIAS.sub(r"\1…", _REQUEST_ID.sub("…", line.strip()))
        counts[plain[:MAX_LINE_LENGTH]] += 1
    return [f"{count}× {line}" for line, count in counts.most_common(limit)]
