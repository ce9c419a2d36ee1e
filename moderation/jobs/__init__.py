"""Moderation's arq jobs: status DMs and hand-overs (`status`), the moderators' group posts (`group`)."""

from __future__ import annotations

from moderation.jobs import group, status

FUNCTIONS = (*status.FUNCTIONS, *group.FUNCTIONS)
CRON_JOBS = tuple(status.CRON_JOBS)
