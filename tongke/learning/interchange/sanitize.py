"""HTML in questions, sanitised with an allow-list (nh3, the binding of the ammonia sanitiser).

A question in ``html`` format comes from a file written elsewhere (GIFT ``[html]``, Moodle
``format="html"``, a QTI item body) or from an API client, and its texts reach learners'
browsers and API clients. So every HTML text of an item (stem, choices, feedback, the
explanation, the grader's notes, matching pairs) passes ``clean_html``: when the bank stores
it (``sanitize_item``, which also returns the texts as they came so the bank can keep them
aside) and again whenever a stored item is read (``specs.spec_to_item``), which covers rows
stored before this rule or written around the bank.

The allow-list holds what a question needs: paragraphs and line breaks, emphasis, sub- and
superscripts, spans and divs, lists, tables, code, quotations and MathML. Nothing else
survives: no script, style, event handler (``on*``), ``style`` or ``class`` attribute, form,
frame, object, SVG or link; an image only from this server (a relative address) or a
``data:image/`` raster, never from another host (``https:``, ``//host``). The content of
script, style, frames and the like goes with the tag. Plain and Markdown texts are not HTML
and are left alone (the pages escape them; a client renders Markdown without raw HTML).
Fill-in answers are keys compared with what learners type, not markup, and are left alone.
"""

from __future__ import annotations

import re
from dataclasses import replace

import nh3

from .model import Choice, Item, MatchPair, NumericAnswer, TextAnswer

HTML_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "s",
        "sub",
        "sup",
        "small",
        "span",
        "div",
        "ul",
        "ol",
        "li",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "img",
        "code",
        "pre",
        "blockquote",
    }
)
MATHML_TAGS = frozenset(
    {
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "menclose",
        "mfenced",
        "semantics",
    }
)
ALLOWED_TAGS = HTML_TAGS | MATHML_TAGS
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type"},
    "math": {"display"},
    "mi": {"mathvariant"},
    "mo": {"stretchy", "fence", "separator"},
    "mfrac": {"linethickness"},
    "mstyle": {"displaystyle", "scriptlevel"},
    "mspace": {"width"},
    "menclose": {"notation"},
    "mtd": {"columnspan", "rowspan"},
}
# Tags removed together with everything inside them (the rest only lose their tags).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "textarea",
        "select",
        "svg",
        "title",
    }
)

_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|bmp);base64,[A-Za-z0-9+/=\s]*", re.I)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_local_media(url: str) -> bool:
    """An image address a question may use: relative to this server (``x.png``,
    ``media/x.png``, ``/library/media/7/x.png``) or a ``data:image/`` raster; never another
    host (a scheme such as ``https:``, a ``//host`` or ``\\\\host`` address) nor a script."""
    url = url.strip()
    if _DATA_IMAGE.fullmatch(url):
        return True
    if not url or url.startswith("//") or "\\" in url:
        return False
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    return _SCHEME.match(url) is None


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if is_local_media(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes={"data"},
    link_rel=None,
    strip_comments=True,
)


def clean_html(text: str) -> str:
    """``text`` (an HTML fragment) with everything outside the allow-list removed."""
    if not text:
        return text
    return _CLEANER.clean(text)


def sanitize_item(item: Item) -> tuple[Item, dict[str, str]]:
    """A copy of ``item`` whose HTML texts are clean, and the texts that cleaning changed as
    they were, by place (``stem``, ``choices.0.feedback``, ...). An item that is not in
    ``html`` format comes back as it is, with nothing changed."""
    if item.stem_format != "html":
        return item, {}
    source: dict[str, str] = {}

    def clean(where: str, text: str) -> str:
        cleaned = clean_html(text)
        if cleaned != text:
            source[where] = text
        return cleaned

    clean_item = replace(
        item,
        stem=clean("stem", item.stem),
        explanation=clean("explanation", item.explanation),
        grader_info=clean("grader_info", item.grader_info),
        choices=[
            Choice(
                c.id,
                clean(f"choices.{n}.text", c.text),
                c.correct,
                c.weight,
                clean(f"choices.{n}.feedback", c.feedback),
            )
            for n, c in enumerate(item.choices)
        ],
        answers=[
            TextAnswer(a.text, a.weight, clean(f"answers.{n}.feedback", a.feedback))
            for n, a in enumerate(item.answers)
        ],
        numeric_answers=[
            NumericAnswer(
                a.value, a.tolerance, a.weight, clean(f"numeric_answers.{n}.feedback", a.feedback)
            )
            for n, a in enumerate(item.numeric_answers)
        ],
        pairs=[
            MatchPair(clean(f"pairs.{n}.left", p.left), clean(f"pairs.{n}.right", p.right))
            for n, p in enumerate(item.pairs)
        ],
        tags=list(item.tags),
        category=list(item.category),
    )
    return clean_item, source
