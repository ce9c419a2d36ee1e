"""The monthly safety-education day: the calendar of themes, its broadcast, and the self-check answers.

On the configured day and time the tick calls `ensure_education_day`, which creates the month's
broadcast under the key `edu-day:YYYY-MM`. The key is unique in the database, so however often the
tick runs (two workers, a restart, a catch-up later that day) the month is sent once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.i18n import Translator
from broadcasts.education_defaults import DEFAULT_THEMES
from broadcasts.message import Button, ButtonKind
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState, EducationTheme, SelfCheckAnswer
from broadcasts.states import BROADCASTS, WORKER
from broadcasts.targeting import EVERYONE
from broadcasts.texts import BAD_CHECK_KEY, DUPLICATE_CHECK_KEY, EDU_DAY_FOOTER, NEED_CHECK_LABELS, NEED_ONE_CHECK
from broadcasts.timing import EducationSchedule

EDU_KEY_PREFIX = "edu-day:"
MAX_CHECKS = 4


@dataclass(frozen=True)
class Theme:
    month: int
    titles: dict[str, str]
    texts: dict[str, str]
    checks: list[Button]  #: CHECK buttons: key + label per locale
    edited: bool  #: an official changed the built-in default


def default_theme(month: int) -> Theme:
    theme = DEFAULT_THEMES[month]
    checks = [Button(ButtonKind.CHECK, key=c.key, labels={"en": c.en, "zh_CN": c.zh}) for c in theme.checks]
    return Theme(
        month,
        {"en": theme.title_en, "zh_CN": theme.title_zh},
        {"en": theme.text_en, "zh_CN": theme.text_zh},
        checks,
        edited=False,
    )


def _from_row(row: EducationTheme) -> Theme:
    checks = [Button.from_json(c) for c in row.checks]
    return Theme(row.month, dict(row.titles), dict(row.texts), checks, edited=True)


async def theme_for(month: int) -> Theme:
    row = await EducationTheme.get_or_none(month=month)
    return default_theme(month) if row is None else _from_row(row)


async def calendar() -> list[Theme]:
    edited = {row.month: row for row in await EducationTheme.all()}
    return [_from_row(edited[month]) if month in edited else default_theme(month) for month in range(1, 13)]


async def save_theme(theme: Theme, *, staff_id: int | None, actor: str, now: datetime) -> None:
    """Store the month and, in the audit log, the version saved: the history of a month's changes."""
    saved = {"titles": theme.titles, "texts": theme.texts, "checks": [c.to_json() for c in theme.checks]}
    async with in_transaction():
        await EducationTheme.update_or_create(month=theme.month, defaults={**saved, "updated_by_id": staff_id})
        await AuditEvent.create(
            actor=actor, action=EventTag.EDUCATION_SAVE, data={"month": theme.month, **saved}, created_at=now
        )


#: Saves of every month scanned for one month's history: edits are rare (a few a year per month).
HISTORY_SCANNED = 500


async def theme_history(month: int, *, limit: int = 10) -> list[AuditEvent]:
    """The month's saved versions, newest first (who, when, and what was saved in `data`)."""
    saves = await AuditEvent.filter(action=EventTag.EDUCATION_SAVE).order_by("-id").limit(HISTORY_SCANNED)
    return [save for save in saves if save.data.get("month") == month][:limit]


@dataclass(frozen=True)
class CheckRow:
    """One self-check answer as the form has it: a short key (kept with the residents' answers) and its labels."""

    key: str
    labels: dict[str, str]  #: locale -> label

    def problem(self, locales: tuple[str, ...]) -> str | None:
        """What is wrong with this row (an English msgid), or None."""
        if not self.key or not self.key.replace("_", "").isalnum() or not self.key.isascii() or len(self.key) > 32:
            return BAD_CHECK_KEY
        if not all(self.labels.get(locale, "").strip() for locale in locales):
            return NEED_CHECK_LABELS
        return None


