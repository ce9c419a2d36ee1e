"""Sending a broadcast: one delivery row per recipient, claimed right before its request, at most once.

The protocol, and why nobody gets a message twice:
1. When sending starts, one `Delivery` row per recipient is inserted (unique per broadcast and
   resident, so a restarted start inserts only what is missing) and the broadcast is `materialized`.
2. A worker takes a slot from the shared rate limiter, then claims one row with a conditional
   update `pending -> sending` (with a lease), which only one worker can win, then makes the request.
3. The answer is written at once: `sent` (with Telegram's message id), `blocked`, `failed`, or back
   to `pending` when Telegram certainly did not deliver (429 "retry after", a refused connection).
4. A row left in `sending` whose lease has expired belonged to a worker that died (or was cancelled)
   between the request and step 3. The message may or may not have reached the resident, and
   Telegram offers no way to ask, so the row becomes `failed` ("in doubt") and is never sent again:
   AT MOST ONCE. The rows in doubt after a crash are only those in flight at that moment (at most
   `concurrency` per worker), and the admin shows them as failed with that reason.

Pacing: a row is taken from the batch, then a slot of the bot's bulk budget (priority BROADCAST, so
status DMs go first), then the row is claimed, then the chat's own slot is taken, then the request made
(`Traffic.PACED`: the slots are held already). A slot no row could use is given back.

Shutting down (`stopping` set, on SIGTERM): no new row is started, the requests in flight finish and are
recorded, a claimed row still waiting for its chat's slot goes back to `pending`, and the slice ends
`HANDED_BACK` so its job queues the continuation at once for another worker. Nothing is "in doubt".

Quiet hours, pauses and cancellation are checked between batches; the work is cut into slices of
`slice_s` so an arq job never runs for long (the job enqueues its continuation).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.expressions import F

from bot.clock import Clock
from bot.ratelimit import OutboundLimits, Priority
from bot.reports.residents import mark_blocked
from bot.storage import PhotoStorage
from broadcasts.message import Button, MessageBook, Outcome, Outgoing, Sender, SendResult
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from broadcasts.states import BROADCASTS, WORKER
from broadcasts.targeting import Target, recipients
from broadcasts.timing import QuietHours

IN_DOUBT = "in doubt: the worker stopped while the message was being sent"
#: Back off this long when the connection was refused (Telegram gave no retry_after).
CONNECTION_BACKOFF_S = 1.0
#: A pending row as fetched for sending: id, chat id, language, attempts so far.
Row = tuple[int, int, str, int]


@dataclass(frozen=True)
class DeliveryPolicy:
    quiet: QuietHours
    default_locale: str
    concurrency: int = 16
    lease_s: float = 60.0
    max_attempts: int = 5
    slice_s: float = 60.0

    @property
    def batch(self) -> int:
        """Rows fetched per round: status, pause and quiet hours are re-checked this often."""
        return self.concurrency * 4


class SliceOutcome(StrEnum):
    DONE = "done"  #: every row is final
    MORE = "more"  #: the slice's time is up, pending rows remain: continue in a new job
    WAITING = "waiting"  #: quiet hours, or rows still in flight elsewhere: the tick resumes it later
    NOT_DUE = "not_due"  #: scheduled for later
    STOPPED = "stopped"  #: draft, paused, cancelled or already done
    HANDED_BACK = "handed_back"  #: this process is shutting down: continue in a new job, on another worker


@dataclass
class Delivering:
    """What one slice needs to send: the services and the broadcast's rendered messages."""

    broadcast_id: int
    book: MessageBook
    sender: Sender
    limits: OutboundLimits
    clock: Clock
    policy: DeliveryPolicy
    stopping: asyncio.Event
    lane: int = 0
    urgent: bool = False  #: sent during quiet hours too


async def message_book(broadcast: Broadcast, storage: PhotoStorage, default_locale: str) -> MessageBook:
    photo = None
    if broadcast.photo_key and not broadcast.photo_file_id:
        photo = await storage.get(broadcast.photo_key)
    return MessageBook(
        dict(broadcast.texts),
        [Button.from_json(b) for b in broadcast.buttons],
        default_locale,
        self_check_month=broadcast.self_check_month,
        photo=photo,
        photo_file_id=broadcast.photo_file_id,
    )


