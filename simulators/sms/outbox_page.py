"""The outbox as a page a person reads: every text, grouped by number, newest first,
each number with a form to text the co-op back from it (STOP, HELP, ...)."""

from __future__ import annotations

from html import escape

from simulators.sms.store import Json


def render_outbox(messages: list[Json], *, reply_action: str | None = None) -> str:
    """`messages` newest first; numbers in the order of their newest text. With
    `reply_action`, each number gets a form that POSTs `from` and `body` there."""
    by_number: dict[str, list[Json]] = {}
    for message in messages:
        by_number.setdefault(message["to"], []).append(message)
    sections = [
        f"<section><h2>{escape(number)}</h2>{_reply_form(number, reply_action)}<ol>"
        + "".join(
            f"<li><time>{escape(text['date_created'])}</time> "
            f"<strong>{escape(text['status'])}</strong> "
            f"({text['num_segments']} segment{'s' if text['num_segments'] != 1 else ''})"
            f"<p>{escape(text['body'])}</p></li>"
            for text in texts
        )
        + "</ol></section>"
        for number, texts in by_number.items()
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>SMS stand-in: outbox</title></head><body><h1>Outbox</h1>"
        + ("".join(sections) or "<p>No texts yet.</p>")
        + "</body></html>"
    )


def _reply_form(number: str, action: str | None) -> str:
    if action is None:
        return ""
    return (
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="from" value="{escape(number)}">'
        f'<label>Text the co-op from {escape(number)} <input name="body" required></label> '
        "<button>Send</button></form>"
    )
