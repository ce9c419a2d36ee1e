"""POST requests: a partner system files a report through the Open311 API.

The request is checked like the spec says (service_code, a location, the service definition's answers, a
description of at most 4,000 characters with no markup kept), its photo (v2.1 multipart `media`, or the
`media_url` fetched with media.py's guards) goes through the kernel's photo pipeline, and the report enters the
same flow as a resident's (bot.reports.api_filing). The partner's `token` makes a retried POST harmless.

Contact fields (first_name, last_name, email, phone, device_id) are accepted as the spec allows and not kept:
the partner system keeps its callers' contact; staff reach the caller through the partner, who is named on the
report page with its `account_id` reference. Nothing personal is stored, so nothing personal can leak.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.i18n import N_
from bot.reports.api_filing import GEOCODED_LOCATION, ApiFilingError, ApiProblem, ApiSubmission, file_api_report
from bot.reports.geo import LocationProblem
from bot.reports.intake import IntakeRules
from bot.reports.photos import RejectReason
from bot.storage import PhotoStorage
from opendata import errors, texts
from opendata.catalog import DANGER, YES, Service, check_answers
from opendata.errors import Open311Error
from opendata.geocoder import GeocoderError, geocode
from opendata.media import FetchRules, MediaError, fetch_media
from opendata.models import ApiKey, PartnerRequest
from opendata.plaintext import plain_text

#: Why the kernel refused a submission, in words for the partner (translated when the error is written).
REFUSALS: dict[str, str] = {
    ApiProblem.UNKNOWN_CATEGORY: N_("no such service"),
    ApiProblem.DESCRIPTION_TOO_LONG: N_("description is longer than 4,000 characters"),
    ApiProblem.TOO_MANY_PHOTOS: N_("too many photos"),
    LocationProblem.OUTSIDE_SERVICE_AREA: N_("the location is outside the area this service covers"),
    LocationProblem.NULL_ISLAND: N_("lat and long are 0, 0: no position"),
    LocationProblem.OUT_OF_RANGE: N_("lat and long are out of range"),
    RejectReason.TOO_LARGE: N_("the photo is larger than the size limit"),
    RejectReason.TOO_MANY_PIXELS: N_("the photo has more pixels than the limit"),
    RejectReason.NOT_AN_IMAGE: N_("the photo is not an image"),
    RejectReason.UNSUPPORTED_FORMAT: N_("the photo is not JPEG, PNG, WebP or HEIF"),
    RejectReason.DAMAGED: N_("the photo is damaged"),
}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
MAX_TOKEN_CHARS = 64


@dataclass(frozen=True)
class FilingDeps:
    rules: IntakeRules
    storage: PhotoStorage
    fetch: FetchRules
    services: Mapping[str, Service]
    geocoder_url: str
    geocoder_timeout_s: float
    locale: str


@dataclass(frozen=True)
class Filed:
    report_id: int
    token: str
    account_id: str
    replayed: bool  #: the same key sent this token before: nothing new was filed


def field(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def answers_of(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` as {code: [values]}."""
    found: dict[str, list[str]] = {}
    for name, values in form.items():
        match = _ATTRIBUTE.match(name)
        if match:
            found.setdefault(match.group(1), []).extend(values)
    return found


def partner_actor(key: ApiKey) -> str:
    return f"partner:{key.id}"


async def file_request(
    form: Mapping[str, Sequence[str]], uploads: Sequence[bytes], key: ApiKey, deps: FilingDeps, *, now: datetime
) -> Filed:
    token = field(form, "token") or secrets.token_hex(16)
    if len(token) > MAX_TOKEN_CHARS:
        raise Open311Error(400, errors.TOKEN_TOO_LONG)
    earlier = await _earlier(token, key)
    if earlier is not None:
        return earlier
    service = _service(form, deps)
    answers = _answers(form, service)
    description = plain_text(field(form, "description"))
    lat, lon, located_by = await _location(form, deps)
    photos = [*uploads, *await _media(form, deps)]
    submission = ApiSubmission(
        service.category.key, lat, lon, description, deps.locale, tuple(photos), location_source=located_by
    )
    try:
        return await _file(submission, form, key, deps, token=token, answers=answers, now=now)
    except IntegrityError:  # the same token, raced by a retry of the same request: the first one won
        replay = await _earlier(token, key)
        if replay is None:
            raise
        return replay


