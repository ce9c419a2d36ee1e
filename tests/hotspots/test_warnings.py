"""Escalating warnings: each level proposes its scope and template (mocked clock), once per incident; one
click sends it through the broadcasts feature to the residents subscribed in that scope, and no one else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.admin.accounts import Role
from bot.admin.models import AuditEvent
from bot.events import DomainEvent, EventKind
from bot.reports.models import Resident, StateHistory
from broadcasts.models import AreaSubscription, Broadcast, BroadcastStatus, Subscriber
from hotspots.escalation import EscalationRules
from hotspots.incidents import publish_recorded
from hotspots.models import ProposalState, WarningProposal
from hotspots.policy import Escalation
from hotspots.warnings import Decision, SendRefusedError, dismiss, propose_for, send
from tests.admin_client import make_staff
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID, JINGAN, make_incident, make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]
SHANGHAI = ZoneInfo("Asia/Shanghai")
ESCALATION = Escalation(EscalationRules.from_file(None), DEMO_GRID, SHANGHAI)
# JINGAN (31.245, 121.44) is in cell jingan-0302 of the street jingan-nanjingxilu ("Nanjing West Road").
IN_THE_STREET = (31.247, 121.442)  # jingan-0303, the same street
IN_THE_DISTRICT = (31.235, 121.435)  # jingan-jingansi, another street of Jing'an
ELSEWHERE = (31.2304, 121.4737)  # Huangpu
# The clock says 2026-11-23 10:00 in Shanghai; the incidents happened an hour before.
LEVELS = [
    (
        "fire_alarm",
        ("jingan-nanjingxilu", "street"),
        "Fire alarm in Nanjing West Road (2026-11-23 09:00).",
        "【火警提示】2026-11-23 09:00，南京西路街道发生一起火警。",
    ),
    (
        "fire",
        ("jingan", "district"),
        "Fire warning for Jing'an. A fire broke out in Jing'an on 2026-11-23.",
        "【火灾警示】2026-11-23，静安区发生一起火灾。",
    ),
    (
        "casualty",
        ("city", "city"),
        "Safety warning for the whole city. A fire on 2026-11-23 cost lives.",
        "【全市安全警示】2026-11-23发生一起造成人员伤亡的火灾。",
    ),
]


async def subscribed_city(clock: FrozenClock) -> dict[str, int]:
    """Residents with every kind of subscription (places not yet placed on the grid, as before this feature)."""
    ids = await make_residents(70_001, 7)
    names = ("street", "district", "elsewhere", "follows_district", "none", "stopped", "follows_other")
    named = dict(zip(names, ids, strict=True))
    for name, (lat, lon) in (("street", IN_THE_STREET), ("district", IN_THE_DISTRICT), ("elsewhere", ELSEWHERE)):
        await Subscriber.create(resident_id=named[name], lat=lat, lon=lon, radius_m=0)
    await Subscriber.create(resident_id=named["stopped"], lat=IN_THE_STREET[0], lon=IN_THE_STREET[1], stopped=True)
    await AreaSubscription.create(resident_id=named["follows_district"], area_key="jingan", created_at=clock())
    await AreaSubscription.create(resident_id=named["follows_other"], area_key="huangpu", created_at=clock())
    return named


REACHED = {
    "street": {"street"},
    "district": {"street", "district", "follows_district"},
    "city": {"street", "district", "elsewhere", "follows_district", "follows_other"},
}


@pytest.mark.parametrize(("kind", "scope", "english", "chinese"), LEVELS)
async def test_each_level_proposes_its_scope_and_template(
    orm: None, clock: FrozenClock, kind: str, scope: tuple[str, str], english: str, chinese: str
) -> None:
    incident = await make_incident("brigade-1", position=JINGAN, occurred_at=clock() - timedelta(hours=1), kind=kind)
    proposal = await propose_for(incident, ESCALATION, clock())
    assert proposal is not None and (proposal.scope, proposal.scope_level) == scope
    assert proposal.texts["en"].startswith(english) and proposal.texts["zh_CN"].startswith(chinese)
    assert (proposal.state, proposal.proposed_at) == (ProposalState.PROPOSED, clock())


@pytest.mark.parametrize(("kind", "scope", "english", "chinese"), LEVELS)
async def test_one_click_reaches_only_the_residents_subscribed_in_the_scope(
    orm: None,
    redis: Redis,
    clock: FrozenClock,
    fake_api: FakeBotAPI,
    run_worker: RunWorker,
    kind: str,
    scope: tuple[str, str],
    english: str,
    chinese: str,
) -> None:
    """Recorded -> proposed by the outbox reaction -> sent by an official -> broadcast to the scope's residents."""
    named = await subscribed_city(clock)
    official = await make_staff("official", Role.OFFICIAL)
    incident = await make_incident("brigade-2", position=JINGAN, occurred_at=clock() - timedelta(hours=1), kind=kind)
    await publish_recorded(incident.id, actor="system:test", now=clock())
    await run_worker()
    proposal = await WarningProposal.get(incident_id=incident.id)
    assert await send(Decision(proposal.id, official.id, clock()), proposal.texts, default_locale="zh_CN")
    await run_worker()

    received = {int(p["chat_id"]): p["text"] for p in fake_api.sent()}
    assert set(received) == {named[name] for name in REACHED[scope[1]]}
    languages = dict(await Resident.all().values_list("id", "language"))
    assert all(text == proposal.texts[languages[chat]] for chat, text in received.items())
    broadcast = await Broadcast.get()
    assert broadcast.status == BroadcastStatus.DONE and broadcast.created_by_id == official.id
    moves = await StateHistory.filter(machine="broadcast", entity_id=broadcast.id).order_by("id")
    assert [move.to_state for move in moves] == ["scheduled", "running", "done"]


