"""A process fills its per-database memories at start-up, not in the first resident's request."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from bot.reports.dedup import nearby_open_reports
from bot.reports.models import Photo, Report, Resident
from bot.reports.photo_hashes import photo_hashes
from bot.reports.warm_up import warm_up
from bot.runtime import WebRuntime
from tests.bot.reports.test_spatial import CENTRE, postgis_checks
from tests.conftest import FrozenClock
from tests.factories import make_archived_photos

PHASH = "a4b1653289fe710f"


async def _filed_photo_id() -> int:
    await Resident.get_or_create(id=2, defaults={"chat_id": 2, "first_name": "R2"})
    [report_id] = await make_archived_photos([PHASH], [2])
    return (await Photo.get(report_id=report_id)).id


def _in_memory(phash: str) -> list[int]:
    """The photo ids the memory holds for `phash`, read without touching the database."""
    memory = photo_hashes(Photo._meta.db)
    return list(memory.index.within(np.array([int(phash, 16)], dtype=np.uint64), 0).tolist())


async def test_warm_up_loads_every_filed_phash(orm: None) -> None:
    photo_id = await _filed_photo_id()
    assert _in_memory(PHASH) == []
    await warm_up()
    assert _in_memory(PHASH) == [photo_id]


async def test_after_warm_up_no_spatial_query_asks_for_postgis(
    orm: None, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    if Report._meta.db.capabilities.dialect != "postgres":
        pytest.skip("SQLite always has its R*Tree: nothing to ask")
    await warm_up()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        await nearby_open_reports(*CENTRE, "traffic", 250, now=clock())
    assert postgis_checks(caplog) == 0
    assert caplog.records  # the query itself was logged


async def test_a_web_process_is_warm_before_it_serves(product: WebRuntime) -> None:
    assert photo_hashes(Photo._meta.db).loaded
