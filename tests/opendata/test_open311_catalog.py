"""Conformance: discovery, the service list and service definitions, in XML and JSON, and their errors."""

from __future__ import annotations

import pytest

from bot.reports.categories import DEFAULT_CATEGORIES
from tests.opendata.helpers import BASE, Open311Client, errors_of

FORMATS = ("xml", "json")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["/open311/discovery", f"{BASE}/discovery"])
async def test_discovery_names_the_v2_endpoint_and_both_formats(api: Open311Client, fmt: str, path: str) -> None:
    answer = await api.get(f"{path}.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        assert answer.content_type == "application/json; charset=utf-8"
        tree = answer.json()
        [endpoint] = tree["endpoints"]
        formats = endpoint["formats"]
        assert tree["changeset"] and tree["contact"] and tree["key_service"]
    else:
        assert answer.content_type == "text/xml; charset=utf-8"
        root = answer.xml()
        assert root.tag == "discovery" and root.findtext("contact")
        [element] = root.findall("endpoints/endpoint")
        endpoint = {child.tag: child.text for child in element}
        formats = [f.text for f in element.findall("formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert str(endpoint["url"]).endswith("/open311/v2") and endpoint["type"] == "production"
    assert set(formats) == {"text/xml; charset=utf-8", "application/json; charset=utf-8"}


async def test_the_service_list_has_every_category_in_both_formats(api: Open311Client) -> None:
    json_list = (await api.get(f"{BASE}/services.json", locale="en")).json()
    xml_list = (await api.get(f"{BASE}/services.xml", locale="en")).xml()
    assert [s["service_code"] for s in json_list] == [c.key for c in DEFAULT_CATEGORIES]
    assert [s.findtext("service_code") for s in xml_list.findall("service")] == [c.key for c in DEFAULT_CATEGORIES]
    fire = next(s for s in json_list if s["service_code"] == "fire_exit")
    assert fire == {
        "service_code": "fire_exit",
        "service_name": "Blocked fire exit or escape route",
        "description": "",
        "metadata": True,
        "type": "realtime",
        "keywords": "fire exit",
        "group": "safety hazards",
    }
    assert xml_list.find("service/metadata").text == "true"  # type: ignore[union-attr]


async def test_a_private_category_says_it_is_never_shown_one_by_one(api: Open311Client) -> None:
    services = {s["service_code"]: s for s in (await api.get(f"{BASE}/services.json", locale="en")).json()}
    assert "never shown one by one" in services["ebike"]["description"]
    assert "never shown one by one" in services["rental_fire"]["description"]


async def test_names_follow_the_readers_language(api: Open311Client) -> None:
    chinese = (await api.get(f"{BASE}/services.json", locale="zh_CN")).json()
    assert next(s for s in chinese if s["service_code"] == "fire_exit")["service_name"] == "消防通道或疏散通道堵塞"


async def test_a_definition_asks_the_danger_question_first_then_the_categorys_own(api: Open311Client) -> None:
    tree = (await api.get(f"{BASE}/services/ebike.json", locale="en")).json()
    assert tree["service_code"] == "ebike"
    codes = [(a["code"], a["datatype"], a["required"], a["order"]) for a in tree["attributes"]]
    assert codes == [
        ("in_danger", "singlevaluelist", True, 1),
        ("ebike_count", "number", False, 2),
        ("ebike_where", "singlevaluelist", False, 3),
    ]
    assert [v["key"] for v in tree["attributes"][0]["values"]] == ["yes", "no"]


async def test_a_definition_in_xml_lists_values(api: Open311Client) -> None:
    root = (await api.get(f"{BASE}/services/fire_exit.xml", locale="en")).xml()
    assert root.tag == "service_definition" and root.findtext("service_code") == "fire_exit"
    exit_state = root.findall("attributes/attribute")[1]
    assert exit_state.findtext("datatype") == "multivaluelist" and exit_state.findtext("variable") == "true"
    assert [v.findtext("key") for v in exit_state.findall("values/value")] == ["locked", "blocked", "no_sign"]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_an_unknown_service_code_is_a_404_in_the_specs_shape(api: Open311Client, fmt: str) -> None:
    answer = await api.get(f"{BASE}/services/potholes.{fmt}", locale="en")
    assert answer.status == 404
    assert errors_of(answer, fmt) == [(404, "service_code potholes not found")]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_an_unknown_resource_is_a_404_in_the_asked_format(api: Open311Client, fmt: str) -> None:
    answer = await api.get(f"{BASE}/nothing.{fmt}", locale="en")
    assert answer.status == 404 and errors_of(answer, fmt)[0][0] == 404


@pytest.mark.settings(open311_jurisdiction_id="safecity.example")
@pytest.mark.parametrize("fmt", FORMATS)
async def test_another_jurisdiction_is_a_404_and_ours_is_served(api: Open311Client, fmt: str) -> None:
    other = await api.get(f"{BASE}/services.{fmt}", jurisdiction_id="elsewhere.example", locale="en")
    assert other.status == 404
    assert errors_of(other, fmt) == [(404, "jurisdiction_id elsewhere.example is not served here")]
    assert (await api.get(f"{BASE}/services.{fmt}", jurisdiction_id="safecity.example")).status == 200
