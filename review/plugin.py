"""The Leitplanke plugin for Datasette: labels, pages Datasette has no view for, safety.

Datasette serves the lists: the SQL views of review/views.py with filters, facets,
sorting, pagination and streamed CSV/JSON; datasette-auth-passwords the login. This
plugin adds what Datasette cannot do by itself:

- Words instead of codes (`render_cell`, template helpers): review/labels.py.
- The finding page, triage (single and bulk), the approval page and its answer, the
  dashboard: custom routes, because Datasette has no page for one row of a view and
  no chart rendering that works offline (chart plugins load JavaScript from a CDN).
- CSV for German Excel (review/csv_export.py) and login throttling
  (review/throttle.py) as ASGI wrappers.
- Raw tables and the database file stay closed (`permission_allowed`); someone not
  logged in is sent to the login form (`forbidden`); errors get a page in the UI's
  language and one log line, never a traceback with local variables
  (`handle_exception`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Base400, Forbidden, NotFound, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from review.csv_export import german_csv
from review.dashboard import chart_data
from review.labels import TIMEZONE, Labels
from review.pages import approval_page, false_alarm_hint, finding_page
from review.texts import TRIAGE_STATES
from review.throttle import LoginThrottle, lock_seconds
from review.views import ALL, APPROVALS, COACHING, DATABASE, FINDING_VIEWS, QUEUE, VIEWS
from store.approvals import STATUSES, ApprovalError, decide_approval
from store.triage import TriageError, record_triage

PLUGIN = "leitplanke-review"
DASHBOARD_PATH = "/-/leitplanke/dashboard"
FINDING_PATH = f"/{DATABASE}/finding"
APPROVAL_PATH = f"/{DATABASE}/approval"
TRIAGE_PATH = "/-/leitplanke/triage"
BULK_PATH = "/-/leitplanke/bulk-triage"
DECIDE_PATH = "/-/leitplanke/approval"
STATE_ATTR = "_leitplanke_review"
CSV_PATH = re.compile(rf"^/{DATABASE}/(?P<name>{'|'.join(VIEWS)})\.csv$")

log = logging.getLogger("leitplanke.review")


@dataclass
class ReviewState:
    """What the plugin needs per Datasette instance (attached to it by review/app.py)."""

    labels: Labels
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


def review_state(datasette: Any) -> ReviewState | None:
    """The plugin's state if this Datasette is Leitplanke's review UI, else None.

    Looked up per call: Datasette builds its ASGI app and routes in its constructor,
    before review/app.py can attach the policy's labels."""
    config = datasette.plugin_config(PLUGIN)
    if not config:
        return None
    state: ReviewState | None = getattr(datasette, STATE_ATTR, None)
    if state is None:
        state = ReviewState(Labels(config.get("lang", "de")))
        setattr(datasette, STATE_ATTR, state)
    return state


def _labels(datasette: Any) -> Labels | None:
    state = review_state(datasette)
    return state.labels if state else None


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | str | None:
    labels = _labels(datasette)
    if labels is None or database != DATABASE or table not in VIEWS or value is None:
        return None
    if column == "id" and table in (*FINDING_VIEWS, APPROVALS):
        page = FINDING_PATH if table in FINDING_VIEWS else APPROVAL_PATH
        href = datasette.urls.path(f"{page}?id={int(value)}")
        return Markup(f'<a class="lp-detail" href="{escape(href)}">{int(value)}</a>')
    if column == "decision_id" and table == COACHING:  # the decision it justified
        href = datasette.urls.path(f"{FINDING_PATH}?id={int(value)}")
        return Markup(f'<a class="lp-decision" href="{escape(href)}">{int(value)}</a>')
    text = labels.cell(column, value, row)
    if column == "justification" and false_alarm_hint(text):
        hint = labels.t["detail"]["fp_hint"]
        return Markup(f'{escape(text)} <strong class="lp-fp">({escape(hint)})</strong>')
    return text or "\u2013"  # a dash: "" would make Datasette show the raw value


@hookimpl
def menu_links(datasette: Any, actor: dict[str, Any] | None) -> list[dict[str, str]] | None:
    labels = _labels(datasette)
    if labels is None or not actor:
        return None
    menu = labels.t["menu"]
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
    # the reviewers work through the views, which select no value hashes or pseudonyms.
    if review_state(datasette) is None:
        return None
    if action == "view-table" and isinstance(resource, tuple) and resource[0] == DATABASE:
        return None if resource[1] in VIEWS else False
    if action in ("view-database-download", "execute-sql") and resource == DATABASE:
        return False
    return None


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    if review_state(datasette) is None or request.actor:
        return None
    return Response.redirect(datasette.urls.path("/-/login"))


