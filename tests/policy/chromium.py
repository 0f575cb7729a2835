"""Headless Chromium for tests that need a real browser (print to PDF, screenshots).

Locally a missing Chromium skips the test; in CI (environment variable `CI` set) it
fails, because CI installs Chromium (`apt-get install -y chromium`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Quiet, offline, throw-away profile: nothing may reach the network or the user's profile.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
)


def chromium() -> str:
    """Path of the Chromium binary; skips the test if there is none (fails under CI)."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    message = "headless Chromium not found (Debian/Ubuntu: apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _run(html: str, tmp: Path, *output_flags: str) -> None:
    page = tmp / "page.html"
    page.write_text(html, "utf-8")
    command = [
        chromium(),
        *FLAGS,
        f"--user-data-dir={tmp / 'chromium-profile'}",
        *output_flags,
        page.resolve().as_uri(),
    ]
    # No D-Bus in containers: stop Chromium from trying (and logging about it).
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, f"chromium failed ({done.returncode}):\n{done.stderr[-2000:]}"


def print_to_pdf(html: str, tmp: Path) -> Path:
    """Print `html` like a user would (CSS @page rules apply, no header/footer) to a PDF."""
    pdf = tmp / "out.pdf"
    _run(html, tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert pdf.is_file() and pdf.stat().st_size > 0, "chromium wrote no PDF"
    return pdf


def screenshot(html: str, tmp: Path, width: int = 794, height: int = 1123) -> Path:
    """A PNG of `html` in a window of `width`×`height` CSS pixels (A4 at 96 dpi by default)."""
    png = tmp / "screenshot.png"
    _run(html, tmp, "--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={png}")
    assert png.is_file() and png.stat().st_size > 0, "chromium wrote no screenshot"
    return png
