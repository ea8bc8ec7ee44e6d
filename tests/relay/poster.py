"""A posting client process for the crash test: `python poster.py URL COUNT SEED OUT`.

Posts COUNT envelopes into the mailboxes derived from SEED with 16 requests in flight, and
appends `id cursor` to OUT (flushed) for every acknowledged post. Bounded: one attempt per
envelope, 10 s per request.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys

import httpx

from hasteh.envelope import Kind, seal

MAILBOXES = [hashlib.sha256(b"crash-mailbox-%d" % i).digest() for i in range(8)]


async def main(url: str, count: int, seed: int, out: str) -> None:
    envelopes = [
        seal(
            kind=Kind.MESSAGE,
            mailbox=MAILBOXES[i % len(MAILBOXES)],
            payload=b"%d:%d" % (seed, i),
            rng=os.urandom,
        )
        for i in range(count)
    ]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for env in envelopes:
        queue.put_nowait(env.to_bytes())
    with open(out, "a", buffering=1) as log:
        async with httpx.AsyncClient(base_url=url, timeout=10.0) as client:

            async def worker() -> None:
                while not queue.empty():
                    data = queue.get_nowait()
                    try:
                        r = await client.post("/v1/envelopes", content=data)
                    except httpx.HTTPError:
                        continue
                    if r.status_code == 200:
                        body = r.json()
                        log.write(f"{body['id']} {body['cursor']}\n")

            await asyncio.gather(*(worker() for _ in range(16)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
