"""The Portal addon: pages on the magic host, CSRF, masking of free text, approval requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import http

from tests.proxy_addon.test_guard import (
    COACH_LINK,
    EMAIL,
    IBAN,
    WARN_POLICY,
    Harness,
    ai_flow,
    csrf_of,
    message_of,
    portal_flow,
    running_guard,
    visit,
)


@pytest.fixture
def warn_harness(tmp_path: Path) -> Iterator[Harness]:
    policy = tmp_path / "warn.yaml"
    policy.write_text(WARN_POLICY)
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        yield harness


async def coach_token(harness: Harness) -> str:
    flow = await harness.send(ai_flow(f"Konto {IBAN}"))
    match = COACH_LINK.search(message_of(flow))
    assert match is not None
    return match.group(1)


async def test_coach_post_needs_a_valid_csrf_token(warn_harness: Harness) -> None:
    token = await coach_token(warn_harness)
    form = {"csrf": "1.bad", "justification": "Kunde wartet dringend", "choice": "proceed"}
    page = await visit(warn_harness, portal_flow(f"/coach/{token}", form=form))
    assert page.status_code == 403
    assert warn_harness.rows("select count(*) from coaching") == [(0,)]
    # the page was re-rendered with a fresh token; the link is still usable
    form["csrf"] = csrf_of(page)
    assert (await visit(warn_harness, portal_flow(f"/coach/{token}", form=form))).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example"}, {"sec_fetch_site": "cross-site"}],
)
async def test_cross_site_posts_are_refused(warn_harness: Harness, headers: dict[str, str]) -> None:
    token = await coach_token(warn_harness)
    page = await visit(warn_harness, portal_flow(f"/coach/{token}"))
    form = {"csrf": csrf_of(page), "justification": "Kunde wartet dringend", "choice": "proceed"}
    answer = await visit(warn_harness, portal_flow(f"/coach/{token}", form=form, **headers))
    assert answer.status_code == 400
    same = {"origin": "http://leitplanke.portal", "sec_fetch_site": "same-origin"}
    answer = await visit(warn_harness, portal_flow(f"/coach/{token}", form=form, **same))
    assert answer.status_code == 200


async def test_short_justification_is_refused(warn_harness: Harness) -> None:
    token = await coach_token(warn_harness)
    page = await visit(warn_harness, portal_flow(f"/coach/{token}"))
    form = {"csrf": csrf_of(page), "justification": "weil", "choice": "proceed"}
    answer = await visit(warn_harness, portal_flow(f"/coach/{token}", form=form))
    assert answer.status_code == 400 and "mindestens 10 Zeichen" in (answer.get_text() or "")


async def test_checker_failure_stores_nothing(
    warn_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await coach_token(warn_harness)
    page = await visit(warn_harness, portal_flow(f"/coach/{token}"))

    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("worker died")

    assert warn_harness.source.active is not None
    monkeypatch.setattr(warn_harness.source.active.pool, "scan", broken)
    form = {"csrf": csrf_of(page), "justification": f"Für {EMAIL} nötig", "choice": "proceed"}
    answer = await visit(warn_harness, portal_flow(f"/coach/{token}", form=form))
    assert answer.status_code == 503
    assert warn_harness.rows("select count(*) from coaching") == [(0,)]
    erika = warn_harness.identify.identify(portal_flow("/")).pseudonym
    assert warn_harness.guard.coaching.allowed(erika, "openai-api", ["personal"]) is None


async def test_approval_request_is_stored_masked(warn_harness: Harness) -> None:
    page = await visit(
        warn_harness, portal_flow("/approval?service=deepl", accept_language="en-US,en;q=0.9")
    )
    text = page.get_text() or ""
    assert page.status_code == 200 and "Request approval of an AI tool" in text
    assert 'value="DeepL' in text
    form = {
        "csrf": csrf_of(page),
        "service": "deepl",
        "tool": "DeepL Pro",
        "reason": f"Übersetzungen für Kunden, Rückfragen an {EMAIL}",
        "department": "Vertrieb",
    }
    done = await visit(warn_harness, portal_flow("/approval", form=form))
    assert done.status_code == 200 and "Antrag eingegangen" in (done.get_text() or "")
    rows = warn_harness.rows(
        "select service, tool_name, reason, department, status, user_pseudonym "
        "from approval_requests"
    )
    ((service, tool, reason, department, status, user),) = rows
    assert (service, tool, department, status) == ("deepl", "DeepL Pro", "Vertrieb", "open")
    assert reason == "Übersetzungen für Kunden, Rückfragen an <EMAIL_ADDRESS>"
    assert str(user).startswith("u-")
    assert EMAIL.encode() not in warn_harness.db.read_bytes()


async def test_approval_needs_csrf_and_all_fields(warn_harness: Harness) -> None:
    page = await visit(warn_harness, portal_flow("/approval"))
    form = {"csrf": csrf_of(page), "service": "", "tool": "X", "reason": "", "department": "IT"}
    assert (await visit(warn_harness, portal_flow("/approval", form=form))).status_code == 400
    form |= {"reason": "Bilder erzeugen", "csrf": "0.x"}
    assert (await visit(warn_harness, portal_flow("/approval", form=form))).status_code == 403
    assert warn_harness.rows("select count(*) from approval_requests") == [(0,)]


async def test_pages_and_limits(warn_harness: Harness) -> None:
    missing = await visit(warn_harness, portal_flow("/nothing"))
    assert missing.status_code == 404
    assert "frame-ancestors 'none'" in missing.headers["content-security-policy"]
    assert (await visit(warn_harness, portal_flow("/coach/guessed"))).status_code == 404
    big = portal_flow("/approval", form={"reason": "x" * 20000})
    assert (await visit(warn_harness, big)).status_code == 413
    put = portal_flow("/approval")
    put.request.method = "PUT"
    assert (await visit(warn_harness, put)).status_code == 405


async def test_other_hosts_and_proxy_auth_challenges_are_left_alone(
    warn_harness: Harness,
) -> None:
    other = portal_flow("/approval", host="example.com")
    warn_harness.guard.portal.requestheaders(other)
    assert other.response is None
    challenged = portal_flow("/approval", user=None)
    challenged.response = http.Response.make(407, b"", {"proxy-authenticate": "Basic"})
    warn_harness.guard.portal.requestheaders(challenged)
    assert challenged.response.status_code == 407


async def test_client_address_is_the_identity_without_proxy_auth(warn_harness: Harness) -> None:
    flow = ai_flow(f"Konto {IBAN}")
    del flow.metadata["proxyauth"]
    await warn_harness.send(flow)
    match = COACH_LINK.search(message_of(flow))
    assert match is not None
    page = await visit(warn_harness, portal_flow(f"/coach/{match.group(1)}", user=None))
    assert page.status_code == 200  # same client address as the AI request
    stranger = portal_flow(f"/coach/{match.group(1)}", user=None)
    stranger.client_conn.peername = ("10.9.9.9", 5555)
    assert (await visit(warn_harness, stranger)).status_code == 404


async def test_the_portal_is_found_by_its_name_when_the_address_is_an_ip(
    warn_harness: Harness,
) -> None:
    """In transparent, WireGuard and local mode mitmproxy's request.host is the address
    the client connected to; the portal is named in the Host header."""
    flow = portal_flow("/nothing")
    flow.request.host = "10.0.0.53"
    flow.request.headers["host"] = "leitplanke.portal:80"
    assert warn_harness.guard.portal.is_portal(flow)
    assert (await visit(warn_harness, flow)).status_code == 404  # served by the portal
    other = portal_flow("/nothing", host="example.com")
    other.request.host = "10.0.0.53"
    assert not warn_harness.guard.portal.is_portal(other)
