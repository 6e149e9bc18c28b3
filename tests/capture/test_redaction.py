"""Contact details in free text are found and redacted; ordinary text is left alone."""

from __future__ import annotations

import pytest

from app.capture.redaction import find_contacts, luhn_ok, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at jo.bloggs+shop@example.co.uk please", "mail me at [email removed] please"),
        ("call 020 7946 0958 after five", "call [phone number removed] after five"),
        ("her mobile is +44 7911 123456.", "her mobile is [phone number removed]."),
        ("card 4111 1111 1111 1111 declined", "card [card number removed] declined"),
        ("paid with 5500-0000-0000-0004", "paid with [card number removed]"),
        ("IBAN GB82 WEST 1234 5698 7654 32 on file", "IBAN [IBAN removed] on file"),
        ("DE89370400440532013000", "[IBAN removed]"),
        ("son portable 06 12 34 56 78", "son portable [phone number removed]"),
        ("ring 0612345678 tomorrow", "ring [phone number removed] tomorrow"),
    ],
)
def test_contact_details_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "She compared 3 brands for 10 minutes at 14:05",
        "Price was 1299 then 999 after the discount",
        "Order 4111 1111 1111 1112 is not a valid card",  # fails the Luhn check
        "Aisle 12, shelf 4, 2 for 1 offer",
        "GB82 is a code, not an IBAN",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert find_contacts(text) == []
    assert redact(text) == text


def test_luhn():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
