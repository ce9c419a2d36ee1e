"""The two formats of GeoReport v2: XML (required) and JSON (the Spark convention: the same tree as lists and
objects, a list's items unwrapped). One tree, built once, written either way."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

#: A list's element name -> its items' element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def to_json(tree: Any) -> str:
    return json.dumps(tree, ensure_ascii=False)


def to_xml(root: str, tree: Any) -> str:
    """`tree` under a root element named `root` (a list's items named by ITEM_NAMES)."""
    element = ElementTree.Element(root)
    _fill(element, root, tree)
    body = ElementTree.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), key, child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(name, "item")
        for child in value:
            _fill(ElementTree.SubElement(element, item_name), item_name, child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, tree: Any) -> str:
    return to_json(tree) if fmt == "json" else to_xml(root, tree)


def error_tree(code: int, description: str) -> list[dict[str, Any]]:
    return [{"code": code, "description": description}]
