"""Benchmark: the photo intake pipeline against a bare decode at the pipeline's own scale, and the whole intake step.

Run as `.venv/bin/python bench/photo_intake.py [--quick] [--repeat N] [--per-photo]` from the repository root.
Uses the shared reference photos (../shared/photos; the two no decoder can read are left out).

1. The pipeline (`process_photo`: sniff, header, decode, colour, EXIF, upright, thumbnail, two JPEG
   encodes, SHA-256, pHash) against the yardstick any intake of the same JPEG must pay: a header parse and
   a decode at the scale and with the decoder the pipeline uses (libjpeg-turbo's N/8 DCT scaling, so a
   3264 px photo decodes at half size on both sides). Each photo is timed `--repeat` times per side,
   interleaved, and its best time kept (interference only ever adds time); the figure is the sum over
   photos, as wall time and as the thread's CPU time (steadier on a busy host). Target: <= 1.5x.
2. The whole step a resident waits for: `getFile` and the download from a fake Bot API (tests/fake_botapi.py,
   over HTTP in another process), then `Intake.add_photo` (pipeline, storage, the photo row, the same-photo
   lookup) on a migrated SQLite database; each photo goes to its own draft.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from multiprocessing.connection import Connection
from pathlib import Path

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from aiohttp import web  # noqa: E402 - after sys.path
from telegram import Bot  # noqa: E402

from bench.nearby import percentiles_ms  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import close_db, init_db  # noqa: E402
from bot.reports.drafts import Turn  # noqa: E402
from bot.reports.intake import Intake, Prompt  # noqa: E402
from bot.reports.jpeg import decode_scaled, eighths_for, scaled_size  # noqa: E402
from bot.reports.models import Resident  # noqa: E402
from bot.reports.photos import PhotoLimits, PhotoRejectedError, process_photo  # noqa: E402
from bot.services import intake_rules  # noqa: E402
from bot.storage import DirectoryStorage  # noqa: E402
from tests.fake_botapi import FakeBotAPI  # noqa: E402
from tests.pg import migrate_new  # noqa: E402
from tests.photos import PHOTOS_DIR  # noqa: E402 - the shared photos, found from a worktree too

TARGET_RATIO = 1.5
LIMITS = PhotoLimits()
#: Fixed "now" so the run does not depend on the wall clock (only taken_at checks use it).
NOW = datetime(2026, 11, 22, tzinfo=UTC)
Clock = Callable[[], float]


def bare_decode(data: bytes) -> None:
    """The yardstick: a header parse and a decode at the pipeline's scale, with the pipeline's decoder
    (Pillow's power-of-two draft for a file that decoder declines, as the pipeline does)."""
    im = Image.open(BytesIO(data))
    eighths = eighths_for(im.size, LIMITS.max_side_px)
    if decode_scaled(data, im.size, eighths) is None:
        im.draft("RGB", scaled_size(im.size, eighths))
        im.load()


def pipeline(data: bytes) -> None:
    process_photo(data, limits=LIMITS, now=NOW)


def decodable_photos() -> list[tuple[str, bytes]]:
    """Every shared photo that both the bare decode and the pipeline can handle."""
    photos = []
    for path in sorted(PHOTOS_DIR.glob("*.jpg")):
        data = path.read_bytes()
        try:
            bare_decode(data)
            pipeline(data)
        except (OSError, SyntaxError, PhotoRejectedError):
            continue
        photos.append((path.name, data))
    return photos


def best_ms(run: Callable[[bytes], None], data: bytes, clock: Clock) -> float:
    started = clock()
    run(data)
    return (clock() - started) * 1000


def best_times(photos: list[tuple[str, bytes]], repeat: int, clock: Clock) -> dict[str, tuple[float, float]]:
    """Per photo, the best (yardstick, pipeline) time over `repeat` interleaved runs."""
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeat):
        for name, data in photos:
            bare, full = best_ms(bare_decode, data, clock), best_ms(pipeline, data, clock)
            known = best.get(name, (bare, full))
            best[name] = (min(bare, known[0]), min(full, known[1]))
    return best


