"""The update inbox: every Telegram update is written down before the webhook answers 200.

Telegram forgets an update once we answer 200, so it is stored first, with the chat it belongs to. It
stays "to do" until it has been handled; then its body goes (it holds names, phone numbers, places) and
only its id stays, so a redelivery is dropped at the door. An update a crashed process never finished
is "stranded": after a while any web process feeds it again (at least once; each handling step is
idempotent by update id, so a second run changes nothing twice), at most once per lease, a bounded
number per round, and one fed again too often without finishing is given up (logged).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from bot.reports.models import ProcessedUpdate
from bot.reports.spatial import placeholders_for


async def record_update(update_id: int, chat_id: int | None, body: dict[str, Any], now: datetime) -> bool:
    """Store an update from Telegram; False when this update id was stored before (a redelivery).

    One INSERT written once per dialect, values converted by the model's own fields: the ORM's `create`
    (a model instance, every field's defaults and conversions) cost more CPU than the statement, on every
    update."""
    client = ProcessedUpdate._meta.db
    fields_map = ProcessedUpdate._meta.fields_map
    values = [
        update_id,
        chat_id,
        fields_map["received_at"].to_db_value(now, ProcessedUpdate),
        fields_map["body"].to_db_value(body, ProcessedUpdate),
    ]
    try:
        await client.execute_query(_insert_sql(client.capabilities.dialect), values)
    except IntegrityError:
        return False
    return True


@cache
def _insert_sql(dialect: str) -> str:
    columns = '"update_id", "chat_id", "received_at", "body", "attempts"'
    sql = f'INSERT INTO "processed_update" ({columns}) VALUES (?, ?, ?, ?, 0)'
    return placeholders_for(dialect, sql)


async def bodies_to_do(update_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The stored bodies of these updates that are still to do (another process stored them)."""
    rows = await ProcessedUpdate.filter(update_id__in=list(update_ids), done_at__isnull=True).values_list(
        "update_id", "body"
    )
    return {int(update_id): body for update_id, body in rows if isinstance(body, dict)}


async def mark_done(update_ids: Collection[int], now: datetime) -> int:
    """Handled (or dropped): the body goes, the id stays for redeliveries."""
    if not update_ids:
        return 0
    return await ProcessedUpdate.filter(update_id__in=list(update_ids), done_at__isnull=True).update(
        done_at=now, body=None
    )


@dataclass(frozen=True)
class StrandedRow:
    update_id: int
    chat_id: int | None
    attempts: int
    fed_until: datetime | None


@dataclass
class Stranded:
    fed: list[tuple[int, int | None]] = field(default_factory=list)  #: (update id, chat id) to handle again
    given_up: list[tuple[int, int | None]] = field(default_factory=list)  #: fed too often without finishing


async def stranded_candidates(now: datetime, *, after_s: int, limit: int) -> list[StrandedRow]:
    """Updates stored more than `after_s` ago, still to do and not fed within a lease, oldest first."""
    rows = (
        await ProcessedUpdate.filter(
            Q(fed_until__isnull=True) | Q(fed_until__lt=now),
            done_at__isnull=True,
            received_at__lt=now - timedelta(seconds=after_s),
        )
        .order_by("update_id")
        .limit(limit)
        .values_list("update_id", "chat_id", "attempts", "fed_until")
    )
    return [StrandedRow(*row) for row in rows]


async def feed_again(rows: list[StrandedRow], now: datetime, *, lease_s: int, max_attempts: int) -> Stranded:
    """Count another attempt for each and hold it for one lease (`fed_until`) before it may be fed again, even
    when several processes look at once; one fed `max_attempts` times already is given up (its body goes)."""
    stranded = Stranded()
    for row in rows:
        if row.attempts >= max_attempts:
            await mark_done([row.update_id], now)
            stranded.given_up.append((row.update_id, row.chat_id))
            continue
        taken = await ProcessedUpdate.filter(
            update_id=row.update_id, fed_until=row.fed_until, done_at__isnull=True
        ).update(attempts=row.attempts + 1, fed_until=now + timedelta(seconds=lease_s))
        if taken:  # else another process fed it in the meantime
            stranded.fed.append((row.update_id, row.chat_id))
    return stranded


async def take_stranded(now: datetime, *, after_s: int, lease_s: int, limit: int, max_attempts: int) -> Stranded:
    """The candidates, fed again (every one: for a caller that knows no process is at them)."""
    rows = await stranded_candidates(now, after_s=after_s, limit=limit)
    return await feed_again(rows, now, lease_s=lease_s, max_attempts=max_attempts)


async def forget_old_updates(now: datetime, keep_h: int = 48) -> int:
    """Telegram redelivers for at most a day; older ids need not be remembered."""
    return await ProcessedUpdate.filter(received_at__lt=now - timedelta(hours=keep_h), done_at__isnull=False).delete()
