"""What the feature does when another part of the product publishes a domain event."""

from __future__ import annotations

from bot.city.models import Incident
from bot.events import DomainEvent, EventKind
from bot.features import EventReaction
from bot.services import Services
from hotspots.policy import escalation
from hotspots.warnings import propose_for


async def propose_warning(services: Services, event: DomainEvent) -> None:
    """An incident was recorded (imported, by an official, by any feature): propose the warning its kind calls for."""
    incident = await Incident.get_or_none(id=int(event.payload.get("incident_id") or 0))
    if incident is not None:
        await propose_for(incident, escalation(services.settings, services.grid), services.clock())


EVENT_REACTIONS = (EventReaction(EventKind.INCIDENT_RECORDED, "hotspots.propose_warning", propose_warning),)
