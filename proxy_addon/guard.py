"""The Guard addon: extract → scan (worker pool) → decide → act → record.

Only requests that Identify attributed to a catalog service and whose endpoint
an extractor understands are scanned; everything else passes untouched. The
active policy and the checker come from PolicySource, the findings store from
Recorder.

Policy action "warn" is coaching (pipeline/coaching.py): the first attempt is
stopped with a provider-shaped answer (as a block) whose message names what was
found and links a one-time page on the portal host (proxy_addon/portal.py, a
sub-addon of the Guard, so it shares the Guard's Coaching) where the employee may
justify sending it anyway. Recorded as action "warn" / enforced "warn". After the
justification, the same user's prompts to the same service whose violating data
classes are a subset of the justified ones pass for `leitplanke_coaching_minutes`:
recorded as action "warn" / enforced "allow" with reason "justified".

Policy action "redact" replaces the violating values with stable placeholders
(`<IBAN_1>`, redaction/redact.py) before the request goes upstream, keeps the
placeholder → value map in memory only (per user and service, with expiry), and
restores the values in the answer, streamed SSE included (redaction/restore.py, stream.py).
A body that cannot be rewritten safely (form fields, files) is blocked instead.

Inline files the gateway cannot read (images, encrypted PDFs; `Prompt.unscanned`)
get the policy's `unscanned_files` action, combined with the findings' decision.

The rollout mode of the sender's group (policy `mode:` / `groups.<id>.mode:`) decides
what is done with the policy action (`Decision.effective`, policy/decide.py): in
"monitor" nothing is enforced — no block, no coaching, no redaction, and a failed or
impossible check lets the request pass too — but the decision is computed and recorded
as usual (action = what the policy decides, enforced = "log", reason "mode:monitor");
in "coach" a "block" is coached like a "warn" (reason "mode:coach").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mitmproxy import ctx, http

from answers.messages import (
    LANGUAGES,
    block_message,
    checker_error_message,
    coach_message,
    oversize_message,
    pick_language,
)
from answers.responders import block_response
from checker.findings import Finding
from extract.body_decode import BodyTooLarge, decode_body
from extract.model import Api, ExtractError, Prompt, TextPart
from extract.path import BODY
from extract.registry import extract, match_endpoint
from pipeline.coaching import Allowance, Coaching
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import Decision, decide, most_restrictive, unchecked_decision
from policy.model import Action, Policy
from proxy_addon.identify import SERVICE, identity_of
from proxy_addon.option_values import check_choice, check_range
from proxy_addon.policy_source import Active, PolicySource
from proxy_addon.portal import Portal
from proxy_addon.recorder import Recorder
from redaction.memory import PlaceholderMap, RedactionMemory
from redaction.redact import redact_body
from redaction.restore import restore_json_body
from redaction.stream import StreamRestorer

log = logging.getLogger(__name__)

FAIL_MODES = ("policy", "closed", "open")
SCAN_TIMEOUT_MS = (1000, 600_000)  # a second to ten minutes

# For code paths without coaching or redaction (WebSocket messages) both "warn" and
# "redact" are enforced as a block, the safe reading of a policy that asks for them.
# The HTTP Guard coaches "warn" and redacts "redact" itself (Outcome.enforced).
NOT_YET_INLINE: frozenset[Action] = frozenset({"warn", "redact"})


# Bodies up to this size are decoded and extracted on the event loop (microseconds);
# larger ones (uploaded PDFs, Office files, compressed bodies) in a thread, so one
# big upload never stalls every other connection of the gateway.
INLINE_BODY_BYTES = 64 * 1024


async def off_loop[**P, T](size: int, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if size <= INLINE_BODY_BYTES:
        return fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


def fail_action(policy: Policy) -> Action:
    """What a prompt gets when the checker fails: `leitplanke_fail_mode`, or with
    "policy" (the default) the policy's fail_mode; closed blocks, open allows."""
    mode = getattr(ctx.options, "leitplanke_fail_mode", "policy")
    if mode == "policy":
        mode = policy.fail_mode
    # Only an explicit "open" lets a prompt pass; configure() refuses other values, and
    # should one get here anyway, it must not weaken enforcement.
    return "allow" if mode == "open" else "block"


def enforced_action(action: Action) -> Action:
    """What a path without coaching does for a policy action."""
    return "block" if action in NOT_YET_INLINE else action


# flow.metadata key: the placeholder map whose values the answer gets back.
REDACTION = "leitplanke.redaction"


