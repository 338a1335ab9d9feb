"""What an inbound text asks for: to stop every text, to start again, help, or nothing.

A rule other co-ops reuse, pure and small. The CTIA keywords count whole: the body,
its case, spaces and punctuation ignored, is one of them ("Stop", "STOP ALL",
"opt-out", "Unstop."). Since the FCC's 2025 revocation rule a member may opt out by
"any reasonable means", so free text counts too: a body holding STOP, STOPALL,
UNSUBSCRIBE or "OPT OUT" as a word of its own ("please stop texting me") is an
opt-out, but a word that merely contains one ("stopwatch", "nonstop") is not. The
other opt-out keywords (CANCEL, END, QUIT, REVOKE) count only alone: "cancel my
autopay" or "the outage should end soon" asks for something else. A body that both
stops and says something else ("don't stop") is still read as an opt-out: a wrong
stop costs the member a START, a missed one costs a text they refused. Opt-in and
help count only alone.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from enum import StrEnum
from typing import Final


class Keyword(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    OTHER = "other"


OPT_OUT_KEYWORDS: Final = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_KEYWORDS: Final = frozenset({"START", "UNSTOP"})
HELP_KEYWORDS: Final = frozenset({"HELP", "INFO"})
# Free text: only words that cannot mean anything but "stop texting me".
_FREE_TEXT_OPT_OUT: Final = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT"})
_WORD: Final = re.compile(r"[^\W_]+")


def classify_keyword(body: str) -> Keyword:
    words = [word.upper() for word in _WORD.findall(unicodedata.normalize("NFKC", body))]
    whole = "".join(words)
    if whole in OPT_OUT_KEYWORDS:
        return Keyword.OPT_OUT
    if whole in OPT_IN_KEYWORDS:
        return Keyword.OPT_IN
    if whole in HELP_KEYWORDS:
        return Keyword.HELP
    pairs = {a + b for a, b in itertools.pairwise(words)}
    if _FREE_TEXT_OPT_OUT & (set(words) | pairs):
        return Keyword.OPT_OUT
    return Keyword.OTHER