async def run_slice(
    broadcast_id: int,
    *,
    sender: Sender,
    limits: OutboundLimits,
    storage: PhotoStorage,
    clock: Clock,
    policy: DeliveryPolicy,
    stopping: asyncio.Event | None = None,
    lane: int = 0,
    monotonic: Callable[[], float] = time.monotonic,
) -> SliceOutcome:
    """Send for up to `policy.slice_s` seconds, or until `stopping` is set; say what should happen next."""
    broadcast = await Broadcast.get_or_none(id=broadcast_id)
    if broadcast is None or broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.RUNNING):
        return SliceOutcome.STOPPED
    now = clock()
    if broadcast.scheduled_at is not None and broadcast.scheduled_at > now:
        return SliceOutcome.NOT_DUE
    if policy.quiet.active(now) and not broadcast.urgent:
        return await _wait_for_quiet_end(broadcast_id, policy.quiet, now)
    if not await _start(broadcast, now):
        return SliceOutcome.STOPPED
    await recover_in_doubt(broadcast_id, now)
    book = await message_book(broadcast, storage, policy.default_locale)
    work = Delivering(
        broadcast_id, book, sender, limits, clock, policy, stopping or asyncio.Event(), lane, broadcast.urgent
    )
    return await _send_until(work, monotonic() + policy.slice_s, monotonic)


async def _send_until(work: Delivering, deadline: float, monotonic: Callable[[], float]) -> SliceOutcome:
    while monotonic() < deadline:
        if work.stopping.is_set():
            return SliceOutcome.HANDED_BACK
        rows = (
            await Delivery.filter(broadcast_id=work.broadcast_id, state=DeliveryState.PENDING)
            .order_by("id" if work.lane % 2 == 0 else "-id")  # two lanes start at opposite ends
            .limit(work.policy.batch)
            .values_list("id", "chat_id", "language", "attempts")
        )
        if not rows:
            return await _finish(work.broadcast_id, work.clock())
        await _send_rows(work, rows)
        if work.stopping.is_set():
            return SliceOutcome.HANDED_BACK
        if (stop := await _checkpoint(work)) is not None:
            return stop
    return SliceOutcome.MORE


async def _checkpoint(work: Delivering) -> SliceOutcome | None:
    """Between batches: stop for an official's pause or cancel, or for quiet hours; else heartbeat."""
    now = work.clock()
    if not await Broadcast.filter(id=work.broadcast_id, status=BroadcastStatus.RUNNING).exists():
        return SliceOutcome.STOPPED
    if work.policy.quiet.active(now) and not work.urgent:
        return await _wait_for_quiet_end(work.broadcast_id, work.policy.quiet, now)
    await Broadcast.filter(id=work.broadcast_id).update(heartbeat_at=now, waiting_until=None)
    return None


async def _wait_for_quiet_end(broadcast_id: int, quiet: QuietHours, now: datetime) -> SliceOutcome:
    """The minute tick picks the broadcast up again once `waiting_until` has passed."""
    await Broadcast.filter(id=broadcast_id).update(waiting_until=quiet.ends_at(now))
    return SliceOutcome.WAITING


async def _start(broadcast: Broadcast, now: datetime) -> bool:
    """Mark it running and create the delivery rows once; False when an official stopped it meanwhile."""
    if broadcast.status == BroadcastStatus.SCHEDULED:  # the first slice; later ones find it running
        await BROADCASTS.try_move(broadcast.id, BroadcastStatus.RUNNING, actor=WORKER, now=now)
    started = await Broadcast.filter(id=broadcast.id, status=BroadcastStatus.RUNNING).update(
        heartbeat_at=now, waiting_until=None
    )
    if not started:
        return False
    if broadcast.started_at is None:
        await Broadcast.filter(id=broadcast.id, started_at__isnull=True).update(started_at=now)
    if not broadcast.materialized:
        await materialize(broadcast, now)
    return True


