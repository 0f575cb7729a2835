"""checker/triggers.py is the one table both processes build their prefilter from: the
gateway from the policy alone (config_triggers, no Presidio), a worker from its
recognizer instances (engine.recognizer_triggers). Both must give the same triggers."""

from __future__ import annotations

import pytest
from presidio_analyzer import PatternRecognizer

from checker.config import ClassRules, PatternSpec, ScanConfig
from checker.engine import builtin_recognizers, policy_recognizers, recognizer_triggers
from checker.recognizers import CredentialRecognizer, PolicyPatternRecognizer, credential_labels
from checker.triggers import (
    BUILTIN_ENTITIES,
    PATTERN_RECOGNIZER_FLAGS,
    TRIGGERS,
    Triggers,
    config_triggers,
    wanted_entities,
)
from policy.loader import load_policy


def _engine_triggers(config: ScanConfig) -> list[Triggers | None]:
    """What the Scanner's prefilter is built from (scan._prefilter)."""
    language = config.languages[0]
    wanted = wanted_entities(config)
    recognizers = builtin_recognizers(language) + policy_recognizers(config, language)
    used = [r for r in recognizers if set(r.supported_entities) & wanted]
    return [recognizer_triggers(r) for r in used]


def test_builtin_entities_are_the_engines_recognizers_in_order() -> None:
    engine = [(type(r).__name__, tuple(r.supported_entities)) for r in builtin_recognizers("de")]
    assert engine == [(name, (entity,)) for name, entity in BUILTIN_ENTITIES.items()]
    assert set(TRIGGERS) == set(BUILTIN_ENTITIES)


def test_policy_recognizers_compile_with_the_flags_the_table_assumes() -> None:
    pattern = PolicyPatternRecognizer(name="x", regex=r"KD-\d{6}")
    terms = PatternRecognizer(supported_entity="X", deny_list=["Projekt Falke"])
    assert pattern.global_regex_flags == PATTERN_RECOGNIZER_FLAGS
    assert terms.global_regex_flags == PATTERN_RECOGNIZER_FLAGS


def test_credential_labels_are_the_recognizers_own() -> None:
    for label in ("PASSWORD_LABELS", "KEY_LABELS", "PROSE_LABELS", "USER_LABELS", "CLI_LABELS"):
        assert getattr(CredentialRecognizer, label) == getattr(credential_labels, label)


_RULES = {
    "default policy": None,
    "terms and patterns": {
        "projects": ClassRules(("PERSON",), ("Projekt Falke", "Blauwal"), (), 0.5),
        "customers": ClassRules(
            (),
            (),
            (PatternSpec(r"KD-\d{6}", None, 0.9), PatternSpec(r"\d{16}", "luhn", 0.8)),
            0.5,
        ),
    },
    "numbers only": {"ids": ClassRules(("IBAN_CODE", "DE_TAX_ID"), (), (), 0.5)},
    "nothing": {},
}


@pytest.mark.parametrize("case", list(_RULES))
def test_the_gateway_builds_the_scanners_triggers_without_recognizers(case: str) -> None:
    classes = _RULES[case]
    config = (
        ScanConfig.from_policy(load_policy().policy)
        if classes is None
        else ScanConfig(classes=classes)
    )
    assert config_triggers(config) == _engine_triggers(config)
