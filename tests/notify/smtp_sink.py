"""A tiny SMTP server for tests, run as its own process: `python smtp_sink.py PORT DIR`.

Speaks what smtplib needs (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
and writes every received message, byte for byte, to DIR/<n>.eml. aiosmtpd is not a
dependency of the project; this is the smallest real server a test can talk to. It
binds 127.0.0.1 and exits by itself after LIFETIME_S.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

LIFETIME_S = 120


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, out: Path) -> None:
    def reply(line: str) -> None:
        writer.write(line.encode() + b"\r\n")

    reply("220 sink ESMTP")
    await writer.drain()
    while True:
        line = await reader.readline()
        if not line:
            break
        command = line.decode("ascii", "replace").strip()
        verb = command.split(" ", 1)[0].upper()
        if verb == "EHLO":
            reply("250-sink")
            reply("250-AUTH PLAIN")
            reply("250 8BITMIME")
        elif verb == "HELO":
            reply("250 sink")
        elif verb == "AUTH":
            reply("235 2.7.0 accepted")
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            reply("250 ok")
        elif verb == "DATA":
            reply("354 end with <CRLF>.<CRLF>")
            await writer.drain()
            data = bytearray()
            while True:
                chunk = await reader.readline()
                if chunk in (b".\r\n", b".\n", b""):
                    break
                data += chunk[1:] if chunk.startswith(b"..") else chunk
            number = len(list(out.glob("*.eml")))
            (out / f"{number}.eml").write_bytes(bytes(data))
            reply("250 queued")
        elif verb == "QUIT":
            reply("221 bye")
            await writer.drain()
            break
        else:
            reply("502 not implemented")
        await writer.drain()
    writer.close()


async def main(port: int, out: Path) -> None:
    server = await asyncio.start_server(
        lambda r, w: session(r, w, out), host="127.0.0.1", port=port
    )
    async with server:
        await asyncio.sleep(LIFETIME_S)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), Path(sys.argv[2])))
