"""A byte pipe from a listening socket to another, for tests that join network namespaces.

    python forward.py tcp:PORT unix:PATH     # listen on 127.0.0.1:PORT, connect to PATH
    python forward.py unix:PATH tcp:PORT     # listen on PATH, connect to 127.0.0.1:PORT

A Unix socket is a file, so it crosses network namespaces: a forwarder started inside a
namespace (its own loopback only) reaches a service of the host namespace through one.
Killing the forwarder cuts that link. Prints ``ready`` once listening.
"""

from __future__ import annotations

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _connect(target: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    kind, _, where = target.partition(":")
    if kind == "unix":
        return await asyncio.open_unix_connection(where)
    return await asyncio.open_connection("127.0.0.1", int(where))


async def main(listen: str, target: str) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            far_reader, far_writer = await _connect(target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, far_writer), _pipe(far_reader, writer))

    kind, _, where = listen.partition(":")
    if kind == "unix":
        server = await asyncio.start_unix_server(handle, where)
    else:
        server = await asyncio.start_server(handle, "127.0.0.1", int(where))
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
