"""The compose form as the domain sees it: plain fields in, a validated `BroadcastSpec` or messages out.

The admin view passes the posted fields as strings (and the uploaded photo's bytes); nothing here
knows about HTTP. Every problem is reported at once, as translatable messages with parameters.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.reports.photos import PhotoLimits, PhotoRejectedError, process_photo
from broadcasts.message import MAX_CAPTION_CHARS, MAX_TEXT_CHARS, Button, ButtonKind, unix_lines
from broadcasts.targeting import Target, TargetKind
from broadcasts.texts import (
    BAD_CAMPAIGN,
    BAD_LINK,
    BAD_PHOTO,
    CAPTION_TOO_LONG,
    NEED_AREAS,
    NEED_DAYS,
    NEED_DEFAULT_TEXT,
    NEED_POINT,
    NEED_TITLE,
    NEED_TOPIC,
    TEXT_TOO_LONG,
    Topic,
)

MAX_RADIUS_M = 50_000
MAX_DAYS = 365


@dataclass(frozen=True)
class Problem:
    """A translatable message (English source) and its parameters."""

    message: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class BroadcastSpec:
    title: str
    texts: dict[str, str]
    buttons: list[Button]
    target: Target
    campaign_id: int | None = None
    photo_jpeg: bytes | None = None  #: a newly uploaded, cleaned photo
    keep_photo: bool = True  #: on edit: keep the stored photo when no new one comes


@dataclass
class ComposeInput:
    fields: Mapping[str, str]
    areas: Sequence[str] = ()
    photo: bytes | None = None


@dataclass(frozen=True)
class ComposeRules:
    locales: tuple[str, ...]
    default_locale: str
    area_keys: frozenset[str]


async def parse(
    form: ComposeInput, rules: ComposeRules, now: datetime, *, has_photo: bool = False
) -> tuple[BroadcastSpec | None, list[Problem]]:
    """Validate the form; `has_photo` says whether the draft being edited already has one."""
    get = form.fields.get
    problems: list[Problem] = []
    title = (get("title") or "").strip()[:128]
    if not title:
        problems.append(Problem(NEED_TITLE))
    texts = {locale: unix_lines(get(f"text_{locale}") or "").strip() for locale in rules.locales}
    texts = {locale: text for locale, text in texts.items() if text}
    photo_jpeg = await _clean_photo(form.photo, now, problems)
    keep_photo = get("remove_photo") != "on"
    with_photo = photo_jpeg is not None or (has_photo and keep_photo)
    problems += _check_texts(texts, rules, with_photo)
    buttons = _buttons(form.fields, rules, problems)
    target = _target(form, rules, problems)
    campaign_id = _campaign(get("campaign_id"), problems)
    if problems or target is None:
        return None, problems
    return BroadcastSpec(title, texts, buttons, target, campaign_id, photo_jpeg, keep_photo), []


def _check_texts(texts: dict[str, str], rules: ComposeRules, with_photo: bool) -> list[Problem]:
    problems = []
    if rules.default_locale not in texts:
        problems.append(Problem(NEED_DEFAULT_TEXT, {"locale": rules.default_locale}))
    limit, message = (MAX_CAPTION_CHARS, CAPTION_TOO_LONG) if with_photo else (MAX_TEXT_CHARS, TEXT_TOO_LONG)
    problems += [
        Problem(message, {"locale": locale, "max": limit}) for locale, text in texts.items() if len(text) > limit
    ]
    return problems


async def _clean_photo(data: bytes | None, now: datetime, problems: list[Problem]) -> bytes | None:
    if not data:
        return None
    try:
        clean = await asyncio.to_thread(process_photo, data, limits=PhotoLimits(), now=now)
    except PhotoRejectedError:
        problems.append(Problem(BAD_PHOTO))
        return None
    return clean.jpeg


def _buttons(fields: Mapping[str, str], rules: ComposeRules, problems: list[Problem]) -> list[Button]:
    buttons = []
    if fields.get("button_report") == "on":
        buttons.append(Button(ButtonKind.REPORT))
    url = (fields.get("link_url") or "").strip()
    labels = {locale: (fields.get(f"link_label_{locale}") or "").strip()[:64] for locale in rules.locales}
    labels = {locale: label for locale, label in labels.items() if label}
    if url or labels:
        if not url.startswith(("https://", "http://")) or len(url) > 512 or not labels:
            problems.append(Problem(BAD_LINK))
        else:
            buttons.append(Button(ButtonKind.URL, url=url, labels=labels))
    return buttons


def _target(form: ComposeInput, rules: ComposeRules, problems: list[Problem]) -> Target | None:
    get = form.fields.get
    try:
        kind = TargetKind(get("target_kind") or TargetKind.EVERYONE)
    except ValueError:
        kind = TargetKind.EVERYONE
    if kind is TargetKind.AREAS:
        areas = tuple(sorted({area for area in form.areas if area in rules.area_keys}))
        return Target(kind, areas=areas) if areas else _problem(problems, NEED_AREAS)
    if kind is TargetKind.RADIUS:
        lat, lon, radius_m = _number(get("lat")), _number(get("lon")), _number(get("radius_m"))
        if (
            lat is None
            or lon is None
            or radius_m is None
            or not (abs(lat) <= 90 and abs(lon) <= 180 and 1 <= radius_m <= MAX_RADIUS_M)
        ):
            return _problem(problems, NEED_POINT)
        return Target(kind, lat=lat, lon=lon, radius_m=int(radius_m))
    if kind is TargetKind.ACTIVE_REPORTERS:
        days = _number(get("days"))
        if days is None or not 1 <= days <= MAX_DAYS:
            return _problem(problems, NEED_DAYS)
        return Target(kind, days=int(days))
    if kind is TargetKind.TOPIC:
        topic = get("topic") or ""
        return Target(kind, topic=topic) if topic in set(Topic) else _problem(problems, NEED_TOPIC)
    return Target(TargetKind.EVERYONE)


def _problem(problems: list[Problem], message: str) -> Target | None:
    problems.append(Problem(message))
    return None


def _number(raw: str | None) -> float | None:
    try:
        value = float((raw or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _campaign(raw: str | None, problems: list[Problem]) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit():
        problems.append(Problem(BAD_CAMPAIGN))
        return None
    return int(text)
