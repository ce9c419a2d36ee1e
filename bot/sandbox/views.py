"""The sandbox chat page (`GET /sandbox`) and the small JSON API its script uses.

`setup_routes` is installed by bot/runtime.py only when there is no TELEGRAM_BOT_TOKEN. It also
mounts the Bot API emulation (bot/sandbox/emulator.py) that the bot itself talks to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import BodyPartReader, web

from bot.i18n import KNOWN_LOCALES, N_, Translator, normalize_locale
from bot.sandbox.emulator import BotApiEmulator, add_bot_api_routes
from bot.sandbox.owners import OWNER_COOKIE, Owners, new_owner_token, valid_token
from bot.sandbox.person import Person, PersonActions, SandboxError
from bot.sandbox.store import Transcript
from bot.web.keys import ptb_key, services_key
from bot.web.webhook import accept_update

HERE = Path(__file__).resolve().parent
#: The longest a page's poll is held open; the page asks again right away.
LONG_POLL_MAX_S = 25.0
#: Telegram `language_code` the fake user sends for each page language.
LANGUAGE_CODES = {"zh_CN": "zh-hans", "en": "en"}
LANGUAGE_COOKIE = "sandbox_lang"

actions_key = web.AppKey("sandbox_actions", PersonActions)
transcript_key = web.AppKey("sandbox_transcript", Transcript)
templates_key = web.AppKey("sandbox_templates", jinja2.Environment)
owners_key = web.AppKey("sandbox_owners", Owners)
owner_key = web.RequestKey("sandbox_owner", str)
#: The chat page and its API know the browser by its owner cookie; the Bot API emulation and static files do not.
PAGE_PATH, API_PREFIX = "/sandbox", "/sandbox/api/"
OWNER_COOKIE_MAX_AGE_S = 365 * 24 * 3600

PHONE_RE = re.compile(r"\+?[0-9][0-9 -]{4,30}")
BAD_COORDINATES = N_("Latitude and longitude must be numbers, e.g. 31.2304 and 121.4737.")
BUTTON_GONE = N_("That button is no longer there.")
EMPTY_MESSAGE = N_("Type a message first.")
NO_FILE = N_("Choose a file first.")
BAD_PHONE = N_("Type a phone number: digits, spaces and an optional leading +, e.g. +86 138 0013 8000.")
UNKNOWN_ACTION = N_("The sandbox does not know that action.")
NOT_YOURS = N_("This person belongs to another browser: press “New user” to chat as someone else.")


@web.middleware
async def owner_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Give every browser using the chat page an owner token (a cookie), once."""
    if request.path != PAGE_PATH and not request.path.startswith(API_PREFIX):
        return await handler(request)
    token = request.cookies.get(OWNER_COOKIE)
    fresh = not valid_token(token)
    request[owner_key] = token = new_owner_token() if fresh or token is None else token
    response = await handler(request)
    if fresh:
        response.set_cookie(
            OWNER_COOKIE, token, max_age=OWNER_COOKIE_MAX_AGE_S, httponly=True, samesite="Strict", path="/sandbox"
        )
    return response


def _not_theirs(request: web.Request, chat_id: int, locale: str) -> web.Response | None:
    """A refusal when this browser may not be the person `chat_id`; None when it may (claiming a new one)."""
    if request.app[owners_key].allows(chat_id, request[owner_key]):
        return None
    return web.json_response({"ok": False, "error": Translator(locale)(NOT_YOURS)}, status=403)


def page_locale(request: web.Request) -> str:
    chosen = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in KNOWN_LOCALES:
        return chosen
    return normalize_locale(request.headers.get("Accept-Language", "").split(",")[0])


async def chat_page(request: web.Request) -> web.Response:
    locale = page_locale(request)
    template = request.app[templates_key].get_template("sandbox.html")
    static = request.app.router["sandbox_static"]
    html = template.render(
        _=Translator(locale),
        locale=locale,
        language_code=LANGUAGE_CODES[locale],
        js_texts=json.dumps(page_texts(Translator(locale)), ensure_ascii=False),
        script_url=static.url_for(filename="sandbox.js"),
        style_url=static.url_for(filename="sandbox.css"),
    )
    response = web.Response(text=html, content_type="text/html")
    response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def page_texts(_: Translator) -> dict[str, str]:
    """Strings the page script shows, in the page's language."""
    return {
        "edited": _("edited"),
        "deleted": _("deleted message"),
        "location": _("Location"),
        "locating": _("Asking the browser for your location…"),
        "no_geolocation": _("The browser did not give a location: type the coordinates instead."),
        "send_failed": _("Sending failed:"),
        "contact": _("Contact"),
        "ask_phone": _("The bot asks for your phone number (Telegram would share your account's). Phone number:"),
        "offline": _("The sandbox server is not answering; retrying…"),
        "default_name": _("Tester %(id)s"),
    }


async def messages(request: web.Request) -> web.Response:
    """The chat's changes after `after` (a sequence number), waiting up to `wait` seconds for one."""
    try:
        chat_id = _chat_id(request.query["chat_id"])
        after = int(request.query.get("after", "0"))
        wait_s = min(float(request.query.get("wait", "0")), LONG_POLL_MAX_S)
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text="chat_id, after and wait must be numbers") from None
    if refusal := _not_theirs(request, chat_id, page_locale(request)):
        return refusal
    return web.json_response(await request.app[transcript_key].wait(chat_id, after, wait_s))


