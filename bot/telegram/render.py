"""Turn a domain `Reply` into the text and keyboard the resident sees, in their language."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.i18n import Translator
from bot.reports.categories import by_key
from bot.reports.intake import Prompt, Reply
from bot.services import Services
from bot.telegram import keyboards
from bot.telegram.dedup_texts import NOTICES, report_list
from bot.telegram.texts import PROBLEMS, PROMPTS

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


@dataclass
class Rendered:
    text: str
    markup: Markup = None


async def render(reply: Reply, _: Translator, services: Services) -> Rendered:
    """Problem first (why the input was not taken), then the prompt for what is needed now."""
    body = _(PROMPTS[reply.prompt], **await _params(reply, _, services))
    if reply.problem is not None:
        problem = _(PROBLEMS[reply.problem], **{k: v for k, v in reply.params.items() if k == "max_chars"})
        body = f"{problem}\n{body}"
    for notice in reversed(reply.notices):  # what we found about this photo or place comes first
        body = f"{_(NOTICES[notice.kind], reports=report_list(notice.report_ids))}\n\n{body}"
    return Rendered(body, await _markup(reply, _, services))


async def _params(reply: Reply, _: Translator, services: Services) -> dict[str, object]:
    settings, draft = services.settings, reply.draft
    params: dict[str, object] = {"max": settings.max_photos_per_report, "count": reply.photo_count}
    if reply.prompt is Prompt.ASK_USE_PHOTO_LOCATION and draft is not None:
        params.update(lat=draft.proposed_lat, lon=draft.proposed_lon)
    elif reply.prompt is Prompt.EMERGENCY:
        params.update(settings.emergency_numbers)
    elif reply.prompt is Prompt.ASK_CONFIRM and draft is not None:
        category = by_key(services.intake.rules.categories, draft.category or "")
        params.update(
            photos=draft.photo_count,
            lat=draft.lat,
            lon=draft.lon,
            category=_(category.label) if category else "?",
            description=draft.description or "-",
        )
    elif reply.prompt in (Prompt.SUBMITTED, Prompt.FOLLOWING, Prompt.ALREADY_FOLLOWING) and reply.report is not None:
        params["id"] = reply.report.id
    return params


async def _markup(reply: Reply, _: Translator, services: Services) -> Markup:
    prompt = reply.prompt
    if prompt is Prompt.PHOTO_ADDED or (prompt is Prompt.ASK_PHOTO and reply.photo_count > 0):
        return keyboards.photos_done(_)
    if prompt is Prompt.ASK_USE_PHOTO_LOCATION:
        return keyboards.use_photo_location(_)
    if prompt is Prompt.ASK_LOCATION:
        return keyboards.request_location(_)
    if prompt is Prompt.ASK_DANGER:
        return keyboards.danger(_)
    if prompt is Prompt.ASK_CATEGORY:
        return keyboards.categories(_, services.intake.rules.categories)
    if prompt is Prompt.ASK_DUPLICATE:
        return keyboards.mine_is_new(_)
    if prompt is Prompt.ASK_DESCRIPTION:
        return keyboards.skip_description(_)
    if prompt is Prompt.ASK_CONFIRM:
        return keyboards.confirm(_)
    if prompt in (Prompt.SUBMITTED, Prompt.CANCELLED, Prompt.EMERGENCY, Prompt.FOLLOWING, Prompt.ALREADY_FOLLOWING):
        return ReplyKeyboardRemove()
    return None
