"""Loading the resident who sent an update, with their draft, in one statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reports.models import Draft
from bot.reports.residents import Sender, load_resident
from tests.factories import make_resident

NOW = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def sender(user_id: int) -> Sender:
    return Sender(user_id, "Alice", None, "en")


async def test_a_resident_comes_back_with_their_draft_as_stored(orm: None) -> None:
    await make_resident(5101, first_name="Alice", language="en")
    stored = await Draft.create(
        resident_id=5101, step="location", lat=31.2, lon=121.4, touched_at=NOW - timedelta(minutes=3), phashes="ab"
    )
    resident, draft = await load_resident(sender(5101), default_locale="zh_CN", now=NOW)
    assert (resident.id, resident.first_name, resident.language) == (5101, "Alice", "en")
    assert draft is not None
    assert (draft.id, draft.step, draft.lat, draft.lon, draft.phashes) == (stored.id, "location", 31.2, 121.4, "ab")
    assert draft.touched_at == NOW - timedelta(minutes=3)
    assert draft.photo_count == 0


async def test_a_resident_without_a_draft_comes_back_without_one(orm: None) -> None:
    await make_resident(5102, first_name="Alice", language="en")
    resident, draft = await load_resident(sender(5102), default_locale="zh_CN", now=NOW)
    assert resident.id == 5102 and resident.chat_id == 5102
    assert draft is None
