from __future__ import annotations

import pytest

from gateway.identity.login import MAX_PASSWORD_LENGTH
from gateway.identity.password_policy import (
    MIN_PASSWORD_LENGTH,
    common_passwords,
    password_problem,
)

EMAIL = "Maria.Baca@Example.net"


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Jemez-Mountain-2026",
        "tres palabras largas",
        "aB3$" * 3,  # twelve characters, four distinct
        "x" * 11 + "yzw",
    ],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, email=EMAIL) is None


def test_length_is_at_least_12_and_at_most_the_login_limit() -> None:
    assert password_problem("Sh0rt-but-ok"[: MIN_PASSWORD_LENGTH - 1]) == (
        "Use at least 12 characters."
    )
    assert password_problem("v" * (MAX_PASSWORD_LENGTH - 4) + "wxyz") is None
    assert password_problem("v" * (MAX_PASSWORD_LENGTH - 3) + "wxyz") == (
        "Use at most 1024 characters."
    )


@pytest.mark.parametrize(
    "password", ["qwerty123456", "QWERTY123456", " 1q2w3e4r5t6y ", "justinbieber"]
)
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    problem = password_problem(password)
    assert problem is not None
    assert "common" in problem


def test_the_shipped_list_is_the_full_list() -> None:
    listed = common_passwords()

    assert len(listed) == 19_640
    assert {"123456", "password", "iloveyou", "#1bitch", "friend of emily"} <= listed
    # The file's header is not a password.
    assert not any(entry.startswith("# ") or "licen" in entry for entry in listed)


@pytest.mark.parametrize("password", ["maria.baca@example.net", "MARIA.BACA@EXAMPLE.NET"])
def test_the_email_address_is_refused(password: str) -> None:
    assert password_problem(password, email=EMAIL) == (
        "Do not use your email address as the password."
    )


def test_the_local_part_of_the_email_is_refused() -> None:
    email = "pat.sandoval.1970@example.net"

    assert password_problem("Pat.Sandoval.1970", email=email) is not None
    assert password_problem("Pat.Sandoval.1970") is None


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "abababababab", "abcdefghijklmn", "zyxwvutsrqpo", "789012345678"]
)
def test_repeated_and_sequential_characters_are_refused(password: str) -> None:
    assert password_problem(password) == "This password is a simple pattern; choose another."


@pytest.mark.parametrize(
    "password", ["lamp orchard ²³ vivid", "²³²³²³²³²³²³x", "①②③④⑤⑥⑦⑧⑨⑩⑪⑫", "١٢٣٤٥٦٧٨٩٠١٢"]
)
def test_superscripts_and_other_digits_are_judged_not_an_error(password: str) -> None:
    # "²".isdigit() is True but int("²") fails: this was an internal error on every path.
    assert password_problem(password, email=EMAIL) in (
        None,
        "This password is a simple pattern; choose another.",
    )


def test_a_run_of_arabic_indic_digits_is_a_pattern_like_an_ascii_one() -> None:
    assert password_problem("١٢٣٤٥٦٧٨٩٠١٢") == "This password is a simple pattern; choose another."
    assert password_problem("lamp orchard ²³ vivid") is None