@dataclass
class Outcome:
    """Everything decided about one request; becomes a block response and a DB row."""

    active: Active
    service: Service
    api: Api
    group: str | None
    decision: Decision
    prompt: Prompt | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # reason code when the normal path could not run
    message_kind: str = "findings"  # findings | checker_error | oversize
    size: int = 0
    scan_ms: float | None = None
    coach_token: str | None = None  # "warn", first attempt: the one-time link's token
    justified: Allowance | None = None  # "warn" covered by an earlier justification
    body: bytes | None = None  # the decoded request body (for redaction)
    redacted: int | None = None  # "redact": values replaced (None: not redacted)
    redact_error: str | None = None  # why a "redact" had to be a block

    @property
    def coachable(self) -> bool:
        """A "warn" about the prompt itself (an oversize or checker "warn" is a block:
        there is nothing an employee could justify). After the rollout mode."""
        return self.decision.effective == "warn" and self.message_kind == "findings"

    @property
    def redactable(self) -> bool:
        return self.decision.effective == "redact" and self.message_kind == "findings"

    @property
    def enforced(self) -> Action:
        """allow | log | warn (stopped with a coaching link) | redact | block."""
        if self.coachable:
            return "allow" if self.justified is not None else "warn"
        if self.redactable:
            return "redact" if self.redacted is not None else "block"
        return enforced_action(self.decision.effective)


