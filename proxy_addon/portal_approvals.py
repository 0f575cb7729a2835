"""The ApprovalDesk addon (a sub-addon of the Portal): asking for an AI tool to be
approved, and seeing the answer.

    GET  /approval?service=ID  the form: a catalog service (pre-selected from the
                               blocked request's service; free text only for a tool
                               the catalog does not know), what for, department
    POST /approval             store the request (store/approvals.py: one per service
                               and person — asking again adds to it), masked
    GET  /requests             "Meine Anfragen": the person's own requests with status
                               (open, approved, rejected, needs info) and the DPO's reply

Who asks is the identity the gateway uses for everything (`Identify`: the proxy login,
else the client address, as the keyed pseudonym the store keeps); the list shows that
person's requests only, and there is no page for a request by number.

Scale-out (docs/scale-out.md): the DPO answers in the central store. With
`leitplanke_approvals_db` pointing at the answers file `leitplanke merge
--approvals-out` writes, the desk reads the person's answers from it (read-only, in a
thread), takes the answers to this gateway's own requests into its own database, and
lists requests the person made on other nodes too. Without it, the gateway's own
database is all there is (one gateway: the DPO answers in it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from mitmproxy import ctx, exceptions, http

from answers.portal_pages import catalog_groups, group_name, local_time, texts
from pipeline.coaching import MAX_JUSTIFICATION
from pipeline.evaluation import Active
from policy.catalog import Catalog
from policy.model import Policy
from proxy_addon.identify import identity_of
from proxy_addon.recorder import Recorder
from store.approval_answers import Answer, AnswersError, read_answers
from store.approvals import ApprovalState
from store.records import ApprovalRequestRecord

log = logging.getLogger(__name__)

OPTION = "leitplanke_approvals_db"
MAX_SHORT = 200  # tool name, department


class PortalHost(Protocol):
    """What the desk uses of the Portal (proxy_addon/portal.py)."""

    catalog: Catalog
    recorder: Recorder
    csrf: Any

    def active(self) -> Active: ...
    def lang(self, flow: http.HTTPFlow) -> str: ...
    def identity(self, flow: http.HTTPFlow) -> str: ...
    def page(
        self, flow: http.HTTPFlow, template: str, status: int, **values: Any
    ) -> http.Response: ...
    def message(
        self, flow: http.HTTPFlow, status: int, heading: str, *lines: str
    ) -> http.Response: ...
    async def masked(self, parts: list[str]) -> list[str] | None: ...
    async def write[T](self, method: Callable[..., T] | None, *args: object) -> T: ...


class ApprovalDesk:
    GET = ("/requests",)
    POST = ("/approval",)

    def __init__(self, portal: PortalHost) -> None:
        self.portal = portal
        self._warned: str | None = None  # the last answers-file problem logged

    def load(self, loader: object) -> None:
        loader.add_option(  # type: ignore[attr-defined]
            OPTION,
            str,
            "",
            "Scale-out: the answers file 'leitplanke merge --approvals-out' writes from the "
            "central store, read so the portal shows employees the DPO's answers; empty: "
            "this gateway's own database (one gateway).",
        )

    def configure(self, updated: set[str]) -> None:
        if OPTION not in updated or not ctx.options.leitplanke_approvals_db:
            return
        path = Path(ctx.options.leitplanke_approvals_db)
        if path.is_dir() or not path.parent.is_dir():
            raise exceptions.OptionsError(
                f"{OPTION}: {str(path)!r} is not a file in an existing directory — give the "
                "file 'leitplanke merge --approvals-out' writes (docs/scale-out.md)"
            )
        if not path.exists():  # not merged yet: answers appear after the next merge
            log.warning("leitplanke: %s %s does not exist (yet)", OPTION, path)

    # ---- reading ------------------------------------------------------------
    async def answers(self, user: str) -> tuple[list[Answer], bool]:
        """The central answers to `user`'s requests, and whether they could be read."""
        source = ctx.options.leitplanke_approvals_db if OPTION in ctx.options else ""
        if not source:
            return [], True
        try:
            found = await asyncio.to_thread(read_answers, source, user)
        except AnswersError as exc:
            if str(exc) != self._warned:  # one line per new problem, not per page view
                self._warned = str(exc)
                log.warning("leitplanke: %s: %s", OPTION, exc)
            return [], False
        self._warned = None
        return found, True

    def _label(self, flow: http.HTTPFlow) -> str:
        """The person as the store keeps them (pseudonym unless the policy says not)."""
        return identity_of(flow).label(self.portal.active().loaded.policy)

    # ---- pages --------------------------------------------------------------
    async def get(self, flow: http.HTTPFlow, path: str) -> http.Response:
        store = self.portal.recorder.store
        user = self._label(flow)
        answers, reachable = await self.answers(user)
        own = await self.portal.write(store.approvals_of if store else None, user, answers)
        node = await self.portal.write(store.node_id if store else None)
        others = [a for a in answers if a.node != node]
        return self._requests_page(flow, own, others, reachable)

    def _requests_page(
        self,
        flow: http.HTTPFlow,
        own: list[ApprovalState],
        others: list[Answer],
        reachable: bool,
    ) -> http.Response:
        lang = self.portal.lang(flow)
        t = texts(lang)
        policy = self.portal.active().loaded.policy
        items = [self._item(policy, state, lang) for state in own]
        items += [self._item(policy, _as_state(answer), lang) for answer in others]
        items.sort(key=lambda item: item["sort"], reverse=True)
        return self.portal.page(
            flow,
            "requests",
            200,
            heading=t["requests_heading"],
            intro=t["requests_intro"].format(contact=policy.contact),
            items=items,
            unavailable=None if reachable else t["answers_unavailable"],
        )

    def _item(self, policy: Policy, state: ApprovalState, lang: str) -> dict[str, Any]:
        t = texts(lang)
        tool = self.tool_name(policy, state.service or "") or state.tool_name
        asked = t["asked_line"].format(first=local_time(state.ts, lang))
        if state.asked > 1:
            asked += " " + t["asked_again_line"].format(
                count=state.asked, last=local_time(state.last_ts, lang)
            )
        return {
            "tool": tool,
            "status": state.status,
            "status_text": t[f"status_{state.status}"],
            "status_note": t[f"status_{state.status}_note"],
            "asked": asked,
            "reply": state.reply,
            "decided": local_time(state.decided_at, lang) if state.decided_at else None,
            "again": f"/approval?service={state.service}"
            if state.status == "needs_info" and state.service
            else ("/approval" if state.status == "needs_info" else None),
            "sort": state.last_ts,
        }

    def form(
        self,
        flow: http.HTTPFlow,
        service: str,
        error: str | None = None,
        status: int = 200,
        fields: dict[str, str] | None = None,
    ) -> http.Response:
        policy = self.portal.active().loaded.policy
        lang = self.portal.lang(flow)
        t = texts(lang)
        group = identity_of(flow).group(policy)
        departments = [g.label.text(lang) if g.label else gid for gid, g in policy.groups.items()]
        values = {"tool": "", "reason": "", "department": group_name(policy, group, lang)}
        values |= fields or {}
        names = {sid: self.tool_name(policy, sid) for sid in self.portal.catalog.services}
        return self.portal.page(
            flow,
            "approval",
            status,
            heading=t["approval_heading"],
            error=error,
            intro=t["approval_intro"].format(
                organization=policy.organization, contact=policy.contact
            ),
            csrf=self.portal.csrf.token(self.portal.identity(flow), "approval"),
            service=service,
            groups=catalog_groups(self.portal.catalog, names, lang),
            departments=departments,
            max_length=MAX_JUSTIFICATION,
            max_short=MAX_SHORT,
            **values,
        )

    def tool_name(self, policy: Policy, service: str) -> str:
        """The policy's name for a listed service, else the catalog's."""
        if service not in self.portal.catalog.services:
            return ""
        listed = policy.tool_for_service(service)
        if listed is not None:
            return listed[1].display_name(listed[0])
        return self.portal.catalog.services[service].name

    def catalog_service(self, text: str) -> str:
        """A typed tool name that is a catalog service's name or id (then it is that
        service: one tool, not several free-text spellings)."""
        wanted = " ".join(text.split()).casefold()
        for sid, service in self.portal.catalog.services.items():
            if wanted in (sid.casefold(), service.name.casefold()):
                return sid
        return ""

    # ---- the form post --------------------------------------------------------
    async def post(self, flow: http.HTTPFlow, path: str, form: dict[str, str]) -> http.Response:
        lang = self.portal.lang(flow)
        t = texts(lang)
        user = self.portal.identity(flow)
        service = form.get("service", "")
        service = service if service in self.portal.catalog.services else ""
        fields = {
            "tool": form.get("tool", "").strip(),
            "reason": form.get("reason", "").strip(),
            "department": form.get("department", "").strip(),
        }
        if not self.portal.csrf.check(form.get("csrf"), user, "approval"):
            return self.form(flow, service, t["csrf"], 403, fields)
        if not service:
            service = self.catalog_service(fields["tool"])
        policy = self.portal.active().loaded.policy
        if service:  # a catalog service: its name, not whatever was typed beside it
            fields["tool"] = self.tool_name(policy, service)
        if not fields["tool"]:
            return self.form(flow, service, t["missing_tool"], 400, fields)
        if not fields["reason"] or not fields["department"]:
            return self.form(flow, service, t["missing"], 400, fields)
        if (
            len(fields["reason"]) > MAX_JUSTIFICATION
            or len(fields["tool"]) > MAX_SHORT
            or len(fields["department"]) > MAX_SHORT
        ):
            error = t["too_long"].format(max=MAX_JUSTIFICATION)
            return self.form(flow, service, error, 400, fields)
        masked = await self.portal.masked([fields["tool"], fields["reason"], fields["department"]])
        if masked is None:
            return self.form(flow, service, t["check_failed"], 503, fields)
        label = self._label(flow)
        row = ApprovalRequestRecord(
            service=service or None,
            tool_name=masked[0],
            reason=masked[1],
            department=masked[2],
            user_pseudonym=label,
            user_group=identity_of(flow).group(policy),
        )
        answers, _ = await self.answers(label)
        store = self.portal.recorder.store
        state = await self.portal.write(store.request_approval if store else None, row, answers)
        log.info(
            "leitplanke: approval requested for %s user=%s (request %d, asked %d×)",
            service or "-",
            label,
            state.id,
            state.asked,
        )
        lines = [t["approval_done"].format(tool=masked[0], contact=policy.contact)]
        if state.asked > 1:
            lines = [
                t["approval_again"].format(
                    tool=masked[0], count=state.asked, status=t[f"status_{state.status}"]
                )
            ]
        lines += [t["approval_see"], t["masked_note"]]
        return self.portal.message(flow, 200, t["approval_done_heading"], *lines)


def _as_state(answer: Answer) -> ApprovalState:
    """A request asked on another node, as the central store answered it."""
    return ApprovalState(
        id=0,
        service=answer.service,
        tool_name=answer.tool_name,
        status=answer.status,
        reply=answer.reply,
        ts=answer.ts,
        last_ts=answer.last_ts,
        asked=1 + int(answer.repeats or 0),
        decided_at=answer.decided_at,
    )
