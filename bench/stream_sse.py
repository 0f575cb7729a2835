"""Baseline addon for `make bench`: plain mitmdump that streams SSE answers, exactly
as the gateway's StreamAnswers does, and nothing else."""

from mitmproxy import http


class StreamSse:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response and flow.response.headers.get("content-type", "").startswith(
            "text/event-stream"
        ):
            flow.response.stream = True


addons = [StreamSse()]
