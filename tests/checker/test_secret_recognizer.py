"""SecretRecognizer: API keys, tokens and PEM private keys.

Every key below is fictitious, built from repeated characters at run time, so that no
complete key shape appears in the source (secret scanners stay quiet).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import SecretRecognizer

BEGIN, END = "-----BEGIN ", "-----END "
BODY = "MIIEpAIBAAKCAQEA" + "Q" * 48 + "\n" + "abcdEFGH1234+/==" * 4 + "\n"


def _pem(kind: str) -> str:
    return f"{BEGIN}{kind} KEY-----\n{BODY}{END}{kind} KEY-----"


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(SecretRecognizer())


@pytest.mark.parametrize(
    "secret",
    [
        "sk-" + "proj-" + "A1b2_c3D4-" * 8,
        "sk-" + "svcacct-" + "Zz9" * 10,
        "sk-" + "a1B2c3" * 8,  # legacy: 48 alphanumerics
        "sk-" + "ant-api03-" + "Ab3d-" * 19 + "AA",
        "AK" + "IA" + "QX7Z" * 4,
        "AS" + "IA" + "Z9Y8" * 4,
        "gh" + "p_" + "a1B2" * 9,
        "gh" + "o_" + "Zy0x" * 9,
        "gh" + "u_" + "Q" * 36,
        "gh" + "s_" + "m5N6" * 9,
        "gh" + "r_" + "r7S8" * 9,
        "github" + "_pat_" + "A" * 22 + "_" + "b3" * 29 + "c",
    ],
)
def test_api_keys_and_tokens(detect: Callable[..., list], secret: str) -> None:
    text = f"Hier ist mein Schlüssel: {secret} – bitte nicht weitergeben."
    found = detect(text)
    assert [(entity, span) for entity, span, _ in found] == [("SECRET", secret)]
    assert found[0][2] >= 0.9


@pytest.mark.parametrize(
    "kind", ["RSA PRIVATE", "EC PRIVATE", "OPENSSH PRIVATE", "ENCRYPTED PRIVATE", "PRIVATE"]
)
def test_pem_private_key_block_is_one_span(detect: Callable[..., list], kind: str) -> None:
    block = _pem(kind)
    text = f"Warum geht das nicht?\n{block}\nDanke!"
    assert detect(text) == [("SECRET", block, pytest.approx(0.99))]


def test_truncated_pem_still_detected(detect: Callable[..., list]) -> None:
    partial = f"{BEGIN}RSA PRIVATE KEY-----\n{BODY}".rstrip("\n")
    found = detect(partial + "\n")
    assert len(found) == 1
    entity, span, score = found[0]
    assert entity == "SECRET" and span.startswith(BEGIN) and "Q" * 48 in span
    assert score >= 0.9


def test_two_keys_in_one_prompt(detect: Callable[..., list]) -> None:
    aws = "AK" + "IA" + "B" * 16
    gh = "gh" + "p_" + "C" * 36
    found = detect(f"AWS {aws} und GitHub {gh}")
    assert [span for _, span, _ in found] == [aws, gh]


@pytest.mark.parametrize(
    "text",
    [
        "Das Skript sk-test läuft.",
        "sk-" + "a" * 20,  # too short for a key
        "task-" + "a" * 40,  # "sk-" inside a longer word
        "sha256: " + "ab12" * 16,  # hex hash
        "commit 3f786850e387550fdab836ed7e6dc881de23001b",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "ak" + "ia" + "abcdefghijklmnop",  # lower case
        "AK" + "IA" + "B" * 15,  # one character short
        "AK" + "IA" + "B" * 17,  # part of a longer token
        "X" + "AK" + "IA" + "B" * 16,
        "gh" + "p_" + "a" * 20,
        "Die Rechnung ist fällig. Bitte GitHub und AWS prüfen.",
        f"{BEGIN}PUBLIC KEY-----\n{BODY}{END}PUBLIC KEY-----",
        f"{BEGIN}CERTIFICATE-----\n{BODY}{END}CERTIFICATE-----",
    ],
)
def test_look_alikes_are_not_secrets(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_constructor_defaults() -> None:
    recognizer = SecretRecognizer()
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["SECRET"]
    assert SecretRecognizer(supported_language="en").supported_language == "en"


@pytest.mark.parametrize(
    "token",
    [
        "ey" + "JhbGciOiJIUzI1NiJ9" + ".ey" + "JzdWIiOiIxMjM0NTY3ODkwIn0" + ".c2lnbmF0dXJlLXBhcnQ",
        "AI" + "za" + "Sy" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        "xo" + "xb-" + "1234567890-abcdefghijkl",
        "sk" + "_live_" + "51Hx" * 6,
    ],
)
def test_more_vendor_token_shapes(detect: Callable[..., list], token: str) -> None:
    assert detect(f"config: {token} end") == [("SECRET", token, pytest.approx(0.9, abs=0.06))]
