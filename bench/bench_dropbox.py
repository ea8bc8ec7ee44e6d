"""Drop-box benchmark: what a member's hasteh does for one outsider's submission, and
what every member does on load with a full drop box.

    uv run python bench/bench_dropbox.py [--rounds 5] [--quick]

Timed, as the median of `--rounds` runs:

- a 12-megapixel phone photo (4000×3000 JPEG with EXIF) re-encoded and shrunk to one
  event (`dropbox.shrink_photo`): the slowest part of a submission on the page; a
  plausible one (a smooth scene with light grain) and a worst case (heavy noise, which
  JPEG barely compresses, so it takes the most shrinking rounds);
- a 2-megapixel PNG screenshot, the same;
- sealing and opening a file by hand (text + one photo: HPKE; the photo's re-encoding
  happens at `seal`, so it is counted there);
- a cell holding 500 submissions of 4,000 characters and one 50 KiB photo each (about
  27 MB of log): decode and fold every stored event, as a device does on load;
- the printed A6 slip (WeasyPrint).

Prints Markdown with the machine and date on top, for docs/benchmarks.md "## Drop box".
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import time
from collections.abc import Callable

from PIL import Image

from bench_org import T0, Ids, five_member_cell, machine
from hasteh.app import dropbox
from hasteh.mls import hpke
from hasteh.org import EventEnvelope, apply, decode, encode, fold
from hasteh.org.drop import MAX_SUBMISSIONS
from hasteh.org.events import DropImage, DropSubmitted
from hasteh.publish.slip import SlipText, render_slip


def phone_photo(noise: int) -> bytes:
    """A 4000×3000 JPEG with EXIF: a smooth scene with sensor noise of `noise` (the
    worst case, pure noise, is `noise=None` below)."""
    smooth = Image.linear_gradient("L").resize((4000, 3000))
    grain = Image.effect_noise((4000, 3000), noise)
    scene = Image.merge("RGB", (smooth, grain, Image.blend(smooth, grain, 0.3)))
    exif = Image.Exif()
    exif[0x010F] = "bench camera"
    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def screenshot() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((1920, 1080)).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def full_box() -> tuple[object, list[bytes]]:
    next_id = Ids()
    base, _ = five_member_cell(next_id)
    state = base
    stored: list[bytes] = []
    photo = b"\xff\xd8\xff\xe0" + os.urandom(50 * 1024)
    text = "کارگران سالن " * 300
    for i in range(MAX_SUBMISSIONS):
        sub = EventEnvelope(1, next_id(), i % 5, T0 + 100 + i, DropSubmitted(text, images=1))  # type: ignore[arg-type]
        state = apply(state, sub)
        img = EventEnvelope(1, next_id(), i % 5, T0 + 100 + i, DropImage(sub.event_id, photo))  # type: ignore[arg-type]
        state = apply(state, img)
        stored += [encode(sub), encode(img)]
    return base, stored


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    photo, noisy, png = phone_photo(8), phone_photo(120), screenshot()
    secret, public = hpke.generate_key_pair(dropbox.KEM, os.urandom)
    key = dropbox.encode_public_key(public)
    sealed = dropbox.seal(key, "متن " * 1000, [photo], os.urandom)
    base, stored = full_box()

    def load() -> None:
        state = base
        for data in stored:
            state = fold(state, decode(data))

    slip = SlipText(
        "0123 4567 8901", datetime.date(2026, 12, 19), "http://" + "a" * 56 + ".onion", key
    )
    render_slip(slip)  # the fonts are decoded once per process
    rows = [
        ("12 MP phone photo → one event", lambda: dropbox.shrink_photo(photo), "1 s"),
        ("12 MP noisy photo (worst case)", lambda: dropbox.shrink_photo(noisy), ""),
        ("2 MP PNG screenshot → one event", lambda: dropbox.shrink_photo(png), ""),
        (
            "seal a file (text + 12 MP photo)",
            lambda: dropbox.seal(key, "متن", [photo], os.urandom),
            "",
        ),
        ("open a sealed file (HPKE only)", lambda: dropbox.unseal(secret, sealed), ""),
        (f"load {MAX_SUBMISSIONS} submissions with a photo each", load, "1 s"),
        ("A6 slip PDF", lambda: render_slip(slip), ""),
    ]
    print(f"# drop box benchmark, {datetime.date.today().isoformat()}")
    print(f"Machine: {machine()}")
    size = sum(map(len, stored)) // 2**20
    print(f"Photo: {len(photo) // 1024} KiB; log of the full box: {size} MiB\n")
    print("| what | median | min | max | runs | budget |")
    print("|:--|--:|--:|--:|--:|--:|")
    for what, fn, budget in rows:
        median, low, high = timed(fn, rounds)
        print(f"| {what} | {median:.0f} ms | {low:.0f} ms | {high:.0f} ms | {rounds} | {budget} |")


if __name__ == "__main__":
    main()
