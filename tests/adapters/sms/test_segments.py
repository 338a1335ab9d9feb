"""Segments: GSM-7 160 alone and 153 split, UCS-2 70 and 67, in UTF-16 units."""

from __future__ import annotations

import pytest

from adapters.sms.segments import is_gsm7, segment_count


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # two places each
        ("a" * 159 + "€", 2),
        ("😀" * 35, 1),  # two UTF-16 units each
        ("😀" * 35 + "a", 2),
        ("“quoted”" + "a" * 62, 1),  # curly quotes are not GSM: UCS-2, 70 fit
        ("“quoted”" + "a" * 63, 2),
    ],
)
def test_segment_count(body: str, segments: int) -> None:
    assert segment_count(body) == segments


def test_gsm7_covers_accents_the_alphabet_has_and_no_others() -> None:
    assert is_gsm7("Hola, ¿qué tal? Ñoño à Ü")
    assert not is_gsm7("Ñandú")  # ú is not in GSM 03.38 (ù is)
