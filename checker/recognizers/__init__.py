"""Custom Presidio recognizers for German and English prompts."""

from checker.recognizers.credential_recognizer import CredentialRecognizer
from checker.recognizers.de_tax_id_recognizer import DeTaxIdRecognizer
from checker.recognizers.health_data_recognizer import HealthDataRecognizer
from checker.recognizers.person_cue_recognizer import PersonCueRecognizer
from checker.recognizers.phone_number_recognizer import PhoneNumberRecognizer
from checker.recognizers.policy_pattern_recognizer import PolicyPatternRecognizer
from checker.recognizers.secret_recognizer import SecretRecognizer

__all__ = [
    "CredentialRecognizer",
    "DeTaxIdRecognizer",
    "HealthDataRecognizer",
    "PersonCueRecognizer",
    "PhoneNumberRecognizer",
    "PolicyPatternRecognizer",
    "SecretRecognizer",
]
