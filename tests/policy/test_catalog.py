from __future__ import annotations

import pytest

from policy.catalog import default_catalog


@pytest.mark.parametrize(
    ("host", "service"),
    [
        ("api.openai.com", "openai-api"),
        ("API.OpenAI.com.", "openai-api"),
        ("eu.api.openai.com", "openai-api"),
        ("api.anthropic.com", "anthropic-api"),
        ("chatgpt.com", "chatgpt"),
        ("ab.chatgpt.com", "chatgpt"),
        ("claude.ai", "claude"),
        ("www.deepl.com", "deepl"),
        ("api-free.deepl.com", "deepl"),
        ("evilchatgpt.com", None),
        ("chatgpt.com.evil.example", None),
        ("openai.com", None),
        ("example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_lookup_is_exact_suffix_safe(host: str | None, service: str | None) -> None:
    found = default_catalog().lookup(host)
    assert (found.id if found else None) == service


def test_every_service_has_hosts_and_an_extractor() -> None:
    for service in default_catalog().services.values():
        assert service.hosts and service.extractor and service.name and service.vendor
