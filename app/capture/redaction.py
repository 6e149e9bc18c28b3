"""Contact details that slip into free text: found while typing and on the server, and
redacted in everything that is shared (the author and organisers still see the original)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
#: National numbers from any country: a leading + or 0 and at least 9 digits in groups.
LOOSE_PHONE = re.compile(r"(?<![\w+])(?:\+|0)\d(?:[ .-]?\d){8,14}(?!\d)")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
LABELS = {"email": "email", "phone": "phone number", "card": "card number", "iban": "IBAN"}
#: North American numbers have no trunk 0, so LOOSE_PHONE misses "(415) 555-2671": they are
#: looked for as US numbers too, besides the region given.
ALSO_REGIONS = ("US",)


@dataclass(frozen=True)
class Finding:
    kind: str  #: email, phone, card or iban
    start: int
    end: int


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def find_contacts(text: str, *, region: str = "GB") -> list[Finding]:
    """Emails, phone numbers, card numbers (Luhn-checked) and IBANs (mod-97-checked) in the text."""
    found = [Finding("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    found += [
        Finding("iban", m.start(), m.end()) for m in IBAN.finditer(text) if iban_ok(m.group())
    ]
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            found.append(Finding("card", m.start(), m.end()))
    for each in dict.fromkeys((region, *ALSO_REGIONS)):
        for match in phonenumbers.PhoneNumberMatcher(
            text, each, leniency=phonenumbers.Leniency.VALID
        ):
            found.append(Finding("phone", match.start, match.end))
    found += [Finding("phone", m.start(), m.end()) for m in LOOSE_PHONE.finditer(text)]
    return _without_overlaps(found)


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    # A card number can also parse as a phone number: keep the first, longest finding at a place.
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def redact(text: str, *, region: str = "GB") -> str:
    """The text with each contact detail replaced by a visible marker."""
    return replace_found(text, find_contacts(text, region=region))


def replace_found(text: str, found: list[Finding]) -> str:
    """The text with the contact details found in it (by find_contacts) replaced by markers."""
    out, last = [], 0
    for f in found:
        out += [text[last : f.start], f"[{LABELS[f.kind]} removed]"]
        last = f.end
    return "".join(out) + text[last:]
