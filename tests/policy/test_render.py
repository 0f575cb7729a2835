"""The employee guideline: what it says, that it escapes, and that it prints on one A4 page."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from policy.loader import LoadedPolicy, load_policy, parse_policy
from policy.model import Lang, Policy
from policy.render import Link, link, render
from tests.policy.chromium import print_to_pdf

EXAMPLES = Path(__file__).parents[2] / "policy" / "examples"
MUSTER = load_policy(EXAMPLES / "muster-gmbh.de.yaml")
DEFAULT = load_policy()

MINIMAL = """\
version: 7
organization: {organization}
contact: {contact}
data_classes:
  personal: {{label: {{de: Personenbezogene Daten, en: Personal data}}, entities: [PERSON]}}
  secrets: {{label: {{de: Zugangsdaten, en: Credentials}}, entities: [SECRET]}}
"""


def minimal(
    extra: str = "", organization: str = "Muster GmbH", contact: str = "dsb@m.example"
) -> Policy:
    text = MINIMAL.format(organization=organization, contact=contact) + extra
    return parse_policy(text, "minimal.yaml").policy


def section(markdown: str, heading: str) -> str:
    """The text under `## heading` up to the next heading or rule."""
    start = markdown.index(f"## {heading}\n")
    rest = markdown[start + len(heading) + 4 :]
    end = re.search(r"^(## |---$)", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def md(loaded: LoadedPolicy, lang: Lang) -> str:
    return render(loaded.policy, "md", lang, loaded.version_id)


# ---- content ---------------------------------------------------------------


def test_realistic_policy_in_german() -> None:
    page = md(MUSTER, "de")
    assert page.startswith("# KI-Richtlinie der Muster Maschinenbau GmbH\n")
    assert "Wir nutzen KI — mit Leitplanken:" in page

    tools = section(page, "Freigegebene KI-Werkzeuge")
    rows = [line for line in tools.splitlines() if line.startswith("| **")]
    assert [row.split("|")[1].strip() for row in rows] == [
        "**ChatGPT Enterprise**",
        "**Microsoft 365 Copilot**",
        "**DeepL**",
        "**DeepSeek**",
    ]  # approved, then tolerated, then unapproved
    chatgpt, copilot, deepl, deepseek = rows
    assert "freigegeben" in chatgpt and "freigegeben" in copilot
    assert "Personenbezogene Daten, Kundennummern, Vertrauliche Projekte" in chatgpt
    assert "Nur mit dem Firmenkonto anmelden (SSO)." in chatgpt
    assert "geduldet" in deepl and "keine sensiblen Daten" in deepl
    assert "Personenbezogene Daten: Warnhinweis" in deepl  # DeepL's own on_violation
    assert "| nicht erlaubt | — |" in deepseek
    assert "customer_numbers" not in page  # labels, never ids

    never = section(page, "Was nie in KI-Werkzeuge gehört")
    assert "Gesundheitsdaten (Art. 9 DSGVO)" in never
    assert "Krankmeldungen, Diagnosen" in never
    assert "Zugangsdaten und Schlüssel" in never and "blockiert" in never
    assert "Ausnahme: Personalabteilung (ChatGPT Enterprise)" in never
    for allowed_somewhere in ("Personenbezogene Daten", "Kundennummern", "Vertrauliche Projekte"):
        assert allowed_somewhere not in never

    groups = section(page, "Ausnahmen für Abteilungen")
    assert (
        "| **Personalabteilung** | ChatGPT Enterprise | Gesundheitsdaten (Art. 9 DSGVO)" in groups
    )
    # Group exceptions add to the tool's list: HR keeps what everyone may do.
    assert "Kundennummern" not in groups

    other = section(page, "Andere KI-Werkzeuge")
    assert "erlaubt für Inhalte ohne sensible Daten; die Nutzung wird protokolliert" in other
    url = "https://intranet.muster-maschinenbau.example/ki-werkzeug-beantragen"
    assert f"Neues Werkzeug beantragen: <{url}>" in other

    stored = section(page, "Was Leitplanke speichert")
    assert "keine Eingabetexte" in stored and "Pseudonym" in stored
    assert "nach 90 Tagen gelöscht" in stored
    contact = "datenschutz@muster-maschinenbau.example"
    assert f"**Fragen:** [{contact}](mailto:{contact})" in stored
    assert f"Stand: Version {MUSTER.version_id}" in page


def test_realistic_policy_in_english() -> None:
    page = md(MUSTER, "en")
    assert page.startswith("# AI policy of Muster Maschinenbau GmbH\n")
    tools = section(page, "Approved AI tools")
    assert "| **DeepSeek** | not allowed | — | Not allowed (data processed in China). |" in tools
    assert "Personal data, Customer numbers, Confidential projects" in tools
    assert "Sign in with your company account (SSO) only." in tools
    assert "| tolerated |" in tools and "Personal data: warning" in tools
    never = section(page, "What never goes into AI tools")
    assert "Health data (GDPR Art. 9)" in never and "Credentials and keys" in never
    assert "Sick notes, diagnoses" in never and "blocked" in never
    assert "Personal data" not in never
    groups = section(page, "Exceptions for departments")
    assert "Human resources" in groups and "Health data (GDPR Art. 9)" in groups
    assert "https://intranet.muster-maschinenbau.example/ki-werkzeug-beantragen" in page
    assert "deleted after 90 days" in page
    assert f"Version {MUSTER.version_id}" in page
    assert "Personenbezogene" not in page and "freigegeben" not in page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_html_carries_the_same_content(lang: Lang) -> None:
    page = render(MUSTER.policy, "html", lang, MUSTER.version_id)
    assert f'<html lang="{lang}">' in page
    for name in ("ChatGPT Enterprise", "Microsoft 365 Copilot", "DeepL", "DeepSeek"):
        assert name in page
    url = "https://intranet.muster-maschinenbau.example/ki-werkzeug-beantragen"
    assert f'<a href="{url}">{url}</a>' in page
    assert 'href="mailto:datenschutz@muster-maschinenbau.example"' in page
    assert "@page { size: A4; margin: 12mm; }" in page
    assert ('class="status unapproved">nicht erlaubt<' if lang == "de" else "not allowed<") in page
    assert MUSTER.version_id in page


def test_default_policy_has_no_tool_and_never_allows_any_class() -> None:
    de, en = md(DEFAULT, "de"), md(DEFAULT, "en")
    assert "Derzeit ist kein KI-Werkzeug freigegeben." in section(de, "Freigegebene KI-Werkzeuge")
    never = section(de, "Was nie in KI-Werkzeuge gehört")
    for label in (
        "Personenbezogene Daten",
        "Gesundheitsdaten (Art. 9 DSGVO)",
        "Zugangsdaten und Schlüssel",
    ):
        assert label in never
    assert never.count("| blockiert |") == 3
    assert "Namen, Kontaktdaten, Bankverbindungen" in never
    assert "## Ausnahmen für Abteilungen" not in de  # no groups, no section
    assert "[datenschutz@muster.example](mailto:datenschutz@muster.example)" in de
    assert "nach 90 Tagen gelöscht" in de
    assert "No AI tool is approved yet." in en
    never_en = section(en, "What never goes into AI tools")
    for label in ("Personal data", "Health data (GDPR Art. 9)", "Credentials and keys"):
        assert label in never_en
    assert "Request a new tool: [datenschutz@muster.example]" in en
    assert "Version 1@" in en


def test_html_is_self_contained() -> None:
    for loaded in (MUSTER, DEFAULT):
        page = render(loaded.policy, "html")
        for external in ("<script", "<link", "<img", "src=", "@import", "url(", "@font-face"):
            assert external not in page


def test_unlisted_tools_blocked_and_privacy_settings() -> None:
    policy = minimal(
        "unlisted_ai_tools: block\n"
        "privacy: {pseudonymize_users: false, retention_days: 30, excerpt: type_only}\n"
    )
    page = render(policy, "md")
    assert "Nicht aufgeführte KI-Werkzeuge: gesperrt." in page
    stored = section(page, "Was Leitplanke speichert")
    assert "Ihr Benutzername" in stored and "Pseudonym" not in stored
    assert "maskierter Ausschnitt" not in stored
    assert "nach 30 Tagen gelöscht" in stored
    assert "Stand: Version 7" in page  # no version_id: the policy's own version


def test_tool_action_and_other_statuses() -> None:
    policy = minimal(
        "tools:\n"
        "  copilot: {services: [microsoft-copilot], action: log, allowed: [personal]}\n"
        "  deepl: {services: [deepl], status: tolerated}\n"
    )
    page = render(policy, "md", "en")
    assert "| **copilot** | approved · allowed, logged | Personal data |" in page
    assert "| **deepl** | tolerated | no sensitive data |" in page
    never = section(page, "What never goes into AI tools")
    assert "Credentials" in never and "Personal data" not in never


def test_every_class_allowed_somewhere() -> None:
    policy = minimal("tools:\n  gpt: {services: [chatgpt], allowed: [personal, secrets]}\n")
    never = section(render(policy, "md"), "Was nie in KI-Werkzeuge gehört")
    assert "Jede Datenart ist in mindestens einem freigegebenen Werkzeug erlaubt" in never
    assert "|" not in never


def test_group_exceptions_with_own_rules() -> None:
    policy = minimal(
        "tools:\n"
        "  gpt: {name: GPT, services: [chatgpt]}\n"
        "  copilot: {name: Copilot, services: [microsoft-copilot], allowed: [personal]}\n"
        "groups:\n"
        "  it: {label: {de: IT, en: IT}, tools: {gpt: {allowed: [secrets]}}}\n"
        "  sales:\n"
        "    tools: {copilot: {allowed: [personal], on_violation: {secrets: warn}}}\n"
        "  empty: {users: [x.y]}\n"
    )
    page = render(policy, "md", "en")
    groups = section(page, "Exceptions for departments")
    assert "| **IT** | GPT | Credentials |" in groups
    assert "| **sales** | Copilot | —<br>Credentials: warning |" in groups  # id without label
    assert "empty" not in groups  # a group without tool exceptions has no row
    assert "Exception: IT (GPT)" in section(page, "What never goes into AI tools")


def test_links() -> None:
    url = "https://intranet.example/ki-beantragen"
    assert link(url) == Link(url, url)
    assert link("dsb@muster.example").href == "mailto:dsb@muster.example"
    assert link("mailto:dsb@muster.example").text == "dsb@muster.example"
    plain = link("Frau Weber, Tel. 123")
    assert plain.href is None and plain.text == "Frau Weber, Tel. 123"
    assert link("javascript:alert(1)").href is None


def test_unknown_format_or_language() -> None:
    with pytest.raises(ValueError):
        render(DEFAULT.policy, "pdf")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        render(DEFAULT.policy, "md", "fr")  # type: ignore[arg-type]


# ---- escaping --------------------------------------------------------------


def test_html_escapes_policy_text() -> None:
    policy = minimal(organization='"<script>alert(1)</script> & Co. KG"')
    page = render(policy, "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co. KG" in page


def test_markdown_escapes_policy_text() -> None:
    policy = minimal(
        "tools:\n  gpt:\n    name: 'GPT | *intern*'\n    services: [chatgpt]\n"
        "    note: {de: 'Nur <b>intern</b> | [klick](http://x.example)'}\n",
        organization='"<script>x</script> GmbH"',
    )
    page = render(policy, "md")
    assert "<script>" not in page and r"\<script\>x\</script\> GmbH" in page
    row = next(line for line in page.splitlines() if "GPT" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 5  # four cells: pipes in values are escaped
    assert r"**GPT \| \*intern\***" in row
    assert r"Nur \<b\>intern\</b\> \| \[klick\](http://x.example)" in row


# ---- one printed page ------------------------------------------------------


@pytest.mark.parametrize(
    ("loaded", "lang"),
    [(MUSTER, "de"), (MUSTER, "en"), (DEFAULT, "de"), (DEFAULT, "en")],
    ids=["muster-de", "muster-en", "default-de", "default-en"],
)
def test_prints_on_one_a4_page(loaded: LoadedPolicy, lang: Lang, tmp_path: Path) -> None:
    html = render(loaded.policy, "html", lang, loaded.version_id)
    pdf = pypdf.PdfReader(print_to_pdf(html, tmp_path))
    assert len(pdf.pages) == 1
    width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    text = pdf.pages[0].extract_text()
    assert loaded.policy.organization in text and loaded.version_id in text  # footer printed


def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.policy import chromium

    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        chromium.chromium()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception):
        chromium.chromium()


def test_class_without_description_is_explained_by_what_it_detects() -> None:
    from policy.loader import parse_policy

    loaded = parse_policy(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [EMAIL_ADDRESS, IBAN_CODE]}\n",
        "p.yaml",
    )
    never = section(render(loaded.policy, "md", "de"), "Was nie in KI-Werkzeuge gehört")
    assert "E-Mail-Adressen" in never and "IBAN (Bankverbindung)" in never


@pytest.mark.parametrize(
    ("settings", "lang", "unreadable", "unscanned"),
    [
        ({}, "de", "werden behandelt, als enthielten sie jede", "das wird protokolliert"),
        ({"unreadable_files": "log"}, "en", "may be sent; this is logged", "this is logged"),
        (
            {"unreadable_files": "block", "unscanned_files": "allow"},
            "de",
            "werden nicht gesendet",
            "dürfen gesendet werden.",
        ),
        # never more lenient than images: unscanned_files block wins on the page too
        (
            {"unreadable_files": "allow", "unscanned_files": "block"},
            "en",
            "are not sent",
            "are not sent",
        ),
    ],
)
def test_the_page_says_what_happens_to_files(
    settings: dict[str, str], lang: Lang, unreadable: str, unscanned: str
) -> None:
    policy = DEFAULT.policy.model_copy(update=settings)
    page = render(policy, "md", lang)
    files = page.split("**Dateien:**" if lang == "de" else "**Files:**", 1)[1].split("\n", 1)[0]
    first, second = files.split("Bilder" if lang == "de" else "Images", 1)
    assert unreadable in first and unscanned in second
    assert "Archivinhalte" in files or "archive contents" in files
