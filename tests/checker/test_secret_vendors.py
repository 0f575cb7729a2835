"""Vendor tokens, prose passwords and placeholders (issue 15). Key shapes are assembled
at run time so the repository holds no complete one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import CredentialRecognizer, EmailRecognizer, SecretRecognizer

GL = "gl" + "pat-"
SLACK = "https://hoo" + "ks.slack.com/services/"
TG = "7104829365:" + "AA"
SG = "S" + "G."
MG = "ke" + "y-"


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    detectors = [
        make_detector(r)
        for r in (
            SecretRecognizer(),
            CredentialRecognizer(),
            EmailRecognizer(supported_language="de"),
        )
    ]
    return lambda text: [f for d in detectors for f in d(text)]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (
            f"git clone https://oauth2:{GL}4xJq9Lm2Zt8RkW1bVc7N@gitlab.example.com/a.git",
            f"{GL}4xJq9Lm2Zt8RkW1bVc7N",
        ),
        (
            f"Post to {SLACK}T04ABCDEF/B06GHIJKL/Xy9Zq2Lm8Rt4Kp7Wn1Vb3Cd5",
            f"{SLACK}T04ABCDEF/B06GHIJKL/Xy9Zq2Lm8Rt4Kp7Wn1Vb3Cd5",
        ),
        (
            f'bot = Bot(token="{TG}H3kX9vQ2mZ8rT1yW4pL6nB0cF5dJ7gE2s")',
            f"{TG}H3kX9vQ2mZ8rT1yW4pL6nB0cF5dJ7gE2s",
        ),
        (
            f"sendgrid: {SG}Xk2Lm9Qp4Rt7Wz1Yb6Nc3H.d5Fg0Js8Ua2Ie4Ko6Pl9Mn1Bv3Cx5Zq7Wr0Ts2Yu4I",
            f"{SG}Xk2Lm9Qp4Rt7Wz1Yb6Nc3H.d5Fg0Js8Ua2Ie4Ko6Pl9Mn1Bv3Cx5Zq7Wr0Ts2Yu4I",
        ),
        (
            f"mailgun {MG}3ax6xnjp29jd6fds4gc373sgvjxteol0 rotate?",
            f"{MG}3ax6xnjp29jd6fds4gc373sgvjxteol0",
        ),
        (
            "AccountName=st01;AccountKey=q8Xv2Lm9Rt4Kp7Wz1Yb6Nc3Hd5Fg0Js8Ua2Ie4Ko6Pl9Mn1Bv3Cx5Zq7Wr0Ts2Yu4Ip6A==;x",
            "q8Xv2Lm9Rt4Kp7Wz1Yb6Nc3Hd5Fg0Js8Ua2Ie4Ko6Pl9Mn1Bv3Cx5Zq7Wr0Ts2Yu4Ip6A==",
        ),
        (
            "https://st01.blob.core.windows.net/x?sv=2022-11-02&sp=rl&sig=Zq3Xb8Lm2Pv9Rt4Kw7Yn1Hc6Jd0Fs5Ge8Ua3Io%3D",
            "Zq3Xb8Lm2Pv9Rt4Kw7Yn1Hc6Jd0Fs5Ge8Ua3Io%3D",
        ),
        ("Das WLAN-Kennwort für Gäste ist Sonnenblume2025!", "Sonnenblume2025"),
        (
            "Mein Passwort fürs Portal lautet Elbe#Hafen1987, kann man das knacken?",
            "Elbe#Hafen1987",
        ),
        ("the password I was given was blue-Falcon-93 but it expired", "blue-Falcon-93"),
        ("Testserver: user admin / Kx7#pQ2mZ – bitte Anleitung", "Kx7#pQ2mZ"),
        ("mysql -u root -pHx9!kLm2Qw -h db shop", "Hx9!kLm2Qw"),
    ],
)
def test_secrets(detect: Callable[..., list], text: str, secret: str) -> None:
    found = detect(text)
    assert ("SECRET", secret) in [(e, v) for e, v, _ in found]
    assert not [v for e, v, _ in found if e == "EMAIL_ADDRESS"]  # user info is no mailbox


@pytest.mark.parametrize(
    "text",
    [
        "env: AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}",
        "set OPENAI_API_KEY=YOUR_API_KEY before running",
        'password: "{{ vault_db_password }}"',
        "Das Passwort ist abgelaufen, wie setze ich es zurück?",
        "the password is at least twelve characters long",
        "Passwortrichtlinie: mindestens 12 Zeichen",
    ],
)
def test_no_secret(detect: Callable[..., list], text: str) -> None:
    assert [v for e, v, _ in detect(text) if e == "SECRET"] == []


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        ("Fragen an info@example-gmbh.de oder support-de@example.com", []),
        ("SMTP_USER=noreply@example.com", []),
        (
            "Schreib an anna.weber@example.de und legal-jsmith@example.org",
            ["anna.weber@example.de", "legal-jsmith@example.org"],
        ),
        ("APP_MAIL=anna.weber@example.de", ["anna.weber@example.de"]),
    ],
)
def test_role_mailboxes_and_names(
    detect: Callable[..., list], text: str, emails: list[str]
) -> None:
    assert [v for e, v, _ in detect(text) if e == "EMAIL_ADDRESS"] == emails
