from __future__ import annotations

from pathlib import Path

import pytest

from policy.loader import PolicyError, load_policy, parse_policy
from policy.model import Policy

HEADER = "version: 1\norganization: Muster GmbH\ncontact: dsb@muster.example\n"


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.yaml")
    return [str(p) for p in caught.value.problems]


def test_embedded_default_policy_loads() -> None:
    loaded = load_policy()
    policy = loaded.policy
    assert loaded.source == "<embedded default>"
    assert policy.tools == {}  # no AI tool is approved
    assert set(policy.on_violation.values()) == {"block"}
    assert policy.class_of_entity()["IBAN_CODE"] == "personal"
    assert policy.class_of_entity()["HEALTH_DATA"] == "special"
    assert policy.class_of_entity()["SECRET"] == "secrets"
    assert loaded.version_id.startswith("1@")


def test_default_policy_file_is_german_and_shipped() -> None:
    path = Path(__file__).parents[2] / "policy" / "examples" / "default.de.yaml"
    text = path.read_text("utf-8")
    assert "Personenbezogene Daten" in text and "KI-Richtlinie" in text


def test_load_from_file_and_version_changes_with_content(tmp_path: Path) -> None:
    base = HEADER + "data_classes:\n  personal: {entities: [EMAIL_ADDRESS]}\n"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(base)
    second.write_text(base + "unlisted_ai_tools: block\n")
    a, b = load_policy(first), load_policy(second)
    assert a.source == str(first)
    assert a.version_id != b.version_id
    assert a.version_id.split("@")[0] == b.version_id.split("@")[0] == "1"


def test_unknown_key_names_line_column_and_suggestion() -> None:
    text = HEADER + "data_classes:\n  personal: {entities: [EMAIL_ADDRESS]}\non_violaton: {}\n"
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:6:1: unknown key 'on_violaton'")
    assert "did you mean 'on_violation'?" in problem


def test_unknown_entity_points_at_the_list_item() -> None:
    text = HEADER + "data_classes:\n  personal:\n    entities: [PERSON, EMAIL_ADRESS]\n"
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:6:24: data_classes.personal.entities.1: unknown entity")
    assert "did you mean 'EMAIL_ADDRESS'?" in problem


def test_invalid_regex_is_reported_with_position() -> None:
    text = HEADER + "data_classes:\n  conf:\n    patterns: ['KD-(\\d+']\n"
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:6:16: data_classes.conf.patterns.0: invalid regular")


def test_undefined_data_class_in_on_violation() -> None:
    text = (
        HEADER + "data_classes:\n  personal: {entities: [PERSON]}\non_violation: {persnal: block}\n"
    )
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:6:16: on_violation.persnal: data class 'persnal'")
    assert "did you mean 'personal'?" in problem


def test_undefined_class_in_tool_allowed() -> None:
    text = HEADER + (
        "data_classes:\n  personal: {entities: [PERSON]}\n"
        "tools:\n  gpt:\n    services: [chatgpt]\n    allowed: [personal, secrets]\n"
    )
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:9:25: tools.gpt.allowed.1: data class 'secrets'")


def test_bad_action_lists_the_choices() -> None:
    text = HEADER + "data_classes:\n  p: {entities: [PERSON]}\non_violation: {p: forbid}\n"
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:6:")
    assert "'block'" in problem


def test_missing_required_key() -> None:
    (problem,) = problems("version: 1\norganization: X\ndata_classes: {}\n")
    assert "missing required key 'contact'" in problem


def test_yaml_syntax_error_has_position() -> None:
    (problem,) = problems(HEADER + "data_classes:\n  personal: {entities: [PERSON\n")
    assert problem.startswith("p.yaml:") and "YAML syntax error" in problem


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string"])
def test_not_a_mapping(text: str) -> None:
    (problem,) = problems(text)
    assert "must be a YAML mapping" in problem


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "missing.yaml")
    assert "cannot read policy" in str(caught.value)


def test_safe_loading_refuses_python_tags() -> None:
    (problem,) = problems(HEADER + "data_classes: !!python/object/apply:os.system ['true']\n")
    assert "YAML syntax error" in problem or "constructor" in problem


def test_policy_model_is_strict() -> None:
    with pytest.raises(ValueError):
        Policy.model_validate(
            {"version": 1, "organization": "x", "contact": "y", "data_classes": {}, "extra": 1}
        )
