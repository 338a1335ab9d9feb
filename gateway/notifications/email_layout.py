"""Notification emails: the text and HTML parts, from the Jinja2 templates beside this
module. Both carry the "manage notifications" link, the link that stops this kind of
email when there is one, and the co-op's postal address (CAN-SPAM). The HTML escapes
everything it is given: a body names members' streets and a processor's messages,
which are text, never markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@dataclass(frozen=True, slots=True)
class EmailParts:
    text: str
    html: str


@cache
def template_environment() -> Environment:
    """The templates beside this module (emails and the pages emails link to); only
    `.html.j2` ones escape what they are given."""
    return Environment(
        loader=PackageLoader("gateway.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,  # a field left out is a bug, not an empty line
        keep_trailing_newline=True,
    )


def notice_email(
    *,
    subject: str,
    body: str,
    manage_url: str,
    unsubscribe_url: str | None = None,
    coop_name: str,
    coop_address: Sequence[str],
) -> EmailParts:
    values = {
        "subject": subject,
        "body": body,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
        "coop_name": coop_name,
        "coop_address": list(coop_address),
    }
    environment = template_environment()
    return EmailParts(
        text=environment.get_template("notice.txt.j2").render(values),
        html=environment.get_template("notice.html.j2").render(values),
    )
