"""Updates are checked field by field before anything stores or handles them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from telegram import Bot

from bot.telegram.validation import InvalidUpdateError, validate

BOT = Bot("1:TEST")


def text_update(**message: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "update_id": 10,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 77, "type": "private", "first_name": "Wen"},
            "from": {"id": 77, "is_bot": False, "first_name": "Wen", "language_code": "zh-hans"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    body["message"].update(message)
    return body


def button_tap() -> dict[str, Any]:
    return {
        "update_id": 11,
        "callback_query": {
            "id": "q1",
            "chat_instance": "ci",
            "data": "cf:yes",
            "from": {"id": 78, "is_bot": False, "first_name": "Bo"},
            "message": {
                "message_id": 5,
                "date": 0,
                "chat": {"id": 78, "type": "private"},
                "text": "Submit?",
                "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "cf:yes"}]]},
            },
        },
    }


def with_value(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = changed
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = value
    return changed


class TestValidUpdates:
    def test_a_command_is_parsed_with_its_chat(self) -> None:
        valid = validate(text_update(), BOT)
        assert (valid.update_id, valid.kind, valid.chat_id) == (10, "message", 77)
        assert valid.update.effective_message is not None and valid.update.effective_message.text == "/help"

    def test_a_button_tap_belongs_to_the_chat_it_was_tapped_in(self) -> None:
        valid = validate(button_tap(), BOT)
        assert (valid.kind, valid.chat_id) == ("callback_query", 78)

    def test_a_tap_on_an_inline_message_belongs_to_the_user(self) -> None:
        """No chat (a message sent via inline mode): the user's updates are serialised instead."""
        body = button_tap()
        del body["callback_query"]["message"]
        body["callback_query"]["inline_message_id"] = "im"
        assert validate(body, BOT).chat_id == 78

    def test_unknown_fields_pass(self) -> None:
        """Telegram adds fields to its objects; an update with one we do not know is still ours."""
        assert validate(text_update(some_new_field={"x": [1, 2]}), BOT).chat_id == 77


class TestInvalidUpdates:
    @pytest.mark.parametrize(
        ("path", "value", "reason"),
        [
            ("message.chat.id", {"id": 1}, "update.message.chat.id has the wrong type"),
            ("message.chat.id", True, "update.message.chat.id has the wrong type"),
            ("message.from.id", "77", "update.message.from.id has the wrong type"),
            ("message.text", 12, "update.message.text has the wrong type"),
            ("message.date", -5, "update.message.date is not a date"),
            ("message.entities.0.offset", None, "update.message.entities[].offset is missing"),
            ("message.chat.id", 2**64, "number out of range"),
            ("message.location", {"latitude": 1.0}, "update.message.location.longitude is missing"),
            ("update_id", -1, "update_id out of range"),
            ("update_id", "10", "update.update_id has the wrong type"),
        ],
    )
    def test_a_field_of_the_wrong_shape_is_named(self, path: str, value: Any, reason: str) -> None:
        body = text_update()
        if value is None:
            body["message"]["entities"][0].pop("offset")
        else:
            body = with_value(body, path, value)
        with pytest.raises(InvalidUpdateError) as refused:
            validate(body, BOT)
        assert refused.value.reason == reason
        assert refused.value.kind == "message"

    def test_a_button_with_a_number_for_data_is_refused(self) -> None:
        with pytest.raises(InvalidUpdateError, match=r"callback_query\.data has the wrong type"):
            validate(with_value(button_tap(), "callback_query.data", 5), BOT)

    def test_a_float_that_is_not_a_number_is_refused(self) -> None:
        body = text_update(location={"latitude": float("nan"), "longitude": 1.0})
        with pytest.raises(InvalidUpdateError, match="number out of range"):
            validate(body, BOT)

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            ('"first_name": "Wen \\ud83d"', "a string is not Unicode text"),  # half an emoji's surrogate pair
            ('"text": "/help \\udc2d"', "a string is not Unicode text"),
            ('"\\udb7e": 1', "a key is not Unicode text"),
        ],
    )
    def test_half_a_surrogate_pair_is_refused(self, raw: str, reason: str) -> None:
        """JSON can escape a lone surrogate; Python reads it into a str no database, Redis or log can encode."""
        body = json.loads(
            '{"update_id": 9, "message": {"message_id": 1, "date": 1700000000,'
            ' "chat": {"id": 7, "type": "private"},'
            ' "from": {"id": 7, "is_bot": false, "first_name": "R"}, ' + raw + "}}"
        )
        with pytest.raises(InvalidUpdateError) as refused:
            validate(body, BOT)
        assert refused.value.reason == reason

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (text_update(text=None), "update.message.entities without text"),  # a command's entity, no command
            (
                text_update(caption_entities=[{"type": "bold", "offset": 0, "length": 1}]),
                "update.message.caption_entities without caption",
            ),
        ],
    )
    def test_entities_with_no_text_to_mark_are_refused(self, body: dict[str, Any], reason: str) -> None:
        with pytest.raises(InvalidUpdateError) as refused:
            validate(body, BOT)
        assert refused.value.reason == reason

    def test_a_whole_surrogate_pair_is_an_emoji_and_passes(self) -> None:
        body = json.loads(
            '{"update_id": 9, "message": {"message_id": 1, "date": 1700000000,'
            ' "chat": {"id": 7, "type": "private"},'
            ' "from": {"id": 7, "is_bot": false, "first_name": "Wen \\ud83d\\ude00"}}}'
        )
        sender = validate(body, BOT).update.effective_user
        assert sender is not None and sender.first_name == "Wen \U0001f600"

    @pytest.mark.parametrize(
        "body",
        [
            [],
            "update",
            {"update_id": 3},
            {"update_id": 3, "poll": {"id": "p"}},
            {"update_id": 3, "message": {}, "callback_query": {}},
            {"update_id": 3, "callback_query": None},
            {"update_id": 3, "message": None},
        ],
    )
    def test_not_exactly_one_kind_we_handle_is_refused(self, body: object) -> None:
        with pytest.raises(InvalidUpdateError):
            validate(body, BOT)

    def test_a_deeply_nested_body_is_refused(self) -> None:
        nested: dict[str, Any] = {}
        for _ in range(50):
            nested = {"x": nested}
        with pytest.raises(InvalidUpdateError, match="too large or too deep"):
            validate(text_update(extra=nested), BOT)

    def test_the_reason_never_quotes_the_content(self) -> None:
        """What may be logged: the update id, its kind, the field's path; never a name or a number."""
        body = with_value(text_update(contact={"phone_number": 13800138000, "first_name": "Wen Li"}), "update_id", 9)
        with pytest.raises(InvalidUpdateError) as refused:
            validate(body, BOT)
        logged = f"{refused.value.update_id} {refused.value.kind} {refused.value.reason}"
        assert logged == "9 message update.message.contact.phone_number has the wrong type"
