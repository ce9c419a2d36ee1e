"""The update pipeline: webhook (or long poll) -> inbox -> one chat at a time -> handlers.

Our own consumer instead of PTB's single queue reader: an update is checked (bot/telegram/validation.py),
stored (bot/reports/inbox.py) and queued for its chat (bot/telegram/chat_queue.py) before the webhook
answers. A chat's updates are handled one at a time and in order by whichever web process holds the
chat's lease; different chats run at once, up to `update_concurrency` per process. Nothing an update does
can stop this consumer: each runs inside its own error boundary.

Handling is at least once and every step is idempotent by update id: intake's writes carry the update
id (bot/reports/intake.py), and Bot API calls are claimed per update (bot/telegram/once.py). An update
is done once handled: dequeued at once, its inbox row marked (and its body dropped) in small batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from enum import StrEnum

from telegram import Update

from bot.reports.inbox import bodies_to_do, record_update
from bot.services import Services
from bot.telegram.chat_queue import ChatQueues, Taken, chat_key, done_key
from bot.telegram.context import BotApplication
from bot.telegram.done_marks import DoneMarks
from bot.telegram.once import UpdateScope, current_update
from bot.telegram.validation import InvalidUpdateError, validate

log = logging.getLogger(__name__)

PIPELINE_KEY = "pipeline"


class Acceptance(StrEnum):
    QUEUED = "queued"
    REDELIVERED = "redelivered"  #: stored before: dropped
    INVALID = "invalid"  #: not an update we can handle: logged by id and kind, dropped


@dataclass
class ChatWorker:
    """This process's turn at one chat, and the ids of the chat's updates whose bodies it holds."""

    chat: str
    local: set[int] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class UpdatePipeline:
    """One per web process (the sandbox feeds the same one)."""

    def __init__(self, application: BotApplication, services: Services) -> None:
        settings = services.settings
        self.application, self.services = application, services
        self.queues = ChatQueues(services.redis, settings.update_lease_s)
        self.done = DoneMarks(services.redis, services.clock)
        self._slots = asyncio.Semaphore(settings.update_concurrency)
        self._workers: dict[str, ChatWorker] = {}
        # Updates this process accepted (or read back), by id, until handled or left to another process:
        # put here before the id is queued, so a worker that sees the id finds the body in memory.
        self._bodies: dict[int, Update] = {}
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._closing = False
        self._ready = asyncio.Event()  # set by start(): the application is initialized
        self._background: list[asyncio.Task[None]] = []
        application.bot_data[PIPELINE_KEY] = self

    # ---- the door -----------------------------------------------------------------------------
    async def accept(self, body: object) -> Acceptance:
        """Check, store and queue one update from Telegram (or the sandbox); returns what became of it."""
        try:
            valid = validate(body, self.application.bot)
        except InvalidUpdateError as invalid:
            log.warning("dropping update %s (%s): %s", invalid.update_id, invalid.kind, invalid.reason)
            return Acceptance.INVALID
        if not await record_update(valid.update_id, valid.chat_id, valid.body, self.services.clock()):
            log.info("dropping redelivered update %s (%s)", valid.update_id, valid.kind)
            return Acceptance.REDELIVERED
        chat = chat_key(valid.chat_id, valid.update_id)
        self._bodies[valid.update_id] = valid.update
        taken, elsewhere = None, False
        try:
            if chat in self._workers or self._closing or not self._ready.is_set():
                await self.queues.push(chat, [valid.update_id])
            else:  # queued and the chat taken in one round trip
                taken = await self.queues.lease(chat, queue_first=valid.update_id)
                elsewhere = taken is None
        finally:
            await self._queued(chat, valid.update_id, taken, elsewhere=elsewhere)
        return Acceptance.QUEUED

    async def _queued(self, chat: str, update_id: int, taken: Taken | None, *, elsewhere: bool) -> None:
        """Hand a queued update to this process's worker for its chat, unless nobody here is to handle it:
        the process is stopping (it waits in the inbox for a live one: the stranded feeder), or another
        process holds the chat (it sees the id in the queue)."""
        if self._closing or (elsewhere and chat not in self._workers):
            self._bodies.pop(update_id, None)
            if taken is not None:
                await self.queues.release(chat)
            return
        self.dispatch(chat, update_id, taken)

    def dispatch(self, chat: str, update_id: int | None = None, taken: Taken | None = None) -> None:
        """Make sure this process works on `chat` (queued already); synchronous, so a worker that is about
        to stop cannot miss it. `taken`: the chat as the caller just took it (a worker already at it reads
        the queue again anyway)."""
        worker = self._workers.get(chat)
        if worker is None:
            worker = self._workers[chat] = ChatWorker(chat)
            self._quiet.clear()
            worker.task = asyncio.create_task(self._work(worker, taken), name=f"chat:{chat}")
        if update_id is not None:
            worker.local.add(update_id)

    # ---- one chat -----------------------------------------------------------------------------
    async def _work(self, worker: ChatWorker, taken: Taken | None = None) -> None:
        chat = worker.chat
        try:
            await self._ready.wait()
            while not self._closing:
                held = set(worker.local)
                taken, now_taken = None, taken or await self.queues.lease(chat)
                if now_taken is None:
                    return  # another process has the chat: it sees what is queued
                if not now_taken.ids:  # nothing queued as the chat was taken: held bodies were handled elsewhere
                    self._forget(worker, held)
                    if await self.queues.release(chat) == 0 and not worker.local:
                        return
                    continue
                if not await self._handle_queued(worker, now_taken) and not worker.local:
                    return  # let go with an empty queue, and nothing dispatched here meanwhile
        except Exception:  # Redis or the database away: the inbox keeps the updates, the feeder brings them
            log.exception("chat %s: stopped handling its updates", chat)
        finally:
            self._forget(worker, set(worker.local))
            if self._workers.get(chat) is worker:
                del self._workers[chat]
            if not self._workers:
                self._quiet.set()

    async def _handle_queued(self, worker: ChatWorker, taken: Taken) -> bool:
        """Handle the chat's queued updates in order while it stays ours; False once it was let go (or lost)."""
        chat, ids, prompt, first_attempt = worker.chat, taken.ids, taken.prompt, taken.first_attempt
        while ids:
            update_id = ids[0]
            if update_id not in self._bodies:
                await self._load(worker, [i for i in ids if i not in self._bodies])
            update = self._bodies.pop(update_id, None)
            worker.local.discard(update_id)
            scope = UpdateScope(chat, update_id, prompt=prompt, first_attempt=first_attempt)
            if update is not None:
                await self._handle(update, scope)
            try:
                after = await self.queues.done(
                    chat, update_id, prompt_changed=scope.prompt_changed, prompt=scope.prompt
                )
            finally:  # recorded even when Redis is away (then only the inbox row says it)
                self.done.add(update_id, [*scope.claims, done_key(chat, update_id)])
            if after is None or after.released:
                return False
            if self._closing:
                await self.queues.release(chat)
                return False
            ids, prompt, first_attempt = after.ids, scope.prompt, after.first_attempt
        return True

    def _forget(self, worker: ChatWorker, update_ids: set[int]) -> None:
        """Drop bodies this worker holds: handled elsewhere, or left to the process that has the chat."""
        for update_id in update_ids:
            self._bodies.pop(update_id, None)
        worker.local -= update_ids

    async def _load(self, worker: ChatWorker, update_ids: list[int]) -> None:
        """Bodies another process stored (or this one before a restart)."""
        for update_id, body in (await bodies_to_do(update_ids)).items():
            try:
                self._bodies[update_id] = validate(body, self.application.bot).update
                worker.local.add(update_id)
            except InvalidUpdateError as invalid:  # stored by an older version with other rules
                log.warning("dropping stored update %s (%s): %s", update_id, invalid.kind, invalid.reason)

    async def _handle(self, update: Update, scope: UpdateScope) -> None:
        async with self._slots:
            token = current_update.set(scope)
            try:
                await self.application.process_update(update)
            except Exception as error:  # PTB's own steps outside the handlers' error boundary
                log.error("update %s (%s) could not be handled: %r", update.update_id, _kind(update), error)
            finally:
                current_update.reset(token)

    # ---- the process --------------------------------------------------------------------------
    def start(self) -> None:
        """Handle updates from now on (those stored before waited in their queues)."""
        self._ready.set()
        self._background.append(asyncio.create_task(self._keep_leases(), name="pipeline:leases"))
        self._background.append(asyncio.create_task(self.done.run(), name="pipeline:done"))

    def add_background(self, task: asyncio.Task[None]) -> None:
        self._background.append(task)

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the updates in hand (the rest stay queued for another process), then record them done."""
        self._closing = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), timeout_s)
        for worker in list(self._workers.values()):
            if worker.task is not None:
                worker.task.cancel()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.done.flush()

    async def join(self) -> None:
        """Until every chat this process works on is idle and recorded done (for tests and shutdown)."""
        while self._workers:
            await self._quiet.wait()
            await asyncio.sleep(0)
        await self.done.flush()

    async def _keep_leases(self) -> None:
        interval_s = self.services.settings.update_lease_s / 3
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.queues.renew(list(self._workers))
            except Exception:
                log.exception("could not renew chat leases")


def _kind(update: Update) -> str:
    return next((kind for kind in ("message", "edited_message", "callback_query") if getattr(update, kind)), "?")


def pipeline_of(application: BotApplication) -> UpdatePipeline:
    pipeline = application.bot_data[PIPELINE_KEY]
    assert isinstance(pipeline, UpdatePipeline)
    return pipeline
