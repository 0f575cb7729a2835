"""The Portal addon: pages on the magic host, CSRF, masking of free text, approval requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import exceptions, http

from store.approval_answers import write_answers
from store.findings_store import FindingsStore
from tests.proxy_addon.test_guard import (
    COACH_LINK,
    EMAIL,
    IBAN,
    WARN_POLICY,
    Harness,
    ai_flow,
    csrf_of,
    guard_with_policy,
    message_of,
    portal_flow,
    visit,
)


@pytest.fixture
def warn_harness(tmp_path: Path) -> Iterator[Harness]:
    with guard_with_policy(tmp_path, "warn.yaml", WARN_POLICY) as harness:
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
    # The catalog as a list, the blocked request's service chosen; free text is for
    # tools not in the list.
    assert '<option value="deepl" selected>DeepL Translator</option>' in text
    assert '<optgroup label="Translation">' in text and 'value="openai-api"' in text
    form = {
        "csrf": csrf_of(page),
        "service": "deepl",
        "tool": "DeepL Pro",  # typed beside a chosen service: the service's name wins
        "reason": f"Übersetzungen für Kunden, Rückfragen an {EMAIL}",
        "department": "Vertrieb",
    }
    done = await visit(warn_harness, portal_flow("/approval", form=form))
    assert done.status_code == 200 and "Antrag eingegangen" in (done.get_text() or "")
    assert "Meine Anfragen" in (done.get_text() or "")
    rows = warn_harness.rows(
        "select service, tool_name, reason, department, status, user_pseudonym "
        "from approval_requests"
    )
    ((service, tool, reason, department, status, user),) = rows
    assert (service, tool, department, status) == (
        "deepl",
        "DeepL Translator",
        "Vertrieb",
        "open",
    )
    assert reason == "Übersetzungen für Kunden, Rückfragen an <EMAIL_ADDRESS>"
    assert str(user).startswith("u-")
    assert EMAIL.encode() not in warn_harness.db.read_bytes()


async def ask(harness: Harness, user: str = "erika", **fields: str) -> http.Response:
    page = await visit(harness, portal_flow("/approval", user=user))
    form = {"csrf": csrf_of(page), "reason": "Texte schneller schreiben", "department": "IT"}
    return await visit(harness, portal_flow("/approval", user=user, form=form | fields))


@pytest.mark.parametrize(
    ("typed", "service", "tool"),
    [
        ("Mein Spezial-KI-Tool", None, "Mein Spezial-KI-Tool"),  # not in the catalog
        ("  deepl ", "deepl", "DeepL Translator"),  # the catalog's id or name: that service
        ("deepl  translator", "deepl", "DeepL Translator"),
        ("ChatGPT", "chatgpt", "ChatGPT"),
    ],
)
async def test_free_text_only_for_tools_outside_the_catalog(
    warn_harness: Harness, typed: str, service: str | None, tool: str
) -> None:
    answer = await ask(warn_harness, service="", tool=typed)
    assert answer.status_code == 200
    assert warn_harness.rows("select service, tool_name from approval_requests") == [
        (service, tool)
    ]


async def test_a_tool_is_needed(warn_harness: Harness) -> None:
    answer = await ask(warn_harness, service="", tool=" ")
    assert answer.status_code == 400 and "aus der Liste" in (answer.get_text() or "")
    assert warn_harness.rows("select count(*) from approval_requests") == [(0,)]


async def test_asking_again_adds_to_the_request(warn_harness: Harness) -> None:
    await ask(warn_harness, service="deepl")
    again = await ask(warn_harness, service="deepl", reason="Auch für Verträge")
    text = again.get_text() or ""
    assert "schon beantragt" in text and "2-mal gefragt" in text and "offen" in text
    ((count, repeats, reason),) = warn_harness.rows(
        "select count(*), max(repeats), max(reason) from approval_requests"
    )
    assert (count, repeats) == (1, 1)
    assert "Texte schneller schreiben" in str(reason) and "Auch für Verträge" in str(reason)
    # Another person's request for the same tool is their own.
    await ask(warn_harness, user="max", service="deepl")
    assert warn_harness.rows("select count(*) from approval_requests") == [(2,)]


def decide(harness: Harness, service: str | None, status: str, reply: str) -> None:
    """The DPO answers (the review UI's store call, on its own connection)."""
    store = FindingsStore(harness.db)
    try:
        ((request_id,),) = store.db.execute(
            "select id from approval_requests where service is ?", [service]
        ).fetchall()
        store.decide_approval(int(request_id), status, reply, "dpo")
    finally:
        store.close()


async def test_my_requests_shows_the_persons_own_requests_and_the_answer(
    warn_harness: Harness,
) -> None:
    empty = await visit(warn_harness, portal_flow("/requests"))
    assert empty.status_code == 200
    assert "noch keine Freigabe beantragt" in (empty.get_text() or "")
    await ask(warn_harness, service="deepl")
    await ask(warn_harness, user="max", service="", tool="Bildgenerator X")
    mine = (await visit(warn_harness, portal_flow("/requests"))).get_text() or ""
    assert "DeepL Translator" in mine and "Bildgenerator X" not in mine
    assert '<span class="status">offen</span>' in mine
    decide(warn_harness, None, "rejected", "Bitte das freigegebene Tool nutzen.")  # max's
    max_page = (await visit(warn_harness, portal_flow("/requests", user="max"))).get_text()
    assert max_page is not None and "Bildgenerator X" in max_page and "DeepL" not in max_page
    assert '<span class="status">abgelehnt</span>' in max_page
    assert "Bitte das freigegebene Tool nutzen." in max_page
    english = await visit(warn_harness, portal_flow("/requests", user="max", accept_language="en"))
    assert '<span class="status">rejected</span>' in (english.get_text() or "")
    # A question is answered by asking again: the request is open again.
    await ask(warn_harness, service="deepl")
    decide(warn_harness, "deepl", "needs_info", "Für welche Texte genau?")
    question = (await visit(warn_harness, portal_flow("/requests"))).get_text() or ""
    assert "Rückfrage" in question and 'href="/approval?service=deepl"' in question
    await ask(warn_harness, service="deepl", reason="Produktbeschreibungen, keine Kundendaten")
    assert warn_harness.rows("select status from approval_requests where service = 'deepl'") == [
        ("open",)
    ]


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


def answers_file(tmp_path: Path, rows: list[tuple[object, ...]]) -> Path:
    """An answers file as `leitplanke merge --approvals-out` writes it, from a central
    store holding `rows` (node, node_row_id, user, service, tool, status, reply, ts)."""
    central = FindingsStore(tmp_path / "central.db")
    with central.db.conn:
        for node, row_id, user, service, tool, status, reply, ts in rows:
            central.db.execute(
                "insert into approval_requests (node, node_row_id, user_pseudonym, service,"
                " tool_name, status, reply, ts, decided_at, decided_by) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'dpo')",
                [node, row_id, user, service, tool, status, reply, ts, ts],
            )
    target = tmp_path / "approvals.db"
    write_answers(central.db.conn, target)
    central.close()
    return target


async def test_scale_out_answers_from_the_central_store(
    warn_harness: Harness, tmp_path: Path
) -> None:
    await ask(warn_harness, service="deepl")
    ((request_id, ts, erika),) = warn_harness.rows(
        "select id, ts, user_pseudonym from approval_requests"
    )
    store = FindingsStore(warn_harness.db)
    node = store.node_id()
    store.close()
    later = "2099-01-01T00:00:00.000+00:00"
    path = answers_file(
        tmp_path,
        [
            (node, request_id, erika, "deepl", "DeepL Translator", "rejected", "Nein, danke.", ts),
            ("n-other", 7, erika, None, "Bildgenerator X", "approved", "Ja, gern.", later),
            ("n-other", 8, "u-someone-else", None, "Fremdes Tool", "open", None, later),
        ],
    )
    warn_harness.tctx.configure(warn_harness.guard, leitplanke_approvals_db=str(path))
    page = (await visit(warn_harness, portal_flow("/requests"))).get_text() or ""
    # The answer to this node's request, and the person's request on another node;
    # never another person's.
    assert "Nein, danke." in page and "Bildgenerator X" in page and "Ja, gern." in page
    assert "Fremdes Tool" not in page
    assert page.index("Bildgenerator X") < page.index("DeepL Translator")  # newest first
    assert warn_harness.rows("select status, reply from approval_requests") == [
        ("rejected", "Nein, danke.")
    ]
    # The file gone (e.g. mid-rsync without --delay-updates): the page says so, the
    # node's own requests are still there.
    path.unlink()
    page = (await visit(warn_harness, portal_flow("/requests"))).get_text() or ""
    assert "nicht abrufbar" in page and "DeepL Translator" in page


@pytest.mark.parametrize("where", ["dir", "no-parent"])
def test_approvals_db_option_is_checked(warn_harness: Harness, tmp_path: Path, where: str) -> None:
    value = str(tmp_path) if where == "dir" else str(tmp_path / "missing" / "approvals.db")
    with pytest.raises(exceptions.OptionsError, match="leitplanke_approvals_db"):
        warn_harness.tctx.configure(warn_harness.guard, leitplanke_approvals_db=value)