async def send(request: web.Request) -> web.Response:
    """One action of the person: text, photo, document (photo as a file), location, contact or a button tap."""
    form = await _read_form(request)
    try:
        person = Person(
            _chat_id(form["chat_id"]),
            str(form.get("first_name") or "Tester")[:64],
            str(form.get("language_code") or "en")[:16],
        )
    except (KeyError, ValueError):
        return _refuse("chat_id must be a number")
    if refusal := _not_theirs(request, person.user_id, normalize_locale(person.language_code)):
        return refusal
    _ = Translator(normalize_locale(person.language_code))  # refusals in the fake user's language
    try:
        message = await _act(request.app[actions_key], person, str(form.get("kind", "")), form, _)
    except SandboxError as error:
        return _refuse(str(error))
    return web.json_response({"ok": True, "message": message})


Message = dict[str, Any] | None
#: Telegram user ids fit in 52 bits; anything else is refused before it reaches the bot or the database.
MAX_CHAT_ID = 2**52


def _chat_id(raw: object) -> int:
    chat_id = int(str(raw))
    if not 0 < chat_id < MAX_CHAT_ID:
        raise ValueError("chat id out of range")
    return chat_id


async def _act(actions: PersonActions, person: Person, kind: str, form: dict[str, Any], _: Translator) -> Message:
    if form.get("via_keyboard"):
        actions.used_reply_keyboard(person)
    act = _ACTIONS.get(kind)
    if act is None:
        raise SandboxError(_(UNKNOWN_ACTION))
    return await act(actions, person, kind, form, _)


async def _text(actions: PersonActions, person: Person, _kind: str, form: dict[str, Any], _: Translator) -> Message:
    if not str(form.get("text", "")).strip():
        raise SandboxError(_(EMPTY_MESSAGE))
    return await actions.text(person, str(form["text"]))


async def _file(actions: PersonActions, person: Person, kind: str, form: dict[str, Any], _: Translator) -> Message:
    upload = form.get("file")
    if not isinstance(upload, tuple):
        raise SandboxError(_(NO_FILE))
    name, content_type, content = upload
    if kind == "photo":
        return await actions.photo(person, content)
    return await actions.document(person, content, name, content_type)


async def _location(actions: PersonActions, person: Person, _kind: str, form: dict[str, Any], _: Translator) -> Message:
    try:
        lat, lon = float(form["latitude"]), float(form["longitude"])
        accuracy_m = float(form["accuracy"]) if form.get("accuracy") else None
    except (KeyError, ValueError):
        raise SandboxError(_(BAD_COORDINATES)) from None
    return await actions.location(person, lat, lon, accuracy_m=accuracy_m)


async def _contact(actions: PersonActions, person: Person, _kind: str, form: dict[str, Any], _: Translator) -> Message:
    phone = str(form.get("phone_number", "")).strip()
    if not PHONE_RE.fullmatch(phone):
        raise SandboxError(_(BAD_PHONE))
    return await actions.contact(person, phone)


async def _button(actions: PersonActions, person: Person, _kind: str, form: dict[str, Any], _: Translator) -> Message:
    try:
        await actions.press(person, int(form["message_id"]), str(form["data"]))
    except (KeyError, ValueError, SandboxError):
        raise SandboxError(_(BUTTON_GONE)) from None
    return None


_ACTIONS: dict[str, Callable[[PersonActions, Person, str, dict[str, Any], Translator], Awaitable[Message]]] = {
    "text": _text,
    "photo": _file,
    "document": _file,
    "location": _location,
    "contact": _contact,
    "button": _button,
}


async def _read_form(request: web.Request) -> dict[str, Any]:
    """JSON, url-encoded or multipart; an uploaded file becomes (name, content type, bytes)."""
    if request.content_type == "application/json":
        body = await request.json()
        return body if isinstance(body, dict) else {}
    form: dict[str, Any] = {}
    if request.content_type != "multipart/form-data":
        form.update(await request.post())
        return form
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        if part.filename is not None:
            content_type = part.headers.get("Content-Type")
            form[part.name] = (part.filename, content_type, bytes(await part.read()))
        else:
            form[part.name] = await part.text()
    return form


def _refuse(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=400)


async def person_file(request: web.Request) -> web.Response:
    """Files shown on the page (photos in the chat); the bot's own download route needs the token."""
    files = request.app[transcript_key].files
    stored = files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=files.content(stored), content_type=stored.mime_type, headers={"Cache-Control": "private, max-age=86400"}
    )


def setup_routes(app: web.Application) -> None:
    """Mount the chat page, its API, and the Bot API emulation the bot points at."""
    settings = app[services_key].settings
    transcript = Transcript(settings.var_dir / "sandbox")
    transcript.load()

    async def deliver(body: dict[str, Any]) -> None:
        await accept_update(app[ptb_key], body, app[services_key].clock)

    async def wake_polls(_: web.Application) -> None:
        await transcript.close()

    async def save(_: web.Application) -> None:
        transcript.save()

    app[transcript_key] = transcript
    owners = app[owners_key] = Owners(settings.var_dir / "sandbox")
    owners.load()
    app.middlewares.append(owner_middleware)
    app[actions_key] = PersonActions(transcript, deliver)
    app[templates_key] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    add_bot_api_routes(app, BotApiEmulator(transcript, settings.bot_token))
    app.on_shutdown.append(wake_polls)
    app.on_cleanup.append(save)
    app.router.add_get(PAGE_PATH, chat_page)
    app.router.add_get("/sandbox/api/messages", messages)
    app.router.add_post("/sandbox/api/send", send)
    app.router.add_get("/sandbox/api/file/{file_id}", person_file)
    app.router.add_static("/sandbox/static", HERE / "static", append_version=True, name="sandbox_static")
