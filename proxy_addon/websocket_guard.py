"""The WebSocketGuard addon: check prompts that Copilot sends over a WebSocket.

For client→server text messages on flows that Identify attributed to a service with
the `copilot-ws` extractor: extract the prompt (extract/copilot_ws.py), scan it in
the worker pool, decide, and on a block drop the message and answer the client with
the protocol's own frames (an assistant message carrying the warning, then the
completion). Every evaluated prompt frame becomes a DecisionRecord (api "copilot_ws").

Frames without a prompt, server→client frames, and frames we injected ourselves pass
untouched. Options (scan timeout, fail mode, language) are the Guard's.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from mitmproxy import ctx, http

from answers.copilot_ws import block_frames
from answers.messages import (
    block_message,
    checker_error_message,
    oversize_message,
    pick_language,
)
from checker.findings import Finding
from extract import copilot_ws
from extract.copilot_ws import ClientFrame, Protocol
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import Decision, decide, unchecked_decision
from policy.model import Action
from proxy_addon.guard import enforced_action, fail_action
from proxy_addon.identify import SERVICE, identity_of
from proxy_addon.policy_source import Active, PolicySource
from proxy_addon.recorder import Recorder

log = logging.getLogger(__name__)

EXTRACTOR = "copilot-ws"

# The Guard declares these; the fallbacks only matter when it is not loaded.
_DEFAULTS: dict[str, object] = {
    "leitplanke_scan_timeout_ms": 20000,
    "leitplanke_fail_mode": "policy",
    "leitplanke_language": "de",
}


def _option(name: str) -> object:
    try:
        return getattr(ctx.options, name)
    except AttributeError:
        return _DEFAULTS[name]


@dataclass
class WsOutcome:
    """Everything decided about one prompt frame."""

    active: Active
    service: Service
    group: str | None
    decision: Decision
    protocol: Protocol
    frame: ClientFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    message_kind: str = "findings"  # findings | checker_error | oversize
    size: int = 0
    scan_ms: float | None = None

    @property
    def enforced(self) -> Action:
        return enforced_action(self.decision.effective)  # after the rollout mode


class WebSocketGuard:
    def __init__(
        self,
        source: PolicySource,
        recorder: Recorder,
        catalog: Catalog | None = None,
    ) -> None:
        self.source = source
        self.recorder = recorder
        self.catalog = catalog or default_catalog()

    def _service(self, flow: http.HTTPFlow) -> Service | None:
        service_id = flow.metadata.get(SERVICE)
        service = self.catalog.services.get(service_id) if service_id else None
        return service if service is not None and service.extractor == EXTRACTOR else None

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        assert flow.websocket is not None
        message = flow.websocket.messages[-1]
        if not message.from_client or message.injected or message.dropped:
            return
        service = self._service(flow)
        if service is None:
            return
        active = self.source.active
        assert active is not None, "PolicySource is configured before messages arrive"
        outcome = await self.evaluate(flow, active, service, message.content, message.is_text)
        if outcome is None:
            return
        if outcome.enforced == "block":
            message.drop()
            self.respond(flow, outcome)
        self.record(flow, outcome)

    async def evaluate(
        self, flow: http.HTTPFlow, active: Active, service: Service, content: bytes, is_text: bool
    ) -> WsOutcome | None:
        """The outcome for one client message, or None when it carries no prompt."""
        policy = active.loaded.policy
        size = len(content)
        if size > policy.max_body_bytes:
            group = identity_of(flow).group(policy)
            protocol = copilot_ws.guess_protocol(content[-16:])
            return self._failed(
                active, service, group, protocol, "oversize", policy.oversize_action, size=size
            )
        if not is_text:
            return None  # binary frames (e.g. SignalR MessagePack) are not read
        frame = copilot_ws.parse_client_frame(content)
        if frame is None:
            return None
        group = identity_of(flow).group(policy)
        error = "unparsed_frame" if frame.unparsed else None
        started = time.perf_counter()
        try:
            timeout_ms = _option("leitplanke_scan_timeout_ms")
            assert isinstance(timeout_ms, int)
            findings = await active.pool.scan(
                [part.text for part in frame.parts], timeout=timeout_ms / 1000
            )
        except Exception as exc:  # any checker failure gets the fail mode, never a crash
            log.error("leitplanke: checker failed for %s (websocket): %r", service.id, exc)
            return self._failed(
                active,
                service,
                group,
                frame.protocol,
                f"checker_error: {type(exc).__name__}",
                self._fail_action(active),
                frame=frame,
            )
        scan_ms = (time.perf_counter() - started) * 1000
        decision = decide(policy, service.id, group, findings)
        return WsOutcome(
            active,
            service,
            group,
            decision,
            frame.protocol,
            frame,
            list(findings),
            error,
            size=size,
            scan_ms=scan_ms,
        )

    def _fail_action(self, active: Active) -> Action:
        return fail_action(active.loaded.policy)

    def _failed(
        self,
        active: Active,
        service: Service,
        group: str | None,
        protocol: Protocol,
        error: str,
        action: Action,
        frame: ClientFrame | None = None,
        size: int = 0,
    ) -> WsOutcome:
        reason = error.split(":")[0]
        decision = unchecked_decision(active.loaded.policy, service.id, group, reason, action)
        kind = "oversize" if error == "oversize" else "checker_error"
        return WsOutcome(
            active, service, group, decision, protocol, frame, error=error, message_kind=kind,
            size=size,
        )  # fmt: skip

    def message_for(self, flow: http.HTTPFlow, outcome: WsOutcome) -> str:
        policy = outcome.active.loaded.policy
        default = _option("leitplanke_language")
        lang = pick_language(flow.request.headers.get("accept-language"), str(default))
        name = outcome.service.name
        if outcome.message_kind == "oversize":
            return oversize_message(policy, name, outcome.size, lang)
        if outcome.message_kind == "checker_error":
            return checker_error_message(policy, name, lang)
        types = [f.entity_type for f in outcome.findings]
        return block_message(policy, outcome.decision, types, name, lang)

    def respond(self, flow: http.HTTPFlow, outcome: WsOutcome) -> None:
        """Answer the client in its own protocol; the server never sees the prompt."""
        frame = outcome.frame
        frames = block_frames(
            outcome.protocol,
            self.message_for(flow, outcome),
            conversation_id=frame.conversation_id if frame else None,
            invocation_id=frame.invocation_id if frame else None,
        )
        for data in frames:
            # Queued behind this hook: mitmproxy delivers them once it returns.
            ctx.master.commands.call("inject.websocket", flow, True, data.encode(), True)

    def record(self, flow: http.HTTPFlow, outcome: WsOutcome) -> None:
        decision = outcome.decision
        reasons = decision.recorded_reasons
        if outcome.enforced != decision.action:
            reasons = (*reasons, f"{decision.action}:enforced_as_{outcome.enforced}")
        self.recorder.record_decision(
            flow,
            loaded=outcome.active.loaded,
            service_id=outcome.service.id,
            api=copilot_ws.API,
            group=outcome.group,
            decision=decision,
            enforced=outcome.enforced,
            reasons=reasons,
            findings=outcome.findings,
            locations=[part.location for part in outcome.frame.parts] if outcome.frame else [],
            scan_ms=outcome.scan_ms,
            error=outcome.error,
        )
