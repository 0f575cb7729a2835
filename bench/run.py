"""`leitplanke bench`: every benchmark in one process run, side by side; a table and
one JSON document (machine, cells, the issue-16 targets)."""

from __future__ import annotations

import importlib
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.gateway import DEFAULT, QUICK, run_gateway
from bench.store import run_store
from bench.targets import derive_checker, derive_gateway, evaluate

SECTIONS: tuple[str, ...] = ("checker", "gateway", "memory", "store")
STORE_SECONDS = {False: 8.0, True: 2.0}  # quick: True

Log = Callable[[str], None]


def checker_results(quick: bool) -> dict[str, Any]:
    """The checker benchmark (Leitplanke scan vs Presidio default per prompt size):
    bench/checker.py's `checker_results`, imported only when the checker runs."""
    try:
        module = importlib.import_module("bench.checker")
    except ModuleNotFoundError as exc:
        if exc.name != "bench.checker":
            raise
        return _checker_not_there_yet(quick)
    result: dict[str, Any] = module.checker_results(quick=quick)
    return result


def _checker_not_there_yet(quick: bool) -> dict[str, Any]:
    # CALL SITE for the checker benchmark: bench/checker.py (not written yet) provides
    # `checker_results(quick: bool = False) -> dict[str, Any]` returning
    # {"sizes": {"0.2KB"|"2KB"|"20KB"|"200KB"|"1MB": {"leitplanke": {"p50_ms", "p99_ms",
    # "mb_per_s"}, "presidio_default": {...}}}, "throughput_mb_s": {"leitplanke": x,
    # "presidio_default": y}, "f2": {"leitplanke": a, "presidio_default": b}}.
    raise NotImplementedError("bench/checker.py (checker_results) is not there yet")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _mem_total_mib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mib": _mem_total_mib(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "leitplanke": _version("leitplanke"),
        "mitmproxy": _version("mitmproxy"),
        "presidio_analyzer": _version("presidio-analyzer"),
        "spacy": _version("spacy"),
        "sqlite": sqlite3.sqlite_version,
    }


def run_bench(
    *,
    quick: bool,
    only: Sequence[str] = SECTIONS,
    workdir: Path | None = None,
    log: Log,
    workers: int | None = None,
) -> dict[str, Any]:
    """Run the chosen sections; the result has `machine`, one key per section (or
    `errors` for a section that could not run) and `targets`."""
    started = time.monotonic()
    results: dict[str, Any] = {
        "machine": machine(),
        "quick": quick,
        "sections": list(only),
        "workers": workers,  # None: the gateway's default (one per core less one)
    }
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="leitplanke-bench-") as tmp:
        base = workdir or Path(tmp)
        if "checker" in only:
            log("checker: Leitplanke scan vs Presidio default")
            try:
                results["checker"] = derive_checker(checker_results(quick))
            except NotImplementedError as exc:
                errors["checker"] = f"not implemented: {exc}"
                log(f"checker: skipped ({exc})")
        if "gateway" in only or "memory" in only:
            results.update(
                run_gateway(
                    QUICK if quick else DEFAULT,
                    base / "gateway",
                    cells="gateway" in only,
                    memory="memory" in only,
                    log=log,
                    workers=workers,
                )
            )
            if "gateway" in results:
                results["gateway"] = derive_gateway(results["gateway"])
        if "store" in only:
            log("store: findings writes with a concurrent review reader")
            results["store"] = run_store(STORE_SECONDS[quick], base / "store")
    if errors:
        results["errors"] = errors
    results["seconds"] = round(time.monotonic() - started, 1)
    results["targets"] = evaluate(results)
    return results


def failures(results: Mapping[str, Any]) -> list[str]:
    """Cells with errors or wrong answers (a benchmark of wrong answers is no benchmark)."""
    found = []
    for section in ("gateway",):
        for proxy, cells in (results.get(section) or {}).items():
            if not isinstance(cells, Mapping):
                continue
            for name, cell in cells.items():
                if isinstance(cell, Mapping) and (cell.get("errors") or cell.get("wrong_answers")):
                    found.append(
                        f"{proxy} {name}: {cell.get('errors', 0)} errors, "
                        f"{cell.get('wrong_answers', 0)} wrong answers"
                    )
    return found


