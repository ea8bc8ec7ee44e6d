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

from hasteh.envelope import Kind, WriteAuth, claimed_mailbox, seal

CLAIMS = [hashlib.sha256(b"crash-claim-%d" % i).digest() for i in range(8)]
MAILBOXES = [claimed_mailbox(c) for c in CLAIMS]
AUTHS = [
    WriteAuth(hashlib.sha256(b"crash-key-%d" % i).digest(), claim=c) for i, c in enumerate(CLAIMS)
]
AUTH_OF = dict(zip(MAILBOXES, AUTHS, strict=True))


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
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for env in envelopes:
        queue.put_nowait((env.to_bytes(), AUTH_OF[env.mailbox].headers(env.id)))
    with open(out, "a", buffering=1) as log:
        async with httpx.AsyncClient(base_url=url, timeout=10.0) as client:

            async def worker() -> None:
                while not queue.empty():
                    data, headers = queue.get_nowait()
                    try:
                        r = await client.post("/v1/envelopes", content=data, headers=headers)
                    except httpx.HTTPError:
                        continue
                    if r.status_code == 200:
                        body = r.json()
                        log.write(f"{body['id']} {body['cursor']}\n")

            await asyncio.gather(*(worker() for _ in range(16)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
