"""csp.py: a nonce for our inline <style>/<script>, and nothing else ever changes."""

from __future__ import annotations

import pytest

from answers.csp import (
    add_nonce,
    add_nonce_to_policy,
    adjust_header_values,
    adjust_meta_policies,
    allows_inline,
    parse_policy,
)

N = "abc123"
NONCE = f"'nonce-{N}'"


def directives(value: str) -> dict[str, list[str]]:
    return dict(parse_policy(value))


def test_parse_keeps_order_and_lowercases_names() -> None:
    assert parse_policy(" Default-Src 'self' ;; img-src * data: ;") == [
        ("default-src", ["'self'"]),
        ("img-src", ["*", "data:"]),
    ]


def test_nonce_added_to_script_and_style_src() -> None:
    value = "default-src 'self'; script-src 'self'; style-src 'self' https://cdn.example"
    out = directives(add_nonce(value, N))
    assert out["script-src"] == ["'self'", NONCE]
    assert out["style-src"] == ["'self'", "https://cdn.example", NONCE]
    assert out["default-src"] == ["'self'"]


def test_default_src_copied_when_script_and_style_src_absent() -> None:
    out = directives(add_nonce("default-src 'self' https:; img-src 'self'", N))
    assert out["default-src"] == ["'self'", "https:"]  # unchanged
    assert out["script-src"] == ["'self'", "https:", NONCE]
    assert out["style-src"] == ["'self'", "https:", NONCE]
    assert out["img-src"] == ["'self'"]


def test_only_the_missing_kind_is_copied_from_default_src() -> None:
    out = directives(add_nonce("default-src 'none'; script-src 'self'", N))
    assert out["script-src"] == ["'self'", NONCE]
    assert out["style-src"] == [NONCE]  # 'none' alone becomes just the nonce
    assert out["default-src"] == ["'none'"]


@pytest.mark.parametrize(
    "value",
    [
        "style-src 'self' 'unsafe-inline'; script-src 'unsafe-inline' https:",
        "default-src 'self' 'unsafe-inline'",
        "img-src 'self'",  # no script/style/default: inline allowed already
        "",
    ],
)
def test_policies_that_allow_inline_stay_byte_identical(value: str) -> None:
    assert add_nonce(value, N) == value


def test_unsafe_inline_kept_working_only_where_it_works() -> None:
    value = (
        "script-src 'unsafe-inline' 'strict-dynamic' 'nonce-page'; "
        "style-src 'unsafe-inline' 'sha256-AAAA'"
    )
    out = directives(add_nonce(value, N))
    # 'unsafe-inline' is already ignored here (nonce/hash/strict-dynamic): ours needs a nonce.
    assert out["script-src"][-1] == NONCE
    assert out["style-src"][-1] == NONCE
    assert allows_inline("style", ["'unsafe-inline'", "'strict-dynamic'"])
    assert not allows_inline("script", ["'unsafe-inline'", "'strict-dynamic'"])


def test_mixed_unsafe_inline_per_directive() -> None:
    out = directives(add_nonce("script-src 'self'; style-src 'unsafe-inline'", N))
    assert out["script-src"] == ["'self'", NONCE]
    assert out["style-src"] == ["'unsafe-inline'"]


def test_elem_directives_get_the_nonce_without_touching_attr_fallback() -> None:
    value = "script-src 'self' 'unsafe-inline'; script-src-elem 'self'; style-src-elem 'self'"
    out = directives(add_nonce(value, N))
    assert out["script-src-elem"] == ["'self'", NONCE]
    # script-src still allows inline handlers (script-src-attr falls back to it).
    assert out["script-src"] == ["'self'", "'unsafe-inline'"]
    assert out["style-src-elem"] == ["'self'", NONCE]
    assert "style-src" not in out


def test_other_directives_untouched_and_duplicates_ignored_like_browsers() -> None:
    value = (
        "default-src 'self'; script-src 'self'; script-src *; frame-ancestors 'none'; "
        "require-trusted-types-for 'script'; trusted-types default; report-uri /r; sandbox"
    )
    out = parse_policy(add_nonce(value, N))
    assert out[1] == ("script-src", ["'self'", NONCE])
    assert out[2] == ("script-src", ["*"])  # the ignored duplicate stays as it was
    assert ("frame-ancestors", ["'none'"]) in out
    assert ("require-trusted-types-for", ["'script'"]) in out
    assert ("trusted-types", ["default"]) in out
    assert ("report-uri", ["/r"]) in out
    assert ("sandbox", []) in out
    assert out[-1] == ("style-src", ["'self'", NONCE])


def test_comma_separated_policies_each_adjusted() -> None:
    value = "script-src 'self', default-src https:, img-src *"
    policies = add_nonce(value, N).split(", ")
    assert directives(policies[0])["script-src"] == ["'self'", NONCE]
    assert directives(policies[1])["style-src"] == ["https:", NONCE]
    assert policies[2] == "img-src *"


def test_several_header_values_and_report_only_same_treatment() -> None:
    enforced = ["default-src 'self'", "style-src 'unsafe-inline'; script-src https:"]
    out = adjust_header_values(enforced, N)
    assert directives(out[0])["style-src"] == ["'self'", NONCE]
    assert directives(out[1]) == {
        "style-src": ["'unsafe-inline'"],
        "script-src": ["https:", NONCE],
    }


def test_nonce_is_never_added_twice_to_a_policy() -> None:
    once = add_nonce_to_policy("default-src 'self'", N)
    assert once.count(NONCE) == 2  # script-src and style-src copies


def test_meta_policy_adjusted_and_escaped() -> None:
    doc = (
        b"<html><head><meta charset=utf-8>"
        b'<meta http-equiv="Content-Security-Policy" content="style-src \'self\'">'
        b"<META CONTENT='script-src &apos;self&apos;' HTTP-EQUIV='content-security-policy'>"
        b'<meta name="description" content="style-src \'self\'">'
        b'<meta http-equiv=Content-Security-Policy content="img-src *">'
        b"</head>"
    )
    out = adjust_meta_policies(doc, N)
    assert b'content="style-src &#x27;self&#x27; &#x27;nonce-abc123&#x27;"' in out
    assert b'CONTENT="script-src &#x27;self&#x27; &#x27;nonce-abc123&#x27;"' in out
    assert b'<meta name="description" content="style-src \'self\'">' in out  # not a CSP
    assert b'content="img-src *"' in out  # allows inline already: untouched
    assert b"<meta charset=utf-8>" in out