def _period_links(request: Any, labels: Labels) -> list[tuple[str, str, bool]]:
    """Quick period filters on `ts` (UTC as stored), computed in local time."""
    now = datetime.now(TIMEZONE)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    periods = {
        "today": (today, None),
        "week": (today - timedelta(days=6), None),
        "month": (today - timedelta(days=29), None),
        "this_month": (month, None),
        "last_month": (last_month, month),
        "all": (None, None),
    }
    args = [
        (k, v)
        for k, v in parse_qsl(request.query_string, keep_blank_values=True)
        if k not in ("ts__gte", "ts__lt", "_next")
    ]
    words = labels.t["frame"]["periods"]
    current = (request.args.get("ts__gte"), request.args.get("ts__lt"))
    links = []
    for name, (start, end) in periods.items():
        extra = []
        if start is not None:
            extra.append(("ts__gte", _utc(start)))
        if end is not None:
            extra.append(("ts__lt", _utc(end)))
        selected = current == (dict(extra).get("ts__gte"), dict(extra).get("ts__lt"))
        links.append((words[name], request.path + "?" + urlencode(args + extra), selected))
    return links


def _utc(when: datetime) -> str:
    """As the store writes times (ISO 8601, UTC, milliseconds): compared as text."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


@hookimpl
def extra_template_vars(datasette: Any, request: Any, view_name: str) -> dict[str, Any]:
    labels = _labels(datasette)
    if labels is None:
        return {}
    t = labels.t
    lookups: dict[str, str] = t["frame"]["lookups"]
    return {
        "lp": t,
        "lp_lang": labels.lang,
        "lp_labels": labels,
        "lp_col": labels.column,
        "lp_cell": labels.cell,
        "lp_facet": lambda column, value: labels.facet(column, value),
        "lp_lookup": lambda key, display: lookups.get(key, display),
        "lp_count": labels.count,
        "lp_views": VIEWS,
        "lp_finding_views": FINDING_VIEWS,
        "lp_periods": (lambda: _period_links(request, labels)) if request else (lambda: []),
        "lp_states": [(s, labels.code("state", s)) for s in TRIAGE_STATES],
        "lp_lock_seconds": lock_seconds(request.scope) if request is not None else 0,
        "lp_links": {
            "queue": f"/{DATABASE}/{QUEUE}",
            "all": f"/{DATABASE}/{ALL}",
            "approvals": f"/{DATABASE}/{APPROVALS}",
            "coaching": f"/{DATABASE}/{COACHING}",
            "dashboard": DASHBOARD_PATH,
            "triage": TRIAGE_PATH,
            "bulk": BULK_PATH,
            "decide": DECIDE_PATH,
        },
    }


async def _require_actor(datasette: Any, request: Any) -> dict[str, Any]:
    if not request.actor or not await datasette.permission_allowed(
        request.actor, "view-instance", default=True
    ):
        raise Forbidden("login required")
    actor: dict[str, Any] = request.actor
    return actor


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def finding(request: Any, datasette: Any) -> Response:
    labels = _labels(datasette)
    assert labels is not None
    await _require_actor(datasette, request)
    decision_id = _int(request.args.get("id"))
    db = datasette.get_database(DATABASE)
    page = (
        await db.execute_fn(lambda conn: finding_page(conn, decision_id))
        if decision_id is not None
        else None
    )
    if page is None:
        raise NotFound(labels.t["detail"]["not_found"])
    return Response.html(
        await datasette.render_template(
            "leitplanke_finding.html",
            {
                "page": page,
                "d": page.decision,
                "fp_hint": false_alarm_hint(page.justification),
                "finding_path": FINDING_PATH,
            },
            request=request,
        )
    )


async def triage(request: Any, datasette: Any) -> Response:
    labels = _labels(datasette)
    assert labels is not None
    actor = await _require_actor(datasette, request)
    form = await request.post_vars()
    decision_id = _int(form.get("decision_id"))
    if decision_id is None:
        raise NotFound(labels.t["detail"]["not_found"])
    text = labels.t["detail"]
    db = datasette.get_database(DATABASE)

    def write(conn: Any) -> int:
        with conn:
            return record_triage(
                conn, [decision_id], form.get("state", ""), form.get("note", ""), actor["id"]
            )

    try:
        written = await db.execute_write_fn(write)
    except TriageError:
        datasette.add_message(request, text["invalid"], datasette.ERROR)
    else:
        message = text["saved"] if written else text["unchanged"]
        datasette.add_message(request, message, datasette.INFO if written else datasette.WARNING)
    return Response.redirect(datasette.urls.path(f"{FINDING_PATH}?id={decision_id}"))


async def bulk_triage(request: Any, datasette: Any) -> Response:
    """Triage every row of a filtered findings list: the ids come from Datasette's
    own JSON for the same view and query string, page by page."""
    labels = _labels(datasette)
    assert labels is not None
    actor = await _require_actor(datasette, request)
    form = await request.post_vars()
    view = form.get("view", "")
    if view not in FINDING_VIEWS:
        raise NotFound("unknown list")
    query = [
        (k, v)
        for k, v in parse_qsl(form.get("query", ""), keep_blank_values=True)
        if not k.startswith("_") or k in ("_where",)
    ]
    query = [(k, v) for k, v in query if k != "_where"]  # filters only, never SQL
    ids: list[int] = []
    path: str | None = f"/{DATABASE}/{view}.json?" + urlencode(
        [*query, ("_shape", "objects"), ("_col", "id"), ("_size", "max"), ("_nofacet", "1")]
    )
    while path:
        response = await datasette.client.get(path, cookies=request.cookies)
        if response.status_code != 200:
            raise Forbidden("list not readable")
        data = response.json()
        ids += [int(row["id"]) for row in data["rows"]]
        next_url = data.get("next_url")
        path = next_url.split("://", 1)[-1].split("/", 1)[-1] if next_url else None
        path = "/" + path if path and not path.startswith("/") else path
    db = datasette.get_database(DATABASE)
    text = labels.t["bulk"]

    def write(conn: Any) -> int:
        with conn:
            return record_triage(
                conn, ids, form.get("state", ""), form.get("note", ""), actor["id"]
            )

    try:
        written = await db.execute_write_fn(write)
    except TriageError:
        datasette.add_message(request, labels.t["detail"]["invalid"], datasette.ERROR)
    else:
        message = text["done"].format(count=labels.count(written)) if written else text["none"]
        datasette.add_message(request, message, datasette.INFO if written else datasette.WARNING)
    back = f"/{DATABASE}/{view}" + (f"?{urlencode(query)}" if query else "")
    return Response.redirect(datasette.urls.path(back))


async def approval(request: Any, datasette: Any) -> Response:
    labels = _labels(datasette)
    assert labels is not None
    await _require_actor(datasette, request)
    request_id = _int(request.args.get("id"))
    db = datasette.get_database(DATABASE)
    page = (
        await db.execute_fn(lambda conn: approval_page(conn, request_id, labels))
        if request_id is not None
        else None
    )
    if page is None:
        raise NotFound(labels.t["approval"]["not_found"])
    return Response.html(
        await datasette.render_template(
            "leitplanke_approval.html",
            {"page": page, "statuses": [(s, labels.code("status", s)) for s in STATUSES]},
            request=request,
        )
    )


async def decide(request: Any, datasette: Any) -> Response:
    labels = _labels(datasette)
    assert labels is not None
    actor = await _require_actor(datasette, request)
    form = await request.post_vars()
    request_id = _int(form.get("request_id"))
    if request_id is None:
        raise NotFound(labels.t["approval"]["not_found"])
    db = datasette.get_database(DATABASE)

    def write(conn: Any) -> None:
        with conn:
            decide_approval(
                conn, request_id, form.get("status", ""), form.get("reply", ""), actor["id"]
            )

    try:
        await db.execute_write_fn(write)
    except ApprovalError:
        datasette.add_message(request, labels.t["approval"]["invalid"], datasette.ERROR)
    else:
        datasette.add_message(request, labels.t["approval"]["saved"], datasette.INFO)
    return Response.redirect(datasette.urls.path(f"{APPROVAL_PATH}?id={request_id}"))


async def dashboard(request: Any, datasette: Any) -> Response:
    labels = _labels(datasette)
    assert labels is not None
    await _require_actor(datasette, request)
    return Response.html(
        await datasette.render_template(
            "leitplanke_dashboard.html",
            {"charts": await chart_data(datasette, labels)},
            request=request,
        )
    )


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    if review_state(datasette) is None:
        return []
    return [
        (r"^/-/leitplanke/dashboard$", dashboard),
        (rf"^{FINDING_PATH}$", finding),
        (rf"^{APPROVAL_PATH}$", approval),
        (rf"^{TRIAGE_PATH}$", triage),
        (rf"^{BULK_PATH}$", bulk_triage),
        (rf"^{DECIDE_PATH}$", decide),
    ]


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    if review_state(datasette) is None:
        return lambda app: app

    def wrap(app: Any) -> Any:
        async def review_app(scope: Any, receive: Any, send: Any) -> None:
            state = review_state(datasette)
            assert state is not None
            inner = german_csv(app, state.labels, CSV_PATH)
            await state.throttle.wrap(inner)(scope, receive, send)

        return review_app

    return wrap


@hookimpl(tryfirst=True)
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    labels = _labels(datasette)
    if labels is None:
        return None

    async def inner() -> Response:
        if isinstance(exception, Base400):
            status = int(exception.status)
        elif isinstance(exception, DatasetteError):
            # Datasette reports bad input (an unknown sort column, a bad filter) as a
            # DatasetteError with its default status 500.
            status = 400 if exception.status == 500 else int(exception.status)
        elif isinstance(exception, ValueError):
            status = 400  # e.g. a non-numeric `_next` offset for a view
        else:
            status = 500
        if status >= 500:
            # One line: the type and the path, never the message or local variables
            # (they may quote request data).
            log.error("review UI: %s on %s", type(exception).__name__, request.path)
        errors: dict[str, str] = labels.t["frame"]["errors"]
        message = errors.get(str(status), errors["400" if status < 500 else "500"])
        ours = (labels.t["detail"]["not_found"], labels.t["approval"]["not_found"])
        if exception.args and exception.args[0] in ours:
            message = exception.args[0]
        return Response.html(
            await datasette.render_template(
                "error.html",
                {"ok": False, "error": message, "status": status, "title": None},
                request=request,
            ),
            status=status,
        )

    return inner
