"""Benchmark: the admin queue page at 100,000 reports (target p95 <= 50 ms).

Run as `.venv/bin/python bench/queue_page.py [--quick] [--reports N] [--pages N]` from the repository root
(`--quick`: 2,000 reports, 50 pages). Seeds with bench/nearby.py's `seed_reports`, then gives the reports
what the product gives them (an area, SLA due dates, a few intake duplicate flags, a photo each),
and times what one page view does: the queue query (`moderation.queue.queue_page`: count, sorted
page, thumbnails, followers, duplicates) plus rendering `moderation/queue.html` with the admin's
templates. Views vary like real use: officials and scoped moderators, status / category / area /
overdue / has-duplicates filters, and pages 1 to 10. Session and CSRF handling are left out (they
cost the same on every admin page).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import jinja2  # noqa: E402 - after sys.path
from tortoise import Tortoise  # noqa: E402

from bot.admin.language import language_names  # noqa: E402
from bot.admin.models import StaffUser  # noqa: E402
from bot.admin.views import TEMPLATES_DIR, install_template_helpers  # noqa: E402
from bot.composition import all_features  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import tortoise_config  # noqa: E402
from bot.i18n import Translator  # noqa: E402
from bot.reports.areas import DEFAULT_AREAS_FILE, Areas  # noqa: E402
from bot.reports.categories import DEFAULT_CATEGORIES  # noqa: E402
from moderation.queue import QueueFilter, View, due_at, queue_page  # noqa: E402
from moderation.views.common import STATUS_LABELS  # noqa: E402

TARGET_P95_MS = 50.0
PAGE_SIZE = 50
AREA_KEYS = ("huangpu", "jingan", "xuhui")
FLAGS = 2_000


def prepare(path: Path, *, seed: int = 3) -> None:
    """Areas, due dates (as the SLA listener stamps them), duplicate flags and photos, in plain SQL."""
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    try:
        with connection:
            ids = [row[0] for row in connection.execute("SELECT id FROM report")]
            connection.executemany(
                "UPDATE report SET area = ? WHERE id = ?",
                ((rng.choice((*AREA_KEYS, None)), report_id) for report_id in ids),
            )
            connection.execute(
                "UPDATE report SET moderation_due_at = datetime(created_at, '+1 day') "
                "WHERE status IN ('submitted', 'reopened')"
            )
            connection.execute(
                "UPDATE report SET resolution_due_at = datetime(created_at, '+7 days') "
                "WHERE status IN ('accepted', 'dispatched', 'in_progress')"
            )
            connection.execute(
                "UPDATE report SET overdue = 1 WHERE status IN ('submitted', 'reopened', "
                "'accepted', 'dispatched', 'in_progress') AND id % 7 = 0"
            )
            pairs = {tuple(sorted(rng.sample(ids, 2))) for _ in range(FLAGS)}
            connection.executemany(
                "INSERT INTO duplicate_flag (report_id, similar_to_id, kind, phash_distance, distance_m, created_at)"
                " VALUES (?, ?, 'photo', 4, 20.0, '2026-11-23 02:00:00')",
                ((b, a) for a, b in pairs),
            )
            connection.executemany(
                "INSERT INTO photo (report_id, owner_id, storage_key, thumbnail_key, sha256, phash, width_px,"
                " height_px, telegram_file_unique_id, position, created_at) VALUES (?, 1, 'k', 't', 's', 'p', 1, 1,"
                " '', 0, '2026-11-23 02:00:00')",
                ((report_id,) for report_id in ids),
            )
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _views(rng: random.Random) -> list[tuple[StaffUser, QueueFilter]]:
    official = StaffUser(username="o", role="official", areas=[], categories=[], language="zh_CN")
    moderators = [
        StaffUser(username=f"m{a}", role="moderator", areas=[a], categories=[], language="zh_CN") for a in AREA_KEYS
    ]
    statuses = [View.QUEUE, View.OPEN, View.ALL, "accepted", "dispatched", "fixed"]
    views = []
    for _ in range(200):
        staff = rng.choice([official, *moderators])
        views.append(
            (
                staff,
                QueueFilter(
                    status=rng.choice(statuses),
                    page=rng.choice((1, 1, 1, 2, 3, 10)),
                    category=rng.choice(("", "", DEFAULT_CATEGORIES[0].key, "traffic")),
                    area=staff.areas[0] if staff.areas and rng.random() < 0.5 else "",
                    overdue=rng.random() < 0.2,
                    has_duplicates=rng.random() < 0.1,
                ),
            )
        )
    return views


async def time_pages(path: Path, pages: int, *, seed: int = 4) -> list[float]:
    """Seconds per page view (query and render) over `pages` varied views; the first 20 warm up."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            [str(TEMPLATES_DIR), *(str(f.templates) for f in all_features() if f.templates is not None)]
        ),
        autoescape=True,
    )
    install_template_helpers(environment, Settings(_env_file=None))  # the admin's own filters and globals
    template = environment.get_template("moderation/queue.html")
    areas, rng = Areas.from_file(DEFAULT_AREAS_FILE), random.Random(seed)
    views = _views(rng)
    await Tortoise.init(config=tortoise_config(f"sqlite://{path}"))
    try:
        samples = []
        for index in range(pages + 20):
            staff, wanted = views[index % len(views)]
            started = time.perf_counter()
            page = await queue_page(staff, wanted, page_size=PAGE_SIZE)
            template.render(_context(staff, page, areas))
            if index >= 20:
                samples.append(time.perf_counter() - started)
        return samples
    finally:
        await Tortoise.close_connections()


def _context(staff: StaffUser, page: Any, areas: Areas) -> dict[str, Any]:
    _ = Translator(staff.language)
    return {
        "_": _,
        "ngettext": _.ngettext,
        "csrf_token": "x" * 43,
        "staff": staff,
        "nav": [],
        "current_nav": None,
        "current_path": "/admin/queue",
        "language_names": language_names(),
        "locale": staff.language,
        "page": page,
        "filter": page.filter,
        "due_at": due_at,
        "flashes": [],
        "status_labels": STATUS_LABELS,
        "category_names": {c.key: c.label for c in DEFAULT_CATEGORIES},
        "categories": DEFAULT_CATEGORIES,
        "areas": areas,
        "status_choices": list(STATUS_LABELS.items()),
        "area_choices": areas.areas,
        "category_choices": DEFAULT_CATEGORIES,
    }


def queue_page_figure(reports: int, pages: int = 1000) -> tuple[str, bool]:
    """Seed, prepare and time; returns the printed line and whether the target is met."""
    from bench.nearby import percentiles_ms, seed_reports

    with tempfile.TemporaryDirectory(prefix="safecity-bench-queue-") as scratch:
        path, _ = seed_reports(reports, Path(scratch) / "queue.sqlite3")
        prepare(path)
        samples = asyncio.run(time_pages(path, pages))
    p50, p95 = percentiles_ms(samples)
    line = (
        f"queue page: p50 {p50:.1f} ms, p95 {p95:.1f} ms at {reports:,} reports "
        f"(target p95 <= {TARGET_P95_MS:g} ms; query + render, {statistics.mean(samples) * 1000:.1f} ms mean)"
    )
    return line, p95 <= TARGET_P95_MS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 reports, 50 pages")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.quick:
        args.reports, args.pages = 2_000, 50
    line, met = queue_page_figure(args.reports, args.pages)
    print(line)
    return 0 if args.quick or met else 1


if __name__ == "__main__":
    raise SystemExit(main())
