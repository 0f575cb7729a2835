"""The WebSocketGuard addon: check every message a client sends over a WebSocket to an AI host.

For each client→server message (text or binary) on a flow that Identify attributed to a
catalog service: read it with the reader for that service and path (extract/ws_registry.py:
Copilot, OpenAI Realtime, Gemini Live, or every string leaf of anything else; binary
messages decoded by extract/ws_frames.py), scan it in the worker pool and decide
(pipeline/evaluation.py, shared with the HTTP Guard), and on a block drop the message and
answer the client in its own protocol (answers/ws_answers.py). mitmproxy hands us whole
messages: fragments joined, per-message deflate undone. The end of the last message
forwarded on the connection is scanned in front of the next one, so a value split
across two messages is found where they meet.

There is no coaching or redaction on this path: a "warn" or "redact" is enforced as a
block (policy.decide.applied with inline=False). A message larger than the policy's
`max_body_bytes` (also once inflated) gets the oversize action; content that cannot be
read (audio, images, unknown binary) the policy's `unscanned_files` action; a checker
failure or a bug of ours the fail mode — never a pass by accident.

What is recorded: every prompt (a chat message, a conversation item, session
instructions), and any message with findings, an error or an action stricter than "log".
Protocol chatter (pings, options) is scanned but not recorded when clean; a media stream
(audio chunks, many per second) is recorded once per connection and action, and a block
of it answered once. A Gemini Live session whose setup message was blocked never
reaches the server: its later messages are dropped too.

Server→client messages and messages we injected ourselves pass untouched. Options (scan
timeout, fail mode, language) are the Guard's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mitmproxy import ctx, http
from mitmproxy.websocket import WebSocketMessage

from answers.messages import decision_message, pick_language
from answers.portal_pages import approval_url
from answers.ws_answers import block_messages
from extract.body_decode import BodyTooLarge
from extract.ws_frames import ClientFrame, Protocol, ending, with_earlier
from extract.ws_registry import answer_protocol, read_message, ws_api
from pipeline.evaluation import Active, Evaluation, evaluate, unchecked
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import Applied, applied, fail_action
from proxy_addon.identify import SERVICE, identity_of
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder

log = logging.getLogger(__name__)

# flow.metadata keys
BLOCKED_SESSION = "leitplanke.ws_blocked_session"  # the warning of a blocked Gemini setup
MEDIA_SEEN = "leitplanke.ws_media"  # actions of media chunks already recorded / answered
EARLIER = "leitplanke.ws_earlier"  # the end of the last message forwarded to the server

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


@dataclass(frozen=True)
class Checked:
    """One client message after evaluation; `frame` is None when it was not read
    (too large, or a bug of ours)."""

    evaluation: Evaluation
    protocol: Protocol
    frame: ClientFrame | None


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
        return self.catalog.services.get(service_id) if service_id else None

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        assert flow.websocket is not None
        message = flow.websocket.messages[-1]
        if not message.from_client or message.injected or message.dropped:
            return
        service = self._service(flow)
        if service is None:
            return
        api = ws_api(service.extractor, flow.request.path)
        if BLOCKED_SESSION in flow.metadata:
            self.blocked_session(flow, message, api)
            return
        active = self.source.active
        assert active is not None, "PolicySource is configured before messages arrive"
        try:
            content, is_text = message.content, message.is_text
            checked = await self.evaluate(flow, active, service, api, content, is_text)
        except Exception as exc:  # a bug of ours must not let a message through unchecked
            checked = self.internal_error(flow, active, service, api, message.content, exc)
        if checked is None:
            return
        outcome = applied(checked.evaluation.decision, checked.evaluation.checked, inline=False)
        first = self._first_of_media(flow, checked.frame, outcome)
        if outcome.action == "block":
            message.drop()
            if first:
                self.respond(flow, checked)
        elif checked.frame is not None and not checked.frame.media:
            flow.metadata[EARLIER] = ending(checked.frame)
        if first and self._worth_recording(checked, outcome):
            self.recorder.record_decision(flow, checked.evaluation, outcome)

    async def evaluate(
        self,
        flow: http.HTTPFlow,
        active: Active,
        service: Service,
        api: str,
        content: bytes,
        is_text: bool,
    ) -> Checked | None:
        """The evaluation of one client message, or None when nothing in it is worth
        scanning (an empty message, a lone ping)."""
        policy = active.loaded.policy
        group = identity_of(flow).group(policy)
        size = len(content)
        limit = policy.max_body_bytes
        try:
            frame = None if size > limit else read_message(api, content, is_text, limit)
        except BodyTooLarge:
            size, frame = limit + 1, None
        if size > limit:
            oversize = unchecked(
                active, service, api, group, "oversize", policy.oversize_action, size=size
            )
            return Checked(oversize, answer_protocol(api, content), None)
        if frame is None:
            return None
        # A value split across this message and the last forwarded one is seen on the
        # seam between them (extract/ws_frames.py).
        frame = with_earlier(frame, str(flow.metadata.get(EARLIER, "")))
        timeout_ms = _option("leitplanke_scan_timeout_ms")
        assert isinstance(timeout_ms, int)
        evaluation = await evaluate(
            active,
            service,
            api,
            group,
            frame.parts,
            unscanned=len(frame.unscanned),
            error="unparsed_frame" if frame.unparsed else None,
            timeout_s=timeout_ms / 1000,
            fail_mode=str(_option("leitplanke_fail_mode")),
            current=lambda: self.source.active,
        )
        return Checked(evaluation, frame.protocol, frame)

    def internal_error(
        self,
        flow: http.HTTPFlow,
        active: Active,
        service: Service,
        api: str,
        content: bytes,
        exc: Exception,
    ) -> Checked:
        """The fail mode for a bug of ours (the type only is logged: messages may
        quote input)."""
        log.error("leitplanke: internal error on %s %s: %s", service.id, api, type(exc).__name__)
        policy = active.loaded.policy
        try:
            group = identity_of(flow).group(policy)
        except Exception:
            group = None
        action = fail_action(policy, str(_option("leitplanke_fail_mode")))
        error = f"internal_error: {type(exc).__name__}"
        evaluation = unchecked(active, service, api, group, error, action)
        return Checked(evaluation, answer_protocol(api, content), None)

    def respond(self, flow: http.HTTPFlow, checked: Checked) -> None:
        """Answer the client in its own protocol; the server never sees the message."""
        default = _option("leitplanke_language")
        lang = pick_language(flow.request.headers.get("accept-language"), str(default))
        host = ctx.options.leitplanke_portal_host if "leitplanke_portal_host" in ctx.options else ""
        approval_link = approval_url(str(host), checked.evaluation.service.id)
        text = decision_message(checked.evaluation, lang, approval_link=approval_link)
        frame = checked.frame
        if checked.protocol == "gemini_live" and frame is not None and frame.event == "setup":
            # Without its setup the session is nothing the server may ever see.
            flow.metadata[BLOCKED_SESSION] = text
        self.inject(flow, checked.protocol, text, frame)

    def blocked_session(self, flow: http.HTTPFlow, message: WebSocketMessage, api: str) -> None:
        """A message of a session whose setup was blocked: dropped, and answered with
        the same warning unless it is a media chunk."""
        message.drop()
        active = self.source.active
        limit = active.loaded.policy.max_body_bytes if active else 0
        try:
            frame = read_message(api, message.content, message.is_text, limit)
        except Exception:  # too large or unreadable: dropped all the same
            frame = None
        if frame is not None and not frame.media:
            self.inject(flow, frame.protocol, str(flow.metadata[BLOCKED_SESSION]), frame)

    def inject(
        self, flow: http.HTTPFlow, protocol: Protocol, text: str, frame: ClientFrame | None
    ) -> None:
        for data, is_text in block_messages(protocol, text, frame):
            # Queued behind this hook: mitmproxy delivers them once it returns.
            ctx.master.commands.call("inject.websocket", flow, True, data, is_text)

    @staticmethod
    def _first_of_media(flow: http.HTTPFlow, frame: ClientFrame | None, outcome: Applied) -> bool:
        """False for a media chunk whose action this connection already recorded (and,
        for a block, answered): one row and one warning per stream, not one per chunk."""
        if frame is None or not frame.media:
            return True
        seen: set[str] = flow.metadata.setdefault(MEDIA_SEEN, set())
        if outcome.action in seen:
            return False
        seen.add(outcome.action)
        return True

    @staticmethod
    def _worth_recording(checked: Checked, outcome: Applied) -> bool:
        evaluation, frame = checked.evaluation, checked.frame
        return (
            frame is None
            or frame.prompt
            or frame.media
            or bool(evaluation.findings)
            or evaluation.error is not None
            or evaluation.decision.action not in ("allow", "log")
            or outcome.action not in ("allow", "log")
        )