async def materialize(broadcast: Broadcast, now: datetime) -> int:
    """Insert a pending row per recipient; rows that exist (an interrupted start) are kept as they are."""
    found = await recipients(Target.from_json(broadcast.target), now)
    await Delivery.bulk_create(
        [
            Delivery(
                broadcast_id=broadcast.id,
                resident_id=r.resident_id,
                chat_id=r.chat_id,
                language=r.language,
                state=DeliveryState.PENDING,
            )
            for r in found
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    await Broadcast.filter(id=broadcast.id).update(materialized=True)
    return len(found)


async def recover_in_doubt(broadcast_id: int, now: datetime) -> int:
    """Rows whose worker vanished mid-send: failed, never re-sent (see the module docstring)."""
    return await Delivery.filter(broadcast_id=broadcast_id, state=DeliveryState.SENDING, lease_until__lt=now).update(
        state=DeliveryState.FAILED, error=IN_DOUBT, finished_at=now, lease_until=None
    )


async def _finish(broadcast_id: int, now: datetime) -> SliceOutcome:
    if await Delivery.filter(broadcast_id=broadcast_id, state=DeliveryState.SENDING).exists():
        return SliceOutcome.WAITING  # another worker's requests are in flight, or a dead one's lease runs
    await BROADCASTS.try_move(
        broadcast_id, BroadcastStatus.DONE, actor=WORKER, now=now, finished_at=now, heartbeat_at=now
    )
    return SliceOutcome.DONE


async def _send_rows(work: Delivering, rows: list[Row]) -> None:
    """Send `rows` with `concurrency` requests in flight; no new one once the process is stopping."""
    queue = list(reversed(rows))
    while work.book.photo is not None and queue and not work.stopping.is_set():
        await _deliver_next(work, queue)  # upload once, then every request reuses Telegram's file id

    async def worker() -> None:
        while queue and not work.stopping.is_set():
            await _deliver_next(work, queue)

    await asyncio.gather(*(worker() for _ in range(min(work.policy.concurrency, len(rows)))))


async def _deliver_next(work: Delivering, queue: list[Row]) -> None:
    """Take a row from the batch, a bulk slot, then claim the row (or the next one this worker can win).

    The row is taken before the slot so no slot is spent on an emptied batch; a row another worker
    claimed first costs one query, never the slot (slots are the scarce, shared resource).
    """
    row: Row | None = queue.pop()
    if not await work.limits.bulk.acquire(Priority.BROADCAST, work.stopping):
        return  # stopping: the row was not claimed, it stays pending
    lease_until = work.clock() + timedelta(seconds=work.policy.lease_s)
    while row is not None:
        row_id, chat_id, language, attempts = row
        claimed = await Delivery.filter(id=row_id, state=DeliveryState.PENDING).update(
            state=DeliveryState.SENDING, lease_until=lease_until, attempts=F("attempts") + 1
        )
        if claimed:
            await _send_claimed(work, row_id, chat_id, attempts + 1, work.book.for_locale(language))
            return
        row = queue.pop() if queue else None
    await work.limits.bulk.refund()  # every row left was taken by another worker


async def _send_claimed(work: Delivering, row_id: int, chat_id: int, attempts: int, message: Outgoing) -> None:
    """The chat's own slot (a DM may have just gone to it), then the request; hand the row back if stopping."""
    if not await work.limits.chats.acquire(chat_id, work.stopping):
        await Delivery.filter(id=row_id, state=DeliveryState.SENDING).update(
            state=DeliveryState.PENDING, lease_until=None, attempts=F("attempts") - 1
        )
        await work.limits.bulk.refund()
        return
    result = await work.sender.send(chat_id, message)
    await record(work, row_id, chat_id, attempts, result)


async def record(work: Delivering, row_id: int, chat_id: int, attempts: int, result: SendResult) -> None:
    """Write the answer for one claimed row."""
    now, row = work.clock(), Delivery.filter(id=row_id, state=DeliveryState.SENDING)
    if result.outcome is Outcome.SENT:
        await row.update(
            state=DeliveryState.SENT, telegram_message_id=result.message_id, finished_at=now, lease_until=None
        )
        if result.photo_file_id and work.book.photo_file_id is None:
            work.book.learn_file_id(result.photo_file_id)
            await Broadcast.filter(id=work.broadcast_id, photo_file_id__isnull=True).update(
                photo_file_id=result.photo_file_id
            )
    elif result.outcome is Outcome.BLOCKED:
        await row.update(state=DeliveryState.BLOCKED, finished_at=now, lease_until=None)
        await mark_blocked(chat_id)
    elif result.outcome is Outcome.RETRY:
        if not result.retry_after_s:  # a 429 paused its scopes already (bot/outbound.py)
            await work.limits.bulk.pause(CONNECTION_BACKOFF_S)
        if attempts >= work.policy.max_attempts:
            await row.update(
                state=DeliveryState.FAILED,
                error=f"gave up after {attempts} attempts: {result.error}"[:200],
                finished_at=now,
                lease_until=None,
            )
        else:
            await row.update(state=DeliveryState.PENDING, lease_until=None)
    else:
        error = result.error or (IN_DOUBT if result.outcome is Outcome.IN_DOUBT else "refused")
        await row.update(state=DeliveryState.FAILED, error=error[:200], finished_at=now, lease_until=None)


async def send_preview(
    broadcast: Broadcast, chat_id: int, language: str, *, sender: Sender, storage: PhotoStorage, default_locale: str
) -> SendResult:
    """Send the broadcast once to a staff member's own chat (quiet hours do not apply to previews).

    `sender` waits for its own slots (a notice: before any broadcast)."""
    book = await message_book(broadcast, storage, default_locale)
    message: Outgoing = book.for_locale(language)
    return await sender.send(chat_id, message)
