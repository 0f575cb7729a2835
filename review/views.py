"""The review UI's lists: SQL views (store/migrations.py m012) served by Datasette.

Datasette gives views what it gives tables: filters, facets, sorting, pagination
past max_returned_rows, JSON and streamed CSV. This module says which views the UI
has and how each is shown (title, facets, default sort); review/labels.py turns their
codes into words.
"""

from __future__ import annotations

from typing import Any

DATABASE = "leitplanke"
QUEUE = "offene_findings"
ALL = "alle_findings"
APPROVALS = "freigabe_anfragen"
COACHING = "coaching_begruendungen"
VIEWS = (QUEUE, ALL, APPROVALS, COACHING)
FINDING_VIEWS = (QUEUE, ALL)

# Columns a list leaves out (shown on the detail page instead).
_FINDING_FACETS: list[Any] = [
    "user_group",
    "service",
    "tool",
    {"array": "found_classes"},
    {"array": "entity_types"},
    "enforced",
    "false_alarm",
]
_FACETS: dict[str, list[Any]] = {
    QUEUE: _FINDING_FACETS,
    ALL: [*_FINDING_FACETS, "state", "allowed_by_policy"],
    APPROVALS: ["status", "service", "user_group"],
    COACHING: ["user_group", "service", {"array": "data_classes"}, "false_alarm"],
}


def view_metadata(texts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Datasette table metadata for the views (titles in the UI's language)."""
    views: dict[str, Any] = texts["views"]
    return {
        name: {
            "title": views[name]["title"],
            "description": views[name]["description"],
            "sort_desc": "ts",
            "facets": _FACETS[name],
            "allow": {"id": "*"},
            "size": 100,
        }
        for name in VIEWS
    }
