"""End to end: asking for a tool to be approved, from the block message to the answer.

Real processes throughout: `leitplanke proxy` (proxy login), curl for the AI request,
headless Chromium for the employee (through the gateway, at http://leitplanke.portal/)
and for the DPO (`leitplanke review` on the gateway's database), `leitplanke notify`
against a real SMTP server (aiosmtpd, STARTTLS).

1. curl (proxy user erika) sends a prompt with an IBAN to an unapproved tool → blocked;
   the message links the portal's approval page first, the policy's intranet page second;
2. Chromium (erika) follows the link: the form names the blocked service; submit;
   "Meine Anfragen" shows it open; another person (max) does not see it;
3. the notifier mails the DPO: a new approval request and a secret, no raw value;
4. the DPO approves it in the review UI with a reply;
5. erika sees "genehmigt" and the reply on the portal.
Nothing leaves 127.0.0.1; no raw value in any file the gateway wrote. And scale-out:
a node gateway shows the DPO's answer given in the central store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from datasette_auth_passwords.utils import hash_password

from bench import proxies
from bench.proxies import Gateway
from store.findings_store import FindingsStore
from tests.e2e.support import (
    ROOT,
    chromium,
    policy_gateway,
    require_chromium,
    review_server,
)
from tests.notify.test_notify_smtp import (
    SMTP_PASSWORD,
    Server,
    self_signed,
    smtp_server,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.e2e
sync_api = pytest.importorskip("playwright.sync_api")

IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel-firma.de"
API_KEY = "sk-proj-" + "Zq8" * 16
INTRANET = "https://intranet.muster.example/ki-antrag"
DPO_PASSWORD = "korrekt-Pferd-Batterie-42"
REPLY = "Freigegeben für Recherche ohne Kundendaten; Zugang über die IT."
POLICY = f"""\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
approval_request: {INTRANET}
data_classes:
  personal:
    label: {{de: Personenbezogene Daten, en: Personal data}}
    entities: [IBAN_CODE, EMAIL_ADDRESS]
  secrets:
    label: {{de: Zugangsdaten, en: Credentials}}
    entities: [SECRET]
