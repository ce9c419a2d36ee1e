"""The composition root: the one list of features, and the only kernel module that imports them.

Adding a feature is one package with a `feature()` function plus one line here. The order matters
where features meet the same input: their Telegram handler groups run in this order, all before the
kernel's report conversation (rewards' /claim takes a typed name before moderation's follow-up
could mistake it for an answer; field's crews and patrols answer their own questions before moderation's
follow-up sees a staff member's message; broadcasts' /subscribe takes a location only when no report wants it).
"""

from __future__ import annotations

from functools import cache

from bot.features import Feature


@cache
def all_features() -> tuple[Feature, ...]:
    from broadcasts import feature as broadcasts
    from field import feature as field
    from hotspots import feature as hotspots
    from moderation import feature as moderation
    from opendata import feature as opendata
    from rewards import feature as rewards
    from risk import feature as risk

    return (rewards(), field(), moderation(), broadcasts(), risk(), hotspots(), opendata())
