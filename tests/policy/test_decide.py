"""decide() table: the single place where "what happens" is decided."""

from __future__ import annotations

import pytest

from policy.decide import decide, most_restrictive
from policy.loader import load_policy, parse_policy

POLICY = parse_policy(
    """
version: 2
organization: Muster GmbH
contact: dsb@muster.example
data_classes:
  personal: {entities: [PERSON, EMAIL_ADDRESS, IBAN_CODE]}
  special: {entities: [HEALTH_DATA]}
  secrets: {entities: [SECRET]}
  confidential: {terms: ["Projekt Falke"]}
tools:
  chatgpt-enterprise:
    {name: ChatGPT Enterprise, services: [chatgpt], allowed: [personal, confidential]}
  deepl: {services: [deepl], status: tolerated}
on_violation: {special: block, secrets: block, personal: redact, confidential: warn}
unlisted_ai_tools: log
groups:
  hr: {tools: {chatgpt-enterprise: {allowed: [personal, special]}}}
""",
    "table.yaml",
).policy


@pytest.mark.parametrize(
    ("service", "group", "found", "action", "status", "violating"),
    [
        # approved tool, allowed class → allow
        ("chatgpt", None, {"personal"}, "allow", "approved", ()),
        ("chatgpt", None, set(), "allow", "approved", ()),
        # approved tool, class not allowed → that class's action
        ("chatgpt", None, {"special"}, "block", "approved", ("special",)),
        # group exception: HR may put health data into the enterprise tool…
        ("chatgpt", "hr", {"special"}, "allow", "approved", ()),
        # …but the group's list replaces the tool's: confidential is not in it
        ("chatgpt", "hr", {"confidential"}, "warn", "approved", ("confidential",)),
        # tolerated tool allows nothing here: personal → redact
        ("deepl", None, {"personal"}, "redact", "tolerated", ("personal",)),
        ("deepl", None, set(), "allow", "tolerated", ()),
        # unlisted AI tool: clean → unlisted_ai_tools; with data → most restrictive
        ("perplexity", None, set(), "log", "unapproved", ()),
        ("perplexity", None, {"confidential"}, "warn", "unapproved", ("confidential",)),
        (
            "perplexity",
            None,
            {"confidential", "secrets"},
            "block",
            "unapproved",
            ("secrets", "confidential"),
        ),
        # no service (leitplanke check): data rules only
        (None, None, set(), "allow", "unapproved", ()),
        (None, None, {"personal"}, "redact", "unapproved", ("personal",)),
    ],
)
def test_decision_table(service, group, found, action, status, violating) -> None:  # type: ignore[no-untyped-def]
    decision = decide(POLICY, service, group, found)
    assert decision.action == action
    assert decision.tool_status == status
    assert decision.data_classes == violating


def test_alternatives_name_approved_tools_that_allow_the_data() -> None:
    decision = decide(POLICY, "perplexity", None, {"personal"})
    assert decision.alternatives == ("ChatGPT Enterprise",)
    assert decide(POLICY, "perplexity", None, {"secrets"}).alternatives == ()


def test_reasons_are_machine_readable() -> None:
    decision = decide(POLICY, "perplexity", None, {"secrets"})
    assert decision.reasons == ("secrets:not_allowed:block", "unlisted_tool:log")


def test_default_policy_blocks_every_sensitive_class_everywhere() -> None:
    policy = load_policy().policy
    for data_class in ("personal", "special", "secrets"):
        assert decide(policy, "openai-api", None, {data_class}).action == "block"
    clean = decide(policy, "openai-api", None, set())
    assert clean.action == "log" and clean.tool_status == "unapproved"


def test_class_without_on_violation_entry_blocks() -> None:
    policy = parse_policy(
        "version: 1\norganization: o\ncontact: c\ndata_classes: {x: {entities: [PERSON]}}\n", "p"
    ).policy
    assert decide(policy, None, None, {"x"}).action == "block"


def test_most_restrictive_precedence() -> None:
    assert most_restrictive(["allow", "log", "warn"]) == "warn"
    assert most_restrictive(["redact", "warn"]) == "redact"
    assert most_restrictive(["log", "block", "redact"]) == "block"
    assert most_restrictive([]) == "allow"
