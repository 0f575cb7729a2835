"""Tenant restrictions: policy keys → vendor headers on the vendor's hosts, and their checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy.loader import PolicyError, parse_policy
from policy.model import Policy
from policy.tenant import (
    blocks_logged_out,
    merged_tenant,
    normal_path,
    tenant_exact_hosts,
    tenant_headers,
    tenant_hosts,
)
from policy.tenant_rules import tenant_rules

HEADER = "version: 1\norganization: Muster GmbH\ncontact: dsb@muster.example\ndata_classes: {}\n"
WS = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
WS2 = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
ORG = "org-Tkxfm8owx4zIPaJGNDVrPs6m"
README = Path(__file__).parents[2] / "README.md"


def policy_with(tenant: str, services: str = "[chatgpt]") -> Policy:
    text = HEADER + f"tools:\n  t:\n    services: {services}\n    tenant: {tenant}\n"
    return parse_policy(text, "p.yaml").policy


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(HEADER + text, "p.yaml")
    return [str(p) for p in caught.value.problems]


# ---- one test per header ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "host", "header", "value"),
    [
        (
            f"{{chatgpt_workspace_ids: [{WS}, {WS2}]}}",
            "chatgpt.com",
            "ChatGPT-Allowed-Workspace-Id",
            f"{WS},{WS2}",
        ),
        (
            f"{{chatgpt_workspace_ids: [{WS}]}}",
            "chat.openai.com",
            "ChatGPT-Allowed-Workspace-Id",
            WS,
        ),
        (
            f"{{openai_organization_ids: [{ORG}, org-abcdefgh12345678]}}",
            "api.openai.com",
            "OpenAI-Allowed-Organization-Ids",
            f"{ORG},org-abcdefgh12345678",
        ),
        (
            f"{{anthropic_org_ids: [{WS}, {WS2}]}}",
            "claude.ai",
            "anthropic-allowed-org-ids",
            f"{WS},{WS2}",
        ),
        (f"{{anthropic_org_ids: [{WS}]}}", "api.anthropic.com", "anthropic-allowed-org-ids", WS),
        (
            "{google_domains: [muster-gmbh.de, muster.example]}",
            "accounts.google.com",
            "X-GoogApps-Allowed-Domains",
            "muster-gmbh.de, muster.example",
        ),
        (
            "{google_domains: [muster-gmbh.de]}",
            "gemini.google.com",
            "X-GoogApps-Allowed-Domains",
            "muster-gmbh.de",
        ),
        (
            f"{{entra_tenants: [muster.onmicrosoft.com, {WS2}], entra_context: {WS}}}",
            "login.microsoftonline.com",
            "Restrict-Access-To-Tenants",
            f"muster.onmicrosoft.com,{WS2}",
        ),
        (
            f"{{entra_tenants: [muster.de], entra_context: {WS}}}",
            "login.windows.net",
            "Restrict-Access-Context",
            WS,
        ),
        (
            f"{{entra_tenant_policy: '{WS}:{WS2}'}}",
            "login.live.com",
            "sec-Restrict-Tenant-Access-Policy",
            f"{WS}:{WS2}",
        ),
        (
            f"{{entra_tenant_policy: '{WS}:{WS2}'}}",
            "login.microsoft.com",
            "sec-Restrict-Tenant-Access-Policy",
            f"{WS}:{WS2}",
        ),
        (
            "{github_enterprises: [muster-gmbh]}",
            "github.com",
            "sec-GitHub-allowed-enterprise",
            "muster-gmbh",
        ),
        (
            "{github_enterprises: [muster-gmbh, 12345]}",
            "api.github.com",
            "sec-GitHub-allowed-enterprise",
            "muster-gmbh, 12345",
        ),
        (
            "{github_enterprises: [muster-gmbh]}",
            "api.business.githubcopilot.com",
            "sec-GitHub-allowed-enterprise",
            "muster-gmbh",
        ),
    ],
)
def test_each_key_sets_its_header_on_its_hosts(
    tenant: str, host: str, header: str, value: str
) -> None:
    assert (header, value) in tenant_headers(policy_with(tenant), host, "/")


@pytest.mark.parametrize(
    ("tenant", "host"),
    [
        (f"{{chatgpt_workspace_ids: [{WS}]}}", "evilchatgpt.com"),
        (f"{{chatgpt_workspace_ids: [{WS}]}}", "chatgpt.com.evil.example"),
        (f"{{chatgpt_workspace_ids: [{WS}]}}", "api.openai.com"),
        (f"{{openai_organization_ids: [{ORG}]}}", "platform.openai.com"),  # OpenAI: api only
        (f"{{openai_organization_ids: [{ORG}]}}", "chatgpt.com"),
        (f"{{anthropic_org_ids: [{WS}]}}", "notclaude.ai"),
        ("{google_domains: [muster.de]}", "google.com.evil.example"),
        ("{google_domains: [muster.de]}", "googleusercontent.com"),
        # Microsoft: never subdomains of the sign-in hosts (device registration).
        (
            f"{{entra_tenants: [muster.de], entra_context: {WS}}}",
            "device.login.microsoftonline.com",
        ),
        (f"{{entra_tenants: [muster.de], entra_context: {WS}}}", "login.live.com"),  # v2 only
        (f"{{entra_tenant_policy: '{WS}:{WS2}'}}", "x.login.live.com"),
        ("{github_enterprises: [muster-gmbh]}", "gist.github.com"),
        ("{github_enterprises: [muster-gmbh]}", "evilgithub.com"),
    ],
)
def test_no_header_on_other_hosts(tenant: str, host: str) -> None:
    assert tenant_headers(policy_with(tenant), host, "/") == []


def test_subdomains_of_a_domain_rule_get_the_header() -> None:
    policy = policy_with(f"{{chatgpt_workspace_ids: [{WS}]}}")
    for host in ("ws.chatgpt.com", "CHATGPT.COM", "chatgpt.com.", "chatgpt.com:443"):
        assert tenant_headers(policy, host) == [("ChatGPT-Allowed-Workspace-Id", WS)], host


def test_without_tenant_settings_nothing_is_set_or_decrypted() -> None:
    policy = policy_with("{}")
    assert tenant_headers(policy, "chatgpt.com") == []
    assert tenant_headers(None, "chatgpt.com") == []
    assert not blocks_logged_out(policy, "chatgpt.com", "/backend-anon/conversation")
    assert tenant_hosts(policy) == () == tenant_hosts(None)


def test_settings_of_all_tools_are_merged_without_repeats() -> None:
    text = (
        HEADER
        + "tools:\n"
        + f"  a: {{services: [chatgpt], tenant: {{chatgpt_workspace_ids: [{WS}]}}}}\n"
        + f"  b: {{services: [openai-api], tenant: {{chatgpt_workspace_ids: [{WS.upper()}, {WS2}],"
        + f" openai_organization_ids: [{ORG}]}}}}\n"
    )
    policy = parse_policy(text, "p.yaml").policy
    assert merged_tenant(policy) == {
        "chatgpt_workspace_ids": (WS, WS2),
        "openai_organization_ids": (ORG,),
    }
    assert tenant_headers(policy, "chatgpt.com") == [
        ("ChatGPT-Allowed-Workspace-Id", f"{WS},{WS2}")
    ]


def test_tenant_hosts_are_those_of_the_keys_in_use() -> None:
    policy = policy_with(
        f"{{chatgpt_workspace_ids: [{WS}], entra_tenants: [muster.de], entra_context: {WS}}}"
    )
    assert tenant_hosts(policy) == (
        "chat.openai.com",
        "chatgpt.com",
        "login.microsoft.com",
        "login.microsoftonline.com",
        "login.windows.net",
    )
    assert tenant_exact_hosts(policy) == (
        "login.microsoft.com",
        "login.microsoftonline.com",
        "login.windows.net",
    )


# ---- logged-out ChatGPT ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/backend-anon/conversation",
        "/backend-anon/f/conversation?x=1",
        "/backend-anon",
        "//backend-anon/sentinel/chat-requirements",
        "/Backend-Anon/models",
        "/backend%2Danon/conversation",
        "/backend-anon%2Fconversation",
        "/x/../backend-anon/conversation",
        "/./backend-anon/conversation",
    ],
)
def test_logged_out_chatgpt_is_refused_when_a_workspace_is_set(path: str) -> None:
    policy = policy_with(f"{{chatgpt_workspace_ids: [{WS}]}}")
    assert blocks_logged_out(policy, "chatgpt.com", path)
    assert blocks_logged_out(policy, "chat.openai.com", path)


@pytest.mark.parametrize(
    "path", ["/backend-api/conversation", "/", "/backend-anonymous", "/c/backend-anon/x"]
)
def test_logged_in_chatgpt_paths_pass(path: str) -> None:
    policy = policy_with(f"{{chatgpt_workspace_ids: [{WS}]}}")
    assert not blocks_logged_out(policy, "chatgpt.com", path)


def test_logged_out_block_needs_a_workspace_restriction_and_a_chatgpt_host() -> None:
    others = policy_with(f"{{openai_organization_ids: [{ORG}], anthropic_org_ids: [{WS}]}}")
    assert not blocks_logged_out(others, "chatgpt.com", "/backend-anon/conversation")
    policy = policy_with(f"{{chatgpt_workspace_ids: [{WS}]}}")
    assert not blocks_logged_out(policy, "evilchatgpt.com", "/backend-anon/conversation")
    assert not blocks_logged_out(policy, "claude.ai", "/backend-anon/conversation")


def test_normal_path() -> None:
    assert normal_path("//A/./b/../c?q=/backend-anon/") == "/a/c"
    assert normal_path("%252Fbackend-anon") == "/backend-anon"


# ---- validation at load ----------------------------------------------------------------


def test_unknown_key_suggests_the_known_one() -> None:
    (problem,) = problems(
        f"tools:\n  t:\n    services: [chatgpt]\n    tenant: {{chatgpt_workspace_id: [{WS}]}}\n"
    )
    assert problem.startswith("p.yaml:8:14: tools.t.tenant.chatgpt_workspace_id: unknown tenant")
    assert "did you mean 'chatgpt_workspace_ids'?" in problem


def test_unknown_key_far_from_any_lists_the_known_keys() -> None:
    (problem,) = problems("tools:\n  t:\n    services: [chatgpt]\n    tenant: {slack: [x]}\n")
    assert "known values: anthropic_org_ids, chatgpt_workspace_ids" in problem


@pytest.mark.parametrize(
    ("tenant", "where", "expected"),
    [
        (f"chatgpt_workspace_ids: [{WS[:-1]}]", "chatgpt_workspace_ids.0", "write a UUID, e.g."),
        (
            "openai_organization_ids: [Tkxfm8owx4zIPaJGNDVrPs6m]",
            "openai_organization_ids.0",
            "org- followed by",
        ),
        (f"anthropic_org_ids: [{WS}, 'org {WS2}']", "anthropic_org_ids.1", "write a UUID"),
        ("google_domains: ['@muster.de']", "google_domains.0", "a domain name without @"),
        ("google_domains: [https://muster.de]", "google_domains.0", "a domain name without @"),
        (
            f"entra_tenants: [muster_de], entra_context: {WS}",
            "entra_tenants.0",
            "a domain of the tenant or its directory ID",
        ),
        (
            "entra_tenants: [muster.de], entra_context: muster.de",
            "entra_context",
            "Entra directory (tenant) ID",
        ),
        (f"entra_tenant_policy: '{WS}'", "entra_tenant_policy", "two UUIDs joined by a colon"),
        (
            "github_enterprises: ['muster gmbh']",
            "github_enterprises.0",
            "letters, digits and dashes",
        ),
    ],
)
def test_a_value_in_the_wrong_format_names_the_expected_one(
    tenant: str, where: str, expected: str
) -> None:
    (problem,) = problems(f"tools:\n  t:\n    services: [chatgpt]\n    tenant: {{{tenant}}}\n")
    assert f"tools.t.tenant.{where}: " in problem
    assert "is not a valid" in problem and expected in problem


def test_entra_tenants_and_context_go_together() -> None:
    (problem,) = problems(
        f"tools:\n  t:\n    services: [chatgpt]\n    tenant: {{entra_context: {WS}}}\n"
    )
    assert "entra_context needs entra_tenants as well" in problem
    (problem,) = problems(
        "tools:\n  t:\n    services: [chatgpt]\n    tenant: {entra_tenants: [muster.de]}\n"
    )
    assert "entra_tenants needs entra_context as well" in problem


def test_empty_list_and_too_many_values_are_errors() -> None:
    (problem,) = problems(
        "tools:\n  t:\n    services: [chatgpt]\n    tenant: {chatgpt_workspace_ids: []}\n"
    )
    assert "list at least one ChatGPT workspace ID" in problem
    (problem,) = problems(
        f"tools:\n  t:\n    services: [chatgpt]\n    tenant: {{entra_tenants: [muster.de], "
        f"entra_context: [{WS}, {WS2}]}}\n"
    )
    assert "Restrict-Access-Context takes at most 1 value(s)" in problem


def test_one_value_headers_cannot_differ_between_tools() -> None:
    text = (
        "tools:\n"
        f"  a: {{services: [chatgpt], tenant: {{entra_tenant_policy: '{WS}:{WS2}'}}}}\n"
        f"  b: {{services: [claude], tenant: {{entra_tenant_policy: '{WS2}:{WS}'}}}}\n"
    )
    (problem,) = problems(text)
    assert problem.startswith("p.yaml:7:")
    assert "tools.b.tenant.entra_tenant_policy" in problem and "tool 'a' already sets" in problem


def test_github_limit_counts_all_tools() -> None:
    many = ", ".join(f"e{i}" for i in range(15))
    more = ", ".join(f"f{i}" for i in range(6))
    text = (
        "tools:\n"
        f"  a: {{services: [chatgpt], tenant: {{github_enterprises: [{many}]}}}}\n"
        f"  b: {{services: [claude], tenant: {{github_enterprises: [{more}]}}}}\n"
    )
    (problem,) = problems(text)
    assert "at most 20 value(s); all tools together list 21" in problem


def test_short_forms_and_repeats() -> None:
    policy = policy_with(
        f"{{entra_tenants: muster.de, entra_context: {WS}, github_enterprises: 42}}"
    )
    tenant = policy.tools["t"].tenant
    assert tenant["entra_context"] == (WS,)
    assert tenant["entra_tenants"] == ("muster.de",)
    assert tenant["github_enterprises"] == ("42",)
    policy = policy_with(f"{{chatgpt_workspace_ids: [{WS}, {WS.upper()}]}}")
    assert policy.tools["t"].tenant["chatgpt_workspace_ids"] == (WS,)


# ---- the rules file and the README stay consistent ------------------------------------------


def test_every_rule_is_complete_and_its_example_is_valid() -> None:
    rules = tenant_rules()
    assert set(rules) >= {
        "chatgpt_workspace_ids",
        "openai_organization_ids",
        "anthropic_org_ids",
        "google_domains",
        "entra_tenants",
        "entra_context",
        "entra_tenant_policy",
        "github_enterprises",
    }
    for key, rule in rules.items():
        assert rule.format.regex.fullmatch(rule.format.example), key
        assert rule.names, key
        assert rule.doc_url.startswith("https://") and rule.doc_title, key
        assert re.fullmatch(r"[A-Za-z0-9-]+", rule.header), key
        assert all(h == h.lower() and "/" not in h for h in rule.names), key
        assert set(rule.requires) <= set(rules), key


def test_readme_documents_every_header_with_the_vendor_doc() -> None:
    section = README.read_text("utf-8").split("## Tenant restrictions", 1)[1].split("\n## ", 1)[0]
    for key, rule in tenant_rules().items():
        assert f"`{key}`" in section, key
        assert f"`{rule.header}`" in section, key
        assert rule.doc_url in section, key
