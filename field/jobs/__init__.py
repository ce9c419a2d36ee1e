"""The field's arq jobs: crew cards (`cards`), reminders (`reminders`), verification asks and the window (`verify`)."""

from __future__ import annotations

from field.jobs import cards, reminders, verify

FUNCTIONS = (*cards.FUNCTIONS, *reminders.FUNCTIONS, *verify.FUNCTIONS)
CRON_JOBS = (*reminders.CRON_JOBS, *verify.CRON_JOBS)
