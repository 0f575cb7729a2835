"""The Guard addon: extract → scan (worker pool) → decide → act → record.

Only requests that Identify attributed to a catalog service are scanned; everything
else passes untouched. Of those, everything the vendor receives counts: the body of any
method, the URL path and query, the headers (extract/coverage.py lists what is left out
and why). A request without a body (GET, DELETE …) is no prompt: it is checked only
for what its URL and headers carry, and recorded only when that is something. The
active policy and the checker come from PolicySource, the sender from Identify, the
findings store from Recorder. `request` reads top-down: evaluate (read the body,
extract, scan and decide: pipeline/evaluation.py), apply (coach or redact, then the
applied action: policy.decide.applied), answer, record.

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

Inline files the gateway has no reader for (images; `Prompt.unscanned`) get the
policy's `unscanned_files` action, files it could not read completely (encrypted, over
a bound, broken, a slice of an upload in parts; `Prompt.unreadable`) its
`unreadable_files` action, each combined with the findings' decision
(policy.decide.with_unscanned, with_unreadable).

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
from collections.abc import Callable
from dataclasses import dataclass, replace

from mitmproxy import ctx, http

from answers.messages import LANGUAGES, decision_message, pick_language
from answers.responders import block_response
from extract.body_decode import BodyTooLarge, read_body
from extract.model import Api, Prompt, TextPart
from extract.registry import match_endpoint, read
from extract.request_parts import header_parts, url_parts
from extract.upload_slices import as_slice, is_upload_slice
from pipeline.coaching import Coaching
from pipeline.evaluation import Active, Evaluation, evaluate, unchecked
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import Applied, applied, fail_action, inline_step
from proxy_addon.identify import SERVICE, identity_of
from proxy_addon.option_values import check_choice, check_range
from proxy_addon.policy_source import PolicySource
from proxy_addon.portal import Portal
from proxy_addon.recorder import Recorder
from redaction.memory import PlaceholderMap, RedactionMemory
from redaction.redact import redact_body
from redaction.restore import restore_json_body
from redaction.stream import StreamRestorer

log = logging.getLogger(__name__)

FAIL_MODES = ("policy", "closed", "open")
SCAN_TIMEOUT_MS = (1000, 600_000)  # a second to ten minutes

# Bodies up to this size are decoded and extracted on the event loop (microseconds);
# larger ones (uploaded PDFs, Office files, compressed bodies) in a thread, so one
# big upload never stalls every other connection of the gateway.
INLINE_BODY_BYTES = 64 * 1024


async def off_loop[**P, T](size: int, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if size <= INLINE_BODY_BYTES:
        return fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


# Methods whose requests are prompts even without a body (their decision is recorded).
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# flow.metadata key: the placeholder map whose values the answer gets back.
REDACTION = "leitplanke.redaction"


@dataclass(frozen=True)
class Checked:
    """One request after evaluation: the shared Evaluation, and what answering and
    redacting need of the request itself."""

    evaluation: Evaluation
    prompt: Prompt | None = None  # None when the body could not be read
    body: bytes | None = None  # decoded, for redaction (None: not to be rewritten)


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
        request = flow.request
        api = match_endpoint(service.extractor, request.method, request.path)
        outside = (*url_parts(request.path), *header_parts(request.headers.items(multi=True)))
        prompt = request.raw_content != b"" or request.method.upper() in BODY_METHODS
        if not prompt and not outside:
            return
        active = self.source.active
        assert active is not None, "PolicySource is configured before requests arrive"
        coaching_ref = None
        try:
            checked = await self.evaluate(flow, active, service, api, outside)
            if not prompt and checked.evaluation.clean:
                return  # a GET with nothing in its URL and headers: not a prompt
            outcome, coach_token, coaching_ref = await self.apply(flow, checked)
            if outcome.action in ("block", "warn"):
                self.respond(flow, checked, outcome, coach_token)
        except Exception as exc:  # a bug of ours must not let a prompt through unchecked
            checked, outcome = self.internal_error(flow, active, service, api, exc)
        self.recorder.record_decision(flow, checked.evaluation, outcome, coaching_ref)

    async def evaluate(
        self,
        flow: http.HTTPFlow,
        active: Active,
        service: Service,
        api: Api,
        outside: tuple[TextPart, ...] = (),
    ) -> Checked:
        """Read the body (size limits, Content-Encoding, compression its bytes show),
        extract the prompt, scan it with the `outside` parts (URL, headers), decide."""
        policy = active.loaded.policy
        group = identity_of(flow).group(policy)
        raw = flow.request.raw_content
        size = len(raw) if raw is not None else 0
        if raw is None or size > policy.max_body_bytes:
            action = policy.oversize_action
            return Checked(unchecked(active, service, api, group, "oversize", action, size=size))
        encoding = flow.request.headers.get("content-encoding")
        try:  # the decoded size counts too, and a bomb is stopped at the limit
            decoded = await off_loop(len(raw), read_body, raw, encoding, policy.max_body_bytes)
        except BodyTooLarge:
            size = policy.max_body_bytes + 1
            action = policy.oversize_action
            return Checked(unchecked(active, service, api, group, "oversize", action, size=size))
        except ValueError:
            action = fail_action(policy, ctx.options.leitplanke_fail_mode)
            return Checked(unchecked(active, service, api, group, "undecodable_body", action))
        body = decoded.data
        prompt, error = await self.read(flow, service, api, body)
        if is_upload_slice(flow.request.method, flow.request.path, flow.request.headers):
            prompt = as_slice(prompt)  # a part of a file cannot be checked alone
        # URL and header parts first: a value split over the body's last parts must not
        # run into them where the checker joins adjacent parts (checker/seams.py).
        residual = prompt.residual + len(outside)
        prompt = replace(prompt, parts=(*outside, *prompt.parts), residual=residual)
        evaluation = await evaluate(
            active,
            service,
            api,
            group,
            prompt.parts,
            unscanned=len(prompt.unscanned),
            unreadable=[file.why for file in prompt.unreadable],
            unseen=len(prompt.unseen),
            error=error,
            timeout_s=ctx.options.leitplanke_scan_timeout_ms / 1000,
            fail_mode=ctx.options.leitplanke_fail_mode,
            current=lambda: self.source.active,
        )
        # A body whose compression only its bytes showed is not rewritten (redaction
        # would send it in another form than the client did): blocked instead.
        return Checked(evaluation, prompt, None if decoded.sniffed else body)

    async def read(
        self, flow: http.HTTPFlow, service: Service, api: Api, body: bytes
    ) -> tuple[Prompt, str | None]:
        """The prompt in the body; a body that is not what the endpoint expects is
        scanned whole as text rather than let through unscanned."""
        content_type = flow.request.headers.get("content-type")
        prompt, error = await off_loop(len(body), read, api, body, content_type)
        if error is not None:
            log.warning("leitplanke: %s %s: %s; scanning raw body", service.id, api, error)
        return prompt, error

    async def apply(
        self, flow: http.HTTPFlow, checked: Checked
    ) -> tuple[Applied, str | None, str | None]:
        """Coach a "warn", redact a "redact"; then the action applied, the coaching
        link's token when one was issued, and the coaching reference the decision is
        recorded with (the new link's, or the justification's that let it through)."""
        evaluation = checked.evaluation
        decision = evaluation.decision
        step = inline_step(decision, evaluation.checked)
        if step == "coach":
            justified, token, ref = self.coach(flow, evaluation)
            return applied(decision, justified=justified, coached=token is not None), token, ref
        if step == "redact":
            redacted = await self.redact(flow, checked)
            return applied(decision, redacted=redacted), None, None
        return applied(decision, evaluation.checked), None, None

    def coach(
        self, flow: http.HTTPFlow, evaluation: Evaluation
    ) -> tuple[bool, str | None, str | None]:
        """A "warn": (justified, token, coaching ref). It passes when a justification
        covers it, else a one-time link is issued (when there is a portal to justify it on)."""
        user = identity_of(flow).pseudonym  # tokens bind to the pseudonym
        decision, service = evaluation.decision, evaluation.service
        allowance = self.coaching.allowed(user, service.id, decision.data_classes)
        if allowance is not None:
            return True, None, allowance.ref or None
        if not self.portal.host:
            return False, None, None
        token = self.coaching.issue(
            user=user,
            service=service.id,
            service_name=service.name,
            tool=decision.tool,
            data_classes=decision.data_classes,
            entity_types=evaluation.entity_types,
            alternatives=decision.alternatives,
            group=evaluation.group,
            policy_version=evaluation.active.loaded.version_id,
        )
        return False, token, self.coaching.ticket(token, user).ref

    async def redact(self, flow: http.HTTPFlow, checked: Checked) -> bool:
        """Replace the violating values with placeholders in the body sent upstream;
        False when the body cannot be rewritten (then it is blocked)."""
        evaluation, prompt, body = checked.evaluation, checked.prompt, checked.body
        assert prompt is not None
        if body is None:
            log.info(
                "leitplanke: cannot redact %s %s: sniffed body",
                evaluation.service.id,
                evaluation.api,
            )
            return False
        violating = set(evaluation.decision.data_classes)
        findings = [f for f in evaluation.findings if f.data_class in violating]
        mapping = self.memory.get((identity_of(flow).pseudonym, evaluation.service.id))
        size = len(body)
        result = await off_loop(size, redact_body, evaluation.api, body, prompt, findings, mapping)
        if result.body is not None and findings and not result.replaced:
            # Findings to redact, nothing replaced: never forward such a body as "redacted".
            result = replace(result, body=None, reason="nothing_replaced")
        if result.body is None:
            reason = result.reason or "not_rewritable"
            log.info(
                "leitplanke: cannot redact %s %s: %s", evaluation.service.id, evaluation.api, reason
            )
            return False
        # The setter re-encodes per Content-Encoding: CPU work for big bodies too.
        await off_loop(size, setattr, flow.request, "content", result.body)
        # The restorer reads plain text; ask the upstream for an uncompressed answer.
        flow.request.headers.pop("accept-encoding", None)
        flow.metadata[REDACTION] = mapping
        return True

    def respond(
        self, flow: http.HTTPFlow, checked: Checked, outcome: Applied, coach_token: str | None
    ) -> None:
        """Answer in the provider's own format instead of forwarding the prompt."""
        evaluation, prompt = checked.evaluation, checked.prompt
        lang = pick_language(
            flow.request.headers.get("accept-language"), ctx.options.leitplanke_language
        )
        coaching = None
        if coach_token is not None:
            link = self.portal.coach_link(coach_token)
            coaching = (link, int(ctx.options.leitplanke_coaching_minutes))
        approval_link = self.portal.approval_link(evaluation.service.id)
        message = decision_message(evaluation, lang, approval_link=approval_link, coaching=coaching)
        status, headers, body = block_response(
            evaluation.api,
            stream=prompt.stream if prompt else False,
            model=prompt.model if prompt else None,
            message=message,
            accept=flow.request.headers.get("accept"),
            lang=lang,
            path=flow.request.path,
            encoding=prompt.answer_encoding if prompt else None,
        )
        headers = {
            **headers,
            "x-leitplanke-decision": evaluation.decision.action,
            "x-leitplanke-enforced": outcome.action,
        }
        if evaluation.decision.mode != "enforce":
            headers["x-leitplanke-mode"] = evaluation.decision.mode
        flow.response = http.Response.make(status, body, headers)

    def internal_error(
        self, flow: http.HTTPFlow, active: Active, service: Service, api: Api, exc: Exception
    ) -> tuple[Checked, Applied]:
        """The fail mode for a bug of ours; a block is answered even if answering fails."""
        log.error(
            "leitplanke: internal error on %s %s: %s", service.id, api, type(exc).__name__
        )  # the type only: messages may quote input
        flow.metadata.pop(REDACTION, None)
        policy = active.loaded.policy
        try:  # its group's rollout mode applies: "enforce" is never let through by "monitor"
            group = identity_of(flow).group(policy)
        except Exception:
            group = None
        action = fail_action(policy, ctx.options.leitplanke_fail_mode)
        error = f"internal_error: {type(exc).__name__}"
        checked = Checked(unchecked(active, service, api, group, error, action))
        result = applied(checked.evaluation.decision, checked.evaluation.checked)
        if result.action == "block":
            try:
                self.respond(flow, checked, result, None)
            except Exception:  # the answer itself failed: still never forward it
                flow.response = http.Response.make(
                    403,
                    "Leitplanke: request blocked (could not be checked)\n",
                    {"content-type": "text/plain; charset=utf-8"},
                )
        return checked, result

    # ---- the answer path (redaction restores the values) ------------------
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
