"""`leitplanke report` end to end: HTML, Markdown and a real PDF (headless Chromium),
checked with pdfinfo, pdftoppm and pypdf, on a seeded month."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.image import imread
from pypdf import PdfReader

from cli.report_command import report
from tests.report.seed import ALL_USERS, POLICY, seed_month

needs_pdf_tools = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdfinfo") and shutil.which("pdftoppm")),
    reason="needs chromium and poppler-utils (pdfinfo, pdftoppm)",
)
STORED_VALUES = ("<IBAN>", "IBAN_CODE", "hash0", "messages[0]", "zugestimmt", "Recherche")


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_month(tmp_path_factory.mktemp("db") / "leitplanke.db")


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(report, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def assert_private(text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    assert b"u-7f3a" not in data
    for user in ALL_USERS:
        assert user.encode() not in data
    for stored in STORED_VALUES:
        assert stored.encode() not in data, stored


def visible_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_html_german_to_stdout(runner: CliRunner, db: Path, policy_file: Path) -> None:
    html = run(runner, "--db", str(db), "--period", "2026-11", "--policy", str(policy_file))
    assert html.startswith("<!DOCTYPE html>") and '<html lang="de">' in html
    text = visible_text(html)
    for needle in (
        "Im November 2026 hat das Gateway 42 Eingaben",
        "11 davon (26,2 %)",
        "Oktober 2026: 7",
        "Personenbezogene Daten",
        "Gesundheitsdaten",
        "Wichtigster Kandidat für eine Freigabe: Perplexity (5 Nutzende",
        "Sonstige (2 Gruppen)",
        "Verzichtet 2 (66,7 %)",
        "Offene Freigabeanträge von Beschäftigten: 2",
    ):
        assert needle in text, needle
    assert html.count('src="data:image/png;base64,') == 3
    assert "@page { size: A4" in html
    assert_private(html)


def test_html_english_to_file(
    runner: CliRunner, db: Path, policy_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.html"
    args = ["--db", str(db), "--period", "2026-11", "--policy", str(policy_file)]
    assert run(runner, *args, "--lang", "en", "-o", str(out)) == ""
    text = visible_text(out.read_text("utf-8"))
    for needle in (
        "In November 2026 the gateway checked 42 prompts",
        "11 of them (26.2%)",
        "Personal data",
        "Top candidate for approval: Perplexity (5 users",
        "Other (2 groups)",
        "Abandoned 2 (66.7%)",
    ):
        assert needle in text, needle
    assert_private(out.read_bytes())


def test_markdown_with_chart_files(
    runner: CliRunner, db: Path, policy_file: Path, tmp_path: Path
) -> None:
    args = ["--db", str(db), "--period", "2026-11", "--policy", str(policy_file), "--format", "md"]
    stdout = run(runner, *args)
    assert stdout.startswith("# KI-Governance-Bericht")
    assert "| Personenbezogene Daten | 7 | 7 | 3 | +4 (+133,3 %) |" in stdout
    assert "Diagramme: siehe HTML- oder PDF-Fassung." in stdout
    out = tmp_path / "november.md"
    run(runner, *args, "-o", str(out))
    md = out.read_text("utf-8")
    for name in ("weeks", "tools", "actions"):
        image = tmp_path / f"november-{name}.png"
        assert image.read_bytes().startswith(b"\x89PNG")
        assert f"(november-{name}.png)" in md
    assert_private(md)


@needs_pdf_tools
def test_pdf(runner: CliRunner, db: Path, policy_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "bericht.pdf"
    args = ["--db", str(db), "--period", "2026-11", "--policy", str(policy_file)]
    run(runner, *args, "--format", "pdf", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert 1 <= pages <= 3
    assert "A4" in info.stdout
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for image in images:
        pixels = imread(image)
        ink = (pixels[..., :3].mean(axis=2) < 0.9).mean()
        assert ink > 0.01, f"{image.name} looks blank"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(pdf).pages))
    for needle in ("42", "26,2 %", "Personenbezogene Daten", "Perplexity", "Sonstige"):
        assert needle in text, needle
    assert_private(text)


@needs_pdf_tools
def test_empty_month_pdf_says_so(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "leer.pdf"
    run(runner, "--db", str(db), "--period", "2025-03", "--format", "pdf", "-o", str(pdf))
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    assert "keine Daten" in reader.pages[0].extract_text()


def test_empty_month_html_and_md(runner: CliRunner, db: Path) -> None:
    html = run(runner, "--db", str(db), "--period", "2025-03", "--lang", "en")
    assert "There is no data for this period" in html and "<img" not in html
    md = run(runner, "--db", str(db), "--period", "2025-03", "--format", "md")
    assert "Für diesen Zeitraum liegen keine Daten vor" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "invalid period"),
        (["--period", "2026-11", "--format", "pdf"], "needs --output"),
        (["--period", "2026-11", "--format", "pdf", "-o", "-"], "needs --output"),
    ],
)
def test_usage_errors(runner: CliRunner, db: Path, args: list[str], message: str) -> None:
    result = runner.invoke(report, ["--db", str(db), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_database_and_chromium(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    result = runner.invoke(report, ["--db", str(tmp_path / "none.db"), "--period", "2026-11"])
    assert result.exit_code == 2 and "no such database" in result.output
    result = runner.invoke(
        report,
        ["--db", str(db), "--format", "pdf", "-o", str(tmp_path / "x.pdf")],
        env={"LEITPLANKE_CHROMIUM": str(tmp_path / "no-chromium")},
    )
    assert result.exit_code == 2 and "Chromium not found" in result.output