def ratio_line(label: str, best: dict[str, tuple[float, float]]) -> tuple[str, float]:
    bare, full = sum(times[0] for times in best.values()), sum(times[1] for times in best.values())
    ratio = full / bare
    return (
        f"photo_intake ({label}): pipeline {full / len(best):.1f} ms/photo, yardstick {bare / len(best):.1f} "
        f"ms/photo, ratio {ratio:.2f}x (target <= {TARGET_RATIO}x) over {len(best)} photos",
        ratio,
    )


# --- the whole intake step -------------------------------------------------------------------


def serve_fake_api(conn: Connection, files: dict[str, bytes]) -> None:
    """Child process: the fake Bot API serving `files` on a free loopback port, until told to stop."""

    async def main() -> None:
        api = FakeBotAPI()
        api.files.update({file_id: (content, f"photos/{file_id}.jpg") for file_id, content in files.items()})
        runner = web.AppRunner(api.app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        conn.send((f"http://127.0.0.1:{runner.addresses[0][1]}", api.token))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"
        await runner.cleanup()

    asyncio.run(main())


async def intake_steps(settings: Settings, photos: list[tuple[str, bytes]]) -> tuple[list[float], list[float]]:
    """Seconds from getFile to the stored photo row, and of them the download's, per photo, each into its
    own fresh draft."""
    await migrate_new(settings.effective_database_url)
    await init_db(settings)
    bot = Bot(settings.bot_token, base_url=settings.telegram_api_url, base_file_url=settings.telegram_file_url)
    await bot.initialize()
    intake = Intake(intake_rules(settings), DirectoryStorage(settings.photo_dir))
    try:
        samples, downloads = [], []
        for number, _ in enumerate(photos, 1):
            resident = await Resident.create(id=number, chat_id=number, first_name=f"R{number}")
            draft = (await intake.start(resident, None, Turn(number * 10, NOW))).draft
            assert draft is not None
            started = time.perf_counter()
            data = bytes(await (await bot.get_file(f"photo-{number}")).download_as_bytearray())
            downloaded = time.perf_counter()
            turn = Turn(number * 10 + 1, NOW)
            reply = await intake.add_photo(resident, draft, data, telegram_file_unique_id=f"u{number}", turn=turn)
            samples.append(time.perf_counter() - started)
            downloads.append(downloaded - started)
            assert reply.prompt is Prompt.PHOTO_ADDED, reply
        return samples, downloads
    finally:
        await bot.shutdown()
        await close_db()


def time_intake_steps(photos: list[tuple[str, bytes]]) -> tuple[list[float], list[float]]:
    files = {f"photo-{number}": data for number, (_, data) in enumerate(photos, 1)}
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_fake_api, args=(child, files))
    server.start()
    try:
        url, token = parent.recv()
        with tempfile.TemporaryDirectory(prefix="safecity-bench-") as scratch:
            settings = Settings(
                _env_file=None,
                var_dir=Path(scratch),
                database_url=f"sqlite://{Path(scratch) / 'intake.sqlite3'}",
                telegram_bot_token=token,
                telegram_api_url=f"{url}/bot",
                telegram_file_url=f"{url}/file/bot",
            )
            return asyncio.run(intake_steps(settings, photos))
    finally:
        parent.send("stop")
        server.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per photo and side (seconds)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per photo and side")
    parser.add_argument("--per-photo", action="store_true", help="also print each photo's ratio")
    args = parser.parse_args(argv)
    photos = decodable_photos()
    repeat = 1 if args.quick else args.repeat
    wall, cpu = best_times(photos, repeat, time.perf_counter), best_times(photos, repeat, time.thread_time)
    if args.per_photo:
        for name, (bare, full) in wall.items():
            print(f"  {name:48} {full / bare:5.2f}x  ({bare:6.1f} -> {full:6.1f} ms)")
    steps, downloads = time_intake_steps(photos)
    p50, p95 = percentiles_ms(steps)
    print(
        f"intake step (getFile + download + add_photo to the stored row): mean {statistics.mean(steps) * 1000:.1f} "
        f"ms, p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(steps)} photos; of it the download: mean "
        f"{statistics.mean(downloads) * 1000:.1f} ms (load average {os.getloadavg()[0]:.1f})"
    )
    print(ratio_line(f"CPU, best of {repeat}", cpu)[0])
    line, _ = ratio_line(f"wall, best of {repeat}", wall)
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
