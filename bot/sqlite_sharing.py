"""Who may use a process's one SQLite write connection at a time: plain statements together, a transaction alone.

Tortoise guards the connection with one asyncio lock that every statement takes and gives back only when its
task runs again after the result: one or two turns of a busy event loop per statement, during which the
connection sits idle. Under load that lock, not the CPU or the database, capped a web process.

A plain statement (one that is not part of a transaction) is a single call into aiosqlite's thread, which runs
calls one at a time and each whole, so plain statements need not wait for one another: they share the
connection and queue back to back in that thread. A transaction (BEGIN ... COMMIT over several calls) or a
statement batch must not have anything else run between its calls, so it waits until the plain statements in
flight are done and has the connection alone. Requests are granted in arrival order: a plain statement that
arrives while a transaction waits queues behind it, so a stream of them cannot starve it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType
from typing import Any


class SharedOrAlone:
    """Shared (plain statements) or alone (a transaction); `acquire`/`release` are the alone side under the
    names tortoise's transaction context calls on its lock."""

    def __init__(self) -> None:
        self._sharing = 0
        self._alone = False
        self._waiting: deque[tuple[bool, asyncio.Future[None]]] = deque()

    async def acquire(self) -> bool:
        await self._enter(alone=True)
        return True

    def release(self) -> None:
        self._alone = False
        self._grant()

    def locked(self) -> bool:
        return self._alone

    async def share(self) -> None:
        await self._enter(alone=False)

    def unshare(self) -> None:
        self._sharing -= 1
        self._grant()

    async def _enter(self, *, alone: bool) -> None:
        if not self._waiting and self._free_for(alone):
            self._take(alone)
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        request = (alone, granted)
        self._waiting.append(request)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted as the task was cancelled: give it back
                self.release() if alone else self.unshare()
            elif request in self._waiting:
                self._waiting.remove(request)
                self._grant()  # a plain statement may have queued behind this request only
            raise

    def _free_for(self, alone: bool) -> bool:
        return not self._alone and (self._sharing == 0 or not alone)

    def _take(self, alone: bool) -> None:
        if alone:
            self._alone = True
        else:
            self._sharing += 1

    def _grant(self) -> None:
        """Grant waiting requests in order while they fit (several plain ones, or one transaction)."""
        while self._waiting:
            alone, granted = self._waiting[0]
            if granted.cancelled():
                self._waiting.popleft()
                continue
            if not self._free_for(alone):
                return
            self._waiting.popleft()
            self._take(alone)
            granted.set_result(None)


class SharedConnection:
    """`async with`: the connection for one plain statement (tortoise's ConnectionWrapper, shared)."""

    __slots__ = ("_client", "_lock")

    def __init__(self, lock: SharedOrAlone, client: Any) -> None:
        self._lock, self._client = lock, client

    async def __aenter__(self) -> Any:
        await self._lock.share()
        try:
            if not self._client._connection:
                await self._client.create_connection(with_db=True)
        except BaseException:
            self._lock.unshare()
            raise
        return self._client._connection

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._lock.unshare()
