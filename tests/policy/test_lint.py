"""Policy warnings: ids, acknowledgements, group exceptions and the policy's language."""

from __future__ import annotations

import pytest

from policy.lint import Lint, lint, policy_warnings
from policy.loader import LoadedPolicy, parse_policy
from rules import rules_yaml

HEAD = """\
version: 1
organization: Muster GmbH
contact: dsb@muster.example
language: {lang}
data_classes:
  personal: {{entities: [EMAIL_ADDRESS]}}
  special:
    label: {{de: Gesundheitsdaten, en: Health data}}
    entities: [HEALTH_DATA]
tools:
  gpt: {{name: ChatGPT Enterprise, services: [chatgpt], allowed: [personal]}}
on_violation: {{personal: block, special: block}}
examples:
  - {{text: Hallo, tool: gpt, expect: allow}}
"""
HR = """\
groups:
  hr:
    users: [a.schmidt]
    tools:
      gpt: {allowed: [special]}
"""


def loaded(text: str) -> LoadedPolicy:
    return parse_policy(text, "policy.yaml")


def ids(result: Lint) -> list[str]:
    return [w.id for w in result.warnings]


def test_health_data_blocked_everywhere_warns_with_an_id() -> None:
    result = lint(loaded(HEAD.format(lang="en")))
    assert ids(result) == ["no-approved-tool:special"]
    (warning,) = result.warnings
    assert str(warning) == (
        "policy.yaml:7:3: no tool is approved for Health data, not even for a group — employees "
        "will have no legal alternative — approve a tool for it under tools: (or groups:), or "
        "accept that such work stays manual [no-approved-tool:special]"
    )


def test_a_group_exception_is_an_approved_way_and_its_own_dpia_warning() -> None:
    result = lint(loaded(HEAD.format(lang="en") + HR))
    assert ids(result) == ["health-data-allowed-group:hr/gpt"]
    assert "ChatGPT Enterprise is allowed health data in group 'hr'" in str(result.warnings[0])
    assert str(result.warnings[0]).startswith("policy.yaml:19:23: ")  # at `special` in hr


def test_warnings_are_in_the_policys_language() -> None:
    (de,) = lint(loaded(HEAD.format(lang="de"))).warnings
    assert "kein Werkzeug ist für Gesundheitsdaten freigegeben" in str(de)
    assert "ohne KI bleibt [no-approved-tool:special]" in str(de)


@pytest.mark.parametrize(
    "acknowledge", ["[no-approved-tool:special]", "[no-approved-tool]"], ids=["id", "kind"]
)
def test_an_acknowledged_warning_no_longer_counts(acknowledge: str) -> None:
    result = lint(loaded(HEAD.format(lang="en") + f"acknowledge: {acknowledge}\n"))
    assert ids(result) == []
    assert [w.id for w in result.acknowledged] == ["no-approved-tool:special"]


def test_a_stale_acknowledgement_is_a_warning_itself() -> None:
    text = HEAD.format(lang="de") + HR + "acknowledge: [no-approved-tool:special, fail-open]\n"
    result = lint(loaded(text))
    assert ids(result) == [
        "health-data-allowed-group:hr/gpt",
        "unused-acknowledgement:no-approved-tool:special",
        "unused-acknowledgement:fail-open",
    ]
    assert "bestätigte Warnung 'fail-open' tritt nicht (mehr) auf" in str(result.warnings[2])


def test_undetected_entity_acknowledgements_are_not_stale_without_the_checker() -> None:
    text = HEAD.format(lang="en") + "acknowledge: [no-approved-tool, undetected-entity:X]\n"
    assert ids(lint(loaded(text))) == []  # --no-checker: cannot tell
    assert ids(lint(loaded(text), detectable={"EMAIL_ADDRESS", "HEALTH_DATA"})) == [
        "unused-acknowledgement:undetected-entity:X"
    ]


def test_every_warning_kind_has_both_languages() -> None:
    texts = rules_yaml("policy_warnings.yaml")
    for kind, text in texts.items():
        for part in ("message", "hint"):
            assert set(text[part]) == {"de", "en"}, (kind, part)
    every = policy_warnings(
        loaded(
            HEAD.format(lang="en").replace(
                "examples:\n  - {text: Hallo, tool: gpt, expect: allow}\n", ""
            )
            + "unlisted_ai_tools: allow\nfail_mode: open\n"
        )
    )
    assert {w.kind for w in every} <= set(texts)
