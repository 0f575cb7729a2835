"""The banner's markup without mitmproxy: its script, the request link, where it goes."""

from __future__ import annotations

import pytest

from answers import banner
from answers.banner import insertion_point, request_link


def test_script_uses_no_string_sinks() -> None:
    script = banner._SCRIPT
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "classList" in script and "sessionStorage" in script


@pytest.mark.parametrize(
    ("target", "href"),
    [
        ("https://intranet.example/antrag", "https://intranet.example/antrag"),
        ("mailto:it@example.de", "mailto:it@example.de"),
        ("it@example.de", "mailto:it@example.de"),
        ("javascript:alert(1)", None),
        ("Frau Meier, Zimmer 3", None),
        ('https://x.example/"><script>', None),
    ],
)
def test_request_link(target: str, href: str | None) -> None:
    assert request_link(target) == href


@pytest.mark.parametrize(
    ("document", "after"),
    [
        (b"<html><body>x", b"<html><body>"),
        (b"<!DOCTYPE html><html><head></head >x", b"<!DOCTYPE html><html><head></head >"),
        (b"<!DOCTYPE html><html lang=de>x", b"<!DOCTYPE html><html lang=de>"),
        (b"<!doctype html>x", b"<!doctype html>"),
    ],
)
def test_insertion_point(document: bytes, after: bytes) -> None:
    assert insertion_point(document) == len(after)
    assert insertion_point(b"<p>fragment</p>") is None
