"""Checksum validators a policy's custom patterns may name: python-stdnum modules."""

from __future__ import annotations

import importlib
import re

KNOWN_VALIDATORS = [
    "iban",
    "luhn",
    "de.idnr",
    "de.vat",
    "de.stnr",
    "de.handelsregisternummer",
    "isin",
    "eu.vat",
    "at.uid",
    "ch.uid",
    "ch.ssn",
    "bic",
]


def stdnum_validator(name: str) -> object | None:
    """The `is_valid` function of python-stdnum module `name`, or None."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?", name):
        return None
    try:
        module = importlib.import_module(f"stdnum.{name}")
    except ImportError:
        return None
    return getattr(module, "is_valid", None)
