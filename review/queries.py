"""The review UI's canned queries (Datasette metadata), with columns named in the UI's language.

Every view the DPO has is one of these queries; arbitrary SQL is switched off. The
SQL calls a few functions the plugin registers on each connection (`lp_*`, see
review/plugin.py): catalog names of services, labels in the UI's language, JSON
lists as text, and the check of a triage state.
"""

from __future__ import annotations

from typing import Any

from review.texts import texts

DATABASE = "leitplanke"
QUEUE = "offene_findings"
ALL = "alle_findings"
DETAIL = "finding"
TRIAGE = "triage"
APPROVALS = "freigabe_anfragen"
COACHING = "coaching_begruendungen"

# Decisions shown as findings: the ones where the checker found something.
_HAS_FINDINGS = (
    "(d.finding_count > 0 or exists (select 1 from findings f where f.decision_id = d.id))"
)


def _q(name: str) -> str:
    """A column alias as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _findings_list(c: dict[str, str], where: str, extra: str = "") -> str:
    # The queue shows the group, never the pseudonym (§ 87 BetrVG minimisation);
    # value_hash is never selected anywhere.
    return f"""select
  d.id as {_q(c["decision"])},
  d.ts as {_q(c["time"])},
  coalesce(d.user_group, '') as {_q(c["group"])},
  lp_service_name(d.service) as {_q(c["service"])},
  coalesce(d.tool, '') as {_q(c["tool"])},
  lp_label('tool_status', d.tool_status) as {_q(c["tool_status"])},
  lp_list(d.data_classes) as {_q(c["data_classes"])},
  lp_label('action', d.action) as {_q(c["action"])},
  lp_label('action', coalesce(d.enforced, d.action)) as {_q(c["enforced"])},
  (select group_concat(f.entity_type || ': ' || coalesce(f.masked_excerpt, ''), '; ')
     from findings f where f.decision_id = d.id) as {_q(c["excerpts"])},
  lp_list(d.reasons) as {_q(c["rule"])},
  lp_label('state', coalesce(t.state, 'open')) as {_q(c["triage"])}{extra}
from decisions d
left join triage t on t.decision_id = d.id
where {_HAS_FINDINGS} and {where}
order by d.ts desc, d.id desc"""


def canned_queries(lang: str) -> dict[str, dict[str, Any]]:
    t = texts(lang)
    c: dict[str, str] = t["columns"]
    q: dict[str, dict[str, str]] = t["queries"]
    login = {"id": "*"}

    def meta(name: str, sql: str, **extra: Any) -> dict[str, Any]:
        return {
            "sql": sql,
            "title": q[name]["title"],
            "description": q[name]["description"],
            "hide_sql": True,
            "allow": login,
            **extra,
        }

    return {
        QUEUE: meta(QUEUE, _findings_list(c, "coalesce(t.state, 'open') = 'open'")),
        ALL: meta(
            ALL,
            _findings_list(
                c,
                "1",
                f",\n  t.note as {_q(c['note'])},\n  t.updated_at as {_q(c['updated_at'])}",
            ),
        ),
        DETAIL: meta(
            DETAIL,
            f"""select
  d.id as {_q(c["decision"])},
  d.ts as {_q(c["time"])},
  d.user_pseudonym as {_q(c["pseudonym"])},
  coalesce(d.user_group, '') as {_q(c["group"])},
  lp_service_name(d.service) as {_q(c["service"])},
  coalesce(d.tool, '') as {_q(c["tool"])},
  lp_label('tool_status', d.tool_status) as {_q(c["tool_status"])},
  lp_label('action', d.action) as {_q(c["action"])},
  lp_label('action', coalesce(d.enforced, d.action)) as {_q(c["enforced"])},
  lp_list(d.reasons) as {_q(c["rule"])},
  d.policy_version as {_q(c["policy_version"])},
  f.entity_type as {_q(c["entity_type"])},
  f.data_class as {_q(c["data_class"])},
  f.count as {_q(c["count"])},
  f.max_score as {_q(c["score"])},
  f.masked_excerpt as {_q(c["excerpt"])},
  f.location as {_q(c["location"])},
  lp_label('state', coalesce(t.state, 'open')) as {_q(c["triage"])},
  t.note as {_q(c["note"])},
  t.updated_at as {_q(c["updated_at"])},
  t.updated_by as {_q(c["updated_by"])}
from decisions d
left join findings f on f.decision_id = d.id
left join triage t on t.decision_id = d.id
where d.id = cast(:id as integer)
order by f.id""",
        ),
        TRIAGE: meta(
            TRIAGE,
            # lp_triage_state() raises on anything but the five states, so the write
            # fails with on_error_message; an unknown decision id inserts nothing.
            """insert into triage (decision_id, state, note, updated_at, updated_by)
select d.id, lp_triage_state(:state), :note,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), :_actor_id
from decisions d where d.id = cast(:decision_id as integer)
on conflict (decision_id) do update set
  state = excluded.state, note = excluded.note,
  updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
            write=True,
            on_success_message=q[TRIAGE]["success"],
            on_success_redirect=f"/{DATABASE}/{QUEUE}",
            on_error_message=q[TRIAGE]["error"],
            params=["decision_id", "state", "note"],
        ),
        APPROVALS: meta(
            APPROVALS,
            f"""select
  coalesce(nullif(lp_service_name(a.service), ''), a.tool_name) as {_q(c["tool"])},
  count(*) as {_q(c["requests"])},
  sum(a.status = 'open') as {_q(c["open_requests"])},
  min(a.ts) as {_q(c["first"])},
  max(a.ts) as {_q(c["last"])},
  group_concat(distinct coalesce(a.user_group, '')) as {_q(c["groups"])},
  group_concat(a.reason, ' | ') as {_q(c["reasons"])}
from approval_requests a
group by 1
order by 2 desc, 1""",
        ),
        COACHING: meta(
            COACHING,
            f"""select
  c.ts as {_q(c["time"])},
  coalesce(c.user_group, '') as {_q(c["group"])},
  lp_service_name(c.service) as {_q(c["service"])},
  coalesce(c.tool, '') as {_q(c["tool"])},
  lp_list(c.data_classes) as {_q(c["data_classes"])},
  c.entity_types as {_q(c["entity_types"])},
  c.justification as {_q(c["justification"])},
  c.allowed_until as {_q(c["allowed_until"])}
from coaching c
order by c.ts desc, c.id desc""",
        ),
    }
