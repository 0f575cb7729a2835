"""Custom Presidio recognizers for German and English prompts.

The classes load lazily (PEP 562): importing a light helper module of this package
(name_lexicon, spans, table_columns, person_words, …) must not import Presidio and spaCy,
which the gateway process never needs (its prefilter reads checker/triggers.py only).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.recognizers.credential_recognizer import CredentialRecognizer
    from checker.recognizers.date_of_birth_recognizer import DateOfBirthRecognizer
    from checker.recognizers.de_drivers_license_recognizer import DeDriversLicenseRecognizer
    from checker.recognizers.de_health_insurance_recognizer import DeHealthInsuranceRecognizer
    from checker.recognizers.de_id_card_recognizer import DeIdCardRecognizer
    from checker.recognizers.de_kfz_recognizer import DeKfzRecognizer
    from checker.recognizers.de_lanr_recognizer import DeLanrRecognizer
    from checker.recognizers.de_passport_recognizer import DePassportRecognizer
    from checker.recognizers.de_social_security_recognizer import DeSocialSecurityRecognizer
    from checker.recognizers.de_tax_id_recognizer import DeTaxIdRecognizer
    from checker.recognizers.de_tax_number_recognizer import DeTaxNumberRecognizer
    from checker.recognizers.de_vat_id_recognizer import DeVatIdRecognizer
    from checker.recognizers.email_recognizer import EmailRecognizer
    from checker.recognizers.health_data_recognizer import HealthDataRecognizer
    from checker.recognizers.iban_recognizer import IbanRecognizer
    from checker.recognizers.ip_address_recognizer import IpAddressRecognizer
    from checker.recognizers.person_cue_recognizer import PersonCueRecognizer
    from checker.recognizers.phone_number_recognizer import PhoneNumberRecognizer
    from checker.recognizers.policy_pattern_recognizer import PolicyPatternRecognizer
    from checker.recognizers.secret_recognizer import SecretRecognizer
    from checker.recognizers.street_address_recognizer import StreetAddressRecognizer

_MODULES = {
    "CredentialRecognizer": "checker.recognizers.credential_recognizer",
    "DateOfBirthRecognizer": "checker.recognizers.date_of_birth_recognizer",
    "DeDriversLicenseRecognizer": "checker.recognizers.de_drivers_license_recognizer",
    "DeHealthInsuranceRecognizer": "checker.recognizers.de_health_insurance_recognizer",
    "DeIdCardRecognizer": "checker.recognizers.de_id_card_recognizer",
    "DeKfzRecognizer": "checker.recognizers.de_kfz_recognizer",
    "DeLanrRecognizer": "checker.recognizers.de_lanr_recognizer",
    "DePassportRecognizer": "checker.recognizers.de_passport_recognizer",
    "DeSocialSecurityRecognizer": "checker.recognizers.de_social_security_recognizer",
    "DeTaxIdRecognizer": "checker.recognizers.de_tax_id_recognizer",
    "DeTaxNumberRecognizer": "checker.recognizers.de_tax_number_recognizer",
    "DeVatIdRecognizer": "checker.recognizers.de_vat_id_recognizer",
    "EmailRecognizer": "checker.recognizers.email_recognizer",
    "HealthDataRecognizer": "checker.recognizers.health_data_recognizer",
    "IbanRecognizer": "checker.recognizers.iban_recognizer",
    "IpAddressRecognizer": "checker.recognizers.ip_address_recognizer",
    "PersonCueRecognizer": "checker.recognizers.person_cue_recognizer",
    "PhoneNumberRecognizer": "checker.recognizers.phone_number_recognizer",
    "PolicyPatternRecognizer": "checker.recognizers.policy_pattern_recognizer",
    "SecretRecognizer": "checker.recognizers.secret_recognizer",
    "StreetAddressRecognizer": "checker.recognizers.street_address_recognizer",
}

__all__ = [
    "CredentialRecognizer",
    "DateOfBirthRecognizer",
    "DeDriversLicenseRecognizer",
    "DeHealthInsuranceRecognizer",
    "DeIdCardRecognizer",
    "DeKfzRecognizer",
    "DeLanrRecognizer",
    "DePassportRecognizer",
    "DeSocialSecurityRecognizer",
    "DeTaxIdRecognizer",
    "DeTaxNumberRecognizer",
    "DeVatIdRecognizer",
    "EmailRecognizer",
    "HealthDataRecognizer",
    "IbanRecognizer",
    "IpAddressRecognizer",
    "PersonCueRecognizer",
    "PhoneNumberRecognizer",
    "PolicyPatternRecognizer",
    "SecretRecognizer",
    "StreetAddressRecognizer",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
