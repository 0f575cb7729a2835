"""The Guard addon: extract → scan (worker pool) → decide → act → record.

Only requests that Identify attributed to a catalog service and whose endpoint
an extractor understands are scanned; everything else passes untouched.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from mitmproxy import ctx, exceptions, http

from checker.config import ScanConfig
from checker.findings import Finding
from checker.pool import ScanPool
from policy.catalog import Catalog, Service, default_catalog
from policy.decide import Decision, decide
from policy.loader import LoadedPolicy, PolicyError, load_policy
from policy.model import Action
from proxy_addon.extractors import Api, ExtractError, Prompt, TextPart, extract, match_endpoint
from proxy_addon.identify import HOST, SERVICE, user_of
from proxy_addon.messages import (
    block_message,
    checker_error_message,
    oversize_message,
    pick_language,
)
from proxy_addon.responders import block_response
from store.findings_store import FindingsStore
from store.keys import KeyFileError, default_key_path, load_or_create_key, pseudonym
from store.records import DecisionRecord, finding_records

log = logging.getLogger(__name__)

# Inline coaching (warn) and reversible redaction arrive with issue 6; until then
# both are enforced as a block, the safe reading of a policy that asks for them.
NOT_YET_INLINE: frozenset[Action] = frozenset({"warn", "redact"})


def enforceable(decision: Decision) -> Decision:
    """The decision as this build can enforce it; the record says why it differs."""
    if decision.action not in NOT_YET_INLINE:
        return decision
    return replace(
        decision,
        action="block",
        reasons=(*decision.reasons, f"{decision.action}:enforced_as_block"),
    )


@dataclass
class Outcome:
    """Everything decided about one request; becomes a block response and a DB row."""

    service: Service
    api: Api
    decision: Decision
    prompt: Prompt | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # reason code when the normal path could not run
    message_kind: str = "findings"  # findings | checker_error | oversize
    size: int = 0
    scan_ms: float | None = None


class Guard:
    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or default_catalog()
        self.loaded: LoadedPolicy | None = None
        self.pool: ScanPool | None = None
        self.key: bytes = b""
        self.store: FindingsStore | None = None
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="leitplanke-store")
        self._pending: set[Future[int]] = set()

    # ---- options -------------------------------------------------------
    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add("leitplanke_policy", str, "", "Policy YAML file; empty: the embedded default policy.")
        add("leitplanke_db", str, "leitplanke.db", "Findings database (SQLite file).")
        add(
            "leitplanke_key_file",
            str,
            "",
            "Key file for value hashes and user pseudonyms; empty: '<db>.key'.",
        )
        add(
            "leitplanke_workers",
            int,
            1,
            "Checker worker processes; 0 runs the checker in one thread of the proxy process.",
        )
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
        opts = ctx.options
        if "leitplanke_workers" in updated and opts.leitplanke_workers < 0:
            raise exceptions.OptionsError("leitplanke_workers must be 0 or more")
        if "leitplanke_scan_timeout_ms" in updated and opts.leitplanke_scan_timeout_ms <= 0:
            raise exceptions.OptionsError("leitplanke_scan_timeout_ms must be positive")
        # On first configure everything is set up, whichever options were named.
        if "leitplanke_policy" in updated or self.loaded is None:
            self._load_policy(opts.leitplanke_policy or None)
        if updated & {"leitplanke_policy", "leitplanke_workers"} or self.pool is None:
            self._restart_pool()
        if updated & {"leitplanke_db", "leitplanke_key_file"} or self.store is None:
            self._open_store(opts.leitplanke_db, opts.leitplanke_key_file)

    def _load_policy(self, path: str | None) -> None:
        try:
            loaded = load_policy(path)
        except PolicyError as exc:
            # On reload the last good policy stays active: mitmproxy rejects the change.
            raise exceptions.OptionsError(f"invalid policy:\n{exc}") from exc
        self.loaded = loaded
        used = set(loaded.policy.on_violation.values()) | {loaded.policy.unlisted_ai_tools}
        for action in sorted(used & {"warn", "redact"}):
            log.warning("policy action %r is not enforced inline yet; treated as block", action)
        log.info("leitplanke: policy %s (version %s)", loaded.source, loaded.version_id)

    def _restart_pool(self) -> None:
        assert self.loaded is not None
        if self.pool is not None:
            self.pool.close()
        self.pool = ScanPool(
            ScanConfig.from_policy(self.loaded.policy), ctx.options.leitplanke_workers
        )

    def _open_store(self, db: str, key_file: str) -> None:
        try:
            self.key = load_or_create_key(key_file or default_key_path(db))
        except KeyFileError as exc:
            raise exceptions.OptionsError(str(exc)) from exc
        old = self.store
        self.store = self._writer.submit(FindingsStore, Path(db)).result()
        if old is not None:
            self._writer.submit(old.close)

    def running(self) -> None:
        if ctx.options.connection_strategy != "lazy":
            log.warning(
                "leitplanke: connection_strategy=%s opens upstream connections before a "
                "decision; use --set connection_strategy=lazy",
                ctx.options.connection_strategy,
            )
        if self.pool is not None:
            pool = self.pool
            started = time.monotonic()

            def warm() -> None:
                try:
                    pool.warm_up()
                except Exception as exc:  # requests will fail closed; say why, once
                    log.error("leitplanke: checker failed to start: %r", exc)
                    return
                log.info("leitplanke: checker ready in %.1f s", time.monotonic() - started)

            asyncio.get_running_loop().run_in_executor(None, warm)

    def flush(self) -> None:
        """Wait until every finding handed to the writer is on disk."""
        self._writer.submit(lambda: None).result()

    def done(self) -> None:
        if self.pool is not None:
            self.pool.close()
        self._writer.shutdown(wait=True)  # flush findings before exit
        if self.store is not None:
            self.store.close()

    # ---- the request path -----------------------------------------------
    async def request(self, flow: http.HTTPFlow) -> None:
        service_id = flow.metadata.get(SERVICE)
        if service_id is None or flow.response is not None:
            return
        service = self.catalog.services[service_id]
        api = match_endpoint(service.extractor, flow.request.method, flow.request.path)
        if api is None:
            return
        outcome = await self.evaluate(flow, service, api)
        if outcome.decision.action == "block":
            self.respond(flow, outcome)
        self.record(flow, outcome)

    async def evaluate(self, flow: http.HTTPFlow, service: Service, api: Api) -> Outcome:
        assert self.loaded is not None and self.pool is not None
        policy = self.loaded.policy
        raw = flow.request.raw_content
        size = len(raw) if raw is not None else 0
        if raw is None or size > policy.max_body_bytes:
            return self._failed(service, api, "oversize", policy.oversize_action, size=size)
        try:
            body = flow.request.get_content(strict=True) or b""
        except ValueError:
            return self._failed(service, api, "undecodable_body", self._fail_action())
        if len(body) > policy.max_body_bytes:  # decompressed size counts too
            return self._failed(service, api, "oversize", policy.oversize_action, size=len(body))

        error = None
        try:
            prompt = extract(api, body)
        except ExtractError as exc:
            # Not the JSON the endpoint expects: scan the whole body as text rather than
            # let it through unscanned.
            error = f"unparsed_body: {exc}"
            log.warning("leitplanke: %s %s: %s; scanning raw body", service.id, api, exc)
            text = body.decode("utf-8", errors="replace")
            prompt = Prompt(api=api, parts=(TextPart("body", text),), stream=False, model=None)

        started = time.perf_counter()
        try:
            findings = await self.pool.scan(
                [p.text for p in prompt.parts],
                timeout=ctx.options.leitplanke_scan_timeout_ms / 1000,
            )
        except Exception as exc:  # any checker failure gets the fail mode, never a crash
            log.error("leitplanke: checker failed for %s: %r", service.id, exc)
            return self._failed(
                service, api, f"checker_error: {type(exc).__name__}", self._fail_action(), prompt
            )
        scan_ms = (time.perf_counter() - started) * 1000
        decision = decide(policy, service.id, None, {f.data_class for f in findings})
        return Outcome(
            service, api, enforceable(decision), prompt, findings, error, scan_ms=scan_ms
        )

    def _fail_action(self) -> Action:
        assert self.loaded is not None
        mode = ctx.options.leitplanke_fail_mode
        if mode == "policy":
            mode = self.loaded.policy.fail_mode
        return "block" if mode == "closed" else "allow"

    def _failed(
        self,
        service: Service,
        api: Api,
        error: str,
        action: Action,
        prompt: Prompt | None = None,
        size: int = 0,
    ) -> Outcome:
        assert self.loaded is not None
        base = decide(self.loaded.policy, service.id, None, ())
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
            service, api, enforceable(decision), prompt, error=error, message_kind=kind, size=size
        )

    def respond(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        assert self.loaded is not None
        policy = self.loaded.policy
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
        )
        headers = {**headers, "x-leitplanke-decision": outcome.decision.action}
        flow.response = http.Response.make(status, body, headers)

    def record(self, flow: http.HTTPFlow, outcome: Outcome) -> None:
        assert self.loaded is not None and self.store is not None
        policy = self.loaded.policy
        user = user_of(flow)
        locations = [p.location for p in outcome.prompt.parts] if outcome.prompt else []
        decision = outcome.decision
        row = DecisionRecord(
            service=outcome.service.id,
            host=str(flow.metadata.get(HOST, flow.request.host)),
            api=outcome.api,
            tool=decision.tool,
            tool_status=decision.tool_status,
            user_pseudonym=pseudonym(self.key, user) if policy.privacy.pseudonymize_users else user,
            user_group=None,
            action=decision.action,
            reasons=decision.reasons,
            data_classes=decision.data_classes,
            policy_version=self.loaded.version_id,
            scan_ms=round(outcome.scan_ms, 2) if outcome.scan_ms is not None else None,
            error=outcome.error,
            findings=finding_records(self.key, outcome.findings, locations),
        )
        counts = ", ".join(f"{f.entity_type}×{f.count}" for f in row.findings) or "clean"
        log.info(
            "leitplanke: %s %s %s [%s] user=%s",
            decision.action,
            outcome.service.id,
            outcome.api,
            counts,
            row.user_pseudonym,
        )
        # Written off the event loop by one writer thread; not awaited, so the
        # client's answer never waits for the disk.
        store = self.store
        future = self._writer.submit(store.record, row)
        self._pending.add(future)
        future.add_done_callback(self._written)

    def _written(self, future: Future[int]) -> None:
        self._pending.discard(future)
        if future.exception() is not None:
            log.error("leitplanke: could not write finding: %r", future.exception())
