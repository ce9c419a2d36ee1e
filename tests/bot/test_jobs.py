"""The outbox delivers every feature's reaction to a status change exactly once (issue 9, acceptance 2-4).

Redis stopped while a report is accepted, a process that dies between the commit and the enqueue, and a
reaction job run twice: the reporter's DM, the reward and the moderators' group post each happen once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from redis.exceptions import RedisError

from bot.admin.accounts import Role
from bot.admin.models import StaffUser
from bot.config import Settings
from bot.embedded_redis import EmbeddedRedis
from bot.jobs import REACT_LEASE, relay_changes
from bot.reports.models import ReactionDone, Report, StatusChange
from bot.reports.outbox import claim_changes
from bot.runtime import WebRuntime
from moderation import decisions
from rewards.models import RewardGrant
from tests.admin_client import make_staff
from tests.conftest import FrozenClock
from tests.factories import add_photo, make_pool, make_report, make_resident
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]
GROUP = -1009
REPORTER = 7101


@pytest.fixture
def settings(settings: Settings, own_redis: EmbeddedRedis) -> Settings:
    return settings.model_copy(update={"redis_url": own_redis.url, "moderators_chat_id": GROUP, "default_locale": "en"})


async def submitted(product: WebRuntime, run_worker: Worker) -> tuple[Report, StaffUser]:
    """A report with a photo, posted to the moderators' group; a funded pool; a moderator."""
    await make_pool()
    report = await make_report(await make_resident(REPORTER), category="fire_exit")
    await add_photo(report, product.settings)
    await run_worker()
    return report, await make_staff("mia", Role.MODERATOR)


async def accept(product: WebRuntime, report: Report, staff: StaffUser, clock: FrozenClock) -> None:
    await decisions.accept(report, staff, "medium", sla=product.services.sla, now=clock())


def reactions_seen(fake_api: FakeBotAPI) -> tuple[int, int, int]:
    """(DMs telling the reporter it was accepted, reward DMs, edits closing the group post)."""
    texts = [m["text"] for m in fake_api.sent(REPORTER)]
    accepted = sum("accepted" in text for text in texts)
    rewarded = sum("reward" in text.lower() for text in texts)
    closed = len(fake_api.sent(GROUP, "editMessageCaption"))
    return accepted, rewarded, closed


async def test_accepted_while_redis_is_stopped_then_delivered_once_it_is_back(
    product: WebRuntime, own_redis: EmbeddedRedis, run_worker: Worker, fake_api: FakeBotAPI, clock: FrozenClock
) -> None:
    report, staff = await submitted(product, run_worker)
    own_redis.stop()
    await accept(product, report, staff, clock)  # the decision commits: Redis is not in its way
    with pytest.raises((RedisError, OSError)):
        await relay_changes(product.services)
    [change] = await StatusChange.filter(report_id=report.id, to_status="accepted")
    assert change.react_claimed_until is None and change.reacted_at is None  # given back for the next round
    own_redis.start()
    await run_worker()
    assert reactions_seen(fake_api) == (1, 1, 1)
    assert await RewardGrant.filter(report_id=report.id).count() == 1
    await run_worker()
    assert reactions_seen(fake_api) == (1, 1, 1)


async def test_a_process_that_died_after_the_commit_leaves_the_change_to_the_next_relay(
    product: WebRuntime, run_worker: Worker, fake_api: FakeBotAPI, clock: FrozenClock
) -> None:
    """Killed before any enqueue, or after claiming and before enqueuing: every reaction still happens, once."""
    report, staff = await submitted(product, run_worker)
    await accept(product, report, staff, clock)
    assert await claim_changes(clock(), REACT_LEASE, 10)  # claimed by a relay that then died
    await run_worker()
    assert reactions_seen(fake_api) == (0, 0, 0)  # the dead relay's lease still holds
    clock.advance(seconds=REACT_LEASE.total_seconds() + 1)
    await run_worker()
    assert reactions_seen(fake_api) == (1, 1, 1)
    assert await RewardGrant.filter(report_id=report.id).count() == 1


async def test_running_the_reactions_again_sends_and_grants_nothing_twice(
    product: WebRuntime, run_worker: Worker, fake_api: FakeBotAPI, clock: FrozenClock
) -> None:
    report, staff = await submitted(product, run_worker)
    await accept(product, report, staff, clock)
    await run_worker()
    assert reactions_seen(fake_api) == (1, 1, 1)
    changes = StatusChange.filter(report_id=report.id)
    assert await ReactionDone.filter(change__report_id=report.id).count() > 0
    # As if no reaction had been recorded: the job runs every reaction of every change once more.
    await ReactionDone.filter(change__report_id=report.id).delete()
    await changes.update(reacted_at=None, react_claimed_until=None)
    clock.advance(minutes=1)
    await run_worker()
    assert reactions_seen(fake_api) == (1, 1, 1)
    assert await RewardGrant.filter(report_id=report.id).count() == 1
    assert len(fake_api.sent(GROUP, "sendPhoto")) == 1
    assert await changes.filter(reacted_at__isnull=True).count() == 0
