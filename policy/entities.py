"""Entity type names Leitplanke emits (fixed contract, see ARCHITECTURE.md), their labels,
and which data class claims which type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Protocol

from rules import rules_yaml

# In the order the contract lists them (tables and reports use it).
CONTRACT_ENTITY_ORDER: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IBAN_CODE",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "STREET_ADDRESS",
    "DATE_OF_BIRTH",
    "DE_TAX_ID",
    "DE_SOCIAL_SECURITY",
    "DE_ID_CARD",
    "DE_PASSPORT",
    "DE_HEALTH_INSURANCE",
    "DE_VAT_ID",
    "DE_KFZ",
    "HEALTH_DATA",
    "SECRET",
)
CONTRACT_ENTITIES: frozenset[str] = frozenset(CONTRACT_ENTITY_ORDER)

# Detected beyond the contract (issue 21): German identifiers Presidio's German
# recognizers cover. Organisation numbers (Betriebsstättennummer, Handelsregister) and
# postcodes alone are not personal data and have no type (docs/evaluation.md).
EXTRA_ENTITY_ORDER: tuple[str, ...] = (
    "DE_TAX_NUMBER",  # Steuernummer of the Länder (not the Steuer-IdNr, DE_TAX_ID)
    "DE_DRIVERS_LICENSE",  # Führerscheinnummer
    "DE_LANR",  # lebenslange Arztnummer: the doctor's personal data
)
ENTITY_ORDER: tuple[str, ...] = CONTRACT_ENTITY_ORDER + EXTRA_ENTITY_ORDER

# Findings from a data class's own `terms` and `patterns` carry these types.
TERM_ENTITY = "CUSTOM_TERM"
PATTERN_ENTITY = "CUSTOM_PATTERN"

KNOWN_ENTITIES: frozenset[str] = frozenset(ENTITY_ORDER) | {TERM_ENTITY, PATTERN_ENTITY}


@cache
def entity_labels() -> dict[str, dict[str, str]]:
    """Entity type -> {language: label}, for employees and the DPO (rules/messages.yaml)."""
    return dict(rules_yaml("messages.yaml").get("entities", {}))


class HasEntities(Protocol):
    @property
    def entities(self) -> Iterable[str]: ...


def class_of_entity(classes: Mapping[str, HasEntities]) -> dict[str, str]:
    """Entity type -> the first data class that lists it."""
    mapping: dict[str, str] = {}
    for name, data_class in classes.items():
        for entity in data_class.entities:
            mapping.setdefault(entity, name)
    return mapping
