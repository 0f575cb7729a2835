"""The dashboard's charts: what was found, by whom (tools), what was enforced, how
coaching is used; each as an inline SVG and the same numbers as a table."""

from __future__ import annotations

from collections import Counter
from typing import Any

from markupsafe import Markup

from review import charts
from review.labels import Labels
from review.views import DATABASE


async def chart_data(datasette: Any, labels: Labels) -> list[dict[str, Any]]:
    """The dashboard's charts: title, inline SVG (None without data) and the same
    numbers as a table for screen readers."""
    t = labels.t["dashboard"]
    db = datasette.get_database(DATABASE)
    # Only findings the policy did not allow: allowed ones are history, not risk.
    findings = await db.execute(
        "select f.ts, f.data_class from findings f join decisions d on d.id = f.decision_id "
        "where f.ts is not null and exists (select 1 from json_each(d.data_classes) c "
        "where c.value = f.data_class)"
    )
    tools = await db.execute(
        "select service, count(*) from decisions where service is not null group by service"
    )
    actions = await db.execute(
        "select coalesce(enforced, action), count(*) from decisions group by 1"
    )
    coaching = await db.execute("select ts from coaching where ts is not null")
    tool_counts: Counter[str] = Counter()
    for service, n in tools.rows:
        tool_counts[labels.service(service)] += n
    action_counts = {labels.code("action", a): n for a, n in actions.rows if a}
    weekly = [(ts, labels.data_class(dc), 1) for ts, dc in findings.rows]
    coached = [(ts, "", 1) for (ts,) in coaching.rows]
    weeks_by_class = charts.week_table(weekly)
    weeks_coached = charts.week_table(coached)
    top = tool_counts.most_common(10)
    enforced = sorted(action_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    specs = [
        (
            t["findings_per_week"],
            charts.stacked_weeks(weekly, t["findings"], t["week"]),
            [t["week"], *weeks_by_class[0][1:]] if weeks_by_class else [],
            weeks_by_class[1:],
        ),
        (
            t["top_tools"],
            charts.horizontal_bars(top, t["prompts"]),
            [labels.column("service"), t["prompts"]],
            [list(item) for item in top],
        ),
        (
            t["enforced"],
            charts.horizontal_bars(action_counts, t["decisions"]),
            [labels.column("enforced"), t["decisions"]],
            [list(item) for item in enforced],
        ),
        (
            t["coaching_per_week"],
            charts.stacked_weeks(coached, t["justifications"], t["week"]),
            [t["week"], t["justifications"]],
            weeks_coached[1:],
        ),
    ]
    return [
        {
            "title": title,
            "svg": Markup(charts.svg_ids_unique(svg, f"c{i}")) if svg else None,
            "header": header,
            "rows": rows,
        }
        for i, (title, svg, header, rows) in enumerate(specs)
    ]