async def _earlier(token: str, key: ApiKey) -> Filed | None:
    partner = await PartnerRequest.get_or_none(token=token)
    if partner is None:
        return None
    if partner.api_key_id != key.id:
        raise Open311Error(400, errors.TOKEN_TAKEN, token=token)
    return Filed(partner.report_id, partner.token, partner.account_id, replayed=True)


def _service(form: Mapping[str, Sequence[str]], deps: FilingDeps) -> Service:
    code = field(form, "service_code")
    if not code:
        raise Open311Error(400, errors.MISSING_PARAMETER, name="service_code")
    service = deps.services.get(code)
    if service is None:
        raise Open311Error(404, errors.UNKNOWN_SERVICE, code=code)
    return service


def _answers(form: Mapping[str, Sequence[str]], service: Service) -> dict[str, object]:
    clean, problems = check_answers(service, answers_of(form))
    if problems:
        raise Open311Error(400, errors.BAD_ANSWER, code=problems[0].code, problem=problems[0].message)
    if clean.get(DANGER) == YES:  # as in the bot: an emergency goes to 110/119/120, not to a queue
        raise Open311Error(400, texts.EMERGENCY)
    return clean


async def _location(form: Mapping[str, Sequence[str]], deps: FilingDeps) -> tuple[float, float, str]:
    lat_text, lon_text = field(form, "lat"), field(form, "long")
    if lat_text or lon_text:
        try:
            return float(lat_text), float(lon_text), "api"
        except ValueError:
            raise Open311Error(400, errors.BAD_COORDINATES) from None
    address = field(form, "address_string")
    if address:
        if not deps.geocoder_url:
            raise Open311Error(400, errors.NO_GEOCODER)
        try:
            lat, lon = await geocode(address, url=deps.geocoder_url, timeout_s=deps.geocoder_timeout_s)
        except GeocoderError:
            raise Open311Error(400, errors.NOT_GEOCODED) from None
        return lat, lon, GEOCODED_LOCATION
    if field(form, "address_id"):
        raise Open311Error(400, errors.ADDRESS_ID_UNSUPPORTED)
    raise Open311Error(400, errors.NO_LOCATION)


async def _media(form: Mapping[str, Sequence[str]], deps: FilingDeps) -> list[bytes]:
    url = field(form, "media_url")
    if not url:
        return []
    try:
        return [await fetch_media(url, deps.fetch)]
    except MediaError as error:
        raise Open311Error(400, errors.BAD_MEDIA, problem=error.problem) from None


async def _file(
    submission: ApiSubmission,
    form: Mapping[str, Sequence[str]],
    key: ApiKey,
    deps: FilingDeps,
    *,
    token: str,
    answers: dict[str, object],
    now: datetime,
) -> Filed:
    actor = partner_actor(key)
    async with in_transaction():
        try:
            report = await file_api_report(submission, deps.rules, deps.storage, actor=actor, now=now)
        except ApiFilingError as refused:
            problem = REFUSALS.get(refused.reason, refused.reason)
            raise Open311Error(400, errors.REFUSED, problem=problem) from None
        partner = await PartnerRequest.create(
            report=report,
            api_key=key,
            token=token,
            account_id=field(form, "account_id")[:128],
            address_string=field(form, "address_string")[:400],
            attributes=answers,
            media_url=field(form, "media_url"),
            created_at=now,
        )
        await record(actor, EventTag.OPEN311_POST, now=now, report=report, key=key.name, token=token)
    return Filed(report.id, partner.token, partner.account_id, replayed=False)