def checks_from_rows(rows: list[CheckRow], locales: tuple[str, ...]) -> tuple[list[Button], dict[int, str]]:
    """The answers of the filled rows (empty rows are skipped), or a message per row index in error; with no row
    filled at all the message is for row 0."""
    problems: dict[int, str] = {}
    checks: list[Button] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if not row.key and not any(label.strip() for label in row.labels.values()):
            continue
        problem = row.problem(locales) or (DUPLICATE_CHECK_KEY if row.key in seen else None)
        if problem is not None:
            problems[index] = problem
            continue
        seen.add(row.key)
        labels = {locale: row.labels[locale].strip()[:64] for locale in locales}
        checks.append(Button(ButtonKind.CHECK, key=row.key, labels=labels))
    if not checks and not problems:
        problems[0] = NEED_ONE_CHECK
    return checks, problems


def edu_key(month_key: str) -> str:
    return EDU_KEY_PREFIX + month_key


async def ensure_education_day(schedule: EducationSchedule, now: datetime) -> Broadcast | None:
    """Create (and schedule now) this month's broadcast if it is due and does not exist yet."""
    month_key = schedule.due_month(now)
    if month_key is None or await Broadcast.exists(key=edu_key(month_key)):
        return None
    theme = await theme_for(int(month_key[5:]))
    texts = {
        locale: f"{theme.titles.get(locale, '')}\n\n{text}\n\n{Translator(locale)(EDU_DAY_FOOTER)}".strip()
        for locale, text in theme.texts.items()
    }
    title = f"{month_key} {theme.titles.get('en') or theme.titles.get('zh_CN', '')}"[:128]
    try:
        broadcast = await Broadcast.create(
            key=edu_key(month_key),
            title=title,
            texts=texts,
            buttons=[Button(ButtonKind.REPORT).to_json(), *(c.to_json() for c in theme.checks)],
            self_check_month=month_key,
            target=EVERYONE.to_json(),
            status=BroadcastStatus.SCHEDULED,
            scheduled_at=now,
            created_at=now,
        )
    except IntegrityError:
        return None  # another worker's tick created it a moment ago
    await BROADCASTS.born(broadcast, actor=WORKER, now=now, why="education day")
    return broadcast


class AnswerResult(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"
    CLOSED = "closed"  #: no such month's self-check, or not one of its answers


async def record_answer(
    resident_id: int, month_key: str, option: str, now: datetime
) -> tuple[AnswerResult, Button | None]:
    """Count one answer per resident per month; the first one stands."""
    broadcast = await Broadcast.get_or_none(key=edu_key(month_key))
    checks = [Button.from_json(b) for b in broadcast.buttons] if broadcast else []
    check = next((b for b in checks if b.kind is ButtonKind.CHECK and b.key == option), None)
    if check is None:
        return AnswerResult.CLOSED, None
    try:
        await SelfCheckAnswer.create(resident_id=resident_id, month_key=month_key, option=option, answered_at=now)
    except IntegrityError:
        return AnswerResult.ALREADY, check
    return AnswerResult.RECORDED, check


@dataclass(frozen=True)
class MonthStats:
    month_key: str
    broadcast_id: int
    title: str
    sent: int
    answers: list[tuple[Button, int]]  #: each self-check answer and how many chose it

    @property
    def answered(self) -> int:
        return sum(n for _, n in self.answers)

    @property
    def response_percent(self) -> float:
        return 100.0 * self.answered / self.sent if self.sent else 0.0


async def dashboard(limit_months: int = 12) -> list[MonthStats]:
    """Answers per month and option for the latest education days, newest first."""
    broadcasts = await Broadcast.filter(key__startswith=EDU_KEY_PREFIX).order_by("-key").limit(limit_months)
    stats = []
    for broadcast in broadcasts:
        month_key = broadcast.self_check_month or (broadcast.key or "").removeprefix(EDU_KEY_PREFIX)
        counted = dict(
            await SelfCheckAnswer.filter(month_key=month_key)
            .annotate(n=Count("id"))
            .group_by("option")
            .values_list("option", "n")
        )
        sent = await Delivery.filter(broadcast_id=broadcast.id, state=DeliveryState.SENT).count()
        checks = [b for b in map(Button.from_json, broadcast.buttons) if b.kind is ButtonKind.CHECK]
        stats.append(
            MonthStats(
                month_key,
                broadcast.id,
                broadcast.title,
                sent,
                [(check, int(counted.get(check.key, 0))) for check in checks],
            )
        )
    return stats
