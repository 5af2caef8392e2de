"""Open311 answers in the format the path asked for: ``.json`` (the "Spark" mapping) or ``.xml``.

The same nested dicts and lists render to both; a list's XML elements are
named by :data:`ITEMS` (``services`` → ``service`` …), as in the spec's examples.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

from bot.jsonout import dumps

ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
         "endpoints": "endpoint", "formats": "format", "errors": "error"}
XML_TYPE = "text/xml"
JSON_TYPE = "application/json"
# Characters XML 1.0 cannot carry at all; reports from other channels may contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """An error answered in the spec's shape, ``[{"code": …, "description": …}]``."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def respond(fmt: str, root: str, value: Any, status: int = 200) -> web.Response:
    if fmt == "json":
        return web.Response(text=dumps(value), status=status, content_type=JSON_TYPE)
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode", xml_declaration=False)
    return web.Response(text='<?xml version="1.0" encoding="utf-8"?>\n' + body, status=status,
                        content_type=XML_TYPE)


def error(fmt: str, status: int, description: str) -> web.Response:
    return respond(fmt, "errors", [{"code": status, "description": description}], status)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        tag = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
