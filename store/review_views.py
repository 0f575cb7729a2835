"""SQL of the review UI's views (store/migrations.py creates them).

A migration's view text never changes once released: a later migration that needs a
different view drops it and creates it from a new constant here.
"""

from __future__ import annotations

# The review UI's lists (Datasette serves views like tables: filters, facets, sorting,
# pagination, streamed CSV). Codes, not words: the UI shows them in the reader's
# language. No value hashes and no pseudonyms: the lists show the group (§ 87 BetrVG).
# The columns and the FROM part are shared by every findings view so far (m012, m014):
# they are part of those views' texts, so they never change; a view that needs other
# columns gets constants of its own.
_FINDINGS_COLUMNS = """
select
  d.id as id,
  d.ts as ts,
  d.user_group as user_group,
  d.service as service,
  d.tool as tool,
  d.tool_status as tool_status,
  (select json_group_array(entity_type) from (select distinct f.entity_type
     from findings f where f.decision_id = d.id order by 1)) as entity_types,
  (select json_group_array(data_class) from (select distinct f.data_class
     from findings f where f.decision_id = d.id order by 1)) as found_classes,
  coalesce(d.data_classes, '[]') as data_classes,
  (select group_concat(f.entity_type || ': ' || coalesce(f.masked_excerpt, ''), '; ')
     from findings f where f.decision_id = d.id) as excerpts,
  d.action as action,
  coalesce(d.enforced, d.action) as enforced,
  coalesce(d.mode, 'enforce') as mode,
  coalesce(d.reasons, '[]') as reasons,
  (coalesce(json_array_length(d.data_classes), 0) = 0) as allowed_by_policy,
"""
_FINDINGS_FROM = """  coalesce(t.state, 'open') as state,
  t.updated_by as triaged_by,
  t.updated_at as triaged_at
from decisions d
left join triage t on t.decision_id = d.id
where d.finding_count > 0
   or exists (select 1 from findings f where f.decision_id = d.id)
"""
M012_FINDINGS = (
    _FINDINGS_COLUMNS
    + """  (select c.justification from coaching c
     where c.user_pseudonym = d.user_pseudonym and c.service = d.service
       and c.ts <= d.ts and d.ts <= c.allowed_until
       and exists (select 1 from json_each(d.reasons) r where r.value = 'justified')
     order by c.ts desc limit 1) as justification,
"""
    + _FINDINGS_FROM
)


# A justification is linked to its decisions by the coaching link's reference
# (`coaching.ref` = `decisions.coaching_ref`, m014): the stopped decision (reason
# "coached") and those its allowance let through ("justified"). Rows from before m014
# have no reference: for them the old time-window match stays.
JUSTIFICATION = """coalesce(
    (select c.justification from coaching c
       where d.coaching_ref is not null and c.ref = d.coaching_ref
       order by c.id limit 1),
    (select c.justification from coaching c
       where d.coaching_ref is null and c.ref is null
         and c.user_pseudonym = d.user_pseudonym and c.service = d.service
         and c.ts <= d.ts and d.ts <= c.allowed_until
         and exists (select 1 from json_each(d.reasons) r where r.value = 'justified')
       order by c.ts desc limit 1))"""
# Employees are asked (docs/faq-mitarbeitende.md) to start a justification for a
# wrong detection with "Fehlalarm:"; the review UI can filter on it.
FALSE_ALARM = """(select lower(ltrim(j)) like 'fehlalarm%' or lower(ltrim(j)) like 'false alarm%'
    or lower(ltrim(j)) like 'false positive%' from (select {0} as j))"""


def m014_findings() -> str:
    # The justification's subquery twice (as text and for the false-alarm flag): a
    # correlated subquery is evaluated only for the rows a page shows.
    return (
        _FINDINGS_COLUMNS
        + f"""  {JUSTIFICATION} as justification,
  coalesce({FALSE_ALARM.format(JUSTIFICATION)}, 0) as false_alarm,
"""
        + _FINDINGS_FROM
    )
