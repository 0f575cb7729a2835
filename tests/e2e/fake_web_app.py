"""A local stand-in for an AI web app's HTML page with a strict CSP (loopback only).

`/` sends its policy as a header (gzip-compressed when the client accepts it),
`/meta` in a `<meta http-equiv>` tag. Both load their own script and style from
'self' and carry one inline script of their own without a nonce, which the strict
policy must keep blocking: proof that the gateway's CSP change admits its banner
and nothing else.
"""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STRICT_CSP = (
    "default-src 'self'; script-src 'self' 'report-sample'; style-src 'self' 'report-sample'; "
    "require-trusted-types-for 'script'"
)
META_CSP = "default-src 'self'; script-src 'self' 'report-sample'; style-src 'self'"

PAGE = """<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
{meta}
<title>Fake AI</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body class="app">
<div id="status">lädt …</div>
<textarea id="prompt"></textarea>
<script>window.inlineRan = true;</script>
</body>
</html>
"""

APP_JS = b'document.getElementById("status").textContent = "App bereit";\n'
# Hostile to anything injected: the banner must keep its own look.
APP_CSS = (
    b"body { margin: 0; font-family: serif; } button { display: none; } span { color: red; }\n"
)


class FakeWebApp:
    def __init__(self) -> None:
        self.paths: list[str] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                app.paths.append(self.path)
                path = self.path.split("?")[0]
                headers: dict[str, str] = {}
                if path == "/":
                    body = PAGE.format(meta="").encode()
                    headers["content-security-policy"] = STRICT_CSP
                elif path == "/meta":
                    tag = f'<meta http-equiv="Content-Security-Policy" content="{META_CSP}">'
                    body = PAGE.format(meta=tag).encode()
                elif path == "/app.js":
                    self._send(200, "text/javascript", APP_JS, {})
                    return
                elif path == "/app.css":
                    self._send(200, "text/css", APP_CSS, {})
                    return
                else:
                    self._send(404, "text/plain", b"not found", {})
                    return
                headers["etag"] = '"page-v1"'
                headers["cache-control"] = "no-cache"
                if "gzip" in self.headers.get("accept-encoding", ""):
                    body = gzip.compress(body)
                    headers["content-encoding"] = "gzip"
                self._send(200, "text/html; charset=utf-8", body, headers)

            def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeWebApp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
