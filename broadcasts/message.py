"""What a broadcast looks like to one resident, and the port through which it is sent.

`MessageBook` renders a broadcast once per language (text, photo, buttons) for the delivery loop.
`Sender` is the boundary to Telegram: the transport (broadcasts/jobs.py) implements it and maps
Telegram's answers to an `Outcome`, so this package never imports `telegram`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from bot.i18n import Translator
from broadcasts.texts import REPORT_BUTTON

#: Callback data of the buttons this feature puts under broadcasts (at most 64 bytes on Telegram).
REPORT_CALLBACK = "bc:report"
SELF_CHECK_PREFIX = "chk:"
#: Telegram's limits for a message text and for a photo caption.
MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024


def unix_lines(text: str) -> str:
    """Line ends as Telegram shows them: a text pasted from Windows ("\\r\\n") or an old Mac ("\\r") keeps none of
    its carriage returns (they count against the length limit and some clients show them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class ButtonKind(StrEnum):
    REPORT = "report"  #: "Report a hazard": starts /report
    URL = "url"  #: a link with a label per language
    CHECK = "check"  #: one answer of the education day's self-check


@dataclass(frozen=True)
class Button:
    kind: ButtonKind
    url: str = ""
    key: str = ""  #: self-check answer key
    labels: dict[str, str] = field(default_factory=dict)  #: locale -> label (URL and CHECK buttons)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "url": self.url, "key": self.key, "labels": dict(self.labels)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Button:
        return cls(
            ButtonKind(data["kind"]), str(data.get("url", "")), str(data.get("key", "")), dict(data.get("labels") or {})
        )


@dataclass(frozen=True)
class OutButton:
    label: str
    url: str | None = None
    callback_data: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One rendered message: a text (or a caption when there is a photo) and rows of buttons."""

    text: str
    rows: tuple[tuple[OutButton, ...], ...] = ()
    photo_file_id: str | None = None  #: Telegram's id once the photo was uploaded once
    photo: bytes | None = None  #: the JPEG to upload while there is no file id yet


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  #: 403
    FAILED = "failed"  #: Telegram refused this message for good (400: chat not found, ...)
    RETRY = "retry"  #: certainly not delivered (429, or the connection was refused): try again later
    IN_DOUBT = "in_doubt"  #: the request may have been delivered (timeout, broken response)


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    retry_after_s: float = 0.0
    error: str = ""
    photo_file_id: str | None = None  #: set when this send uploaded the photo


class Sender(Protocol):
    async def send(self, chat_id: int, message: Outgoing) -> SendResult: ...


def pick_text(texts: dict[str, str], locale: str, default_locale: str) -> str:
    """The resident's language, else the default one, else any text there is."""
    for candidate in (locale, default_locale):
        if texts.get(candidate, "").strip():
            return texts[candidate]
    return next((text for text in texts.values() if text.strip()), "")


def self_check_data(month_key: str, answer_key: str) -> str:
    return f"{SELF_CHECK_PREFIX}{month_key}:{answer_key}"


class MessageBook:
    """A broadcast's message in every language it is asked for, rendered once each."""

    def __init__(
        self,
        texts: dict[str, str],
        buttons: list[Button],
        default_locale: str,
        *,
        self_check_month: str | None = None,
        photo: bytes | None = None,
        photo_file_id: str | None = None,
    ) -> None:
        self.texts, self.buttons, self.default_locale = texts, buttons, default_locale
        self.self_check_month = self_check_month
        self.photo, self.photo_file_id = photo, photo_file_id
        self._rendered: dict[str, Outgoing] = {}

    @property
    def has_photo(self) -> bool:
        return self.photo is not None or self.photo_file_id is not None

    def learn_file_id(self, file_id: str) -> None:
        """The first upload succeeded: later messages reuse Telegram's copy instead of uploading again."""
        if self.photo_file_id is None:
            self.photo_file_id, self.photo = file_id, None
            self._rendered.clear()

    def for_locale(self, locale: str) -> Outgoing:
        if locale not in self._rendered:
            self._rendered[locale] = Outgoing(
                pick_text(self.texts, locale, self.default_locale),
                self._rows(locale),
                photo_file_id=self.photo_file_id,
                photo=None if self.photo_file_id else self.photo,
            )
        return self._rendered[locale]

    def _rows(self, locale: str) -> tuple[tuple[OutButton, ...], ...]:
        rows: list[tuple[OutButton, ...]] = []
        for button in self.buttons:
            label = pick_text(button.labels, locale, self.default_locale)
            if button.kind is ButtonKind.REPORT:
                rows.append((OutButton(Translator(locale)(REPORT_BUTTON), callback_data=REPORT_CALLBACK),))
            elif button.kind is ButtonKind.URL:
                rows.append((OutButton(label or button.url, url=button.url),))
            elif self.self_check_month is not None:
                rows.append((OutButton(label, callback_data=self_check_data(self.self_check_month, button.key)),))
        return tuple(rows)
