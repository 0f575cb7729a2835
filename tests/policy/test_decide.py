"""decide() table: the single place where "what happens" is decided."""

from __future__ import annotations

import pytest

from policy.decide import (
    Decision,
    applied,
    decide,
    fail_action,
    most_restrictive,
    unreadable_action,
    with_unreadable,
    with_unscanned,
    with_unseen,
)
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
  hr: {users: [a.schmidt], tools: {chatgpt-enterprise: {allowed: [special]}}}
  sales: {networks: [10.0.5.0/24]}
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
        # group exception: HR may also put health data into the enterprise tool…
        ("chatgpt", "hr", {"special"}, "allow", "approved", ()),
        # …and keeps what the tool allows everyone
        ("chatgpt", "hr", {"confidential", "personal"}, "allow", "approved", ()),
        # other groups and users without a group do not get the exception
        ("chatgpt", "sales", {"special"}, "block", "approved", ("special",)),
        # tolerated tool allows nothing here: personal → redact
        ("deepl", None, {"personal"}, "redact", "tolerated", ("personal",)),
        # tolerated tools: use is logged
        ("deepl", None, set(), "log", "tolerated", ()),
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
    assert decision.reasons == ("unlisted_tool:log", "secrets:not_allowed:block")


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


PRECEDENCE = parse_policy(
    """
version: 1
organization: O
contact: c@o.example
data_classes:
  personal: {entities: [EMAIL_ADDRESS]}
  secrets: {entities: [SECRET]}
tools:
  deepl: {services: [deepl], status: tolerated, on_violation: {personal: warn}}
  gpt: {services: [chatgpt], allowed: [personal]}
  deepseek: {services: [deepseek], status: unapproved}
  copilot: {services: [microsoft-copilot], status: tolerated, action: allow}
on_violation: {personal: block, secrets: block}
groups:
  translators:
    users: [t.weber]
    tools: {deepl: {on_violation: {personal: log}}}
""",
    "precedence.yaml",
).policy


@pytest.mark.parametrize(
    ("service", "group", "found", "action", "reasons"),
    [
        # the tool's on_violation beats the policy's…
        ("deepl", None, {"personal"}, "warn", ("tool_tolerated:log", "personal:not_allowed:warn")),
        # …and the group's entry for the tool beats the tool's
        (
            "deepl",
            "translators",
            {"personal"},
            "log",
            ("tool_tolerated:log", "personal:not_allowed:log"),
        ),
        # an unapproved tool is blocked even for clean prompts
        ("deepseek", None, set(), "block", ("tool_unapproved:block",)),
        # a tool's explicit action replaces the default of its status
        ("microsoft-copilot", None, set(), "allow", ()),
        ("chatgpt", None, {"secrets"}, "block", ("secrets:not_allowed:block",)),
    ],
)
def test_override_precedence(service, group, found, action, reasons) -> None:  # type: ignore[no-untyped-def]
    decision = decide(PRECEDENCE, service, group, found)
    assert (decision.action, decision.reasons) == (action, reasons)


def test_unapproved_and_tolerated_tools_are_no_alternative() -> None:
    assert decide(PRECEDENCE, None, None, {"personal"}).alternatives == ("gpt",)


@pytest.mark.parametrize(
    ("user", "address", "group"),
    [
        ("a.schmidt", None, "hr"),
        ("A.Schmidt", "10.0.5.7", "hr"),  # user name wins, case-insensitive
        (None, "10.0.5.7", "sales"),
        ("someone", "10.0.5.7", "sales"),
        (None, "::ffff:10.0.5.7", "sales"),
        (None, "10.0.6.1", None),
        (None, "not-an-ip", None),
        (None, None, None),
    ],
)
def test_group_of(user: str | None, address: str | None, group: str | None) -> None:
    assert POLICY.group_of(user, address) == group


def test_decide_takes_findings_or_class_names() -> None:
    from checker.findings import Finding

    findings = [
        Finding("SECRET", "secrets", 0, 10, 0.95),
        Finding("PERSON", "personal", 12, 20, 0.9),
    ]
    by_findings = decide(POLICY, "chatgpt", None, findings)
    by_names = decide(POLICY, "chatgpt", None, {"secrets", "personal"})
    assert by_findings == by_names
    assert by_findings.action == "block" and by_findings.data_classes == ("secrets",)


