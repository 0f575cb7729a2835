"""Custom Presidio recognizers for German and English prompts."""

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