# --- the table ---------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _signed(value: Any) -> str:
    return "—" if value is None else f"{value:+.1f}"


def render_rows(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Aligned columns: the first left-aligned, the rest right-aligned."""
    table = [list(header), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for n, row in enumerate(table):
        cells = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _cell_row(label: str, cell: Mapping[str, Any] | None) -> list[str]:
    cell = cell or {}
    return [
        label,
        _fmt(cell.get("p50_ms"), 2),
        _fmt(cell.get("p99_ms"), 2),
        _fmt(cell.get("mean_ms"), 2),
        _fmt(cell.get("requests_per_s")),
        _fmt(cell.get("n")),
        _fmt((cell.get("errors") or 0) + (cell.get("wrong_answers") or 0)),
    ]


def render_table(results: Mapping[str, Any]) -> str:
    m = results.get("machine", {})
    out = [
        f"Leitplanke bench{' (quick)' if results.get('quick') else ''} — {m.get('date')} — "
        f"{m.get('cpu_count')} CPUs ({m.get('cpu_model')}), Python {m.get('python')}, "
        f"mitmproxy {m.get('mitmproxy')}, presidio-analyzer {m.get('presidio_analyzer')}, "
        f"load {m.get('load_average')}",
    ]
    checker = results.get("checker")
    if isinstance(checker, Mapping):
        out += ["", "Checker (in-process scan)"]
        rows = []
        for size, engines in (checker.get("sizes") or {}).items():
            for engine in ("leitplanke", "presidio_default"):
                e = engines.get(engine) or {}
                rows.append(
                    [
                        f"{size} {engine}",
                        _fmt(e.get("p50_ms"), 2),
                        _fmt(e.get("p99_ms"), 2),
                        _fmt(e.get("mb_per_s"), 2),
                    ]
                )
        out += render_rows(["size / engine", "p50 ms", "p99 ms", "MB/s"], rows)
        tp, f2 = checker.get("throughput_mb_s") or {}, checker.get("f2") or {}
        out.append(
            f"throughput MB/s: Leitplanke {_fmt(tp.get('leitplanke'), 2)}, Presidio default "
            f"{_fmt(tp.get('presidio_default'), 2)} (×{_fmt(checker.get('throughput_ratio'), 2)});"
            f" F2: {_fmt(f2.get('leitplanke'), 3)} vs {_fmt(f2.get('presidio_default'), 3)}"
        )
        same = checker.get("identical_findings") or {}
        if same:
            out.append(
                f"identical findings, prefilter vs full analysis: {same.get('requests')} "
                f"requests of every evaluation corpus, {same.get('differ')} differ"
                + (f" ({', '.join(same.get('examples') or [])})" if same.get("differ") else "")
            )
    gateway = results.get("gateway")
    if isinstance(gateway, Mapping):
        plain, ours = gateway.get("plain_mitmdump", {}), gateway.get("leitplanke", {})
        comparison = gateway.get("comparison", {})
        chars = gateway.get("prompt_chars")
        out += ["", f"Gateway, HTTPS chat completion, {chars}-character prompt"]
        header = ["cell", "p50 ms", "p99 ms", "mean ms", "req/s", "requests", "errors"]
        rows = []
        for n in (1, 20):
            c = comparison.get(f"c{n}", {})
            rows += [
                _cell_row(f"plain mitmdump, clean, {n} conn", plain.get(f"clean_c{n}")),
                _cell_row(f"leitplanke, clean, {n} conn", ours.get(f"clean_c{n}")),
                [
                    f"  added / throughput ratio, {n} conn",
                    _signed(c.get("added_p50_ms")),
                    _signed(c.get("added_p99_ms")),
                    "",
                    _fmt(c.get("throughput_ratio"), 2),
                    "",
                    "",
                ],
            ]
        for n in (1, 20):
            rows.append(_cell_row(f"leitplanke, IBAN → block, {n} conn", ours.get(f"pii_c{n}")))
        blocked = comparison.get("c20", {}).get("blocked_ratio")
        rows.append(["  blocked / clean throughput, 20 conn", "", "", "", _fmt(blocked, 2), "", ""])
        out += render_rows(header, rows)
        sse = gateway.get("sse", {})
        out += [
            "",
            f"Streamed answer ({sse.get('api')}), {sse.get('events')} SSE events, "
            f"{sse.get('runs')} runs",
        ]
        rows = []
        for name, label in (
            ("plain_mitmdump_streaming", "plain mitmdump + SSE streaming addon"),
            ("leitplanke", "leitplanke"),
        ):
            s = sse.get(name, {})
            ttfb, total = s.get("ttfb", {}), s.get("total", {})
            rows.append(
                [
                    label,
                    _fmt(ttfb.get("p50_ms"), 2),
                    _fmt(ttfb.get("p99_ms"), 2),
                    _fmt(total.get("p50_ms"), 1),
                    _fmt(total.get("p99_ms"), 1),
                    _fmt(s.get("wrong_answers")),
                ]
            )
        rows.append(
            [
                "  added",
                _signed(sse.get("added_ttfb_p50_ms")),
                "",
                _signed(sse.get("added_total_p50_ms")),
                "",
                "",
            ]
        )
        out += render_rows(["proxy", "first byte p50", "p99", "total p50", "p99", "wrong"], rows)
    memory = results.get("memory")
    if isinstance(memory, Mapping):
        out += ["", "Memory, process tree (MiB; RSS counts shared pages per process, PSS once)"]
        rows = []
        for name in ("plain_mitmdump", "leitplanke"):
            idle, peak = (
                memory.get(name, {}).get("idle", {}),
                memory.get(name, {}).get("load_c20_peak", {}),
            )
            rows.append(
                [
                    name,
                    _fmt(idle.get("rss_mib")),
                    _fmt(idle.get("pss_mib")),
                    _fmt(peak.get("rss_mib")),
                    _fmt(peak.get("pss_mib")),
                    _fmt(idle.get("processes")),
                ]
            )
        out += render_rows(
            ["proxy", "idle RSS", "idle PSS", "20-conn peak RSS", "peak PSS", "processes"], rows
        )
    store = results.get("store")
    if isinstance(store, Mapping):
        q = store.get("reader_queue_query_ms", {})
        sqlite = store.get("sqlite", {})
        out += [
            "",
            f"Store (SQLite {sqlite.get('version')}, journal {sqlite.get('journal_mode')}, "
            f"synchronous {sqlite.get('synchronous')}): {_fmt(store.get('writes_per_s'))} "
            f"decisions/s with {store.get('findings_per_decision')} findings each "
            f"({_fmt(store.get('finding_rows_per_s'))} finding rows/s, through the Recorder); "
            f"reader {_fmt(store.get('reader_queries_per_s'))} queries/s "
            f"(queue page p50 {_fmt(q.get('p50_ms'), 2)} ms)",
        ]
    for section, error in (results.get("errors") or {}).items():
        out.append(f"{section}: {error}")
    targets = results.get("targets") or {}
    if targets:
        out += ["", "Targets (issue 16; SSE and store from issue 8)"]
        rows = [
            [
                t["description"],
                _fmt(t["value"], 2),
                f"{t['op']} {_fmt(t['threshold'], 2)}",
                t["unit"],
                {True: "met", False: "NOT met", None: "not measured"}[t["met"]],
            ]
            for t in targets.values()
        ]
        out += render_rows(["target", "value", "threshold", "unit", "result"], rows)
    out.append(f"\n{results.get('seconds')} s")
    return "\n".join(out)
