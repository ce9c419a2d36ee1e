"""Operations for a model that moves from one feature's tortoise app to another's: its table stays.

The kernel took over the audit log from moderation; the table `audit_event` keeps every row, only
the migration state (which app owns the model) changes, so these operations write no SQL.
"""

from __future__ import annotations

from typing import Any

from tortoise.migrations import operations as ops


class ModelMovedIn(ops.CreateModel):
    """The model now belongs to this app; its table already exists."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


class ModelMovedOut(ops.DeleteModel):
    """The model left this app for another one; its table stays."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None
