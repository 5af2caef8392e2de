"""Entity-proof reading of WeChat's ``<xml>`` payloads into flat ``{field: text}`` maps.

A 明文模式 body is covered by no signature, so whoever can reach ``POST /wechat`` chooses its
bytes. wechatpy's parser (xmltodict on expat) refuses entity declarations with a bare ValueError
but lets a DOCTYPE with an external DTD through. WeChat never sends a DTD, so every document type
or entity declaration is refused here before anything can be expanded (billion laughs, XXE,
external DTD, parameter entities):

1. a pre-scan of the prolog (the only place a DOCTYPE may legally stand) refuses it before any
   parser runs; it does not look past the root tag, so CDATA text such as a resident typing
   ``<!ENTITY`` is not a false alarm;
2. expat itself then raises from the DOCTYPE / entity-declaration handlers, the same guard
   defusedxml installs, for anything the pre-scan cannot see (e.g. after a prolog comment).
"""

from __future__ import annotations

import re
from typing import NoReturn
from xml.parsers import expat

from bot.wechat.errors import CallbackError

_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_fields(data: bytes) -> dict[str, str]:
    """Leaf texts of a ``<xml>`` document, keyed by dotted path below the root.

    ``SendLocationInfo.Location_X`` for nested leaves; a repeated nested leaf (``PicList.item``)
    keeps its first value, a repeated top-level field is malformed because parsers disagree on it.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise CallbackError("invalid_utf8") from None
    root = _ROOT_START.search(data)
    if _DECLARATION.search(data, 0, root.start() if root else len(data)):
        raise CallbackError("xml_entities")
    fields = _Fields()
    parser = _hardened_parser(fields)
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        raise CallbackError("malformed_xml") from None
    return fields.values


def _forbid(*_: object) -> NoReturn:
    raise CallbackError("xml_entities")


def _hardened_parser(fields: _Fields) -> expat.XMLParserType:
    # "UTF-8" overrides any encoding="GBK" declaration: we checked UTF-8, expat must read UTF-8.
    parser = expat.ParserCreate("UTF-8")
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = fields.start
    parser.EndElementHandler = fields.end
    parser.CharacterDataHandler = fields.text
    parser.StartCdataSectionHandler = fields.start_cdata
    parser.EndCdataSectionHandler = fields.end_cdata
    return parser


class _Fields:
    """Collects leaf texts while expat walks the tree (no tree is ever built).

    CDATA is kept verbatim; text outside it is stripped, as wechatpy (xmltodict) does: WeChat's
    卡券 events really send ``<CardId> <![CDATA[...]]> </CardId>``.
    """

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._path: list[str] = []
        self._has_child: list[bool] = []
        self._chunks: list[str] = []
        self._in_cdata = False

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        if not self._path and name != "xml":
            raise CallbackError("malformed_xml")
        if self._has_child:
            self._has_child[-1] = True
        self._path.append(name)
        self._has_child.append(False)
        self._chunks = []

    def text(self, chunk: str) -> None:
        # buffer_text hands over whole runs, so "a &amp; b" arrives (and is stripped) as one chunk.
        self._chunks.append(chunk if self._in_cdata else chunk.strip())

    def start_cdata(self) -> None:
        self._in_cdata = True

    def end_cdata(self) -> None:
        self._in_cdata = False

    def end(self, _name: str) -> None:
        is_leaf = not self._has_child.pop()
        key = ".".join(self._path[1:])
        if is_leaf and key:
            if len(self._path) == 2 and key in self.values:
                raise CallbackError("malformed_xml")
            self.values.setdefault(key, "".join(self._chunks))
        self._path.pop()
        self._chunks = []
