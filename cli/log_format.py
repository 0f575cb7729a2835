"""Log lines for machines: one JSON object per line, with syslog priority prefixes
when stdout is the systemd journal.

journald reads a service's stdout line by line. A line that starts with `<N>`
(N = syslog priority 0–7) gets PRIORITY=N and the prefix stripped (systemd's
`SyslogLevelPrefix=`, on by default), so `journalctl -p warning` works without the
python-systemd bindings or the journal's native socket protocol. The rest of the
line is the MESSAGE: a JSON object, so one log record with a multi-line text or a
traceback stays one journal entry and `journalctl -o json` output can be unpacked
with `jq '.MESSAGE | fromjson'`.

Only what the text format shows goes into the object (time, level, logger,
message, client address, traceback): the gateway's decision lines never hold
detected values, and this formatter adds none.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Literal

LogFormat = Literal["auto", "text", "json"]

JOURNAL_STREAM = "JOURNAL_STREAM"

# logging level → syslog priority (mitmproxy's ALERT, 21, is "notice").
_PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (21, 5))


def syslog_priority(levelno: int) -> int:
    for threshold, priority in _PRIORITIES:
        if levelno >= threshold:
            return priority
    return 6 if levelno >= logging.INFO else 7


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line; `<N>` first when `priority_prefix`."""

    def __init__(self, *, priority_prefix: bool = False) -> None:
        super().__init__()
        self.priority_prefix = priority_prefix

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "priority": syslog_priority(record.levelno),
            "logger": record.name,
            "message": record.getMessage(),
        }
        client = getattr(record, "client", None)  # mitmproxy's connection lines
        if isinstance(client, tuple) and len(client) >= 2:
            entry["client"] = f"{client[0]}:{client[1]}"
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return f"<{entry['priority']}>{line}" if self.priority_prefix else line


def is_journal(stream: IO[str], env: Mapping[str, str] = os.environ) -> bool:
    """Whether `stream` is the journal stream systemd connected (JOURNAL_STREAM is
    `device:inode` of it). A child that inherited the variable but writes elsewhere
    (a pipe, a file) does not match."""
    value = env.get(JOURNAL_STREAM, "")
    device, _, inode = value.partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (status.st_dev, status.st_ino) == (int(device), int(inode))


def choose_formatter(
    requested: str, stream: IO[str], env: Mapping[str, str] = os.environ
) -> JsonFormatter | None:
    """The formatter for `requested` (auto, text, json); None keeps the text format."""
    journal = is_journal(stream, env)
    if requested == "json" or (requested == "auto" and journal):
        return JsonFormatter(priority_prefix=journal)
    return None


def use_log_format(handler: logging.Handler, requested: str, stream: IO[str]) -> bool:
    """Switch `handler` (mitmproxy's terminal log handler) to JSON if asked for;
    True if it did."""
    formatter = choose_formatter(requested, stream)
    if formatter is None:
        return False
    handler.setFormatter(formatter)
    return True
