"""Turn a detected value into something safe to keep: a masked excerpt and a keyed hash.

The masked excerpt lets the DPO recognise the kind of thing found
(`DE89 **** **** 3000`) without being able to recover it; the keyed hash lets
repeated leaks of the same value be counted without storing the value.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_SPACE = re.compile(r"\s+")


def normalize(entity_type: str, value: str) -> str:
    """The same value written differently ("DE89 3704…" vs "de8937…") hashes the same."""
    compact = _SPACE.sub("", value)
    if entity_type in {"EMAIL_ADDRESS", "IBAN_CODE", "PERSON"}:
        return compact.casefold()
    return compact


def keyed_hash(key: bytes, entity_type: str, value: str) -> str:
    message = f"{entity_type}\0{normalize(entity_type, value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def mask(entity_type: str, value: str) -> str:
    compact = _SPACE.sub("", value)
    if entity_type in {"IBAN_CODE", "CREDIT_CARD"} and len(compact) >= 12:
        return f"{compact[:4]} **** **** {compact[-4:]}"
    if entity_type == "EMAIL_ADDRESS" and "@" in compact:
        local, _, domain = compact.rpartition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***.{tld}" if tld else f"{local[:1]}***@***"
    if entity_type == "PERSON":
        return " ".join(f"{word[:1]}***" for word in value.split() if word)
    if entity_type == "SECRET":
        # The first characters name the kind of key (sk-, AKIA, ghp_, -----BEGIN), not the key.
        return f"{compact[:4]}…**** ({len(compact)} chars)"
    if len(compact) >= 8:
        return f"{'*' * (len(compact) - 2)}{compact[-2:]}"
    return "*" * len(compact)
