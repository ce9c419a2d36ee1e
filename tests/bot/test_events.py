"""Domain events: published once per fact, each feature's reaction to its kind run once, failures retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from arq.jobs import Job
from tortoise.transactions import in_transaction

from bot.config import Settings
from bot.events import DomainEvent, publish
from bot.features import EventReaction, Feature
from bot.jobs import REACT_EVENT_JOB, react_to_event, relay_changes
from bot.services import Services, running_services
from tests.conftest import FrozenClock


class Recorder:
    """A feature's reactions that remember what they saw; `failing` makes one raise until cleared."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.failing = False

    def reaction(self, kind: str, name: str) -> EventReaction:
        async def run(_: Services, event: DomainEvent) -> None:
            if self.failing and name == "flaky":
                raise RuntimeError("not now")
            self.seen.append((name, event.key))

        return EventReaction(kind=kind, name=name, run=run)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def services(orm: None, settings: Settings, clock: FrozenClock, recorder: Recorder) -> AsyncIterator[Services]:
    feature = Feature(
        name="test",
        event_reactions=(
            recorder.reaction("cell.level_changed", "steady"),
            recorder.reaction("cell.level_changed", "flaky"),
            recorder.reaction("incident.recorded", "other-kind"),
        ),
    )
    async with running_services(settings, (), clock=clock) as built:
        yield replace(built, features=(feature,))


async def test_publishing_the_same_fact_twice_stores_one_event(orm: None, clock: FrozenClock) -> None:
    async with in_transaction():
        assert await publish("cell.level_changed:c1:1", "cell.level_changed", {"to": "red"}, actor="x", now=clock())
        assert not await publish("cell.level_changed:c1:1", "cell.level_changed", {"to": "red"}, actor="x", now=clock())
    assert await DomainEvent.filter(kind="cell.level_changed").count() == 1


async def test_an_event_of_a_rolled_back_transaction_never_existed(orm: None, clock: FrozenClock) -> None:
    async def fact_that_fails() -> None:
        async with in_transaction():
            await publish("incident.recorded:9", "incident.recorded", {}, actor="x", now=clock())
            raise RuntimeError("the fact did not commit")

    with pytest.raises(RuntimeError):
        await fact_that_fails()
    assert not await DomainEvent.exists(key="incident.recorded:9")


async def test_each_reaction_to_the_kind_runs_once_even_when_the_job_runs_twice(
    services: Services, recorder: Recorder, clock: FrozenClock
) -> None:
    await publish("cell.level_changed:c1:1", "cell.level_changed", {}, actor="x", now=clock())
    event = await DomainEvent.get(key="cell.level_changed:c1:1")
    ctx = {"services": services}
    assert await react_to_event(ctx, event.id) == 2
    assert await react_to_event(ctx, event.id) == 0
    assert sorted(recorder.seen) == [("flaky", event.key), ("steady", event.key)]
    assert (await DomainEvent.get(id=event.id)).reacted_at == clock()


async def test_a_failing_reaction_fails_the_job_and_only_it_runs_again(
    services: Services, recorder: Recorder, clock: FrozenClock
) -> None:
    await publish("cell.level_changed:c2:1", "cell.level_changed", {}, actor="x", now=clock())
    event = await DomainEvent.get(key="cell.level_changed:c2:1")
    recorder.failing = True
    with pytest.raises(RuntimeError, match="flaky"):
        await react_to_event({"services": services}, event.id)
    assert (await DomainEvent.get(id=event.id)).reacted_at is None
    recorder.failing = False
    assert await react_to_event({"services": services}, event.id) == 1
    assert recorder.seen == [("steady", event.key), ("flaky", event.key)]


async def test_the_relay_queues_one_job_per_unreacted_event(services: Services, clock: FrozenClock) -> None:
    await publish("incident.recorded:5", "incident.recorded", {}, actor="x", now=clock())
    event = await DomainEvent.get(key="incident.recorded:5")
    assert await relay_changes(services) == 1
    assert await relay_changes(services) == 0  # claimed: the next round leaves it to its job
    job = Job(f"react-event:{event.id}:{int(clock().timestamp())}", services.redis)
    info = await job.info()
    assert info is not None and info.function == REACT_EVENT_JOB and info.args == (event.id,)
