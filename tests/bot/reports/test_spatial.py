"""The spatial query's database round trips (PostgreSQL: whether PostGIS is there is asked once)."""

from __future__ import annotations

import logging

import pytest
from tortoise.transactions import in_transaction

from bot.reports.dedup import nearby_open_reports
from bot.reports.models import Report
from tests.conftest import FrozenClock

CENTRE = (31.2304, 121.4737)


def postgis_checks(caplog: pytest.LogCaptureFixture) -> int:
    return sum("to_regclass('report_geog_idx')" in record.getMessage() for record in caplog.records)


async def test_postgis_presence_is_asked_once_not_per_query(
    orm: None, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The first spatial query asks whether the GiST index exists; later ones, in a transaction or not, don't."""
    if Report._meta.db.capabilities.dialect != "postgres":
        pytest.skip("SQLite always has its R*Tree: nothing to ask")
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        await nearby_open_reports(*CENTRE, "traffic", 250, now=clock())
        first = postgis_checks(caplog)
        caplog.clear()
        await nearby_open_reports(*CENTRE, "traffic", 250, now=clock())
        async with in_transaction():
            await nearby_open_reports(*CENTRE, "traffic", 250, now=clock())
        later = postgis_checks(caplog)
        queries = len(caplog.records)
    assert (first, later) == (1, 0)
    assert queries >= 2  # the log did capture the later queries themselves
