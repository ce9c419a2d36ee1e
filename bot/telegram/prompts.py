"""Which intake prompt still shows its inline buttons, per chat.

Only the newest prompt keeps its buttons: a "Skip" or "Done" tapped on an old one would confuse. Which
message that is changes with every step, and only the buttons' look depends on it, so it lives in Redis
with the chat's queue (bot/telegram/chat_queue.py: read when the chat is taken, written when the update
is done, in the same round trips) rather than in a row rewritten at every step. Lost, an old prompt
merely keeps its buttons.
"""

from __future__ import annotations

from bot.telegram.once import current_update


def live_prompt() -> int | None:
    """The prompt whose buttons are live in the chat of the update being handled."""
    scope = current_update.get()
    return scope.prompt if scope is not None else None


def set_live_prompt(message_id: int | None) -> None:
    """The prompt whose buttons are live now (None: none has any), recorded when the update is done."""
    scope = current_update.get()
    if scope is not None:
        scope.set_prompt(message_id)
