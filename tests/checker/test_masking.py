from __future__ import annotations

import pytest

from checker.masking import keyed_hash, mask

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("entity", "value", "masked"),
    [
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "DE89 **** **** 3000"),
        ("IBAN_CODE", "DE89370400440532013000", "DE89 **** **** 3000"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "4111 **** **** 1111"),
        ("EMAIL_ADDRESS", "erika.mustermann@beispiel.de", "e***@***.de"),
        ("PERSON", "Erika Mustermann", "E*** M***"),
        ("SECRET", "sk-proj-" + "a" * 40, "sk-proj-…**** (48 chars)"),
        ("SECRET", "ghp_" + "A1b2" * 9, "ghp_…**** (40 chars)"),
        ("SECRET", "AKIA" + "ABCDEFGHIJKLMNOP", "AKIA…**** (20 chars)"),
        ("SECRET", "Sommer2024!", "**** (11 chars)"),
        ("SECRET", "skiurlaub-2024", "**** (14 chars)"),
        ("PHONE_NUMBER", "+49 30 1234567", "**********67"),
        ("DE_TAX_ID", "12", "**"),
    ],
)
def test_mask_keeps_only_a_recognisable_shape(entity: str, value: str, masked: str) -> None:
    assert mask(entity, value) == masked


def test_mask_never_contains_the_middle_of_the_value() -> None:
    assert "3704" not in mask("IBAN_CODE", "DE89 3704 0044 0532 0130 00")
    assert "mustermann" not in mask("EMAIL_ADDRESS", "erika.mustermann@beispiel.de")
    assert "beispiel" not in mask("EMAIL_ADDRESS", "erika.mustermann@beispiel.de")


def test_keyed_hash_counts_the_same_value_written_differently() -> None:
    spaced = keyed_hash(KEY, "IBAN_CODE", "DE89 3704 0044 0532 0130 00")
    compact = keyed_hash(KEY, "IBAN_CODE", "de89370400440532013000")
    assert spaced == compact
    assert len(spaced) == 32


def test_keyed_hash_depends_on_key_and_type() -> None:
    value = "erika@beispiel.de"
    assert keyed_hash(KEY, "EMAIL_ADDRESS", value) != keyed_hash(b"x" * 32, "EMAIL_ADDRESS", value)
    assert keyed_hash(KEY, "EMAIL_ADDRESS", value) != keyed_hash(KEY, "PERSON", value)


@pytest.mark.parametrize("password", ["Sommer2024!", "Passwort123", "sk1", "ghp", "AKI"])
def test_password_excerpt_keeps_type_and_length_only(password: str) -> None:
    masked = mask("SECRET", password)
    assert masked == f"**** ({len(password)} chars)"
    assert password[:2] not in masked.replace("****", "").replace("chars", "")