on_violation: {{personal: block, secrets: block}}
"""
APPROVAL = re.compile(r"http://leitplanke\.portal/approval\?service=[a-z0-9-]+")
SCREENSHOTS = os.environ.get("LEITPLANKE_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    require_chromium()
    extra = ["--set", "proxyauth=any", "--set", "leitplanke_workers=1"]
    with policy_gateway(tmp_path_factory.mktemp("approval"), POLICY, extra) as gw:
        yield gw


@pytest.fixture(scope="module")
def review(gateway: Gateway) -> Iterator[str]:
    """`leitplanke review` on the gateway's own database (one gateway: one store)."""
    hash_file = gateway.db.parent / "dpo.hash"
    hash_file.write_text(hash_password(DPO_PASSWORD, iterations=1000))
    with review_server(gateway.db, hash_file, gateway.db.parent / "review.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser(gateway: Gateway) -> Iterator[Any]:
    with chromium("--disable-features=HttpsUpgrades") as browser:
        yield browser


def employee(browser: Any, gateway: Gateway, user: str) -> Any:
    """A browser of `user`, who reaches the portal through the gateway (proxy login)."""
    context = browser.new_context(
        proxy={"server": gateway.proxy_url, "username": user, "password": "pw"},
        locale="de-DE",
        ignore_https_errors=True,
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def shoot(page: Any, tmp: Path, name: str) -> None:
    target = tmp / name
    page.screenshot(path=str(target), full_page=True)
    if SCREENSHOTS:
        shutil.copy(target, ROOT / "docs" / "images" / name)


def notify(gateway: Gateway, server: Server, cert: Path) -> subprocess.CompletedProcess[str]:
    password = gateway.db.parent / "smtp.password"
    password.write_text(SMTP_PASSWORD)
    config = gateway.db.parent / "config.yaml"
    config.write_text(
        "notify:\n"
        f"  smtp: {{host: 127.0.0.1, port: {server.port}, user: leitplanke,"
        f" password_file: {password}, ca_file: {cert}}}\n"
        "  from: leitplanke@muster.example\n"
        "  to: [datenschutz@muster.example]\n"
        "  review_url: http://127.0.0.1:8001\n"
        "  every_minutes: 0\n"
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.notify_command",
            "--db",
            str(gateway.db),
            "--config",
            str(config),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_from_the_block_message_to_the_dpos_answer(
    gateway: Gateway,
    review: str,
    browser: Any,
    smtp_server: Callable[..., Server],  # noqa: F811
    tmp_path: Path,
) -> None:
    # 1. Blocked: the approval page is the first link, the intranet page the second.
    status, payload = proxies.curl_chat(
        gateway.proxy_url, gateway.ca, f"Bitte überweise 500 € auf {IBAN}.", proxy_user="erika:pw"
    )
    assert status == 403, payload
    message = json.loads(payload)["error"]["message"]
    link = APPROVAL.search(message)
    assert link is not None, message
    assert link.group(0) == "http://leitplanke.portal/approval?service=openai-api"
    assert message.index(link.group(0)) < message.index(INTRANET)
    assert IBAN not in message

    # 2. erika follows the link from the message.
    page = employee(browser, gateway, "erika")
    answer = page.goto(link.group(0))
    assert answer is not None and answer.status == 200
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.input_value("select[name=service]") == "openai-api"
    assert page.locator("select[name=service] option:checked").inner_text() == "OpenAI API"
    page.fill("textarea[name=reason]", "Recherche für Angebote")
    page.fill("input[name=department]", "Vertrieb")
    shoot(page, tmp_path, "portal-approval.png")  # (no personal data in the picture)
    page.fill("textarea[name=reason]", f"Recherche für Angebote, Rückfragen an {EMAIL}")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Antrag eingegangen")
    page.click("nav.portal >> text=Meine Anfragen")
    page.wait_for_selector("section.request")
    assert page.locator("section.request h2").all_inner_texts() == ["OpenAI API"]
    assert page.locator("section.request .status").inner_text() == "offen"
    # Only her own: max sees none of erika's requests.
    other = employee(browser, gateway, "max")
    other.goto("http://leitplanke.portal/requests")
    assert other.locator("section.request").count() == 0
    assert "noch keine Freigabe beantragt" in other.inner_text("body")
    other.context.close()

    # A secret in another prompt: blocked too, and the DPO hears of it.
    status, _ = proxies.curl_chat(
        gateway.proxy_url, gateway.ca, f"Mein Key ist {API_KEY}", proxy_user="erika:pw"
    )
    assert status == 403

    # 3. The notifier mails the DPO over STARTTLS: counts and links, no values.
    cert, key = self_signed(tmp_path)
    server = smtp_server(tls=(cert, key), user=f"leitplanke:{SMTP_PASSWORD}")
    sent = notify(gateway, server, cert)
    assert sent.returncode == 0, sent.stderr
    (mail,) = server.mails()
    raw = mail.read_bytes()
    parsed = message_from_bytes(raw, policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_content().replace("\r\n", "\n")
    assert "Neue Freigabe-Anträge:\n  - OpenAI API: 1" in text
    assert "Zugangsdaten oder Schlüssel: 1 in OpenAI API" in text
    assert "MAIL tls=True auth=True" in server.session()
    for value in (IBAN, IBAN.replace(" ", ""), EMAIL, API_KEY, "sk-proj", "Recherche", "erika"):
        assert value.encode() not in raw and value not in text, value

    # 4. The DPO approves it in the review UI, with a reply.
    dpo_context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900})
    dpo = dpo_context.new_page()
    dpo.set_default_timeout(30_000)
    dpo.goto(f"{review}/-/login")
    dpo.fill("#id_username", "dpo")
    dpo.fill("#id_password", DPO_PASSWORD)
    dpo.click("input[type=submit]")
    dpo.wait_for_url(f"{review}/")
    dpo.goto(f"{review}/leitplanke/freigabe_anfragen")
    assert "<EMAIL_ADDRESS>" in dpo.inner_text("body") and EMAIL not in dpo.content()
    dpo.locator("td.col-id a").first.click()
    dpo.select_option("#lp-status", "approved")
    dpo.fill("#lp-reply", REPLY)
    dpo.click(".lp-decide-form input[type=submit]")
    assert dpo.locator(".lp-status").inner_text() == "genehmigt"
    dpo_context.close()

    # 5. erika reads the answer on the portal.
    page.goto("http://leitplanke.portal/requests")
    assert page.locator("section.request .status").inner_text() == "genehmigt"
    assert page.locator("section.request .reply").inner_text() == REPLY
    shoot(page, tmp_path, "portal-requests.png")
    page.context.close()

    # Nothing the gateway or the review wrote holds a raw value.
    files = [p for p in gateway.db.parent.iterdir() if p.name.startswith("findings.db")]
    files += [gateway.log, gateway.db.parent / "review.log"]
    for path in files:
        data = path.read_bytes()
        for value in (IBAN, IBAN.replace(" ", ""), EMAIL, API_KEY):
            assert value.encode() not in data, f"{value!r} in {path.name}"
    assert "Traceback" not in (gateway.db.parent / "review.log").read_text(errors="replace")


def portal(gateway: Gateway, path: str, user: str, form: dict[str, str] | None = None) -> str:
    """A portal page through the gateway with curl (proxy login as `user`)."""
    command = ["curl", "-sS", "-x", gateway.proxy_url, "-U", f"{user}:pw"]
    if form is not None:
        command += ["-H", "origin: http://leitplanke.portal"]
        for key, value in form.items():
            command += ["--data-urlencode", f"{key}={value}"]
    result = subprocess.run(
        [*command, f"http://leitplanke.portal{path}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_scale_out_the_dpos_answer_reaches_the_node_portal(tmp_path: Path) -> None:
    """A node gateway records the request; `leitplanke merge` takes it to the central
    store, where the DPO answers; `merge --approvals-out` publishes the answers; the
    node (leitplanke_approvals_db) shows the answer and takes it into its own store."""
    answers = tmp_path / "central" / "approvals.db"
    answers.parent.mkdir()
    extra = ["--set", "proxyauth=any", "--set", "leitplanke_workers=1"]
    extra += ["--set", f"leitplanke_approvals_db={answers}"]
    with policy_gateway(tmp_path, POLICY, extra, gateway_dir="node") as node:
        form = portal(node, "/approval?service=deepl", "erika")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None, form
        fields = {"csrf": csrf.group(1), "service": "deepl", "tool": "", "department": "Vertrieb"}
        done = portal(node, "/approval", "erika", fields | {"reason": "Übersetzungen"})
        assert "Antrag eingegangen" in done
        central = tmp_path / "central" / "central.db"
        shutil.copy(node.db.with_name(node.db.name + ".key"), central.with_name("central.db.key"))
        merge = [sys.executable, "-m", "cli.main", "merge", "--into", str(central)]
        merge += ["--approvals-out", str(answers), str(node.db)]
        subprocess.run(merge, cwd=ROOT, check=True, capture_output=True, timeout=120)
        # The DPO answers in the central store (the review UI's store call).
        store = FindingsStore(central)
        ((request_id,),) = store.db.execute("select id from approval_requests").fetchall()
        store.decide_approval(int(request_id), "needs_info", "Welche Texte genau?", "dpo")
        store.close()
        assert "Welche Texte genau?" not in portal(node, "/requests", "erika")  # not yet
        subprocess.run(merge, cwd=ROOT, check=True, capture_output=True, timeout=120)
        page = portal(node, "/requests", "erika")
        assert '<span class="status">Rückfrage</span>' in page and "Welche Texte genau?" in page
        assert "Welche Texte genau?" not in portal(node, "/requests", "max")
        # She answers by asking again; the next merge opens the central request again.
        again = portal(node, "/approval", "erika", fields | {"reason": "Produkttexte"})
        assert "schon beantragt" in again
        result = subprocess.run(merge, cwd=ROOT, check=True, capture_output=True, timeout=120)
        assert "1 approval request(s) asked again" in result.stdout.decode()
        store = FindingsStore(central)
        (row,) = store.approval_requests()
        store.close()
        assert (row["status"], row["repeats"]) == ("open", 1)
        assert "Produkttexte" in str(row["reason"])
