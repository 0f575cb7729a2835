"""The portal's pages without mitmproxy: CSRF tokens, rendering, headers."""

from __future__ import annotations

from answers.portal_pages import SECURITY_HEADERS, Csrf, render_page


def test_csrf_tokens_are_bound_to_user_form_and_time() -> None:
    now = [1000.0]
    csrf = Csrf(clock=lambda: now[0], ttl_s=60)
    token = csrf.token("u-1", "approval")
    assert csrf.check(token, "u-1", "approval")
    assert not csrf.check(token, "u-2", "approval")
    assert not csrf.check(token, "u-1", "coach:x")
    assert not csrf.check(None, "u-1", "approval")
    assert not csrf.check("1000.forged", "u-1", "approval")
    assert not Csrf(clock=lambda: now[0]).check(token, "u-1", "approval")  # other key
    now[0] += 61
    assert not csrf.check(token, "u-1", "approval")


def test_pages_render_in_both_languages_and_forbid_scripts_and_framing() -> None:
    de = render_page("message", "de", heading="", lines=["Zeile <1>"]).decode()
    en = render_page("message", "en", heading="Done", lines=[]).decode()
    assert '<html lang="de">' in de and "Zeile &lt;1&gt;" in de
    assert '<html lang="en">' in en and "Done" in en
    assert "default-src 'none'" in SECURITY_HEADERS["content-security-policy"]
    assert SECURITY_HEADERS["x-frame-options"] == "DENY"