async def test_the_same_incident_never_proposes_twice(
    orm: None, redis: Redis, clock: FrozenClock, run_worker: RunWorker
) -> None:
    incident = await make_incident("brigade-3", position=JINGAN, occurred_at=clock(), kind="fire")
    await publish_recorded(incident.id, actor="system:test", now=clock())
    await publish_recorded(incident.id, actor="system:test", now=clock())  # the same fact: one event
    await run_worker()
    assert await propose_for(incident, ESCALATION, clock()) is None
    assert await WarningProposal.filter(incident_id=incident.id).count() == 1
    assert await AuditEvent.filter(action="warning:propose").count() == 1
    assert await DomainEvent.filter(kind=EventKind.INCIDENT_RECORDED).count() == 1


async def test_an_incident_older_than_the_window_proposes_nothing(orm: None, clock: FrozenClock) -> None:
    """Recorded now about a fire three days and an hour ago: history, no warning; one hour less: a warning."""
    old = await make_incident("old", position=JINGAN, occurred_at=clock() - timedelta(hours=73), kind="fire")
    recent = await make_incident("recent", position=JINGAN, occurred_at=clock() - timedelta(hours=71), kind="fire")
    assert await propose_for(old, ESCALATION, clock()) is None
    assert await propose_for(recent, ESCALATION, clock()) is not None


async def test_incidents_without_an_escalating_kind_propose_nothing(orm: None, clock: FrozenClock) -> None:
    plain = await make_incident("plain", position=JINGAN, occurred_at=clock())
    odd = await make_incident("odd", position=JINGAN, occurred_at=clock(), kind="flood")
    assert await propose_for(plain, ESCALATION, clock()) is None and await propose_for(odd, ESCALATION, clock()) is None


async def test_decisions_are_audited_and_only_the_first_counts(orm: None, clock: FrozenClock) -> None:
    official = await make_staff("official", Role.OFFICIAL)
    incident = await make_incident("brigade-4", position=JINGAN, occurred_at=clock(), kind="fire_alarm")
    proposal = await propose_for(incident, ESCALATION, clock())
    assert proposal is not None
    edited = {"zh_CN": "请注意消防安全。", "en": "Mind fire safety."}
    decision = Decision(proposal.id, official.id, clock())
    assert await send(decision, edited, default_locale="zh_CN")
    assert not await send(decision, edited, default_locale="zh_CN") and not await dismiss(decision, "late")
    sent = await AuditEvent.get(action="warning:send")
    assert sent.actor == f"staff:{official.id}" and sent.data["proposal"] == proposal.id
    event = await DomainEvent.get(kind=EventKind.BROADCAST_REQUESTED)
    assert event.payload == {
        "scope": "jingan-nanjingxilu",
        "texts": edited,
        "title": proposal.title,
        "requested_by": official.id,
        "origin": f"incident:{incident.id}",
        "urgent": True,
    }


async def test_dismissing_sends_nothing_and_is_audited(orm: None, clock: FrozenClock) -> None:
    official = await make_staff("official", Role.OFFICIAL)
    incident = await make_incident("brigade-5", position=JINGAN, occurred_at=clock(), kind="fire")
    proposal = await propose_for(incident, ESCALATION, clock())
    assert proposal is not None
    assert await dismiss(Decision(proposal.id, official.id, clock()), "a drill, announced before")
    assert (await WarningProposal.get(id=proposal.id)).state == ProposalState.DISMISSED
    assert (await AuditEvent.get(action="warning:dismiss")).data["why"] == "a drill, announced before"
    assert not await DomainEvent.exists(kind=EventKind.BROADCAST_REQUESTED)


async def test_a_warning_needs_a_text_in_the_default_language(orm: None, clock: FrozenClock) -> None:
    official = await make_staff("official", Role.OFFICIAL)
    incident = await make_incident("brigade-6", position=JINGAN, occurred_at=clock(), kind="fire")
    proposal = await propose_for(incident, ESCALATION, clock())
    assert proposal is not None
    with pytest.raises(SendRefusedError):
        await send(Decision(proposal.id, official.id, clock()), {"en": "Fire!", "zh_CN": "  "}, default_locale="zh_CN")
    assert (await WarningProposal.get(id=proposal.id)).state == ProposalState.PROPOSED
