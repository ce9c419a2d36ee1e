"""Levels follow status changes: one recorded change and one message per chat, however often reactions run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.city.models import Agency
from bot.events import DomainEvent, EventKind
from bot.reports.lifecycle import transition
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from risk.models import CellRisk, LevelChange
from risk.reactions import notify_level_change, recompute_cell
from tests.conftest import FrozenClock
from tests.factories import SLA, STAFF, make_resident, make_rewardable_report
from tests.fake_botapi import FakeBotAPI
from tests.risk.conftest import AGENCY_CHAT, SUPERVISORS
from tests.risk.helpers import use_simple_rules

Worker = Callable[[], Awaitable[int]]
CELL = "huangpu-0402"  # where tests.factories.HUANGPU lies


async def accepted(resident_id: int, severity: str = "medium", category: str = "traffic") -> Report:
    return await make_rewardable_report(await make_resident(resident_id), category=category, severity=severity)


async def test_an_acceptance_over_the_threshold_records_one_change_and_tells_each_chat_once(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    await use_simple_rules(clock())
    await Agency.create(key="hp-fire", name="Huangpu fire brigade", areas=["huangpu"], telegram_chat_id=AGENCY_CHAT)
    await Agency.create(key="xh-fire", name="Xuhui fire brigade", areas=["xuhui"], telegram_chat_id=-1)
    report = await accepted(4001)  # one open medium hazard: 5, orange
    await run_worker()
    [change] = await LevelChange.all()
    assert (change.cell, change.from_level, change.to_level, change.district) == (CELL, None, "orange", "huangpu")
    assert change.why["score"] == 5 and change.why["parts"]["open"] == 5 and change.changed_at == clock()
    [agency_message], [supervisor_message] = fake_api.sent(AGENCY_CHAT), fake_api.sent(SUPERVISORS)
    assert agency_message["text"] == supervisor_message["text"]
    assert "黄浦区" in agency_message["text"]
    assert "橙色" in agency_message["text"] and f"/admin/map?cell={CELL}" in agency_message["text"]
    assert fake_api.sent(-1) == []

    # Both reactions again, as the outbox may run them after a crash: nothing new.
    status_change = await StatusChange.filter(report_id=report.id).order_by("-id").first()
    assert status_change is not None
    await recompute_cell(product.services, status_change, report)
    await notify_level_change(product.services, await DomainEvent.get(kind=EventKind.CELL_LEVEL_CHANGED))
    await run_worker()
    assert await LevelChange.all().count() == 1
    assert len(fake_api.sent(AGENCY_CHAT)) == 1 and len(fake_api.sent(SUPERVISORS)) == 1


async def test_the_event_carries_the_change(product: WebRuntime, run_worker: Worker, clock: FrozenClock) -> None:
    await use_simple_rules(clock())
    await accepted(4011, severity="high")  # 8: orange
    await run_worker()
    event = await DomainEvent.get(kind=EventKind.CELL_LEVEL_CHANGED)
    change = await LevelChange.get()
    assert event.key == f"cell.level_changed:{change.id}"
    assert event.payload == {
        "cell": CELL,
        "from": None,
        "to": "orange",
        "why": "score 8.00 (open 8)",
        "change_id": change.id,
        "district": "huangpu",
    }


async def test_a_fix_lowers_the_level_and_a_yellow_cell_tells_nobody(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    await use_simple_rules(clock())
    report = await accepted(4021)
    await run_worker()
    await transition(report, Status.FIXED, actor=STAFF, sla=SLA, now=clock.advance(hours=1))
    await run_worker()
    changes = [(c.from_level, c.to_level) for c in await LevelChange.all()]
    assert changes == [(None, "orange"), ("orange", "blue")]
    assert (await CellRisk.get(cell=CELL)).level == "blue"
    assert len(fake_api.sent(SUPERVISORS)) == 1  # only the rise to orange


async def test_a_second_hazard_raises_orange_to_red(
    product: WebRuntime, run_worker: Worker, clock: FrozenClock
) -> None:
    await use_simple_rules(clock())
    await accepted(4031)
    await run_worker()
    await accepted(4032)
    await run_worker()
    assert [(c.from_level, c.to_level) for c in await LevelChange.all()] == [(None, "orange"), ("orange", "red")]


async def test_an_open_critical_fire_hazard_is_red_and_says_why(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    await use_simple_rules(clock())
    await accepted(4041, severity="critical", category="ebike")  # 9: orange by score, red by the rule
    await run_worker()
    change = await LevelChange.get()
    assert change.to_level == "red" and change.why["forced"]["why"] == "an open critical fire hazard"
    [message] = fake_api.sent(SUPERVISORS)
    assert "存在未整改的重大火灾隐患" in message["text"]