# ---- the rest of the pipeline: fail mode, unscanned files, the applied action ---------


@pytest.mark.parametrize(
    ("override", "policy_mode", "action"),
    [
        ("policy", "closed", "block"),
        ("policy", "open", "allow"),
        ("closed", "open", "block"),
        ("open", "closed", "allow"),
        # Should a value ever get past the Guard's configure(): it must not fail open.
        ("closd", "open", "block"),
        ("", "open", "block"),
        ("Open", "open", "block"),
    ],
)
def test_fail_action_is_open_only_when_asked_for(
    override: str, policy_mode: str, action: str
) -> None:
    policy = POLICY.model_copy(update={"fail_mode": policy_mode})
    assert fail_action(policy, override) == action


def test_with_unscanned_takes_the_more_restrictive_action() -> None:
    clean = decide(POLICY, "chatgpt", None, [])
    assert with_unscanned(clean, 0, POLICY) == clean
    blocked = with_unscanned(clean, 2, POLICY.model_copy(update={"unscanned_files": "block"}))
    assert blocked.action == "block" and blocked.reasons[-1] == "unscanned_files:2:block"


# A file that could not be read completely counts, by default, as holding every class the
# tool does not allow: the most restrictive of their actions, warn/redact as block.
@pytest.mark.parametrize(
    ("setting", "unscanned", "service", "group", "action"),
    [
        # chatgpt allows personal and confidential; special and secrets block
        ("as_data_classes", "log", "chatgpt", None, "block"),
        # deepl allows nothing: personal redact → block (nothing to rewrite)
        ("as_data_classes", "log", "deepl", None, "block"),
        # no tool at all (leitplanke check): every class
        ("as_data_classes", "log", None, None, "block"),
        # explicit settings hold for every tool …
        ("log", "log", "chatgpt", None, "log"),
        ("allow", "allow", "deepl", None, "allow"),
        ("block", "allow", "chatgpt", None, "block"),
        # … but never more lenient than unscanned_files
        ("allow", "block", "chatgpt", None, "block"),
        ("log", "block", "deepl", None, "block"),
    ],
)
def test_unreadable_action(
    setting: str, unscanned: str, service: str | None, group: str | None, action: str
) -> None:
    policy = POLICY.model_copy(update={"unreadable_files": setting, "unscanned_files": unscanned})
    assert unreadable_action(policy, service, group) == action


LENIENT = parse_policy(
    """
version: 1
organization: Muster GmbH
contact: dsb@muster.example
data_classes:
  personal: {entities: [PERSON, IBAN_CODE]}
  confidential: {terms: ["Projekt Falke"]}
tools:
  onprem: {services: [chatgpt], allowed: [personal, confidential]}
  deepl: {services: [deepl], status: tolerated, allowed: [personal]}
on_violation: {personal: log, confidential: warn}
groups:
  legal: {users: [r.richter], tools: {deepl: {allowed: [confidential]}}}
""",
    "lenient.yaml",
).policy


@pytest.mark.parametrize(
    ("unscanned", "service", "group", "action"),
    [
        # a tool that allows every class takes a file nobody could read (logged by
        # unscanned_files' default, "log")
        ("log", "chatgpt", None, "log"),
        ("allow", "chatgpt", None, "allow"),
        # confidential warns at deepl: nobody can justify an unread file → block
        ("allow", "deepl", None, "block"),
        # the legal group's exception lets deepl take every class
        ("allow", "deepl", "legal", "allow"),
        # an unlisted tool: personal logs, confidential warns → block
        ("allow", "perplexity", None, "block"),
    ],
)
def test_unreadable_action_follows_the_tools_and_groups(
    unscanned: str, service: str, group: str | None, action: str
) -> None:
    policy = LENIENT.model_copy(update={"unscanned_files": unscanned})
    assert unreadable_action(policy, service, group) == action


