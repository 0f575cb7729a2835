"""The admin listener (/metrics, /healthz) on its own: routes, errors, the bearer token."""

from __future__ import annotations

import asyncio

from answers.admin_server import AdminServer, Reply


async def http_get(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


def get(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


async def test_a_handler_error_closes_only_that_connection() -> None:
    async def broken() -> Reply:
        raise ValueError("boom")

    async def fine() -> Reply:
        return Reply(200, "text/plain", b"fine")

    server = AdminServer({"/broken": broken, "/fine": fine})
    await server.start("127.0.0.1", 0)
    address = server.address
    assert address is not None
    reader, writer = await asyncio.open_connection(*address)
    writer.write(get("/broken"))
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    assert (await http_get(address[1], get("/fine")))[2] == b"fine"
    await server.stop()
    assert server.address is None


async def test_metrics_need_the_bearer_token_when_one_is_set() -> None:
    async def ok() -> Reply:
        return Reply(200, "text/plain", b"data\n")

    token = {"value": "s3cret-token"}
    server = AdminServer(
        {"/metrics": ok, "/healthz": ok},
        protected=frozenset({"/metrics"}),
        token=lambda: token["value"],
    )
    await server.start("127.0.0.1", 0)
    assert server.address is not None
    port = server.address[1]

    async def get(path: str, auth: str | None = None) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        header = f"Authorization: {auth}\r\n" if auth else ""
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n{header}\r\n".encode())
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return answer.split(b"\r\n", 1)[0]

    try:
        assert b" 401 " in await get("/metrics")
        assert b" 401 " in await get("/metrics", "Bearer wrong")
        assert b" 200 " in await get("/metrics", "Bearer s3cret-token")
        assert b" 200 " in await get("/healthz")  # no data, open for load balancers
        token["value"] = ""
        assert b" 200 " in await get("/metrics")  # no token configured: loopback use
    finally:
        await server.stop()
