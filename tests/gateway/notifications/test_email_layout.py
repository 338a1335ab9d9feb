"""Notification emails from the templates: both parts say the same, with the manage link
and the postal address, and the HTML part shows text as text."""

from __future__ import annotations

from gateway.notifications.email_layout import notice_email


def parts(body: str) -> tuple[str, str]:
    email = notice_email(
        subject="Power outage at 12 <Main> St",
        body=body,
        manage_url="https://portal.example.coop/notifications",
        coop_name="Mesa & Valley Electric",
        coop_address=("PO Box 7", "Belen, NM 87002"),
    )
    return email.text, email.html


def test_both_parts_carry_the_body_the_manage_link_and_the_postal_address() -> None:
    text, html = parts("Power is out at 12 Main St, Belen.")

    assert text.startswith("Power is out at 12 Main St, Belen.\n")
    assert "Manage your notifications: https://portal.example.coop/notifications" in text
    assert "Mesa & Valley Electric, PO Box 7, Belen, NM 87002" in text
    assert "Power is out at 12 Main St, Belen." in html
    assert '<a href="https://portal.example.coop/notifications"' in html
    assert "PO Box 7, Belen, NM 87002" in html


def test_the_html_part_escapes_what_it_is_given() -> None:
    _, html = parts('Your card was declined: <script>alert("x")</script>')

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Mesa &amp; Valley Electric" in html
    assert "12 &lt;Main&gt; St" in html
