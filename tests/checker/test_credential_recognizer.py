"""CredentialRecognizer: secrets found by their label, whatever their shape.

All values are fictitious.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import CredentialRecognizer
from checker.recognizers.credential_recognizer import shannon_entropy


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(CredentialRecognizer())


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("DATABASE_URL=postgres://app:S3cr3t!xY@db.intern:5432/crm", "S3cr3t!xY"),
        ("git clone https://deploy:gh0st-Wr1ter@git.example.org/repo.git", "gh0st-Wr1ter"),
        ("Passwort: Blumenkohl#42", "Blumenkohl#42"),
        ("Kennwort = 'Tulpe!Beet9'", "Tulpe!Beet9"),
        ("Server=db;User Id=sa;Password=Wint3r-2025!;", "Wint3r-2025!"),
        ("login with password: Zq8#mNp2Lk", "Zq8#mNp2Lk"),
        ('api_key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"', "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        (
            "Authorization: Bearer 2b7e151628aed2a6abf7158809cf4f3c9a",
            "2b7e151628aed2a6abf7158809cf4f3c9a",
        ),
        ("CLIENT_SECRET=Qm9vdHN0cmFwLXNlY3JldC0xMjM0", "Qm9vdHN0cmFwLXNlY3JldC0xMjM0"),
        # the label and the value with only a blank between them; login command lines
        ("user admin / pw Wn8#kLp2vQ auf dem NAS", "Wn8#kLp2vQ"),
        ("docker login registry.example.com -u deploy -p 'Xq7!mR2#vL9'", "Xq7!mR2#vL9"),
        ("helm registry login reg.example.org --password=Hx7mQ2vL9pR4", "Hx7mQ2vL9pR4"),
    ],
)
def test_finds_the_value_not_the_label(detect: Callable[..., list], text: str, secret: str) -> None:
    assert [(entity, value) for entity, value, _ in detect(text)] == [("SECRET", secret)]


@pytest.mark.parametrize(
    "text",
    [
        "password=********",
        "Passwort: <Ihr Passwort>",
        "token: ${API_TOKEN}",
        "api_key: your-api-key-here",
        "DB_PASSWORD=%DB_PASSWORD%",
        "Das Passwort muss mindestens 12 Zeichen lang sein.",
        "Bitte das Passwort zurücksetzen.",
        "secret = aaaaaaaaaaaaaaaaaaaaaaaa",  # no entropy
        "https://www.example.org/path?q=1",  # no user info
        "Token-Ring-Netzwerke sind veraltet.",
        # the next line of an .env file is the next variable, not the key's value
        "OPENAI_API_KEY=YOUR_API_KEY\nDB_HOST=localhost",
        "Das Passwort ändern wir morgen. Passwort 2x falsch eingegeben.",
        "Passwort-Manager Bitwarden 2024 einführen",
        "docker login -u deploy --password-stdin",
    ],
)
def test_placeholders_and_prose_are_not_secrets(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_entropy() -> None:
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("DB_USER=app\nDB_PASSWORD=vAyn!Mf83vUq\n", "vAyn!Mf83vUq"),
        ("export MY_API_KEY=Zk3lQ9vB7mN2xR5tW8yP", "Zk3lQ9vB7mN2xR5tW8yP"),
        ("SMTP_PASS: 'Kr0kus!Wiese'", "Kr0kus!Wiese"),
    ],
)
def test_env_file_names_with_underscores(
    detect: Callable[..., list], text: str, secret: str
) -> None:
    assert [(entity, value) for entity, value, _ in detect(text)] == [("SECRET", secret)]


@pytest.mark.parametrize("text", ["bypass=Umgehung123x", "Superpasswort: sicherer als je"])
def test_labels_inside_other_words_do_not_count(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []
