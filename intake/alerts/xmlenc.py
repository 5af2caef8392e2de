"""Which bytes a CAP document may arrive in: UTF-8, or an encoding its XML declaration names that we can read.

expat reads UTF-8, UTF-16 (with its byte-order mark), US-ASCII and ISO-8859-1 itself, and raises a bare
``ValueError`` ("multi-byte encodings are not supported") for anything else — which was a 500 for a
``GB2312`` document, the encoding older Chinese warning systems still write. Those are decoded here and
handed to the parser as UTF-8; any other declared encoding is refused with a reason.
"""

from __future__ import annotations

import re

from intake.errors import Invalid

_DECL = re.compile(rb"""\A\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
NATIVE = frozenset({"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"})
DECODED = {"gb2312": "gb2312", "gbk": "gbk", "gb18030": "gb18030", "big5": "big5", "big5-hkscs": "big5hkscs"}


class EncodingError(Invalid):
    code = "invalid_cap"


def as_parseable(data: bytes) -> bytes:
    """``data`` as expat can read it; :class:`EncodingError` for an encoding we do not read."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16 with its byte-order mark
    found = _DECL.match(data)
    if found is None:
        return data  # no declaration: UTF-8 by XML's rule, which expat checks
    name = found.group(1).decode("ascii").lower()
    if name in NATIVE:
        return data
    codec = DECODED.get(name)
    if codec is None:
        raise EncodingError(f"CAP documents must be UTF-8 (or UTF-16, GB2312, GBK, GB18030, Big5); "
                            f"{name[:40]!r} is not read")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise EncodingError(f"the document is not valid {name} as its XML declaration says") from None
    start, end = found.span(1)
    return (text[:start] + "UTF-8" + text[end:]).encode("utf-8")
