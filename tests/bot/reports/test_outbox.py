"""Outbox claims: one relay wins a change, a lease that ran out frees it, a reacted change is never claimed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reports.models import StatusChange
from bot.reports.outbox import claim_changes, mark_reacted, reactions_done, record_done, release_claim
from tests.factories import make_report, make_resident

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def test_a_change_is_claimed_by_one_relay_until_its_lease_runs_out(orm: None) -> None:
    report = await make_report(await make_resident(1))
    [change_id] = await claim_changes(NOW, LEASE, 10)
    assert (await StatusChange.get(id=change_id)).report_id == report.id
    assert await claim_changes(NOW + timedelta(seconds=59), LEASE, 10) == []
    assert await claim_changes(NOW + timedelta(seconds=61), LEASE, 10) == [change_id]


async def test_a_released_claim_is_claimable_at_once_and_a_reacted_change_never(orm: None) -> None:
    await make_report(await make_resident(1))
    [change_id] = await claim_changes(NOW, LEASE, 10)
    await release_claim(change_id)
    assert await claim_changes(NOW, LEASE, 10) == [change_id]
    await mark_reacted(change_id, NOW)
    assert await claim_changes(NOW + timedelta(days=1), LEASE, 10) == []


async def test_oldest_first_and_at_most_the_batch(orm: None) -> None:
    for resident_id in (1, 2, 3):
        await make_report(await make_resident(resident_id))
    first_two = await claim_changes(NOW, LEASE, 2)
    assert first_two == sorted(first_two) and len(first_two) == 2
    assert len(await claim_changes(NOW, LEASE, 10)) == 1


async def test_a_reaction_is_recorded_once(orm: None) -> None:
    await make_report(await make_resident(1))
    [change_id] = await claim_changes(NOW, LEASE, 10)
    await record_done(change_id, "moderation.notify", NOW)
    await record_done(change_id, "moderation.notify", NOW)  # a concurrent run: no error, one row
    assert await reactions_done(change_id) == {"moderation.notify"}
