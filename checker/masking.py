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

# The public prefixes that name a vendor's key format (the secret recognizer's patterns).
# Only these survive in a SECRET's excerpt: anything else may be a password, and no
# character of a password is kept.
_VENDOR_PREFIX = re.compile(
    r"(?:sk-ant-(?:api|admin)\d{2}-|sk-(?:proj|svcacct|admin)-|(?:sk|rk)_live_|sk-"
    r"|gh[pousr]_|github_pat_|AKIA|ASIA|AIza|xox[abprs]-|eyJ"
    r"|-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)"
)


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
        # A vendor prefix (sk-proj-, AKIA, ghp_, -----BEGIN…) names the kind of key, not
        # the key; a password or an unknown token keeps its length only.
        vendor = _VENDOR_PREFIX.match(value.strip())
        if vendor and len(compact) >= 20:  # vendor keys are long; "sk-geheim" is a password
            return f"{vendor.group(0)}…**** ({len(compact)} chars)"
        return f"**** ({len(compact)} chars)"
    if len(compact) >= 8:
        return f"{'*' * (len(compact) - 2)}{compact[-2:]}"
    return "*" * len(compact)
