"""Bot-challenge answers by vendor, and answers that only look alike (table-driven)."""

from __future__ import annotations

import pytest

from cli.bot_challenge import detect
from rules import rules_yaml

CHALLENGES = [
    ("Cloudflare", 403, [("cf-mitigated", "challenge"), ("server", "cloudflare")], b""),
    ("Cloudflare", 429, [("Cf-Mitigated", "challenge")], b""),  # managed challenge on 429
    ("Cloudflare", 503, [], b"<html><head><title>Just a moment...</title>"),
    ("Cloudflare", 403, [], b"<script>window._cf_chl_opt={cvId: '3'}</script>"),
    ("Akamai Bot Manager", 403, [], b'<script src="/_sec/cp_challenge/sec-cpt.js">'),
    ("Akamai Bot Manager", 403, [("set-cookie", "_abck=0~-1~; Path=/")], b"Access Denied"),
    ("HUMAN (PerimeterX)", 403, [], b'<div id="px-captcha"></div>'),
    ("HUMAN (PerimeterX)", 403, [("Set-Cookie", "_pxhd=abc; path=/")], b""),
    ("DataDome", 403, [("x-datadome", "protected")], b""),
    ("DataDome", 403, [], b"<script src='https://geo.captcha-delivery.com/captcha/'>"),
    ("Imperva (Incapsula)", 403, [], b'<iframe src="/_Incapsula_Resource?SWUDNSAI=31">'),
    ("AWS WAF", 202, [("x-amzn-waf-action", "challenge")], b""),
    ("AWS WAF", 405, [("x-amzn-waf-action", "captcha")], b""),
    ("Vercel", 403, [("x-vercel-mitigated", "challenge")], b""),
]


@pytest.mark.parametrize(("vendor", "status", "headers", "body"), CHALLENGES)
def test_challenges_are_recognised(
    vendor: str, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    found = detect(status, headers, body)
    assert found is not None and found.vendor == vendor


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        # The AI API without a key: a refusal, but the service itself.
        (401, [("content-type", "application/json")], b'{"error": {"code": "invalid_api_key"}}'),
        (403, [("server", "cloudflare")], b'{"error": "forbidden"}'),  # behind CF, no challenge
        (
            200,
            [("set-cookie", "__cf_bm=x; path=/")],
            b"<title>ChatGPT</title>",
        ),  # bot cookie on 200
        (200, [], b"<title>Just a moment...</title>"),  # a normal page with the same title
        (404, [("cf-mitigated", "block")], b""),  # a WAF block is not a challenge
    ],
)
def test_lookalikes_are_not_challenges(
    status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    assert detect(status, headers, body) is None


def test_every_vendor_is_in_the_table() -> None:
    vendors = {entry["vendor"] for entry in rules_yaml("bot_challenges.yaml").values()}
    assert vendors == {case[0] for case in CHALLENGES}
