"""The Leitplanke plugin for Datasette: SQL helpers, links, login redirect, dashboard.

Datasette serves the review UI: canned queries (review/queries.py) for the queue, the
detail, approval requests and coaching justifications, with Datasette's own CSV and
JSON export; a writable canned query for triage; datasette-auth-passwords for the
login. This plugin adds what Datasette cannot do by itself:

- SQL functions (`prepare_connection`): catalog names of services, labels in the UI's
  language, JSON lists as text, and the check that a triage state is one of five.
- Links: the decision number in a list opens its detail (`render_cell`); the menu
  links the queue, the lists and the dashboard (`menu_links`).
- A 403 for someone not logged in becomes a redirect to the login form (`forbidden`).
- The dashboard (`/-/leitplanke/dashboard`) is a custom page because Datasette has no
  chart rendering of its own: chart plugins (datasette-vega, datasette-cluster-map)
  load JavaScript libraries from a CDN, and the gateway's network is offline. The
  charts are rendered on the server with matplotlib as inline SVG.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Forbidden, Response
from markupsafe import Markup, escape

from review import charts
from review.queries import ALL, APPROVALS, COACHING, DATABASE, QUEUE, TRIAGE
from review.texts import TRIAGE_STATES, label, texts

PLUGIN = "leitplanke-review"
DASHBOARD_PATH = "/-/leitplanke/dashboard"


def _lang(datasette: Any) -> str | None:
    """The UI language if this Datasette is Leitplanke's review UI, else None."""
    config = datasette.plugin_config(PLUGIN)
    return config.get("lang", "de") if config else None


def service_name(service: str | None) -> str:
    if not service:
        return ""
    from policy.catalog import default_catalog

    found = default_catalog().services.get(service)
    return found.name if found else service


def json_list(value: str | None) -> str:
    if not value:
        return ""
    try:
        items = json.loads(value)
    except ValueError:
        return value
    return ", ".join(str(i) for i in items) if isinstance(items, list) else value


def triage_state(value: str | None) -> str:
    if value not in TRIAGE_STATES:
        raise ValueError("invalid triage state")
    return value


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    lang = _lang(datasette)
    if lang is None or database != DATABASE:
        return
    conn.create_function("lp_service_name", 1, service_name, deterministic=True)
    conn.create_function("lp_list", 1, json_list, deterministic=True)
    conn.create_function(
        "lp_label", 2, lambda kind, value: label(lang, kind, value), deterministic=True
    )
    conn.create_function("lp_triage_state", 1, triage_state, deterministic=True)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    lang = _lang(datasette)
    if lang is None or database != DATABASE or table is not None or value is None:
        return None
    if column == texts(lang)["columns"]["decision"]:
        href = datasette.urls.path(f"/{DATABASE}/finding?id={int(value)}")
        return Markup(f'<a class="lp-detail" href="{escape(href)}">{int(value)}</a>')
    return None


@hookimpl
def menu_links(datasette: Any, actor: dict[str, Any] | None) -> list[dict[str, str]] | None:
    lang = _lang(datasette)
    if lang is None or not actor:
        return None
    menu = texts(lang)["menu"]
    path = datasette.urls.path
    return [
        {"href": path(f"/{DATABASE}/{QUEUE}"), "label": menu["queue"]},
        {"href": path(f"/{DATABASE}/{ALL}"), "label": menu["all"]},
        {"href": path(f"/{DATABASE}/{APPROVALS}"), "label": menu["approvals"]},
        {"href": path(f"/{DATABASE}/{COACHING}"), "label": menu["coaching"]},
        {"href": path(DASHBOARD_PATH), "label": menu["dashboard"]},
    ]


@hookimpl
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    # Raw tables (also ones a later migration adds) and the database file stay closed:
    # the DPO works through the canned queries, which select no value hashes.
    if _lang(datasette) is None:
        return None
    if action == "view-table" and isinstance(resource, tuple) and resource[0] == DATABASE:
        return False
    if action == "view-database-download" and resource == DATABASE:
        return False
    return None


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    if _lang(datasette) is None or request.actor:
        return None
    return Response.redirect(datasette.urls.path("/-/login"))


@hookimpl
def extra_template_vars(datasette: Any, request: Any) -> dict[str, Any]:
    lang = _lang(datasette)
    if lang is None:
        return {}
    return {
        "lp": texts(lang),
        "lp_lang": lang,
        "lp_states": [(s, label(lang, "state", s)) for s in TRIAGE_STATES],
        "lp_links": {
            "queue": f"/{DATABASE}/{QUEUE}",
            "all": f"/{DATABASE}/{ALL}",
            "approvals": f"/{DATABASE}/{APPROVALS}",
            "coaching": f"/{DATABASE}/{COACHING}",
            "dashboard": DASHBOARD_PATH,
            "triage": f"/{DATABASE}/{TRIAGE}",
        },
    }


async def chart_svgs(datasette: Any, lang: str) -> list[tuple[str, str | None]]:
    """The dashboard's charts as (title, inline SVG or None when there is no data)."""
    t = texts(lang)["dashboard"]
    db = datasette.get_database(DATABASE)
    findings = await db.execute("select ts, data_class from findings where ts is not null")
    tools = await db.execute(
        "select service, count(*) from decisions where service is not null group by service"
    )
    actions = await db.execute(
        "select coalesce(enforced, action), count(*) from decisions group by 1"
    )
    coaching = await db.execute("select ts from coaching where ts is not null")
    tool_counts: Counter[str] = Counter()
    for service, n in tools.rows:
        tool_counts[service_name(service)] += n
    action_counts = {label(lang, "action", a): n for a, n in actions.rows if a}
    result = [
        (
            t["findings_per_week"],
            charts.stacked_weeks(
                ((ts, dc, 1) for ts, dc in findings.rows), t["findings"], t["week"]
            ),
        ),
        (t["top_tools"], charts.horizontal_bars(tool_counts.most_common(10), t["prompts"])),
        (t["enforced"], charts.horizontal_bars(action_counts, t["decisions"])),
        (
            t["coaching_per_week"],
            charts.stacked_weeks(
                ((ts, "", 1) for (ts,) in coaching.rows), t["justifications"], t["week"]
            ),
        ),
    ]
    return [
        (title, charts.svg_ids_unique(svg, f"c{i}") if svg else None)
        for i, (title, svg) in enumerate(result)
    ]


async def dashboard(request: Any, datasette: Any) -> Response:
    lang = _lang(datasette) or "de"
    if not await datasette.permission_allowed(request.actor, "view-instance", default=True):
        raise Forbidden("login required")
    charts_ = [
        (title, Markup(svg) if svg else None) for title, svg in await chart_svgs(datasette, lang)
    ]
    return Response.html(
        await datasette.render_template(
            "leitplanke_dashboard.html", {"charts": charts_}, request=request
        )
    )


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    if _lang(datasette) is None:
        return []
    return [(r"^/-/leitplanke/dashboard$", dashboard)]
