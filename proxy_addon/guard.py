"""The Guard addon: extract → scan (worker pool) → decide → act → record.

Only requests that Identify attributed to a catalog service and whose endpoint
an extractor understands are scanned; everything else passes untouched. The
active policy and the checker come from PolicySource, the findings store from
Recorder.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from mitmproxy import ctx, exceptions, http

from checker.findings import Finding
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import Decision, decide
from policy.model import Action
from proxy_addon.body_decode import BodyTooLarge, decode_body
from proxy_addon.extractors import Api, ExtractError, Prompt, TextPart, extract, match_endpoint
from proxy_addon.identify import HOST, SERVICE
from proxy_addon.messages import (
    block_message,
    checker_error_message,
    oversize_message,
    pick_language,
)
from proxy_addon.policy_source import Active, PolicySource
from proxy_addon.recorder import Recorder
from proxy_addon.responders import block_response
from store.records import DecisionRecord, finding_records

log = logging.getLogger(__name__)

# Inline coaching (warn) and reversible redaction arrive with issue 6; until then
# both are enforced as a block, the safe reading of a policy that asks for them.
NOT_YET_INLINE: frozenset[Action] = frozenset({"warn", "redact"})


def enforced_action(action: Action) -> Action:
    """What this build does for a policy action."""
    return "block" if action in NOT_YET_INLINE else action


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

    @property
    def enforced(self) -> Action:
        return enforced_action(self.decision.action)


class Guard:
    def __init__(
        self,
        source: PolicySource,
        recorder: Recorder,
        catalog: Catalog | None = None,
    ) -> None:
        self.source = source
        self.recorder = recorder
        self.catalog = catalog or default_catalog()

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_scan_timeout_ms",
            int,
            20000,
            "Give up on a scan after this long and apply the fail mode.",
        )
        add(
            "leitplanke_fail_mode",
            str,
            "policy",
            "When the checker fails: 'closed' blocks, 'open' lets the prompt pass, "
            "'policy' uses the policy's fail_mode.",
            choices=["policy", "closed", "open"],
        )
        add(
            "leitplanke_language",
            str,
            "de",
            "Message language when the client's Accept-Language names neither de nor en.",
            choices=["de", "en"],
        )

    def configure(self, updated: set[str]) -> None:
        if ctx.options.leitplanke_scan_timeout_ms <= 0:
            raise exceptions.OptionsError("leitplanke_scan_timeout_ms must be positive")

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
        outcome = await self.evaluate(flow, active, service, api)
        if outcome.enforced == "block":
            self.respond(flow, outcome)
        self.record(flow, outcome)

    async def evaluate(
        self, flow: http.HTTPFlow, active: Active, service: Service, api: Api
    ) -> Outcome:
        policy = active.loaded.policy
        group = self.recorder.group_of(flow, policy)
        raw = flow.request.raw_content
        size = len(raw) if raw is not None else 0
        if raw is None or size > policy.max_body_bytes:
            return self._failed(
                active, service, api, group, "oversize", policy.oversize_action, size=size
            )
        encoding = flow.request.headers.get("content-encoding")
        try:  # the decoded size counts too, and a bomb is stopped at the limit
            body = decode_body(raw, encoding, policy.max_body_bytes)
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
            prompt = extract(api, body, content_type=content_type)
        except ExtractError as exc:
            # Not what the endpoint expects: scan the whole body as text rather than
            # let it through unscanned.
            error = f"unparsed_body: {exc}"
            log.warning("leitplanke: %s %s: %s; scanning raw body", service.id, api, exc)
            text = body.decode("utf-8", errors="replace")
            prompt = Prompt(api=api, parts=(TextPart("body", text),), stream=False, model=None)

        started = time.perf_counter()
        try:
            findings = await active.pool.scan(
                [p.text for p in prompt.parts],
                timeout=ctx.options.leitplanke_scan_timeout_ms / 1000,
            )
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
        decision = decide(policy, service.id, group, findings)
        return Outcome(
            active, service, api, group, decision, prompt, findings, error, scan_ms=scan_ms
        )

    def _fail_action(self, active: Active) -> Action:
        mode = ctx.options.leitplanke_fail_mode
        if mode == "policy":
            mode = active.loaded.policy.fail_mode
        return "block" if mode == "closed" else "allow"

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
        base = decide(active.loaded.policy, service.id, group, ())
        decision = Decision(
            action=action,
            reasons=(error.split(":")[0], *base.reasons),
            data_classes=(),
            tool=base.tool,
            tool_status=base.tool_status,
            alternatives=(),
        )
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
        if outcome.message_kind == "oversize":
            message = oversize_message(policy, name, outcome.size, lang)
        elif outcome.message_kind == "checker_error":
            message = checker_error_message(policy, name, lang)
        else:
            types = [f.entity_type for f in outcome.findings]
            message = block_message(policy, outcome.decision, types, name, lang)
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
        flow.response = http.Response.make(status, body, headers)

    def record(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        loaded = outcome.active.loaded
        privacy = loaded.policy.privacy
        locations = [p.location for p in outcome.prompt.parts] if outcome.prompt else []
        decision = outcome.decision
        reasons = decision.reasons
        if outcome.enforced != decision.action:
            reasons = (*reasons, f"{decision.action}:enforced_as_{outcome.enforced}")
        row = DecisionRecord(
            service=outcome.service.id,
            host=str(flow.metadata.get(HOST, flow.request.host)),
            api=outcome.api,
            tool=decision.tool,
            tool_status=decision.tool_status,
            user_pseudonym=self.recorder.user_label(flow, privacy.pseudonymize_users),
            user_group=outcome.group,
            action=decision.action,
            enforced=outcome.enforced,
            reasons=reasons,
            data_classes=decision.data_classes,
            policy_version=loaded.version_id,
            scan_ms=round(outcome.scan_ms, 2) if outcome.scan_ms is not None else None,
            error=outcome.error,
            findings=finding_records(
                self.recorder.key, outcome.findings, locations, excerpt=privacy.excerpt
            ),
        )
        counts = ", ".join(f"{f.entity_type}×{f.count}" for f in row.findings) or "clean"
        log.info(
            "leitplanke: %s %s %s [%s] user=%s group=%s",
            decision.action,
            outcome.service.id,
            outcome.api,
            counts,
            row.user_pseudonym,
            outcome.group or "-",
        )
        self.recorder.record(row)
