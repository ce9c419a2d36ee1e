"""Benchmark: the whole photo intake pipeline against a bare Pillow draft-mode decode.

Run as `.venv/bin/python bench/photo_intake.py [--repeat N] [--per-photo] [--check]` from the repository
root. Uses the 40 shared reference photos in ../shared/photos (the two that cannot be decoded are
skipped) and prints one figure line. The target is a pipeline cost of at most 1.5x the bare decode
of the same files; --check turns a miss into exit status 1 (timings on a shared 2-vCPU host move by
about +-0.1x between runs, so the plain run only reports).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.reports.photos import PhotoLimits, PhotoRejectedError, process_photo  # noqa: E402 - after sys.path

PHOTOS_DIR = REPO_ROOT.parent / "shared" / "photos"
TARGET_RATIO = 1.5
#: Fixed "now" so the run does not depend on the wall clock (only taken_at checks use it).
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def bare_decode(data: bytes) -> None:
    """The yardstick: what any JPEG intake must pay at least (header parse + draft decode)."""
    im = Image.open(BytesIO(data))
    im.draft("RGB", (2048, 2048))
    im.load()


def pipeline(data: bytes) -> None:
    process_photo(data, limits=PhotoLimits(), now=NOW)


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


def ms_per_photo(run: Callable[[bytes], None], photos: list[tuple[str, bytes]], repeat: int) -> float:
    """Median over `repeat` passes of the mean time per photo."""
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _name, data in photos:
            run(data)
        passes.append((time.perf_counter() - started) / len(photos) * 1000)
    return statistics.median(passes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="passes over all photos per side")
    parser.add_argument("--per-photo", action="store_true", help="also print each photo's ratio")
    parser.add_argument("--check", action="store_true", help="exit 1 when the ratio misses the target")
    args = parser.parse_args()

    photos = decodable_photos()
    pipeline_ms: list[float] = []
    bare_ms: list[float] = []
    # Interleave single passes so that CPU frequency drift or a noisy neighbour hits both sides.
    for _ in range(args.repeat):
        bare_ms.append(ms_per_photo(bare_decode, photos, 1))
        pipeline_ms.append(ms_per_photo(pipeline, photos, 1))
    if args.per_photo:
        for name, data in photos:
            one = [(name, data)]
            ratio = ms_per_photo(pipeline, one, 5) / ms_per_photo(bare_decode, one, 5)
            print(f"  {name:48} {ratio:5.2f}x")
    pipeline_median, bare_median = statistics.median(pipeline_ms), statistics.median(bare_ms)
    ratio = pipeline_median / bare_median
    print(
        f"photo_intake: pipeline {pipeline_median:.1f} ms/photo, "
        f"bare draft decode {bare_median:.1f} ms/photo, ratio {ratio:.2f}x (target <= {TARGET_RATIO}x) "
        f"over {len(photos)} photos, {args.repeat} passes"
    )
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
