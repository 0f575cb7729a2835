"""JSON log lines and the journald priority prefix."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from pathlib import Path

import pytest

from cli.log_format import (
    JsonFormatter,
    choose_formatter,
    is_journal,
    syslog_priority,
    use_log_format,
)


def record(level: int, msg: str, *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("proxy_addon.recorder", level, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


def test_one_json_object_per_line() -> None:
    line = JsonFormatter().format(
        record(logging.INFO, "leitplanke: %s %s [%s]", "block", "openai-api", "IBAN_CODE×1")
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "leitplanke: block openai-api [IBAN_CODE×1]"
    assert entry["level"] == "info" and entry["priority"] == 6
    assert entry["logger"] == "proxy_addon.recorder"
    assert entry["ts"].endswith("+00:00")


def test_multi_line_messages_and_tracebacks_stay_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        rec = record(logging.ERROR, "policy rejected:\n%s", "p.yaml:3:1: unknown key")
        rec.exc_info = sys.exc_info()
    line = JsonFormatter().format(rec)
    assert line.count("\n") == 0
    entry = json.loads(line)
    assert entry["message"] == "policy rejected:\np.yaml:3:1: unknown key"
    assert "ValueError: boom" in entry["exception"] and entry["priority"] == 3


def test_client_address_as_in_the_text_format() -> None:
    entry = json.loads(
        JsonFormatter().format(record(logging.INFO, "client connect", client=("10.0.0.7", 51234)))
    )
    assert entry["client"] == "10.0.0.7:51234"


def test_priority_prefix_for_journald() -> None:
    line = JsonFormatter(priority_prefix=True).format(record(logging.WARNING, "careful"))
    assert line.startswith("<4>{")
    assert json.loads(line[3:])["message"] == "careful"


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.DEBUG, 7),
        (logging.INFO, 6),
        (21, 5),  # mitmproxy's ALERT
        (logging.WARNING, 4),
        (logging.ERROR, 3),
        (logging.CRITICAL, 2),
    ],
)
def test_syslog_priorities(level: int, priority: int) -> None:
    assert syslog_priority(level) == priority


def journal_env(path: Path) -> dict[str, str]:
    status = os.stat(path)
    return {"JOURNAL_STREAM": f"{status.st_dev}:{status.st_ino}"}


def test_journal_stream_must_be_our_stdout(tmp_path: Path) -> None:
    ours, other = tmp_path / "ours", tmp_path / "other"
    ours.touch()
    other.touch()
    with ours.open("w") as stream:
        assert is_journal(stream, journal_env(ours))
        assert not is_journal(stream, journal_env(other))  # inherited, but not ours
        assert not is_journal(stream, {})
        assert not is_journal(stream, {"JOURNAL_STREAM": "garbage"})
    assert not is_journal(io.StringIO(), journal_env(ours))  # no file descriptor


def test_choose_formatter(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    journal.touch()
    with journal.open("w") as stream:
        env = journal_env(journal)
        auto = choose_formatter("auto", stream, env)
        assert isinstance(auto, JsonFormatter) and auto.priority_prefix
        assert choose_formatter("text", stream, env) is None  # an explicit choice wins
        assert choose_formatter("auto", stream, {}) is None  # a terminal or a file
        forced = choose_formatter("json", stream, {})
        assert isinstance(forced, JsonFormatter) and not forced.priority_prefix


def test_use_log_format_switches_the_handler() -> None:
    handler = logging.StreamHandler(io.StringIO())
    assert use_log_format(handler, "json", sys.stdout)
    assert isinstance(handler.formatter, JsonFormatter)
    plain = logging.StreamHandler(io.StringIO())
    assert not use_log_format(plain, "text", sys.stdout)
    assert plain.formatter is None
