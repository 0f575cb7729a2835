"""Login throttling, several reviewer accounts, approvals and errors in the review UI."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from datasette_auth_passwords.utils import hash_password

from review.app import PASSWORD_HASH_ENV, build_datasette
from review.throttle import BASE_LOCK_S, MAX_FAILURES, LoginThrottle
from store.findings_store import FindingsStore
from tests.review.conftest import PASSWORD

Seeded = tuple[Path, dict[str, int]]
DEPUTY_PASSWORD = "Vertretung-im-Urlaub-7"


@pytest.fixture
def ds(seeded_db: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(PASSWORD_HASH_ENV, hash_password(PASSWORD, iterations=1000))
    deputy = tmp_path / "deputy.hash"
    deputy.write_text(hash_password(DEPUTY_PASSWORD, iterations=1000))
    return build_datasette(seeded_db[0], accounts={"stellvertretung": deputy})


async def post_form(ds: Any, path: str, data: dict[str, str], cookies: dict[str, str]) -> Any:
    form = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token
    return await ds.client.post(
        path,
        data={**data, "csrftoken": token.group(1)},
        cookies={**cookies, "ds_csrftoken": form.cookies["ds_csrftoken"]},
    )


async def log_in(ds: Any, user: str, password: str) -> Any:
    return await post_form(ds, "/-/login", {"username": user, "password": password}, {})


async def test_two_reviewer_accounts_log_in_with_their_own_passwords(ds: Any) -> None:
    dpo = await log_in(ds, "dpo", PASSWORD)
    deputy = await log_in(ds, "stellvertretung", DEPUTY_PASSWORD)
    assert dpo.status_code == deputy.status_code == 302
    crossed = await log_in(ds, "stellvertretung", PASSWORD)
    assert crossed.status_code == 200 and "falsch" in crossed.text
    home = await ds.client.get("/", cookies={"ds_actor": deputy.cookies["ds_actor"]})
    assert "stellvertretung" in home.text


async def test_login_locks_after_failures_even_for_the_right_password(ds: Any) -> None:
    for _ in range(MAX_FAILURES):
        wrong = await log_in(ds, "dpo", "falsch")
        assert wrong.status_code == 200
    locked = await log_in(ds, "dpo", PASSWORD)
    assert locked.status_code == 429
    assert "Zu viele Fehlversuche" in locked.text and "ds_actor" not in locked.cookies
    # Another account from the same address is not locked by the dpo's failures.
    assert (await log_in(ds, "stellvertretung", DEPUTY_PASSWORD)).status_code == 302


def test_lockout_grows_exponentially_and_success_resets() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(MAX_FAILURES - 1):
        throttle.failed("dpo", "10.0.0.1")
    assert throttle.locked_for("dpo", "10.0.0.1") == 0
    throttle.failed("dpo", "10.0.0.1")
    assert throttle.locked_for("dpo", "10.0.0.1") == BASE_LOCK_S
    assert throttle.locked_for("dpo", "10.0.0.2") == 0  # per address
    now[0] += BASE_LOCK_S
    throttle.failed("dpo", "10.0.0.1")
    assert throttle.locked_for("dpo", "10.0.0.1") == 2 * BASE_LOCK_S
    now[0] += 2 * BASE_LOCK_S
    throttle.succeeded("dpo", "10.0.0.1")
    assert throttle.locked_for("dpo", "10.0.0.1") == 0


async def test_approval_answer_in_the_ui_is_readable_through_the_store(
    ds: Any, seeded_db: Seeded
) -> None:
    login = await log_in(ds, "stellvertretung", DEPUTY_PASSWORD)
    actor = {"ds_actor": login.cookies["ds_actor"]}
    page = await ds.client.get("/leitplanke/approval?id=1", cookies=actor)
    assert page.status_code == 200 and "Freigabe-Antrag Nr. 1" in page.text
    answer = await post_form(
        ds,
        "/-/leitplanke/approval",
        {"request_id": "1", "status": "needs_info", "reply": "Für welche Kunden?"},
        actor,
    )
    assert answer.status_code == 302
    store = FindingsStore(seeded_db[0])
    state = store.approval_state(1)
    history = list(store.db.query("select actor, from_status, to_status from approval_decisions"))
    store.close()
    assert state is not None and (state.status, state.reply) == ("needs_info", "Für welche Kunden?")
    assert history == [
        {"actor": "stellvertretung", "from_status": "open", "to_status": "needs_info"}
    ]
    invalid = await post_form(
        ds, "/-/leitplanke/approval", {"request_id": "1", "status": "maybe", "reply": ""}, actor
    )
    after = await ds.client.get(
        invalid.headers["location"], cookies={**actor, **dict(invalid.cookies)}
    )
    assert "Nicht gespeichert" in after.text


async def test_bulk_triage_of_a_filtered_list(ds: Any, seeded_db: Seeded) -> None:
    db, ids = seeded_db
    login = await log_in(ds, "dpo", PASSWORD)
    actor = {"ds_actor": login.cookies["ds_actor"]}
    done = await post_form(
        ds,
        "/-/leitplanke/bulk-triage",
        {
            "view": "offene_findings",
            "query": "user_group=Vertrieb",
            "state": "resolved",
            "note": "Sammelbewertung",
        },
        actor,
    )
    assert done.status_code == 302
    assert done.headers["location"] == "/leitplanke/offene_findings?user_group=Vertrieb"
    store = FindingsStore(db)
    rows = list(store.db.query("select decision_id, to_state, actor from triage_history"))
    store.close()
    assert rows == [{"decision_id": ids["iban"], "to_state": "resolved", "actor": "dpo"}]


@pytest.mark.parametrize(
    "path",
    [
        "/-/static-plugins/nope/x.js",
        "/-/static-plugins/datasette_auth_passwords/..%2f..%2fsetup.py",
        "/leitplanke/offene_findings?_sort=nope",
        "/leitplanke/offene_findings?_next=abc",
        "/leitplanke/offene_findings?_facet_array=nope",
        "/leitplanke/finding?id=abc",
    ],
)
async def test_crafted_paths_get_an_error_page_and_no_traceback(
    ds: Any, path: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    login = await log_in(ds, "dpo", PASSWORD)
    with caplog.at_level(logging.INFO):
        response = await ds.client.get(path, cookies={"ds_actor": login.cookies["ds_actor"]})
    assert response.status_code in (302, 400, 403, 404), response.status_code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "Traceback" not in caplog.text and "ds_actor" not in caplog.text