class Guard:
    def __init__(
        self,
        source: PolicySource,
        recorder: Recorder,
        catalog: Catalog | None = None,
        coaching: Coaching | None = None,
    ) -> None:
        self.source = source
        self.recorder = recorder
        self.catalog = catalog or default_catalog()
        self.coaching = coaching or Coaching()
        self.memory = RedactionMemory()  # placeholder maps: RAM only, expiring
        self.portal = Portal(source, recorder, self.coaching, self.catalog)
        # mitmproxy registers sub-addons (hooks and options) with their parent.
        self.addons = [self.portal]

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_scan_timeout_ms",
            int,
            20000,
            "Give up on a scan after this long and apply the fail mode "
            f"({SCAN_TIMEOUT_MS[0]} to {SCAN_TIMEOUT_MS[1]} ms).",
        )
        add(
            "leitplanke_fail_mode",
            str,
            "policy",
            "When the checker fails: 'closed' blocks, 'open' lets the prompt pass, "
            "'policy' uses the policy's fail_mode.",
            choices=list(FAIL_MODES),
        )
        add(
            "leitplanke_language",
            str,
            "de",
            "Message language when the client's Accept-Language names neither de nor en.",
            choices=list(LANGUAGES),
        )

    def configure(self, updated: set[str]) -> None:
        # Every call checks every value: mitmproxy does not enforce `choices`, and the
        # first configure() may be for another option.
        check_range(
            "leitplanke_scan_timeout_ms",
            *SCAN_TIMEOUT_MS,
            "milliseconds: below a second most long prompts would hit the fail mode",
        )
        check_choice("leitplanke_fail_mode", FAIL_MODES)
        check_choice("leitplanke_language", LANGUAGES)

    def running(self) -> None:
        if ctx.options.connection_strategy != "lazy":
            log.warning(
                "leitplanke: connection_strategy=%s opens upstream connections before a "
                "decision; use --set connection_strategy=lazy",
                ctx.options.connection_strategy,
            )

    # ---- the request path -----------------------------------------------
    async def request(self, flow: http.HTTPFlow) -> None:
        service_id = flow.metadata.get(SERVICE)
        if service_id is None or flow.response is not None:
            return
        service = self.catalog.services[service_id]
        api = match_endpoint(service.extractor, flow.request.method, flow.request.path)
        if api is None:
            return
        active = self.source.active
        assert active is not None, "PolicySource is configured before requests arrive"
        try:
            outcome = await self.evaluate(flow, active, service, api)
            if outcome.coachable:
                self.coach(flow, outcome)
            if outcome.redactable:
                await self.redact(flow, outcome)
            if outcome.enforced in ("block", "warn"):
                self.respond(flow, outcome)
        except Exception as exc:  # a bug of ours must not let a prompt through unchecked
            log.error(
                "leitplanke: internal error on %s %s: %s", service.id, api, type(exc).__name__
            )  # fmt: skip (the type only: messages may quote input)
            flow.metadata.pop(REDACTION, None)
            outcome = self._failed(
                active, service, api, self._group_or_none(flow, active),
                f"internal_error: {type(exc).__name__}", self._fail_action(active),
            )  # fmt: skip
            if outcome.enforced == "block":
                try:
                    self.respond(flow, outcome)
                except Exception:  # the answer itself failed: still never forward it
                    flow.response = http.Response.make(
                        403, "Leitplanke: request blocked (could not be checked)\n",
                        {"content-type": "text/plain; charset=utf-8"},
                    )  # fmt: skip
        self.record(flow, outcome)

    def _group_or_none(self, flow: http.HTTPFlow, active: Active) -> str | None:
        """The sender's group after an internal error (its rollout mode applies, so an
        "enforce" group is never let through by a policy-wide "monitor")."""
        try:
            return identity_of(flow).group(active.loaded.policy)
        except Exception:
            return None

    def coach(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        """A "warn": pass when a justification covers it, else issue a one-time link."""
        user = identity_of(flow).pseudonym  # tokens bind to the pseudonym
        decision = outcome.decision
        service = outcome.service.id
        outcome.justified = self.coaching.allowed(user, service, decision.data_classes)
        if outcome.justified is None and self.portal.host:
            outcome.coach_token = self.coaching.issue(
                user=user,
                service=service,
                service_name=outcome.service.name,
                tool=decision.tool,
                data_classes=decision.data_classes,
                entity_types=[f.entity_type for f in outcome.findings],
                alternatives=decision.alternatives,
                group=outcome.group,
                policy_version=outcome.active.loaded.version_id,
            )

    async def redact(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        """Replace the violating values with placeholders in the body sent upstream."""
        assert outcome.prompt is not None and outcome.body is not None
        violating = set(outcome.decision.data_classes)
        findings = [f for f in outcome.findings if f.data_class in violating]
        user = identity_of(flow).pseudonym
        mapping = self.memory.get((user, outcome.service.id))
        size = len(outcome.body)
        result = await off_loop(
            size, redact_body, outcome.api, outcome.body, outcome.prompt, findings, mapping
        )
        if result.body is not None and findings and not result.replaced:
            # Findings to redact, nothing replaced: never forward such a body as "redacted".
            result = replace(result, body=None, reason="nothing_replaced")
        if result.body is None:
            outcome.redact_error = result.reason or "not_rewritable"
            log.info("leitplanke: cannot redact %s %s: %s", outcome.service.id, outcome.api,
                     outcome.redact_error)  # fmt: skip
            return
        # The setter re-encodes per Content-Encoding: CPU work for big bodies too.
        await off_loop(size, setattr, flow.request, "content", result.body)
        # The restorer reads plain text; ask the upstream for an uncompressed answer.
        flow.request.headers.pop("accept-encoding", None)
        flow.metadata[REDACTION] = mapping
        outcome.redacted = result.replaced

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        mapping = flow.metadata.get(REDACTION)
        if mapping is None or flow.response is None:
            return
        if flow.response.headers.get("content-type", "").startswith("text/event-stream"):
            # Streamed answers are restored chunk by chunk, never buffered.
            flow.response.stream = StreamRestorer(mapping)

    async def response(self, flow: http.HTTPFlow) -> None:
        mapping: PlaceholderMap | None = flow.metadata.get(REDACTION)
        response = flow.response
        if mapping is None or response is None or response.stream:
            return
        size = len(response.raw_content or b"")
        content = await off_loop(size, lambda: response.content)  # decompressing is CPU work
        if content:
            restored = await off_loop(len(content), restore_json_body, content, mapping)
            await off_loop(len(restored), setattr, response, "content", restored)

    async def evaluate(
        self, flow: http.HTTPFlow, active: Active, service: Service, api: Api
    ) -> Outcome:
        policy = active.loaded.policy
        group = identity_of(flow).group(policy)
        raw = flow.request.raw_content
        size = len(raw) if raw is not None else 0
        if raw is None or size > policy.max_body_bytes:
            return self._failed(
                active, service, api, group, "oversize", policy.oversize_action, size=size
            )
        encoding = flow.request.headers.get("content-encoding")
        try:  # the decoded size counts too, and a bomb is stopped at the limit
            body = await off_loop(len(raw), decode_body, raw, encoding, policy.max_body_bytes)
        except BodyTooLarge:
            return self._failed(
                active, service, api, group, "oversize", policy.oversize_action,
                size=policy.max_body_bytes + 1,
            )  # fmt: skip
        except ValueError:
            return self._failed(
                active, service, api, group, "undecodable_body", self._fail_action(active)
            )

        error = None
        content_type = flow.request.headers.get("content-type")
        try:
            prompt = await off_loop(len(body), extract, api, body, content_type)
        except ExtractError as exc:
            # Not what the endpoint expects: scan the whole body as text rather than
            # let it through unscanned.
            error = f"unparsed_body: {exc}"
            log.warning("leitplanke: %s %s: %s; scanning raw body", service.id, api, exc)
            text = body.decode("utf-8", errors="replace")
            prompt = Prompt(api=api, parts=(TextPart(BODY, text),), stream=False, model=None)

        started = time.perf_counter()
        try:
            findings = await self._scan(active, [p.text for p in prompt.parts])
        except Exception as exc:  # any checker failure gets the fail mode, never a crash
            log.error("leitplanke: checker failed for %s: %r", service.id, exc)
            return self._failed(
                active,
                service,
                api,
                group,
                f"checker_error: {type(exc).__name__}",
                self._fail_action(active),
                prompt,
            )
        scan_ms = (time.perf_counter() - started) * 1000
        decision = with_unscanned(decide(policy, service.id, group, findings), prompt, policy)
        return Outcome(
            active, service, api, group, decision, prompt, findings, error,
            scan_ms=scan_ms, body=body,
        )  # fmt: skip

    def _fail_action(self, active: Active) -> Action:
        return fail_action(active.loaded.policy)

    async def _scan(self, active: Active, texts: list[str]) -> list[Finding]:
        """Scan in the active pool; a policy switch may have closed the pool this
        request started with (e.g. while a big upload was read), so use the new one."""
        timeout = ctx.options.leitplanke_scan_timeout_ms / 1000
        pool = active.pool
        if pool.closed and self.source.active is not None:
            pool = self.source.active.pool
        return await pool.scan(texts, timeout=timeout)

    def _failed(
        self,
        active: Active,
        service: Service,
        api: Api,
        group: str | None,
        error: str,
        action: Action,
        prompt: Prompt | None = None,
        size: int = 0,
    ) -> Outcome:
        reason = error.split(":")[0]
        decision = unchecked_decision(active.loaded.policy, service.id, group, reason, action)
        kind = "oversize" if error == "oversize" else "checker_error"
        return Outcome(
            active, service, api, group, decision, prompt, error=error, message_kind=kind, size=size
        )

    def respond(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        policy = outcome.active.loaded.policy
        lang = pick_language(
            flow.request.headers.get("accept-language"), ctx.options.leitplanke_language
        )
        name = outcome.service.name
        approval = self.portal.approval_link(outcome.service.id)
        types = [f.entity_type for f in outcome.findings]
        if outcome.message_kind == "oversize":
            message = oversize_message(policy, name, outcome.size, lang)
        elif outcome.message_kind == "checker_error":
            message = checker_error_message(policy, name, lang)
        elif outcome.coach_token is not None:
            message = coach_message(
                policy,
                outcome.decision,
                types,
                name,
                lang,
                coach_link=self.portal.coach_link(outcome.coach_token),
                minutes=ctx.options.leitplanke_coaching_minutes,
                approval_link=approval,
            )
        else:  # a block, or a "warn" without a portal to justify it on
            message = block_message(policy, outcome.decision, types, name, lang, approval)
        prompt = outcome.prompt
        status, headers, body = block_response(
            outcome.api,
            stream=prompt.stream if prompt else False,
            model=prompt.model if prompt else None,
            message=message,
            accept=flow.request.headers.get("accept"),
            lang=lang,
        )
        headers = {
            **headers,
            "x-leitplanke-decision": outcome.decision.action,
            "x-leitplanke-enforced": outcome.enforced,
        }
        if outcome.decision.mode != "enforce":
            headers["x-leitplanke-mode"] = outcome.decision.mode
        flow.response = http.Response.make(status, body, headers)

    def record(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        decision = outcome.decision
        reasons = decision.recorded_reasons
        if outcome.justified is not None:
            reasons = (*reasons, "justified")
        elif outcome.coach_token is not None:
            reasons = (*reasons, "coached")
        elif outcome.redact_error is not None:
            reasons = (*reasons, "redact_unsupported")
        elif outcome.enforced != decision.action:
            reasons = (*reasons, f"{decision.action}:enforced_as_{outcome.enforced}")
        self.recorder.record_decision(
            flow,
            loaded=outcome.active.loaded,
            service_id=outcome.service.id,
            api=outcome.api,
            group=outcome.group,
            decision=decision,
            enforced=outcome.enforced,
            reasons=reasons,
            findings=outcome.findings,
            locations=[p.location for p in outcome.prompt.parts] if outcome.prompt else [],
            scan_ms=outcome.scan_ms,
            error=outcome.error,
        )


def with_unscanned(decision: Decision, prompt: Prompt, policy: Policy) -> Decision:
    """Inline files the checker could not read get the policy's `unscanned_files`
    action; the more restrictive of that and the findings' decision wins."""
    if not prompt.unscanned:
        return decision
    action = most_restrictive([decision.action, policy.unscanned_files])
    return replace(
        decision,
        action=action,
        reasons=(
            *decision.reasons,
            f"unscanned_files:{len(prompt.unscanned)}:{policy.unscanned_files}",
        ),
    )
