"""Pass streamed AI answers (SSE) through as they arrive instead of buffering them."""

from __future__ import annotations

from mitmproxy import http

from proxy_addon.identify import SERVICE


class StreamAnswers:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is None or SERVICE not in flow.metadata:
            return
        if flow.response.stream:
            return  # another addon streams it already (e.g. the redaction restorer)
        if flow.response.headers.get("content-type", "").startswith("text/event-stream"):
            flow.response.stream = True
