"""Safe XML parsing for the importers: every XML byte that Tongke reads goes through here.

defusedxml's SAX reader does the parsing with DTDs, entity declarations and external
references forbidden (so no billion laughs, no ``file:///etc/passwd``, no network). On top of
that: a size limit, an element-count and depth limit, encoding checks, and one clear fatal
report code for each way a file can be refused. The tree built is a plain ElementTree whose
tags and attribute names are local names (namespaces stripped; the root's namespace is kept
on the document), with the source line of every element.
"""

from __future__ import annotations

import codecs
import re
import xml.sax
import xml.sax.handler
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import DefusedExpatParser
from django.utils.translation import gettext_lazy as _

from .model import (
    BAD_ENCODING,
    EMPTY_FILE,
    LONE_SURROGATE,
    MALFORMED,
    TOO_LARGE,
    XML_FORBIDDEN,
    XML_TOO_COMPLEX,
    InterchangeError,
)

MAX_XML_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 200
MAX_ELEMENTS = 500_000

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_UTF8_NAMES = {"utf-8", "utf8"}


@dataclass
class XmlDocument:
    """A parsed document: the root element, the root's namespace, each element's line."""

    root: Element
    namespace: str = ""
    lines: dict[Element, int] = field(default_factory=dict)

    def line(self, element: Element) -> int | None:
        return self.lines.get(element)


def looks_like_xml(data: bytes) -> bool:
    """Whether the content starts like an XML document (after a BOM and whitespace)."""
    head = data[:1024]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            if bom == codecs.BOM_UTF8:
                head = head[len(bom) :]
                break
            return head.decode("utf-16", errors="ignore").lstrip().startswith("<")
    return head.lstrip().startswith(b"<")


def decode_text(data: bytes, *, max_bytes: int | None = None) -> str:
    """Text of a non-XML file (GIFT): UTF-8 (BOM allowed) or UTF-16 with a BOM, nothing else."""
    check_size(data, max_bytes)
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterchangeError(
            BAD_ENCODING,
            _("The file is not valid UTF-8 (byte %(offset)s). Save it as UTF-8 and try again."),
            offset=exc.start,
        ) from exc
    refuse_lone_surrogates(text)
    return text


def refuse_lone_surrogates(text: str) -> None:
    """Refuse decoded text holding a lone surrogate (half of a UTF-16 pair: UTF-7 and the
    escape codecs can spell one), which no later step could encode as UTF-8."""
    found = LONE_SURROGATE.search(text)
    if found is not None:
        raise InterchangeError(
            BAD_ENCODING,
            _(
                "The file holds a lone surrogate (half of a UTF-16 pair) at character "
                "%(offset)s, which is not a character. Save it as UTF-8 and try again."
            ),
            offset=found.start(),
        )


def parse_xml(data: bytes, *, max_bytes: int | None = None) -> XmlDocument:
    """Parse untrusted XML bytes, or raise ``InterchangeError`` with a fatal entry."""
    check_size(data, max_bytes)
    payload = _as_utf8(data)
    builder = _TreeBuilder()
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(builder)
    source = xml.sax.xmlreader.InputSource()
    source.setByteStream(BytesIO(payload))
    try:
        parser.parse(source)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise InterchangeError(
            XML_FORBIDDEN,
            _(
                "The XML declares a DTD, entities or external references (%(what)s), "
                "which are refused for safety."
            ),
            what=type(exc).__name__,
        ) from exc
    except xml.sax.SAXParseException as exc:
        raise InterchangeError(
            MALFORMED,
            _("The file is not well-formed XML: %(reason)s at line %(line)s, column %(column)s."),
            reason=exc.getMessage(),
            line=exc.getLineNumber(),
            column=exc.getColumnNumber(),
        ) from exc
    except _TooComplex as exc:
        raise InterchangeError(
            XML_TOO_COMPLEX,
            _("The XML nests deeper than %(depth)s levels or has more than %(count)s elements."),
            depth=MAX_DEPTH,
            count=MAX_ELEMENTS,
        ) from exc
    except xml.sax.SAXException as exc:
        raise InterchangeError(
            MALFORMED, _("The file is not well-formed XML: %(reason)s."), reason=str(exc)
        ) from exc
    if builder.root is None:
        raise InterchangeError(MALFORMED, _("The XML document has no root element."))
    return XmlDocument(builder.root, builder.root_namespace, builder.lines)


def check_size(data: bytes, max_bytes: int | None = None) -> None:
    """Refuse an empty file, or one over ``max_bytes`` (default: ``MAX_XML_BYTES``)."""
    max_bytes = MAX_XML_BYTES if max_bytes is None else max_bytes
    if not data.strip():
        raise InterchangeError(EMPTY_FILE, _("The file is empty."))
    if len(data) > max_bytes:
        raise InterchangeError(
            TOO_LARGE,
            _("The file is %(size)s bytes; the limit is %(limit)s bytes."),
            size=len(data),
            limit=max_bytes,
        )


def _as_utf8(data: bytes) -> bytes:
    """Decode by BOM or declared encoding (GBK included), check it, hand expat UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _DECLARATION.match(data[:512].removeprefix(codecs.BOM_UTF8))
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if encoding in _UTF8_NAMES:
            encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except LookupError as exc:
        raise InterchangeError(
            BAD_ENCODING, _("The XML declares an unknown encoding %(encoding)r."), encoding=encoding
        ) from exc
    except UnicodeDecodeError as exc:
        raise InterchangeError(
            BAD_ENCODING,
            _("The file is not valid %(encoding)s (byte %(offset)s)."),
            encoding=encoding.removesuffix("-sig").upper(),
            offset=exc.start,
        ) from exc
    refuse_lone_surrogates(text)
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("<?xml"):
        text = _DECLARATION_TEXT.sub('<?xml version="1.0" encoding="UTF-8"?>', text, count=1)
    return text.encode("utf-8")


class _TooComplex(xml.sax.SAXException):
    pass


class _TreeBuilder(xml.sax.handler.ContentHandler):
    """Builds an ElementTree with local names and line numbers from SAX events."""

    def __init__(self) -> None:
        super().__init__()
        self.root: Element | None = None
        self.root_namespace = ""
        self.lines: dict[Element, int] = {}
        self._stack: list[Element] = []
        self._text: list[str] = []
        self._count = 0
        self._locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:
        self._locator = locator

    def _flush(self) -> None:
        if not self._text or not self._stack:
            self._text = []
            return
        text = "".join(self._text)
        self._text = []
        top = self._stack[-1]
        if len(top):
            last = top[-1]
            last.tail = (last.tail or "") + text
        else:
            top.text = (top.text or "") + text

    def startElementNS(self, name: tuple[str | None, str], qname: Any, attrs: Any) -> None:
        self._flush()
        self._count += 1
        if self._count > MAX_ELEMENTS or len(self._stack) >= MAX_DEPTH:
            raise _TooComplex("too complex")
        uri, local = name
        attrib = {key[1]: value for key, value in attrs.items()}
        element = Element(local, attrib)
        if self._locator is not None:
            self.lines[element] = self._locator.getLineNumber()
        if self._stack:
            self._stack[-1].append(element)
        else:
            self.root = element
            self.root_namespace = uri or ""
        self._stack.append(element)

    def endElementNS(self, name: Any, qname: Any) -> None:
        self._flush()
        self._stack.pop()

    def characters(self, content: str) -> None:
        if self._stack:
            self._text.append(content)
