"""Codes to words for the review UI and its exports: one place, German and English.

The views (store/migrations.py m012) hold codes (`block`, `IBAN_CODE`, group and
class ids, ISO UTC times); every page, facet and CSV export shows them through
`Labels`: policy labels for data classes, groups and tools, the catalog's service
names, words for entity types, reasons and states, local time in German format.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from policy.catalog import default_catalog
from policy.model import Policy
from review.texts import label, texts

TIMEZONE = ZoneInfo("Europe/Berlin")
# Columns holding a JSON list of codes of one kind, and single-code columns.
_LIST_COLUMNS = {"entity_types": "entity", "found_classes": "class", "data_classes": "class"}
_CODE_COLUMNS = {
    "state": "state",
    "action": "action",
    "enforced": "action",
    "tool_status": "tool_status",
    "mode": "mode",
    "status": "status",
    "allowed_by_policy": "boolean",
    "false_alarm": "boolean",
}
# Masking writes lengths in English into the stored excerpt (checker/masking.py,
# `**** (11 chars)`); stored rows stay as they are, the UI says it in its language.
_LENGTH = re.compile(r"\((\d+) chars\)")
# Policy recognizers are named after their data class (checker/engine.py).
_POLICY_RECOGNIZERS = {"policy_terms:": "terms", "policy_patterns:": "patterns"}
TIME_COLUMNS = frozenset({"ts", "last_ts", "triaged_at", "decided_at", "allowed_until"})


def parse_time(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class Labels:
    def __init__(self, lang: str, policy: Policy | None = None) -> None:
        self.lang = lang
        self.policy = policy
        self.t = texts(lang)

    @cached_property
    def _services(self) -> dict[str, str]:
        return {sid: s.name for sid, s in default_catalog().services.items()}

    def column(self, name: str) -> str:
        columns: dict[str, str] = self.t["columns"]
        return columns.get(name, name)

    def when(self, value: Any, seconds: bool = False) -> str:
        """ISO 8601 UTC as stored -> local time (Europe/Berlin), `04.03.2025 10:15`."""
        if not value:
            return ""
        when = parse_time(str(value))
        if when is None:
            return str(value)
        local = when.astimezone(TIMEZONE)
        if self.lang == "de":
            return local.strftime("%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M")
        return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

    def number(self, value: float, digits: int = 2) -> str:
        text = f"{value:,.{digits}f}"
        if self.lang == "de":  # 1,234.56 -> 1.234,56
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def count(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "de" else text

    def code(self, kind: str, value: str | None) -> str:
        return label(self.lang, kind, value)

    def entity(self, code: str | None) -> str:
        return label(self.lang, "entity", code) if code else ""

    def data_class(self, code: str | None) -> str:
        if not code:
            return ""
        if self.policy is not None and code in self.policy.data_classes:
            return self.policy.data_classes[code].name_in(code, self.lang)
        return code

    def group(self, code: str | None) -> str:
        if not code:
            return ""
        group = self.policy.groups.get(code) if self.policy is not None else None
        return group.label.text(self.lang) if group is not None and group.label else code

    def tool(self, code: str | None) -> str:
        if not code:
            return ""
        tool = self.policy.tools.get(code) if self.policy is not None else None
        return tool.display_name(code) if tool is not None else code

    def service(self, code: str | None) -> str:
        return self._services.get(code, code) if code else ""

    def codes(self, kind: str, value: Any) -> list[str]:
        """A JSON list of codes as words."""
        items = _json(value)
        if not isinstance(items, list):
            return [str(value)] if value else []
        word = self.data_class if kind == "class" else self.entity
        return [word(str(item)) for item in items]

    def excerpt(self, value: str | None) -> str:
        """A stored masked excerpt, its length note in the UI's language."""
        if not value:
            return ""
        unit = self.t["detail"]["length"]
        return _LENGTH.sub(lambda m: "(" + unit.format(count=m.group(1)) + ")", value)

    def recognizer(self, name: str | None) -> str:
        """A recognizer's class name (`IbanRecognizer`) in words; a policy's own terms
        and patterns with the data class they belong to."""
        if not name:
            return ""
        words: dict[str, str] = self.t["labels"]["recognizer"]
        for prefix, key in _POLICY_RECOGNIZERS.items():
            if name.startswith(prefix):
                return words[key].format(data_class=self.data_class(name.removeprefix(prefix)))
        return words.get(name, words["other"].format(name=name))

    def entity_counts(self, value: Any) -> str:
        counts = _json(value)
        if not isinstance(counts, dict):
            return str(value or "")
        return ", ".join(f"{self.entity(k)} ×{v}" for k, v in sorted(counts.items()))

    def reason(self, code: str, tool: str | None = None) -> str:
        """One recorded reason code (policy/decide.py, proxy_addon/guard.py) in words."""
        r: dict[str, str] = self.t["reasons"]
        act = self.t["labels"]["action"]
        parts = code.split(":")
        head = parts[0]
        if head.startswith("tool_") and len(parts) == 2:
            status = self.code("tool_status", head.removeprefix("tool_"))
            return r["tool"].format(
                tool=self.tool(tool) or "?", status=status, action=act.get(parts[1], parts[1])
            )
        if head == "unlisted_tool" and len(parts) == 2:
            return r["unlisted_tool"].format(action=act.get(parts[1], parts[1]))
        if len(parts) == 3 and parts[1] == "not_allowed":
            return r["not_allowed"].format(
                data_class=self.data_class(head), action=act.get(parts[2], parts[2])
            )
        if head == "mode" and len(parts) == 2:
            return r["mode"].format(mode=self.code("mode", parts[1]))
        if len(parts) == 2 and parts[1].startswith("enforced_as_"):
            enforced = parts[1].removeprefix("enforced_as_")
            return r["enforced_as"].format(
                action=act.get(head, head), enforced=act.get(enforced, enforced)
            )
        if head == "unreadable_file" and len(parts) == 3:
            why = self.t["file_reasons"].get(parts[1], parts[1])
            return r["unreadable_file"].format(why=why, action=act.get(parts[2], parts[2]))
        if head == "unscanned_files" and len(parts) == 3:
            return r["unscanned_files"].format(count=parts[1], action=act.get(parts[2], parts[2]))
        return r.get(head, r["other"])

    def reasons(self, value: Any, tool: str | None = None) -> list[str]:
        items = _json(value)
        if not isinstance(items, list):
            return []
        return [self.reason(str(item), tool) for item in items]

    def seen(self, enforced: str | None, reasons: Any, error: str | None) -> str:
        """What the employee saw, from what the gateway did (proxy_addon/guard.py)."""
        s: dict[str, str] = self.t["seen"]
        codes = _json(reasons) or []
        if error:
            return s["oversize"] if error == "oversize" else s["error"]
        if "coached" in codes:
            return s["coached"]
        if "justified" in codes:
            return s["justified"]
        if (
            enforced in ("block", "warn")
            and any(str(code).startswith("unreadable_file:") for code in codes)
            and not any(":not_allowed:" in str(code) for code in codes)
        ):
            return s["file"]
        if enforced in ("block", "warn"):
            return s["block"]
        if enforced == "redact":
            return s["redact"]
        return s["passed"]

    def facet(self, column: str, value: Any) -> str:
        """A facet value: one code of a list column, else like a cell."""
        if column in _LIST_COLUMNS and value is not None and not str(value).startswith("["):
            kind = _LIST_COLUMNS[column]
            return self.data_class(str(value)) if kind == "class" else self.entity(str(value))
        return self.cell(column, value) or "\u2013"

    def cell(self, column: str, value: Any, row: Any = None) -> str:
        """A view's cell as text (pages, facets and CSV); `row` (a mapping) gives
        context, e.g. the tool a reason is about."""
        if value is None or value == "":
            return ""
        if column in TIME_COLUMNS:
            return self.when(value)
        if column in _LIST_COLUMNS:
            return ", ".join(self.codes(_LIST_COLUMNS[column], value))
        if column in _CODE_COLUMNS:
            return self.code(_CODE_COLUMNS[column], str(value))
        if column == "user_group":
            return self.group(str(value))
        if column == "tool":
            return self.tool(str(value))
        if column == "service":
            return self.service(str(value))
        if column == "reasons":
            tool = _get(row, "tool")
            return "; ".join(self.reasons(value, tool))
        if column == "entity_counts":
            return self.entity_counts(value)
        if column == "excerpts":
            return "; ".join(
                f"{self.entity(t)}: {self.excerpt(x)}" if sep else item
                for item in str(value).split("; ")
                for t, sep, x in [item.partition(": ")]
            )
        return str(value)


def _get(row: Any, key: str) -> Any:
    """`row[key]` for a dict or sqlite3.Row (whose `in` looks at values), else None."""
    try:
        return row[key] if row is not None else None
    except (KeyError, IndexError, TypeError):
        return None


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None
