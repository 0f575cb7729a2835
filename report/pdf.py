"""HTML -> PDF with headless Chromium's print engine (A4 comes from the page's @page CSS).

Chromium runs with a throw-away profile, no network services, no sandbox (it runs
unprivileged in containers) and a timeout. The HTML is self-contained (charts are
data: URIs), so nothing is fetched while printing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_VAR = "LEITPLANKE_CHROMIUM"
DEFAULT_TIMEOUT_S = 90.0


class PdfError(RuntimeError):
    """No browser to print with, or printing failed."""


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium executable: `explicit`, $LEITPLANKE_CHROMIUM, else the first of
    chromium, chromium-browser, google-chrome on PATH."""
    wanted = explicit or os.environ.get(ENV_VAR)
    if wanted:
        found = shutil.which(wanted)
        if found is None:
            raise PdfError(f"Chromium not found at {wanted!r} (for PDF output)")
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "PDF output needs Chromium (headless), which was not found: install it "
        "(Debian/Ubuntu: apt install chromium) or set LEITPLANKE_CHROMIUM to its path; "
        "or use --format html and print from a browser"
    )


def html_to_pdf(
    html: str,
    output: str | Path,
    *,
    chromium: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Path:
    """Print `html` to the PDF file `output` and return its path."""
    browser = find_chromium(chromium)
    target = Path(output).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leitplanke-report-") as tmp:
        work = Path(tmp)
        page = work / "report.html"
        page.write_text(html, encoding="utf-8")
        printed = work / "report.pdf"
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-extensions",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            "--no-pdf-header-footer",
            f"--user-data-dir={work / 'profile'}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,  # its own process group: kill helpers with it
            )
        except OSError as exc:
            raise PdfError(f"cannot run Chromium ({browser}): {exc}") from None
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise PdfError(f"Chromium did not finish printing within {timeout:g} s") from None
        finally:
            _kill_group(process)  # helper processes that outlived the browser, if any
        if process.returncode != 0 or not printed.is_file() or printed.stat().st_size == 0:
            tail = "\n".join((stderr or "").strip().splitlines()[-5:])
            raise PdfError(
                f"Chromium could not print the report (exit status {process.returncode})"
                + (f":\n{tail}" if tail else "")
            )
        shutil.move(printed, target)
    return target


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
