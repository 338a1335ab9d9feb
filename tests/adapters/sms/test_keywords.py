"""Inbound keywords: CTIA's whole-body keywords, and opt-outs in free text."""

from __future__ import annotations

import pytest

from adapters.sms.keywords import Keyword, classify_keyword


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "Stop",
        "stop",
        " stop. ",
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "end",
        "Quit!",
        "REVOKE",
        "OPT OUT",
        "opt-out",
        "optout",
        "ＳＴＯＰ",  # full-width, as some keyboards type it
        "stop please",
        "Please stop texting me",
        "STOP sending these",
        "I want to opt out",
        "unsubscribe me from this",
        "stop_it",  # punctuation, underscores too, separates words
        "Don't stop",  # read as an opt-out: a wrong stop costs a START
    ],
)
def test_opt_outs(body: str) -> None:
    assert classify_keyword(body) is Keyword.OPT_OUT


@pytest.mark.parametrize("body", ["START", "start", "Unstop", "UNSTOP.", " Start "])
def test_opt_ins(body: str) -> None:
    assert classify_keyword(body) is Keyword.OPT_IN


@pytest.mark.parametrize("body", ["HELP", "help", "Help?", "INFO"])
def test_help(body: str) -> None:
    assert classify_keyword(body) is Keyword.HELP


@pytest.mark.parametrize(
    "body",
    [
        "stopwatch",
        "My stopwatch broke",
        "nonstop rain here",
        "Cancel my autopay",  # CANCEL, END, QUIT and REVOKE count only alone
        "When will the outage end?",
        "I quit smoking",
        "please start my service",  # opt-in and help count only alone
        "help me pay my bill",
        "Thanks!",
        "",
    ],
)
def test_other_texts(body: str) -> None:
    assert classify_keyword(body) is Keyword.OTHER
