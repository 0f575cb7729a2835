"""Check-digit-valid fictitious values for the hand-written free-form corpus.

The texts in ``prompts/*.txt`` are written by hand; only values whose type carries a
check digit were taken from this pool so that a recognizer's checksum test sees a real
number. ``python -m checker.evaluation.freeform_values`` prints the pool (fixed seed).
The same module holds the validators the corpus tests use to check every labelled span
of those types (so a typo while copying a value into a text is caught).
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Callable

from stdnum import iban, luhn
from stdnum.de import idnr, vat

from checker.evaluation import values as v

# Documentation and test values published for exactly this purpose.
TEST_CARDS = (
    "4242 4242 4242 4242",  # payment providers' test cards (Visa, Mastercard, Amex, …)
    "4000 0566 5566 5556",
    "5555 5555 5555 4444",
    "5200 8282 8282 8210",
    "3782 822463 10005",
    "3714 496353 98431",
    "6011 1111 1111 1117",
    "4111 1111 1111 1111",
    "4012 8888 8888 1881",
    "5105 1051 0510 5100",
    "2223 0031 2200 3222",
)
TEST_IBANS = (
    "DE89 3704 0044 0532 0130 00",  # the IBAN registry's examples
    "AT61 1904 3002 3457 3201",
    "CH93 0076 2011 6238 5295 7",
    "NL91 ABNA 0417 1643 00",
    "GB29 NWBK 6016 1331 9268 19",
    "FR14 2004 1010 0505 0001 3M02 606",
)
# RFC 5737 / RFC 3849 documentation ranges and RFC 1918 private ranges: no one's address.
IP_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",  # link-local (RFC 3927)
    )
)
# RFC 2606 reserved second-level domains (and any subdomain of them).
MAIL_DOMAIN = re.compile(r"(?:[a-z0-9-]+\.)*example\.(?:com|org|net|de)", re.IGNORECASE)


def pool(seed: int = 2025, n: int = 12) -> dict[str, list[str]]:
    r = random.Random(seed)
    return {
        "IBAN_CODE (DE)": [v.iban_de(r, spaced=i % 3 != 0) for i in range(n)],
        "DE_TAX_ID": [v.tax_id(r) for _ in range(n)],
        "DE_VAT_ID": [v.vat_id(r) for _ in range(n)],
        "DE_SOCIAL_SECURITY": [v.social_security(r) for _ in range(n)],
        "DE_HEALTH_INSURANCE": [v.health_insurance(r) for _ in range(n)],
        "DE_ID_CARD": [v.id_card(r) for _ in range(n)],
        "DE_PASSPORT": [v.passport(r) for _ in range(n)],
        "CREDIT_CARD": list(TEST_CARDS),
    }


# --- validators used by tests/checker/test_freeform_corpus.py ---------------------------


def _compact(value: str) -> str:
    return re.sub(r"[\s./-]", "", value)


def valid_iban(value: str) -> bool:
    return bool(iban.is_valid(_compact(value)))


def valid_card(value: str) -> bool:
    digits = _compact(value)
    return digits.isdigit() and 13 <= len(digits) <= 19 and bool(luhn.is_valid(digits))


def valid_tax_id(value: str) -> bool:
    return bool(idnr.is_valid(_compact(value)))


def valid_vat_id(value: str) -> bool:
    return bool(vat.is_valid(_compact(value)))


def valid_social_security(value: str) -> bool:
    c = _compact(value).upper()
    return (
        len(c) == 12
        and c[:8].isdigit()
        and c[8].isalpha()
        and c[9:].isdigit()
        and c[-1] == v.rvnr_check_digit(c)
    )


def valid_health_insurance(value: str) -> bool:
    c = _compact(value).upper()
    return bool(re.fullmatch(r"[A-Z]\d{9}", c)) and c[-1] == v.kvnr_check_digit(c)


_DOC = "CFGHJKLMNPRTVWXYZ0123456789"


def valid_id_document(value: str, first: str) -> bool:
    """Personalausweis (first letter L-Y) or Reisepass (C-K): 9 characters of the document
    alphabet, optionally followed by the ICAO check digit."""
    c = _compact(value).upper()
    if c[:1] not in first or not all(ch in _DOC for ch in c[:9]):
        return False
    return len(c) == 9 or (len(c) == 10 and c[9] == v.icao_check_digit(c[:9]))


def valid_ip(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in net for net in IP_NETWORKS)


def valid_email(value: str) -> bool:
    local, _, domain = value.partition("@")
    return bool(local) and MAIL_DOMAIN.fullmatch(domain) is not None


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "IBAN_CODE": valid_iban,
    "CREDIT_CARD": valid_card,
    "DE_TAX_ID": valid_tax_id,
    "DE_VAT_ID": valid_vat_id,
    "DE_SOCIAL_SECURITY": valid_social_security,
    "DE_HEALTH_INSURANCE": valid_health_insurance,
    "DE_ID_CARD": lambda s: valid_id_document(s, "LMNPRTVWXY"),
    "DE_PASSPORT": lambda s: valid_id_document(s, "CFGHJK"),
    "IP_ADDRESS": valid_ip,
    "EMAIL_ADDRESS": valid_email,
}


if __name__ == "__main__":
    for entity, values in pool().items():
        print(f"{entity}:")
        for value in values:
            print(f"  {value}")
