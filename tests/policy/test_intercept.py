"""gateway_hosts / allow_hosts_pattern: one host list for the PAC file and for decryption."""

from __future__ import annotations

import re

import pytest

from policy.catalog import default_catalog
from policy.intercept import Hosts, allow_hosts_pattern, decrypted_hosts, gateway_hosts


def test_gateway_hosts_are_the_catalog_hosts_without_a_policy() -> None:
    catalog = default_catalog()
    assert gateway_hosts() == tuple(sorted(catalog.all_hosts() + catalog.all_patterns()))
    assert "*-aiplatform.googleapis.com" in gateway_hosts()
    assert {"api.openai.com", "chatgpt.com", "claude.ai"} <= set(gateway_hosts())


def test_passthrough_services_are_routed_but_not_decrypted() -> None:
    deepl = set(default_catalog().services["deepl"].hosts)
    assert deepl <= set(gateway_hosts())
    assert not deepl & set(decrypted_hosts(passthrough=["deepl"]).all())
    assert "api.openai.com" in decrypted_hosts(passthrough=["deepl"]).domains


@pytest.mark.parametrize(
    ("target", "decrypted"),
    [
        ("api.openai.com:443", True),
        ("eu.api.openai.com:443", True),
        ("API.OpenAI.com:443", True),
        ("chatgpt.com.:443", True),
        ("claude.ai:8443", True),
        ("evilchatgpt.com:443", False),
        ("chatgpt.com.evil.example:443", False),
        ("www.bank.example:443", False),
        ("1.2.3.4:443", False),
        ("chatgpt.com", False),  # mitmproxy always appends the port
    ],
)
def test_allow_hosts_pattern_matches_like_mitmproxy(target: str, decrypted: bool) -> None:
    pattern = allow_hosts_pattern(decrypted_hosts())
    # mitmproxy's NextLayer: re.search(rex, "host:port", re.IGNORECASE)
    assert (re.search(pattern, target, re.IGNORECASE) is not None) is decrypted


def test_empty_host_list_decrypts_nothing() -> None:
    assert re.search(allow_hosts_pattern(Hosts(())), "api.openai.com:443") is None


def test_exact_hosts_do_not_cover_subdomains() -> None:
    pattern = allow_hosts_pattern(Hosts(("chatgpt.com",), ("login.microsoftonline.com",)))
    assert re.search(pattern, "login.microsoftonline.com:443", re.IGNORECASE)
    assert not re.search(pattern, "device.login.microsoftonline.com:443", re.IGNORECASE)
    assert re.search(pattern, "ab.chatgpt.com:443", re.IGNORECASE)


def test_a_passed_through_child_service_is_not_decrypted_under_its_parent() -> None:
    catalog = default_catalog()
    child = catalog.lookup("sora.chatgpt.com")
    assert child is not None and child.id != "chatgpt"
    pattern = allow_hosts_pattern(decrypted_hosts(passthrough=[child.id]))
    assert not re.search(pattern, "sora.chatgpt.com:443", re.IGNORECASE)
    assert not re.search(pattern, "x.sora.chatgpt.com:443", re.IGNORECASE)
    assert re.search(pattern, "chatgpt.com:443", re.IGNORECASE)


def test_a_decrypted_child_stays_decrypted_when_its_parent_is_passed_through() -> None:
    child = default_catalog().lookup("api.perplexity.ai")
    parent = default_catalog().lookup("www.perplexity.ai")
    assert child is not None and parent is not None and child.id != parent.id
    pattern = allow_hosts_pattern(decrypted_hosts(passthrough=[parent.id]))
    assert not re.search(pattern, "www.perplexity.ai:443", re.IGNORECASE)
    assert not re.search(pattern, "perplexity.ai:443", re.IGNORECASE)
    assert re.search(pattern, "api.perplexity.ai:443", re.IGNORECASE)
    assert re.search(pattern, "claude.ai:443", re.IGNORECASE)
