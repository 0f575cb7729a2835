"""Build Leitplanke's Presidio AnalyzerEngine: offline, German first, bilingual context."""

from __future__ import annotations

from collections.abc import Iterable

import presidio_analyzer.pattern_recognizer as presidio_patterns
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
)
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, SpacyRecognizer

import checker.offline  # noqa: F401  (must run before presidio imports tldextract)
from checker.config import ScanConfig
from checker.context_enhancer import LinearContextEnhancer
from checker.nlp_engine import OfflineSpacyNlpEngine
from checker.prefilter import Prefilter
from checker.recognizers import (
    CredentialRecognizer,
    DateOfBirthRecognizer,
    DeDriversLicenseRecognizer,
    DeHealthInsuranceRecognizer,
    DeIdCardRecognizer,
    DeKfzRecognizer,
    DeLanrRecognizer,
    DePassportRecognizer,
    DeSocialSecurityRecognizer,
    DeTaxIdRecognizer,
    DeTaxNumberRecognizer,
    DeVatIdRecognizer,
    EmailRecognizer,
    HealthDataRecognizer,
    IbanRecognizer,
    IpAddressRecognizer,
    PersonCueRecognizer,
    PhoneNumberRecognizer,
    PolicyPatternRecognizer,
    SecretRecognizer,
    StreetAddressRecognizer,
)
from checker.triggers import TRIGGERS, Triggers, pattern_triggers, term_triggers
from policy.entities import TERM_ENTITY

# Presidio's built-ins only know English context words; one pass in "de" serves
# German and English text, so each gets both.
EMAIL_CONTEXT = ["email", "e-mail", "mail", "adresse", "address", "kontakt", "contact"]
CARD_CONTEXT = [
    "kreditkarte",
    "karte",
    "kartennummer",
    "visa",
    "mastercard",
    "amex",
    "credit",
    "card",
]

# Presidio gives up on a regex that runs longer than REGEX_TIMEOUT_SECONDS (60 s unless
# the environment says otherwise) and reports nothing for it: a policy pattern that
# backtracks badly would let its matches through. A scan is bounded by
# leitplanke_scan_timeout_ms instead (at most 10 minutes; the pool then kills the worker
# and the fail mode applies), so Presidio's own limit must never come first.
PRESIDIO_REGEX_TIMEOUT_S = 3600
presidio_patterns.REGEX_TIMEOUT_SECONDS = max(
    presidio_patterns.REGEX_TIMEOUT_SECONDS, PRESIDIO_REGEX_TIMEOUT_S
)

TERM_RECOGNIZER_PREFIX = "policy_terms:"
PATTERN_RECOGNIZER_PREFIX = "policy_patterns:"


def builtin_recognizers(language: str) -> list[EntityRecognizer]:
    return [
        EmailRecognizer(supported_language=language, context=EMAIL_CONTEXT),
        IbanRecognizer(supported_language=language),
        CreditCardRecognizer(supported_language=language, context=CARD_CONTEXT),
        PhoneNumberRecognizer(supported_language=language),
        IpAddressRecognizer(supported_language=language),
        StreetAddressRecognizer(supported_language=language),
        DateOfBirthRecognizer(supported_language=language),
        DeTaxIdRecognizer(supported_language=language),
        DeVatIdRecognizer(supported_language=language),
        DeSocialSecurityRecognizer(supported_language=language),
        DeHealthInsuranceRecognizer(supported_language=language),
        DeIdCardRecognizer(supported_language=language),
        DePassportRecognizer(supported_language=language),
        DeKfzRecognizer(supported_language=language),
        DeTaxNumberRecognizer(supported_language=language),
        DeDriversLicenseRecognizer(supported_language=language),
        DeLanrRecognizer(supported_language=language),
        SecretRecognizer(supported_language=language),
        CredentialRecognizer(supported_language=language),
        HealthDataRecognizer(supported_language=language),
        PersonCueRecognizer(supported_language=language),
    ]


def policy_recognizers(config: ScanConfig, language: str) -> list[EntityRecognizer]:
    """A data class's own `terms` and `patterns` (project code names, customer numbers)."""
    recognizers: list[EntityRecognizer] = []
    for name, rules in config.classes.items():
        if rules.terms:
            recognizers.append(
                PatternRecognizer(
                    supported_entity=TERM_ENTITY,
                    name=TERM_RECOGNIZER_PREFIX + name,
                    deny_list=list(rules.terms),
                    supported_language=language,
                )
            )
        for spec in rules.patterns:
            recognizers.append(
                PolicyPatternRecognizer(
                    name=PATTERN_RECOGNIZER_PREFIX + name,
                    regex=spec.regex,
                    score=spec.score,
                    validator=spec.validator,
                    supported_language=language,
                )
            )
    return recognizers


def recognizer_triggers(recognizer: EntityRecognizer) -> Triggers | None:
    """The triggers of one recognizer (checker/triggers.py), or None when it has none
    (then the prefilter is off)."""
    name = str(getattr(recognizer, "name", ""))
    if name.startswith(TERM_RECOGNIZER_PREFIX) and isinstance(recognizer, PatternRecognizer):
        return term_triggers(recognizer.deny_list or ())
    if name.startswith(PATTERN_RECOGNIZER_PREFIX) and isinstance(recognizer, PatternRecognizer):
        patterns: list[Pattern] = getattr(recognizer, "patterns", [])
        return pattern_triggers([p.regex for p in patterns], recognizer.global_regex_flags or 0)
    return TRIGGERS.get(type(recognizer).__name__)


def build_prefilter(recognizers: Iterable[EntityRecognizer]) -> Prefilter | None:
    """A prefilter for these recognizers, or None if any of them has no triggers."""
    triggers = []
    for recognizer in recognizers:
        found = recognizer_triggers(recognizer)
        if found is None:
            return None
        triggers.append(found)
    return Prefilter(triggers)


def build_analyzer(config: ScanConfig, use_models: bool = True) -> AnalyzerEngine:
    """An AnalyzerEngine with Leitplanke's recognizers for each language; never downloads.

    Every language gets the same recognizers (their context words are bilingual); the
    language of a text only chooses the spaCy pipeline whose lemmas feed the context.
    """
    recognizers: list[EntityRecognizer] = []
    for language in config.languages:
        recognizers += builtin_recognizers(language) + policy_recognizers(config, language)
    context_words = {word for r in recognizers for word in (r.context or [])}
    nlp_engine = OfflineSpacyNlpEngine(
        config.languages,
        use_models=use_models,
        context_words=context_words if config.lean_lemmas else None,
    )
    nlp_engine.load()
    for language in config.languages:
        if nlp_engine.has_ner_for(language):
            recognizers.append(
                SpacyRecognizer(supported_language=language, supported_entities=["PERSON"])
            )
    languages = list(config.languages)
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=languages)
    return AnalyzerEngine(
        nlp_engine=nlp_engine,
        registry=registry,
        supported_languages=languages,
        context_aware_enhancer=LinearContextEnhancer(),
    )
