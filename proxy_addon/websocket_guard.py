"""The WebSocketGuard addon: check prompts that Copilot sends over a WebSocket.

For client→server text messages on flows that Identify attributed to a service with
the `copilot-ws` extractor: extract the prompt (extract/copilot_ws.py), scan it in
the worker pool and decide (pipeline/evaluation.py, shared with the HTTP Guard), and on
a block drop the message and answer the client with the protocol's own frames (an
assistant message carrying the warning, then the completion: answers/copilot_ws.py).
There is no coaching or redaction on this path: a "warn" or "redact" is enforced as a
block (policy.decide.applied with inline=False). Every evaluated prompt frame becomes
a DecisionRecord (api "copilot_ws").

Frames without a prompt, server→client frames, and frames we injected ourselves pass
untouched. Options (scan timeout, fail mode, language) are the Guard's.
"""

from __future__ import annotations

import logging

from mitmproxy import ctx, http

from answers.copilot_ws import block_frames
from answers.messages import decision_message, pick_language
from answers.portal_pages import approval_url
from extract import copilot_ws
from extract.copilot_ws import ClientFrame, Protocol
from pipeline.evaluation import Active, Evaluation, evaluate, unchecked
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import applied
from proxy_addon.identify import SERVICE, identity_of
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder

log = logging.getLogger(__name__)

EXTRACTOR = "copilot-ws"
API = copilot_ws.API

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
        checked = await self.evaluate(flow, active, service, message.content, message.is_text)
        if checked is None:
            return
        evaluation, protocol, frame = checked
        outcome = applied(evaluation.decision, evaluation.checked, inline=False)
        if outcome.action == "block":
            message.drop()
            self.respond(flow, evaluation, protocol, frame)
        self.recorder.record_decision(flow, evaluation, outcome)

    async def evaluate(
        self, flow: http.HTTPFlow, active: Active, service: Service, content: bytes, is_text: bool
    ) -> tuple[Evaluation, Protocol, ClientFrame | None] | None:
        """The evaluation of one client message (with the protocol to answer in and the
        frame), or None when it carries no prompt."""
        policy = active.loaded.policy
        size = len(content)
        if size > policy.max_body_bytes:
            group = identity_of(flow).group(policy)
            protocol = copilot_ws.guess_protocol(content[-16:])
            action = policy.oversize_action
            oversize = unchecked(active, service, API, group, "oversize", action, size=size)
            return oversize, protocol, None
        if not is_text:
            return None  # binary frames (e.g. SignalR MessagePack) are not read
        frame = copilot_ws.parse_client_frame(content)
        if frame is None:
            return None
        timeout_ms = _option("leitplanke_scan_timeout_ms")
        assert isinstance(timeout_ms, int)
        evaluation = await evaluate(
            active,
            service,
            API,
            identity_of(flow).group(policy),
            frame.parts,
            error="unparsed_frame" if frame.unparsed else None,
            timeout_s=timeout_ms / 1000,
            fail_mode=str(_option("leitplanke_fail_mode")),
            current=lambda: self.source.active,
        )
        return evaluation, frame.protocol, frame

    def respond(
        self,
        flow: http.HTTPFlow,
        evaluation: Evaluation,
        protocol: Protocol,
        frame: ClientFrame | None,
    ) -> None:
        """Answer the client in its own protocol; the server never sees the prompt."""
        default = _option("leitplanke_language")
        lang = pick_language(flow.request.headers.get("accept-language"), str(default))
        host = ctx.options.leitplanke_portal_host if "leitplanke_portal_host" in ctx.options else ""
        approval_link = approval_url(str(host), evaluation.service.id)
        frames = block_frames(
            protocol,
            decision_message(evaluation, lang, approval_link=approval_link),
            conversation_id=frame.conversation_id if frame else None,
            invocation_id=frame.invocation_id if frame else None,
        )
        for data in frames:
            # Queued behind this hook: mitmproxy delivers them once it returns.
            ctx.master.commands.call("inject.websocket", flow, True, data.encode(), True)
