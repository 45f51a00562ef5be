"""How the portal spider reads a page's text from its bytes (spiders/portal.py): the
bytes themselves when they are the text in UTF-8, whatever charset Scrapy guesses."""

from __future__ import annotations

import json

import pytest
from scrapy.http import Headers, Request
from scrapy.responsetypes import responsetypes

from spiders.portal import _text, _utf8


def response(body: bytes, ctype: str):  # type: ignore[no-untyped-def]
    url = "http://127.0.0.1/oparl/body/1/paper"
    headers = Headers({"Content-Type": ctype})
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, body=body, headers=headers, request=Request(url))


ASCII_JSON = json.dumps({"name": "Städtepartnerschaft"}).encode()  # \u00e4: all ASCII
UTF8_JSON = json.dumps({"name": "Städtepartnerschaft"}, ensure_ascii=False).encode()


@pytest.mark.parametrize(("body", "ctype"), [
    (ASCII_JSON, "application/json"),  # Scrapy guesses cp1252 for it
    (UTF8_JSON, "application/json"),
    (UTF8_JSON, "application/vnd.api+json; charset=utf-8"),
    (UTF8_JSON, "application/vnd.api+json"),  # JSON is UTF-8 (RFC 8259)
    (b"<?xml version='1.0'?><a>Ratssitzung</a>", "text/xml; charset=iso-8859-1"),
])
def test_the_bytes_are_the_text(body: bytes, ctype: str) -> None:
    r = response(body, ctype)
    assert _utf8(r)
    assert _text(r) == body.decode("utf-8") == r.text


@pytest.mark.parametrize(("body", "ctype", "text"), [
    ("<a>Ratssitzung für Köln</a>".encode("iso-8859-1"), "text/xml; charset=iso-8859-1",
     "<a>Ratssitzung für Köln</a>"),
    ("<a>Sitzung</a>".encode("utf-16-le"), "text/xml; charset=utf-16le", "<a>Sitzung</a>"),  # NULs
    (b"\xef\xbb\xbf" + UTF8_JSON, "application/json", UTF8_JSON.decode()),  # a BOM
    (b"Ratssitzung", "text/plain; charset=cp500", b"Ratssitzung".decode("cp500")),  # EBCDIC: other letters
    ('{"name": "Köln"}'.encode("iso-8859-1"), "application/json", None),  # not UTF-8: Scrapy's guess
])
def test_other_bytes_are_decoded_by_their_charset(body: bytes, ctype: str, text: str | None) -> None:
    r = response(body, ctype)
    assert not _utf8(r)
    assert _text(r) == r.text
    assert text is None or _text(r) == text


def test_a_json_api_page_is_json_to_scrapy() -> None:
    """Scrapy makes a JSON response of JSON:API's media type without sniffing its body."""
    import spiders.portal  # noqa: F401  # registers the type

    r = response(UTF8_JSON, "application/vnd.api+json")
    assert type(r).__name__ == "JsonResponse"
    assert r.json() == {"name": "Städtepartnerschaft"}