def test_with_unreadable_records_each_reason_once() -> None:
    clean = decide(POLICY, "chatgpt", None, [])
    assert with_unreadable(clean, [], POLICY, "chatgpt", None) == clean
    whys = ["encrypted", "too_many_members", "encrypted"]
    blocked = with_unreadable(clean, whys, POLICY, "chatgpt", None)
    assert blocked.action == "block"
    assert blocked.reasons[-2:] == (
        "unreadable_file:encrypted:block",
        "unreadable_file:too_many_members:block",
    )
    assert blocked.data_classes == ()  # nothing was found: it could not be read
    logged = with_unreadable(clean, ["corrupt"], LENIENT, "chatgpt", None)
    assert logged.action == "log" and logged.reasons[-1] == "unreadable_file:corrupt:log"
    # more restrictive findings stay
    found = decide(POLICY, "chatgpt", None, ["secrets"])
    assert with_unreadable(found, ["corrupt"], LENIENT, "chatgpt", None).action == "block"


def test_default_policies_block_unreadable_files() -> None:
    """Every shipped policy protects personal data: an unreadable file is blocked."""
    from pathlib import Path

    for path in sorted((Path(__file__).parents[2] / "policy" / "examples").glob("*.yaml")):
        policy = load_policy(path).policy
        assert policy.unreadable_files == "as_data_classes"
        for service in ("chatgpt", "openai-api", "claude"):
            assert unreadable_action(policy, service, None) == "block", (path, service)


@pytest.mark.parametrize(
    ("unreadable_files", "unscanned_files", "service", "action"),
    [
        ("as_data_classes", "log", "chatgpt", "block"),  # the default: refused
        ("as_data_classes", "allow", "mistral", "block"),  # unlisted: every class
        ("block", "allow", "chatgpt", "block"),
        ("log", "log", "chatgpt", "log"),
        ("allow", "allow", "chatgpt", "allow"),
        ("allow", "block", "chatgpt", "block"),  # never more lenient than unscanned_files
    ],
)
def test_with_unseen_follows_the_unreadable_files_setting(
    unreadable_files: str, unscanned_files: str, service: str, action: str
) -> None:
    """An upload whose bytes bypass the gateway is a file nobody can read: it gets what
    such files get (`unreadable_action`), fail-closed by default."""
    clean = decide(POLICY, service, None, [])
    assert with_unseen(clean, 0, POLICY, service, None) == clean
    policy = POLICY.model_copy(
        update={"unreadable_files": unreadable_files, "unscanned_files": unscanned_files}
    )
    decision = with_unseen(clean, 1, policy, service, None)
    assert decision.action == most_restrictive([clean.action, action])
    assert decision.reasons[-1] == f"unseen_upload:1:{action}"
    # the findings' decision still wins when it is stricter
    found = decide(POLICY, "mistral", None, ["secrets"])
    assert with_unseen(found, 1, policy, "mistral", None).action == "block"


def _decision(action: str, mode: str = "enforce") -> Decision:
    return Decision(action, (), ("personal",), "t", "approved", (), mode)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("decision", "checked", "facts", "action", "extra"),
    [
        (_decision("block"), "findings", {}, "block", None),
        (_decision("log"), "findings", {}, "log", None),
        (_decision("warn"), "findings", {"coached": True}, "warn", "coached"),
        (_decision("warn"), "findings", {"justified": True}, "allow", "justified"),
        (_decision("warn"), "findings", {}, "warn", None),  # no portal: stopped, no link
        (_decision("block", "coach"), "findings", {"coached": True}, "warn", "coached"),
        (_decision("block", "coach"), "findings", {}, "warn", "block:enforced_as_warn"),
        (_decision("redact"), "findings", {"redacted": True}, "redact", None),
        (_decision("redact"), "findings", {}, "block", "redact_unsupported"),
        (_decision("warn"), "checker_error", {}, "block", "warn:enforced_as_block"),
        (_decision("block", "monitor"), "findings", {}, "log", "block:enforced_as_log"),
        (_decision("warn"), "findings", {"inline": False}, "block", "warn:enforced_as_block"),
        (_decision("redact"), "oversize", {}, "block", "redact:enforced_as_block"),
    ],
)
def test_applied_action_and_its_reason(
    decision: Decision, checked: str, facts: dict[str, bool], action: str, extra: str | None
) -> None:
    result = applied(decision, checked, **facts)  # type: ignore[arg-type]
    assert result.action == action
    expected = (*decision.recorded_reasons, extra) if extra else decision.recorded_reasons
    assert result.reasons == expected
