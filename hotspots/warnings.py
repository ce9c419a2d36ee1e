"""Escalating warnings: an incident's rule proposes a broadcast; an official sends it with one click, or not.

A proposal is made at most once per incident (its row is unique per incident, and the outbox reaction that
makes it may run twice). Sending publishes `broadcast.requested` in the same transaction as the proposal's move
to `sent`; the broadcasts feature reacts by sending it to the residents subscribed in the scope. Every proposal
and every decision is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.city.models import Incident
from bot.events import EventKind, publish
from hotspots.escalation import MAX_TEXT_CHARS, Where, place_name, render_texts, scope_for
from hotspots.models import ProposalState, WarningProposal
from hotspots.policy import Escalation
from hotspots.states import PROPOSALS, SYSTEM
from hotspots.texts import NEED_DEFAULT_TEXT, TEXT_TOO_LONG


async def propose_for(incident: Incident, escalation: Escalation, now: datetime) -> WarningProposal | None:
    """The warning `incident` calls for, proposed now; None when its kind calls for none, it is history
    (happened before the rules' recent window), or it has been proposed already."""
    rule = escalation.rules.for_incident(incident.kind, incident.severity)
    if rule is None or not escalation.rules.is_recent(incident.occurred_at, now):
        return None
    if await WarningProposal.exists(incident_id=incident.id):
        return None
    scope, level = scope_for(rule.scope, Where(incident.area, incident.street, incident.cell))
    texts = render_texts(
        rule,
        scope,
        escalation.grid,
        occurred_at=incident.occurred_at,
        category=incident.category,
        zone=escalation.zone,
    )
    local_day = incident.occurred_at.astimezone(escalation.zone).strftime("%Y-%m-%d")
    title = f"{rule.name('en')}: {place_name(scope, escalation.grid, 'en')} {local_day}"
    try:
        async with in_transaction():
            proposal = await WarningProposal.create(
                incident_id=incident.id,
                kind=rule.kind,
                scope=scope,
                scope_level=level.value,
                title=title[:128],
                texts=texts,
                state=ProposalState.PROPOSED,
                proposed_at=now,
            )
            await PROPOSALS.born(proposal, actor=SYSTEM, now=now, why=f"incident:{incident.id}")
            await record(
                SYSTEM,
                EventTag.WARNING_PROPOSE,
                now=now,
                proposal=proposal.id,
                incident=incident.id,
                kind=rule.kind,
                scope=scope,
            )
    except IntegrityError:  # a concurrent run of the same reaction proposed it a moment ago
        return None
    return proposal


class SendRefusedError(ValueError):
    """The texts cannot be sent as they are (the message is an English msgid, with its parameters)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class Decision:
    proposal_id: int
    staff_id: int
    now: datetime

    @property
    def actor(self) -> str:
        return f"staff:{self.staff_id}"


async def _decide(decision: Decision, state: ProposalState, why: str, **fields: object) -> bool:
    """The proposal's one move out of `proposed` (False when another decision came first)."""
    return await PROPOSALS.try_move(
        decision.proposal_id,
        state,
        actor=decision.actor,
        now=decision.now,
        why=why,
        decided_by=decision.actor,
        decided_at=decision.now,
        **fields,
    )


async def send(decision: Decision, texts: dict[str, str], *, default_locale: str) -> bool:
    """Send the proposal (with the official's edits): False when it was decided already."""
    texts = {locale: text.strip() for locale, text in texts.items() if text.strip()}
    if default_locale not in texts:
        raise SendRefusedError(NEED_DEFAULT_TEXT, locale=default_locale)
    if any(len(text) > MAX_TEXT_CHARS for text in texts.values()):
        raise SendRefusedError(TEXT_TOO_LONG, max=MAX_TEXT_CHARS)
    async with in_transaction():
        if not await _decide(decision, ProposalState.SENT, "sent", texts=texts):
            return False
        proposal = await WarningProposal.get(id=decision.proposal_id)
        payload = {
            "scope": proposal.scope,
            "texts": texts,
            "title": proposal.title,
            "requested_by": decision.staff_id,
            "origin": f"incident:{proposal.incident_id}",
            "urgent": True,
        }
        key = f"{EventKind.BROADCAST_REQUESTED}:warning:{proposal.id}"
        await publish(key, EventKind.BROADCAST_REQUESTED, payload, actor=decision.actor, now=decision.now)
        await record(
            decision.actor,
            EventTag.WARNING_SEND,
            now=decision.now,
            proposal=proposal.id,
            incident=proposal.incident_id,
            scope=proposal.scope,
        )
    return True


async def dismiss(decision: Decision, why: str) -> bool:
    """No warning for this incident; False when it was decided already."""
    async with in_transaction():
        moved = await _decide(decision, ProposalState.DISMISSED, why[:200])
        if moved:
            await record(
                decision.actor,
                EventTag.WARNING_DISMISS,
                now=decision.now,
                proposal=decision.proposal_id,
                why=why[:200],
            )
    return moved
