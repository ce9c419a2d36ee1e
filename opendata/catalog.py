"""The Open311 service list: our hazard categories, each with its service definition (the questions a partner
answers as `attribute[code]=value`), and the check of a request's answers against them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.i18n import N_, Translator
from bot.reports.categories import Category

#: The question every category asks first; "yes" means call the emergency services, not a queue (as in the bot).
DANGER = "in_danger"
YES, NO = "yes", "no"


class Datatype(StrEnum):
    STRING = "string"
    NUMBER = "number"
    TEXT = "text"
    SINGLE = "singlevaluelist"
    MULTI = "multivaluelist"


@dataclass(frozen=True)
class Attribute:
    code: str
    description: str  #: English source, translated per reader
    datatype: Datatype
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()  #: (key, English name)
    datatype_description: str = ""


@dataclass(frozen=True)
class AnswerProblem:
    code: str  #: the attribute
    message: str  #: English source: what is wrong


DANGER_QUESTION = Attribute(
    DANGER,
    N_("Is anyone in danger right now? (If so, call 110 / 119 / 120 instead: this service is not for emergencies.)"),
    Datatype.SINGLE,
    required=True,
    values=((YES, N_("yes")), (NO, N_("no"))),
)
#: Questions asked for one category only, after the danger question.
CATEGORY_QUESTIONS: Mapping[str, tuple[Attribute, ...]] = {
    "ebike": (
        Attribute("ebike_count", N_("How many e-bikes or batteries?"), Datatype.NUMBER),
        Attribute(
            "ebike_where",
            N_("Where are they charging or parked?"),
            Datatype.SINGLE,
            values=(
                ("room", N_("in a room")),
                ("corridor", N_("in a corridor or stairwell")),
                ("lobby", N_("in a lobby")),
            ),
        ),
    ),
    "fire_exit": (
        Attribute(
            "exit_state",
            N_("What is wrong with the exit?"),
            Datatype.MULTI,
            values=(
                ("locked", N_("locked")),
                ("blocked", N_("blocked by things")),
                ("no_sign", N_("no sign or light")),
            ),
        ),
    ),
    "drowning": (
        Attribute(
            "children_nearby",
            N_("Do children play nearby?"),
            Datatype.SINGLE,
            values=((YES, N_("yes")), (NO, N_("no"))),
        ),
    ),
    "construction": (Attribute("site_name", N_("Name of the building site, if shown"), Datatype.STRING),),
}


@dataclass(frozen=True)
class Service:
    category: Category
    private: bool
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)


def services(categories: Sequence[Category], private: frozenset[str]) -> list[Service]:
    return [Service(c, c.key in private, (DANGER_QUESTION, *CATEGORY_QUESTIONS.get(c.key, ()))) for c in categories]


def service_entry(service: Service, _: Translator) -> dict[str, Any]:
    """One <service> of the service list."""
    description = _(PRIVATE_NOTE) if service.private else ""
    return {
        "service_code": service.category.key,
        "service_name": _(service.category.label),
        "description": description,
        "metadata": True,  # every category asks at least the danger question
        "type": "realtime",
        "keywords": service.category.key.replace("_", " "),
        "group": _(GROUP),
    }


PRIVATE_NOTE = N_("Reports of this kind are never shown one by one in public (only counted per grid cell).")
GROUP = N_("safety hazards")


def definition(service: Service, _: Translator) -> dict[str, Any]:
    """The <service_definition> of one service."""
    return {
        "service_code": service.category.key,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype.value,
                "required": attribute.required,
                "datatype_description": _(attribute.datatype_description) if attribute.datatype_description else None,
                "order": order,
                "description": _(attribute.description),
                "values": [{"key": key, "name": _(name)} for key, name in attribute.values],
            }
            for order, attribute in enumerate(service.attributes, start=1)
        ],
    }


MISSING = N_("this answer is required")
NOT_A_CHOICE = N_("not one of the listed values")
NOT_A_NUMBER = N_("not a number")
ONE_VALUE = N_("only one value may be given")
UNKNOWN_ATTRIBUTE = N_("no such question for this service")
TOO_LONG = N_("longer than 1,000 characters")


def check_answers(service: Service, answers: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[AnswerProblem]]:
    """Validated answers (a list for multivaluelist, else one string) and every problem found."""
    by_code = {attribute.code: attribute for attribute in service.attributes}
    problems = [AnswerProblem(code, UNKNOWN_ATTRIBUTE) for code in answers if code not in by_code]
    clean: dict[str, Any] = {}
    for attribute in service.attributes:
        given = [value.strip() for value in answers.get(attribute.code, []) if value.strip()]
        problem = _problem(attribute, given)
        if problem is not None:
            problems.append(AnswerProblem(attribute.code, problem))
        elif given:
            clean[attribute.code] = given if attribute.datatype is Datatype.MULTI else given[0]
    return clean, problems


def _problem(attribute: Attribute, given: list[str]) -> str | None:
    if not given:
        return MISSING if attribute.required else None
    if attribute.datatype is not Datatype.MULTI and len(given) > 1:
        return ONE_VALUE
    if attribute.values and any(value not in {key for key, _ in attribute.values} for value in given):
        return NOT_A_CHOICE
    if attribute.datatype is Datatype.NUMBER and not _is_number(given[0]):
        return NOT_A_NUMBER
    if any(len(value) > 1000 for value in given):
        return TOO_LONG
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
