"""IMS/1EdTech QTI: 2.1/2.2 ``assessmentItem`` (and 3.0 ``qti-assessment-item``) import,
QTI 2.2 export, and IMS content packages (zip + ``imsmanifest.xml``) both ways.

Interactions mapped: choiceInteraction (single/multiple from the response cardinality, credit
from ``correctResponse`` and ``mapping``; two true/false options make a true/false item),
inlineChoiceInteraction (single, the blank kept in the stem), textEntryInteraction (string:
fill-in with every mapped answer; integer/float: numeric, tolerance read from an ``equal``
in the response processing), extendedTextInteraction (short answer, teacher graded; a scorer
``rubricBlock`` becomes the grader's notes), matchInteraction and associateInteraction
(pairs). Other interactions (order, gap match, hottext, hotspot, graphic ..., slider, upload,
drawing, custom) are reported as ``items.unsupported_type``; several interactions in one item
as ``items.multiple_interactions``; template (randomised) items as
``items.unsupported_feature``. QTI 3.0 is read by renaming its kebab-case vocabulary to the
2.x one. Packages are read with limits (member count, declared and read sizes) and refused
outright for unsafe member paths. Item bodies are XHTML: a body of plain paragraphs becomes
plain text, anything richer stays HTML.
"""

from __future__ import annotations

import copy
import html
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import Element

from django.utils.translation import gettext_lazy as _

from . import safexml
from .model import (
    BLANK,
    CHOICE_KINDS,
    FEATURE_IGNORED,
    INVALID_GRADE,
    MALFORMED,
    MAX_ITEMS_PER_FILE,
    MISSING_FILE,
    MULTIPLE_INTERACTIONS,
    NO_CORRECT_ANSWER,
    NO_INTERACTION,
    NO_QUESTIONS,
    PACKAGE_INVALID,
    PACKAGE_TOO_LARGE,
    PACKAGE_UNSAFE,
    TOO_MANY_ITEMS,
    UNKNOWN_FORMAT,
    UNSUPPORTED_FEATURE,
    UNSUPPORTED_TYPE,
    WRONG_ANSWER_TYPE,
    XML_FORBIDDEN,
    XML_TOO_COMPLEX,
    Choice,
    ImportResult,
    InterchangeError,
    Item,
    MatchPair,
    NumericAnswer,
    ReportEntry,
    TextAnswer,
    TextFormat,
    collapse_whitespace,
    default_name,
    entry,
    format_number,
    parse_number,
    round_weight,
    split_at_blank,
    validate_item,
)
from .safexml import XmlDocument, check_size, parse_xml

FORMAT = "qti"
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
QTI30 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/LOM"
MATHML = "http://www.w3.org/1998/Math/MathML"
QH5 = "http://www.imsglobal.org/xsd/imsqtiv2p2_html5_v1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TONGKE_NS = "urn:tongke:interchange:1"
RP_TEMPLATES = "http://www.imsglobal.org/question/qti_v2p2/rptemplates/"

MAX_PACKAGE_BYTES = 100 * 1024 * 1024
MAX_PACKAGE_MEMBERS = 5_000
MAX_PACKAGE_UNCOMPRESSED = 500 * 1024 * 1024
# At most this much item XML is parsed from one package.
MAX_PACKAGE_XML_BYTES = 50 * 1024 * 1024
# An item body with more elements than this is refused (no real question comes close).
MAX_BODY_ELEMENTS = 5_000
# A member over 1 MiB that unpacks to more than 100 times its packed size is a zip bomb.
BOMB_MIN_BYTES = 1024 * 1024
BOMB_RATIO = 100

SUPPORTED = {
    "choiceInteraction",
    "inlineChoiceInteraction",
    "textEntryInteraction",
    "extendedTextInteraction",
    "matchInteraction",
    "associateInteraction",
}
# Interactions that collect no answer to grade.
NOT_ANSWERS = {"endAttemptInteraction", "mediaInteraction"}
# Body elements a candidate does not see before answering.
HIDDEN = {
    "feedbackInline",
    "feedbackBlock",
    "printedVariable",
    "templateInline",
    "templateBlock",
    "include",
    "endAttemptInteraction",
}
TRUE_WORDS = {"true", "t", "yes", "正确", "对", "是", "√", "✓"}
FALSE_WORDS = {"false", "f", "no", "错误", "错", "否", "×", "✗"}
EXPLANATION_IDS = {"general", "generalfeedback", "general_feedback", "solution", "explanation"}


class _Refused(Exception):
    def __init__(self, refused: ReportEntry) -> None:
        super().__init__(refused.code)
        self.entry = refused


# --- QTI 3.0 -> 2.x vocabulary -------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _from_qti3(element: Element) -> None:
    """Rename ``qti-choice-interaction`` / ``max-choices`` to ``choiceInteraction`` /
    ``maxChoices`` in place, and drop QTI 3's ``qti-content-body`` wrappers."""
    for el in element.iter():
        if el.tag.startswith("qti-"):
            el.tag = _camel(el.tag[4:])
        for key in [k for k in el.attrib if "-" in k and not k.startswith(("data-", "aria-"))]:
            el.attrib[_camel(key)] = el.attrib.pop(key)
    for parent in list(element.iter()):
        for child in list(parent):
            if child.tag == "contentBody":
                _unwrap(parent, child)


# --- Tree surgery ----------------------------------------------------------------------------


def _append_text(parent: Element, index: int, text: str | None) -> None:
    """Put ``text`` where a child at ``index`` was: the previous sibling's tail or the text."""
    if not text:
        return
    if index > 0:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _remove(parent: Element, child: Element, replacement: str = "") -> None:
    index = list(parent).index(child)
    parent.remove(child)
    _append_text(parent, index, replacement + (child.tail or ""))


def _replace(parent: Element, child: Element, new: Element) -> None:
    index = list(parent).index(child)
    new.tail = child.tail
    parent.remove(child)
    parent.insert(index, new)


def _unwrap(parent: Element, child: Element) -> None:
    index = list(parent).index(child)
    parent.remove(child)
    _append_text(parent, index, child.text)
    for offset, grandchild in enumerate(list(child)):
        parent.insert(index + offset, grandchild)
    _append_text(parent, index + len(child), child.tail)


def _parents(root: Element) -> dict[Element, Element]:
    return {child: parent for parent in root.iter() for child in parent}


# --- XHTML <-> text --------------------------------------------------------------------------

_VOID = {"br", "img", "hr", "col", "param", "area", "input", "source", "wbr", "embed", "track"}
_SIMPLE = {"p", "div", "br", "span"}
_BLOCKS = {"p", "div"}


def _escape_attr(value: str) -> str:
    return html.escape(value, quote=True)


def inner_html(element: Element, *, pre: bool = False) -> str:
    """The content of an element as HTML (local names; whitespace collapsed outside pre)."""

    def text(value: str | None) -> str:
        value = value or ""
        return html.escape(value if pre else re.sub(r"\s+", " ", value), quote=False)

    out = [text(element.text)]
    for child in element:
        attrs = "".join(f' {k}="{_escape_attr(v)}"' for k, v in child.attrib.items())
        if child.tag in _VOID and not len(child) and not (child.text or "").strip():
            out.append(f"<{child.tag}{attrs}>")
        else:
            inside = inner_html(child, pre=pre or child.tag == "pre")
            out.append(f"<{child.tag}{attrs}>{inside}</{child.tag}>")
        out.append(text(child.tail))
    return "".join(out)


_BLOCK_TAG = re.compile(
    r"\s*(</?(?:p|div|blockquote|ul|ol|li|table|thead|tbody|tfoot|tr|td|th|caption|h[1-6]|dl|dt|dd"
    r"|object|figure|figcaption|hr|br)\b[^>]*>)\s*"
)


def _tidy(markup: str) -> str:
    """Drop the layout whitespace around block tags (not inside <pre>)."""
    if "<pre" in markup:
        return markup.strip()
    return _BLOCK_TAG.sub(r"\1", markup).strip()


def _is_simple(element: Element) -> bool:
    return all(el.tag in _SIMPLE for el in element.iter() if el is not element)


def _plain(element: Element) -> str:
    """Plain text of simple content: paragraphs split by a blank line, <br> a line break."""
    paragraphs: list[list[str]] = [[]]

    def walk(el: Element) -> None:
        if el.text:
            paragraphs[-1].append(el.text)
        for child in el:
            if child.tag == "br":
                paragraphs[-1].append("\n")
            elif child.tag in _BLOCKS:
                paragraphs.append([])
                walk(child)
                paragraphs.append([])
            else:
                walk(child)
            if child.tail:
                paragraphs[-1].append(child.tail)

    walk(element)
    out = []
    for parts in paragraphs:
        lines = "".join(re.sub(r"\s+", " ", p) if p != "\n" else p for p in parts).split("\n")
        text = "\n".join(line.strip() for line in lines).strip()
        if text:
            out.append(text)
    return "\n\n".join(out)


@dataclass
class _Part:
    """A text read from QTI: its plain form when it is simple, and its HTML form."""

    plain: str | None
    html: str


def _part_of(element: Element | None) -> _Part:
    if element is None:
        return _Part("", "")
    wrapper = element
    while len(wrapper) == 1 and wrapper[0].tag == "div" and not wrapper[0].attrib:
        if (wrapper.text or "").strip() or (wrapper[0].tail or "").strip():
            break
        wrapper = wrapper[0]
    return _Part(_plain(element) if _is_simple(element) else None, _tidy(inner_html(wrapper)))


def _unify(parts: list[_Part]) -> tuple[TextFormat, list[str]]:
    if all(p.plain is not None for p in parts):
        return "plain", [p.plain or "" for p in parts]
    return "html", [p.html for p in parts]


# --- Import: one item ------------------------------------------------------------------------


@dataclass
class _Declaration:
    identifier: str
    cardinality: str
    base_type: str
    correct: list[str] = field(default_factory=list)
    mapping: list[tuple[str, float, bool]] = field(default_factory=list)
    default: float = 0.0
    upper: float | None = None


def _declarations(root: Element) -> dict[str, _Declaration]:
    out = {}
    for decl in root.findall("responseDeclaration"):
        d = _Declaration(
            decl.get("identifier", ""),
            decl.get("cardinality", "single"),
            decl.get("baseType", ""),
        )
        correct = decl.find("correctResponse")
        if correct is not None:
            d.correct = [(v.text or "").strip() for v in correct.findall("value")]
        mapping = decl.find("mapping")
        if mapping is not None:
            d.default = parse_number(mapping.get("defaultValue", "0")) or 0.0
            d.upper = parse_number(mapping.get("upperBound", ""))
            for e in mapping.findall("mapEntry"):
                value = parse_number(e.get("mappedValue", ""))
                if value is None:
                    raise _Refused(
                        entry(
                            INVALID_GRADE,
                            _("A mapped value %(value)r is not a number."),
                            value=e.get("mappedValue"),
                        )
                    )
                sensitive = e.get("caseSensitive", "true").strip().lower() != "false"
                d.mapping.append((e.get("mapKey", ""), value, sensitive))
        out[d.identifier] = d
    return out


def parse_item(doc: XmlDocument, *, position: str | None = None) -> ImportResult:
    """Import one ``assessmentItem`` document."""
    result = ImportResult(FORMAT)
    root = _item_root(doc)
    identifier = root.get("identifier")
    where: dict[str, Any] = {
        "line": doc.line(root),
        "position": position,
        "identifier": identifier,
    }
    notes: list[ReportEntry] = []
    try:
        item = _item(root, doc, notes)
    except _Refused as refused:
        result.report += [n.where(**where) for n in [*notes, refused.entry]]
        return result
    problems = validate_item(item)
    result.report += [n.where(**where) for n in [*notes, *problems]]
    if not any(p.severity == "error" for p in problems):
        result.items.append(item)
    return result


def _item_root(doc: XmlDocument) -> Element:
    root = doc.root
    if root.tag == "qti-assessment-item" or doc.namespace == QTI30:
        _from_qti3(root)
    if root.tag == "assessmentItem":
        return root
    if root.tag == "questestinterop":
        raise InterchangeError(UNKNOWN_FORMAT, _("QTI 1.2 (questestinterop) is not supported."))
    if root.tag == "assessmentTest":
        raise InterchangeError(
            UNKNOWN_FORMAT,
            _("This is a QTI test, not an item; import its items (or the whole package)."),
        )
    raise InterchangeError(
        UNKNOWN_FORMAT,
        _("This is not a QTI item: the root element is <%(root)s>."),
        root=root.tag,
    )


def _item(root: Element, doc: XmlDocument, notes: list[ReportEntry]) -> Item:
    if root.find("templateDeclaration") is not None or root.find("templateProcessing") is not None:
        raise _Refused(
            entry(
                UNSUPPORTED_FEATURE,
                _("Template items (with randomised values) are not supported."),
            )
        )
    if root.get("adaptive", "false").strip().lower() == "true":
        notes.append(
            entry(
                FEATURE_IGNORED,
                _("The item is adaptive; only its final correct response was imported."),
                severity="warning",
            )
        )
    declarations = _declarations(root)
    source_body = root.find("itemBody")
    if source_body is None:
        raise _Refused(entry(MALFORMED, _("The item has no itemBody.")))
    if sum(1 for _el in source_body.iter()) > MAX_BODY_ELEMENTS:
        raise _Refused(
            entry(
                XML_TOO_COMPLEX,
                _("The item body has more than %(count)s elements."),
                count=MAX_BODY_ELEMENTS,
            )
        )
    body = copy.deepcopy(source_body)
    grader_parts: list[Element] = []
    parents = _parents(body)
    for el in list(body.iter()):
        if el is body or el not in parents:
            continue
        if el.tag == "feedbackInline" and _inside_interaction(el, parents):
            continue  # choice feedback, read with the choices
        if el.tag in HIDDEN:
            _remove(parents[el], el)
        elif el.tag == "rubricBlock":
            if "candidate" in el.get("view", "candidate").split():
                _unwrap(parents[el], el)
            else:
                grader_parts.append(el)
                _remove(parents[el], el)
        elif el.tag == "mediaInteraction":
            _unwrap(parents[el], el)
    parents = _parents(body)
    interactions = [
        el
        for el in body.iter()
        if el.tag.endswith("Interaction") and el.tag not in NOT_ANSWERS and el in parents
    ]
    if not interactions:
        raise _Refused(entry(NO_INTERACTION, _("The item has no interaction to answer.")))
    if len(interactions) > 1:
        raise _Refused(
            entry(
                MULTIPLE_INTERACTIONS,
                _("The item has %(count)s interactions (%(names)s); one per item is supported."),
                count=len(interactions),
                names=", ".join(sorted({i.tag for i in interactions})),
            )
        )
    interaction = interactions[0]
    if interaction.tag not in SUPPORTED:
        raise _Refused(
            entry(
                UNSUPPORTED_TYPE,
                _("The interaction %(name)s is not supported."),
                name=interaction.tag,
            )
        )
    declaration = declarations.get(interaction.get("responseIdentifier", ""))
    if declaration is None:
        raise _Refused(
            entry(MALFORMED, _("The interaction's response is not declared in the item."))
        )

    # The stem: the body without the interaction (a prompt takes its place, a blank stands
    # where an inline interaction was).
    parent = parents[interaction]
    if interaction.tag in ("textEntryInteraction", "inlineChoiceInteraction"):
        alone = parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip()
        if alone and not (interaction.tail or "").strip() and parent in parents:
            _remove(parents[parent], parent)
        else:
            _remove(parent, interaction, BLANK)
    else:
        prompt = interaction.find("prompt")
        if prompt is not None:
            prompt.tag = "p" if _is_inline(prompt) else "div"
            prompt.attrib.clear()
            _replace(parent, interaction, prompt)
        else:
            _remove(parent, interaction)

    item = Item(kind="short_answer", stem="", title=root.get("title") or None)
    item.source_id = root.get("identifier") or None
    parts = [_part_of(body)]
    builder = _INTERACTIONS[interaction.tag]
    finish = builder(item, interaction, declaration, root, parts, notes)
    explanation = _explanation(root, notes)
    explanation_index = len(parts)
    parts.append(_part_of(explanation))
    grader_index = len(parts)
    grader = Element("div")
    for rubric in grader_parts:
        block = Element("div")
        block.text, block[:] = rubric.text, list(rubric)
        grader.append(block)
    parts.append(_part_of(grader))
    fmt, texts = _unify(parts)
    item.stem_format = fmt
    item.stem = texts[0]
    item.explanation = texts[explanation_index]
    item.grader_info = "\n\n".join(t for t in [texts[grader_index], item.grader_info] if t)
    finish(texts)
    return item


def _inside_interaction(element: Element, parents: dict[Element, Element]) -> bool:
    node = parents.get(element)
    while node is not None:
        if node.tag.endswith("Interaction"):
            return True
        node = parents.get(node)
    return False


def _is_inline(element: Element) -> bool:
    blocks = {"p", "div", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "dl"}
    return not any(el.tag in blocks for el in element.iter() if el is not element)


def _explanation(root: Element, notes: list[ReportEntry]) -> Element | None:
    feedbacks = root.findall("modalFeedback")
    for fb in feedbacks:
        if fb.get("identifier", "").strip().lower() in EXPLANATION_IDS:
            return fb
    if len(feedbacks) == 1:
        return feedbacks[0]
    if feedbacks:
        notes.append(
            entry(
                FEATURE_IGNORED,
                _("Conditional feedback (%(count)s modalFeedback elements) was not imported."),
                severity="warning",
                count=len(feedbacks),
            )
        )
    return None


# Each interaction builder fills the item, registers its formatted texts in ``parts`` and
# returns a function that writes the unified texts back.
_Finish = Callable[[list[str]], None]


def _choices_of(interaction: Element, tag: str) -> list[tuple[str, Element, Element | None]]:
    out = []
    for choice in interaction.iter(tag):
        content = copy.deepcopy(choice)
        feedback = None
        for inline in list(content.iter("feedbackInline")):
            feedback = inline
        parents = _parents(content)
        for inline in list(content.iter("feedbackInline")):
            _remove(parents[inline], inline)
        out.append((choice.get("identifier", ""), content, feedback))
    return out


def _choice_item(
    item: Item,
    interaction: Element,
    decl: _Declaration,
    root: Element,
    parts: list[_Part],
    notes: list[ReportEntry],
) -> _Finish:
    tag = "inlineChoice" if interaction.tag == "inlineChoiceInteraction" else "simpleChoice"
    if decl.base_type and decl.base_type != "identifier":
        raise _Refused(
            entry(
                WRONG_ANSWER_TYPE,
                _("A choice response must have base type identifier, not %(type)s."),
                type=decl.base_type,
            )
        )
    rows = _choices_of(interaction, tag)
    multiple = decl.cardinality == "multiple" and interaction.tag == "choiceInteraction"
    ids = [cid for cid, _c, _f in rows]
    mapped = {key: value for key, value, _s in decl.mapping}
    known = set(ids)
    correct = [v for v in decl.correct if v in known]
    if not correct and mapped:
        positive = [cid for cid in ids if mapped.get(cid, decl.default) > 0]
        best = max((mapped.get(cid, decl.default) for cid in ids), default=0)
        correct = positive if multiple else [cid for cid in ids if mapped.get(cid) == best > 0]
    if not correct:
        raise _Refused(
            entry(
                NO_CORRECT_ANSWER,
                _("The item declares no correct response (and no positive mapping)."),
            )
        )
    weights = _choice_weights(ids, correct, mapped, decl.default, multiple)
    indexes = []
    for _cid, content, feedback in rows:
        indexes.append((len(parts), len(parts) + 1))
        parts += [_part_of(content), _part_of(feedback)]
    true_false = not multiple and _true_false_ids(rows)
    item.kind = "multiple" if multiple else ("true_false" if true_false else "single")

    def finish(texts: list[str]) -> None:
        for (cid, _content, _fb), (t, f) in zip(rows, indexes, strict=True):
            new_id = true_false.get(cid, cid) if true_false else cid
            item.choices.append(
                Choice(new_id, texts[t].strip(), cid in correct, weights[cid], texts[f])
            )

    return finish


def _true_false_ids(rows: list[tuple[str, Element, Element | None]]) -> dict[str, str]:
    """Map the two options of a true/false question to the ids "true"/"false", or {}."""
    if len(rows) != 2:
        return {}
    out = {}
    for cid, content, _fb in rows:
        words = {cid.strip().lower(), collapse_whitespace(_plain(content)).lower().rstrip(".")}
        if words & TRUE_WORDS:
            out[cid] = "true"
        elif words & FALSE_WORDS:
            out[cid] = "false"
    return out if sorted(out.values()) == ["false", "true"] else {}


def _choice_weights(
    ids: list[str], correct: list[str], mapped: dict[str, float], default: float, multiple: bool
) -> dict[str, float]:
    if not multiple:
        top = max([v for v in mapped.values() if v > 0], default=1.0)
        return {
            cid: 1.0 if cid in correct else round_weight(max(-1.0, mapped.get(cid, 0.0) / top))
            for cid in ids
        }
    if mapped and all(mapped.get(cid, default) > 0 for cid in correct):
        total = sum(mapped.get(cid, default) for cid in correct)
        return {
            cid: round_weight(max(-1.0, min(1.0, mapped.get(cid, default) / total))) for cid in ids
        }
    share = round_weight(1 / len(correct))
    return {cid: share if cid in correct else 0.0 for cid in ids}


def _text_entry_item(
    item: Item,
    interaction: Element,
    decl: _Declaration,
    root: Element,
    parts: list[_Part],
    notes: list[ReportEntry],
) -> _Finish:
    if decl.cardinality != "single":
        raise _Refused(
            entry(
                UNSUPPORTED_TYPE,
                _("A text entry with %(cardinality)s cardinality is not supported."),
                cardinality=decl.cardinality,
            )
        )
    if decl.base_type in ("float", "integer"):
        item.kind = "numeric"
        item.numeric_answers = _numeric_answers(decl, root)
    elif decl.base_type in ("string", ""):
        item.kind = "fill_in"
        answers: dict[str, TextAnswer] = {}
        top = max([1.0, *(v for _k, v, _s in decl.mapping)])
        for key, value, _sensitive in decl.mapping:
            if key.strip():
                answers.setdefault(key, TextAnswer(key, round_weight(value / top)))
        for said in decl.correct:
            if said and said not in answers:
                answers = {said: TextAnswer(said, 1.0), **answers}
        if decl.default > 0:
            answers["*"] = TextAnswer("*", round_weight(decl.default / top))
        item.answers = list(answers.values())
        item.case_sensitive = not decl.mapping or any(s for _k, _v, s in decl.mapping)
        if not item.answers:
            raise _Refused(
                entry(NO_CORRECT_ANSWER, _("The text entry declares no correct response."))
            )
    else:
        raise _Refused(
            entry(
                WRONG_ANSWER_TYPE,
                _("A text entry with base type %(type)s is not supported."),
                type=decl.base_type,
            )
        )
    return _nothing


def _nothing(texts: list[str]) -> None:
    return None


def _numeric_answers(decl: _Declaration, root: Element) -> list[NumericAnswer]:
    answers = _answers_from_processing(decl.identifier, root)
    if not answers:
        values = [*decl.correct, *(k for k, v, _s in decl.mapping if v > 0)]
        top = max([1.0, *(v for _k, v, _s in decl.mapping)])
        weights = {k: v / top for k, v, _s in decl.mapping}
        for raw in dict.fromkeys(values):
            number = parse_number(raw)
            if number is None:
                raise _Refused(
                    entry(
                        WRONG_ANSWER_TYPE,
                        _("The correct response %(value)r is not a number."),
                        value=raw,
                    )
                )
            weight = 1.0 if raw in decl.correct else weights.get(raw, 0.0)
            answers.append(NumericAnswer(number, 0.0, round_weight(weight)))
    if not answers:
        raise _Refused(entry(NO_CORRECT_ANSWER, _("The item declares no correct number.")))
    return answers


def _answers_from_processing(identifier: str, root: Element) -> list[NumericAnswer]:
    """Numeric answers read from ``equal`` (with tolerance) or ``match`` conditions in the
    response processing, with the score each branch sets as its credit."""
    processing = root.find("responseProcessing")
    if processing is None:
        return []
    found: list[tuple[float, float, float]] = []
    for branch in [*processing.iter("responseIf"), *processing.iter("responseElseIf")]:
        if not len(branch):
            continue
        condition = branch[0]
        tests = [el for el in condition.iter() if el.tag in ("equal", "match")]
        for test in tests:
            variables = [v.get("identifier") for v in test.findall("variable")]
            values = [parse_number(b.text or "") for b in test.findall("baseValue")]
            if identifier not in variables or len(values) != 1 or values[0] is None:
                continue
            value = values[0]
            tolerance = 0.0
            if test.tag == "equal" and test.get("toleranceMode", "exact") != "exact":
                bounds = [parse_number(t) for t in test.get("tolerance", "0").split()]
                low = (bounds[0] if bounds else None) or 0.0
                high = bounds[1] if len(bounds) > 1 and bounds[1] is not None else low
                if test.get("toleranceMode") == "relative":
                    low, high = abs(value) * low / 100, abs(value) * high / 100
                tolerance = (abs(low) + abs(high)) / 2
                value += (abs(high) - abs(low)) / 2
            found.append((value, tolerance, _branch_score(branch)))
    if not found:
        return []
    top = max([1.0, *(score for _v, _t, score in found)])
    return [NumericAnswer(v, t, round_weight(score / top)) for v, t, score in found]


def _branch_score(branch: Element) -> float:
    for setter in branch.iter("setOutcomeValue"):
        if setter.get("identifier") == "SCORE":
            base = setter.find("baseValue")
            if base is not None:
                value = parse_number(base.text or "")
                if value is not None:
                    return value
    return 1.0


def _extended_text_item(
    item: Item,
    interaction: Element,
    decl: _Declaration,
    root: Element,
    parts: list[_Part],
    notes: list[ReportEntry],
) -> _Finish:
    item.kind = "short_answer"
    if decl.correct:
        item.grader_info = "\n".join(decl.correct)
    return _nothing


def _matching_item(
    item: Item,
    interaction: Element,
    decl: _Declaration,
    root: Element,
    parts: list[_Part],
    notes: list[ReportEntry],
) -> _Finish:
    item.kind = "matching"
    choices = {c.get("identifier", ""): c for c in interaction.iter("simpleAssociableChoice")}
    values = decl.correct or [k for k, v, _s in decl.mapping if v > 0]
    pairs = []
    for value in values:
        ends = value.split()
        if len(ends) != 2 or not all(e in choices for e in ends):
            raise _Refused(
                entry(MALFORMED, _("The pair %(pair)r names unknown choices."), pair=value)
            )
        pairs.append((ends[0], ends[1]))
    if not pairs:
        raise _Refused(entry(NO_CORRECT_ANSWER, _("The item declares no correct pair.")))
    used = {end for pair in pairs for end in pair}
    if interaction.tag == "matchInteraction":
        sets = interaction.findall("simpleMatchSet")
        targets = [c.get("identifier", "") for c in sets[-1]] if sets else []
        spare = [t for t in targets if t not in used]
    else:
        spare = [cid for cid in choices if cid not in used]
    index: dict[str, int] = {}
    for cid in dict.fromkeys([end for pair in pairs for end in pair] + spare):
        index[cid] = len(parts)
        parts.append(_part_of(choices[cid]))

    def finish(texts: list[str]) -> None:
        item.pairs = [MatchPair(texts[index[a]], texts[index[b]]) for a, b in pairs]
        item.pairs += [MatchPair("", texts[index[s]]) for s in spare]

    return finish


_INTERACTIONS = {
    "choiceInteraction": _choice_item,
    "inlineChoiceInteraction": _choice_item,
    "textEntryInteraction": _text_entry_item,
    "extendedTextInteraction": _extended_text_item,
    "matchInteraction": _matching_item,
    "associateInteraction": _matching_item,
}


# --- Import: packages ------------------------------------------------------------------------


@dataclass
class _Resource:
    href: str
    identifier: str | None
    tags: list[str] = field(default_factory=list)
    difficulty: float | None = None
    category: list[str] = field(default_factory=list)
    version: int | None = None
    source_id: str | None = None


def _safe_member(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


def parse_package(data: bytes) -> ImportResult:
    """Import an IMS content package: the items its manifest lists (or, with no manifest,
    every QTI item in it). Unsafe paths and size limits refuse the whole package."""
    check_size(data, MAX_PACKAGE_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InterchangeError(
            PACKAGE_INVALID, _("The package is not a readable zip file.")
        ) from exc
    with archive:
        return _read_package(archive)


def _read_package(archive: zipfile.ZipFile) -> ImportResult:
    infos = archive.infolist()
    if len(infos) > MAX_PACKAGE_MEMBERS:
        raise InterchangeError(
            PACKAGE_TOO_LARGE,
            _("The package has %(count)s files; the limit is %(limit)s."),
            count=len(infos),
            limit=MAX_PACKAGE_MEMBERS,
        )
    unsafe = [i.filename for i in infos if not _safe_member(i.filename)]
    if unsafe:
        raise InterchangeError(
            PACKAGE_UNSAFE,
            _("The package contains an unsafe path %(path)r; it was refused."),
            path=unsafe[0],
        )
    bombs = [
        i.filename
        for i in infos
        if i.file_size > BOMB_MIN_BYTES and i.file_size > BOMB_RATIO * max(1, i.compress_size)
    ]
    if bombs:
        raise InterchangeError(
            PACKAGE_TOO_LARGE,
            _("%(name)s is compressed more than %(ratio)s to 1, like a zip bomb; refused."),
            name=bombs[0],
            ratio=BOMB_RATIO,
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_PACKAGE_UNCOMPRESSED:
        raise InterchangeError(
            PACKAGE_TOO_LARGE,
            _("The package unpacks to %(size)s bytes; the limit is %(limit)s bytes."),
            size=total,
            limit=MAX_PACKAGE_UNCOMPRESSED,
        )
    members = {i.filename: i for i in infos if not i.is_dir()}
    listed_bytes = sum(members[r].file_size for r in members if r.lower().endswith(".xml"))
    if listed_bytes > MAX_PACKAGE_XML_BYTES:
        raise InterchangeError(
            PACKAGE_TOO_LARGE,
            _("The package holds %(size)s bytes of XML; the limit is %(limit)s bytes."),
            size=listed_bytes,
            limit=MAX_PACKAGE_XML_BYTES,
        )
    result = ImportResult(FORMAT)
    manifest = next((n for n in members if n.lower() == "imsmanifest.xml"), None)
    if manifest is not None:
        resources = _manifest_resources(_member_xml(archive, members[manifest]), result)
    else:
        result.report.append(
            entry(
                FEATURE_IGNORED,
                _("The package has no imsmanifest.xml; every QTI item file in it was read."),
                severity="warning",
            )
        )
        resources = [_Resource(n, None) for n in sorted(members) if n.lower().endswith(".xml")]
    for resource in resources:
        if len(result.items) >= MAX_ITEMS_PER_FILE:
            result.report.append(
                entry(
                    TOO_MANY_ITEMS,
                    _("Only the first %(count)s items were read."),
                    severity="warning",
                    count=MAX_ITEMS_PER_FILE,
                )
            )
            break
        _read_resource(archive, members, resource, result, listed=manifest is not None)
    if not result.items and not result.report:
        result.report.append(
            entry(NO_QUESTIONS, _("The package holds no QTI items."), severity="warning")
        )
    return result


def _member_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> XmlDocument:
    return parse_xml(_read_member(archive, info))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    limit = safexml.MAX_XML_BYTES
    if info.file_size > limit:
        raise InterchangeError(
            PACKAGE_TOO_LARGE,
            _("%(name)s unpacks to %(size)s bytes; the limit is %(limit)s bytes."),
            name=info.filename,
            size=info.file_size,
            limit=limit,
        )
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
        raise InterchangeError(
            PACKAGE_INVALID, _("%(name)s cannot be read from the package."), name=info.filename
        ) from exc
    if len(data) > limit:
        raise InterchangeError(
            PACKAGE_TOO_LARGE,
            _("%(name)s unpacks to more than %(limit)s bytes."),
            name=info.filename,
            limit=limit,
        )
    return data


def _manifest_resources(doc: XmlDocument, result: ImportResult) -> list[_Resource]:
    if doc.root.tag != "manifest":
        raise InterchangeError(
            PACKAGE_INVALID, _("imsmanifest.xml is not an IMS content package manifest.")
        )
    out = []
    tests = 0
    for resource in doc.root.iter("resource"):
        kind = (resource.get("type") or "").lower()
        if kind.startswith("imsqti_test") or kind.startswith("imsqti_section"):
            tests += 1
            continue
        if not (kind.startswith("imsqti_item") or kind.startswith("imsqti_apipitem")):
            if kind.startswith("imsqti"):
                result.report.append(
                    entry(
                        UNSUPPORTED_TYPE,
                        _("The resource type %(type)s is not supported."),
                        type=kind,
                    ).where(line=doc.line(resource), identifier=resource.get("identifier"))
                )
            continue
        href = resource.get("href")
        if not href:
            first = resource.find("file")
            href = first.get("href") if first is not None else None
        if not href:
            result.report.append(
                entry(MISSING_FILE, _("An item resource names no file.")).where(
                    line=doc.line(resource), identifier=resource.get("identifier")
                )
            )
            continue
        res = _Resource(_member_path(href, resource.get("base", "")), resource.get("identifier"))
        metadata = resource.find("metadata")
        if metadata is not None:
            _resource_metadata(metadata, res)
        out.append(res)
    if tests:
        result.report.append(
            entry(
                FEATURE_IGNORED,
                _("%(count)s test or section resources were not imported (their items were)."),
                severity="info",
                count=tests,
            )
        )
    return out


def _member_path(href: str, base: str) -> str:
    from urllib.parse import unquote

    raw = unquote(posixpath.join(base, href)) if base else unquote(href)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", raw):
        return raw
    path = posixpath.normpath(raw)
    if path.startswith("/") or path == ".." or path.startswith("../") or "\\" in path:
        raise InterchangeError(
            PACKAGE_UNSAFE,
            _("The manifest points outside the package (%(path)r); it was refused."),
            path=href,
        )
    return path


def _resource_metadata(metadata: Element, res: _Resource) -> None:
    for keyword in metadata.iter("keyword"):
        strings = [s.text for s in keyword if s.tag in ("string", "langstring")]
        for text in strings or [keyword.text]:
            if text and text.strip():
                res.tags.append(text.strip())
    tongke = metadata.find(".//tongkeItem")
    if tongke is None:
        return
    res.difficulty = parse_number(tongke.findtext("difficulty") or "")
    res.category = [(c.text or "").strip() for c in tongke.findall("category") if c.text]
    version = (tongke.findtext("version") or "").strip()
    res.version = int(version) if version.isdigit() else None
    res.source_id = (tongke.findtext("sourceId") or "").strip() or None


def _read_resource(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    resource: _Resource,
    result: ImportResult,
    *,
    listed: bool,
) -> None:
    where: dict[str, Any] = {"position": resource.href, "identifier": resource.identifier}
    info = members.get(resource.href)
    if info is None:
        result.report.append(
            entry(
                MISSING_FILE,
                _("The item file %(path)s is not in the package."),
                path=resource.href,
            ).where(**where)
        )
        return
    try:
        doc = _member_xml(archive, info)
        if not listed and doc.root.tag not in ("assessmentItem", "qti-assessment-item"):
            return
        found = parse_item(doc, position=resource.href)
    except InterchangeError as exc:
        if exc.entry.code in (XML_FORBIDDEN, XML_TOO_COMPLEX, PACKAGE_TOO_LARGE):
            raise
        result.report.append(replace_severity(exc.entry).where(**where))
        return
    for item in found.items:
        item.tags += [t for t in resource.tags if t not in item.tags]
        item.difficulty = resource.difficulty if resource.difficulty is not None else None
        item.category = list(resource.category)
        item.version = resource.version or item.version
        item.source_id = resource.source_id or item.source_id
    result.items += found.items
    result.report += found.report


def replace_severity(fatal: ReportEntry) -> ReportEntry:
    """A file-level failure of one member is one skipped item of the package."""
    return ReportEntry(
        fatal.code,
        fatal.message,
        fatal.params,
        severity="error",
        line=fatal.line,
        position=fatal.position,
        identifier=fatal.identifier,
    )


def parse_qti(data: bytes) -> ImportResult:
    """Import a single QTI item file."""
    return parse_item(parse_xml(data))


# --- Export ----------------------------------------------------------------------------------

_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_ALLOWED_TAGS = {
    "a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "caption", "cite",
    "code", "col", "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "object", "ol", "p", "param", "pre", "q",
    "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "tt", "ul", "var", "bdo",
}  # fmt: skip
_QH5_TAGS = {"figure", "figcaption", "ruby", "rb", "rt", "rp", "rtc", "bdi"}
_ALLOWED_ATTRS = {
    "id", "class", "lang", "dir", "title", "href", "src", "alt", "width", "height", "colspan",
    "rowspan", "headers", "scope", "abbr", "summary", "type", "data", "cite", "start", "span",
    "label", "valign", "align",
}  # fmt: skip
_STRUCTURE = {
    "assessmentItem", "responseDeclaration", "correctResponse", "mapping",
    "outcomeDeclaration", "defaultValue", "itemBody", "choiceInteraction", "matchInteraction",
    "simpleMatchSet", "responseProcessing", "responseCondition", "responseIf",
    "responseElseIf", "responseElse", "setOutcomeValue", "isNull", "equal", "match",
    "manifest", "metadata", "organizations", "resources", "resource", "imsmd:lom",
    "imsmd:general", "imsmd:keyword", "tk:tongkeItem",
}  # fmt: skip


class _HtmlToTree(HTMLParser):
    """Lenient HTML -> XHTML elements allowed in a QTI body (others are unwrapped)."""

    def __init__(self, root: Element) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [root]
        self.skip = 0

    @staticmethod
    def _name(tag: str) -> str:
        return f"qh5:{tag}" if tag in _QH5_TAGS else tag

    def _in_math(self) -> bool:
        return any(el.tag == "math" for el in self.stack)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if tag in ("script", "style"):
            self.skip += 0 if closed else 1
            return
        if self.skip:
            return
        if tag == "math" or self._in_math():
            attrib = {k: v or "" for k, v in attrs if k != "xmlns"}
            if tag == "math":
                attrib["xmlns"] = MATHML
        elif tag in _ALLOWED_TAGS or tag in _QH5_TAGS:
            attrib = {
                ("xml:lang" if k == "lang" else k): v or ""
                for k, v in attrs
                if k in _ALLOWED_ATTRS or k.startswith("data-")
            }
        else:
            return
        element = ET.SubElement(self.stack[-1], self._name(tag), attrib)
        if not closed:
            self.stack.append(element)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=tag in _VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
            return
        name = self._name(tag)
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == name:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        top = self.stack[-1]
        if len(top):
            top[-1].tail = (top[-1].tail or "") + data
        else:
            top.text = (top.text or "") + data


def _add_text(parent: Element, text: str) -> None:
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _plain_lines(parent: Element, text: str) -> None:
    for n, line in enumerate(text.split("\n")):
        if n:
            ET.SubElement(parent, "br")
        _add_text(parent, line)


def _fill(parent: Element, text: str, fmt: str, *, block: bool) -> None:
    """Write a text of the item into a QTI element: plain text as paragraphs (or inline with
    line breaks), HTML through a lenient parser (inside a div where blocks are required)."""
    if not text:
        return
    if fmt == "html":
        target = ET.SubElement(parent, "div") if block else parent
        converter = _HtmlToTree(target)
        converter.feed(text)
        converter.close()
        return
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.strip())]
    if block or len(paragraphs) > 1:
        for paragraph in paragraphs:
            _plain_lines(ET.SubElement(parent, "p"), paragraph)
    else:
        _plain_lines(parent, text)


def _insert_at_blank(container: Element, interaction: Element) -> bool:
    """Put an inline interaction where the stem's blank is."""
    for el in container.iter():
        around = split_at_blank(el.text or "")
        if around:
            el.text, interaction.tail = around
            el.insert(0, interaction)
            return True
        for child in list(el):
            around = split_at_blank(child.tail or "")
            if around:
                child.tail, interaction.tail = around
                el.insert(list(el).index(child) + 1, interaction)
                return True
    return False


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


def _identifier(candidate: str | None, fallback: str) -> str:
    return candidate if candidate and _NCNAME.match(candidate) else fallback


def _item_element(item: Item, identifier: str) -> Element:
    root = Element(
        "assessmentItem",
        {
            "xmlns": QTI22,
            "xmlns:xsi": XSI,
            "xmlns:qh5": QH5,
            "xsi:schemaLocation": f"{QTI22} http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_v2p2.xsd",
            "identifier": identifier,
            "title": item.title or default_name(item),
            "adaptive": "false",
            "timeDependent": "false",
        },
    )
    fmt = item.stem_format
    declaration = _sub(root, "responseDeclaration", identifier="RESPONSE")
    outcome = _sub(root, "outcomeDeclaration", identifier="SCORE", cardinality="single")
    outcome.set("baseType", "float")
    _sub(_sub(outcome, "defaultValue"), "value", "0")
    maximum = _sub(root, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single")
    maximum.set("baseType", "float")
    _sub(_sub(maximum, "defaultValue"), "value", "1")
    body = Element("itemBody")
    _fill(body, item.stem, fmt, block=True)
    template = ""
    choice_feedback = False

    if item.kind in CHOICE_KINDS:
        cardinality = "multiple" if item.kind == "multiple" else "single"
        declaration.attrib.update(cardinality=cardinality, baseType="identifier")
        ids = {c.id: _identifier(c.id, f"C{n + 1}") for n, c in enumerate(item.choices)}
        correct = _sub(declaration, "correctResponse")
        for choice in item.choices:
            if choice.correct:
                _sub(correct, "value", ids[choice.id])
        plain = item.kind != "multiple" and all(
            c.weight == (1.0 if c.correct else 0.0) for c in item.choices
        )
        if not plain:
            mapping = _sub(declaration, "mapping", lowerBound="0", upperBound="1")
            mapping.set("defaultValue", "0")
            for choice in item.choices:
                if choice.weight:
                    _sub(mapping, "mapEntry", mapKey=ids[choice.id])
                    mapping[-1].set("mappedValue", format_number(choice.weight))
        interaction = _sub(body, "choiceInteraction", responseIdentifier="RESPONSE")
        interaction.set("shuffle", "false")
        interaction.set("maxChoices", "0" if item.kind == "multiple" else "1")
        for choice in item.choices:
            element = _sub(interaction, "simpleChoice", identifier=ids[choice.id])
            _fill(element, choice.text, fmt, block=False)
            if choice.feedback:
                choice_feedback = True
                feedback = _sub(element, "feedbackInline", outcomeIdentifier="FEEDBACK")
                feedback.attrib.update(identifier=ids[choice.id], showHide="show")
                _fill(feedback, choice.feedback, fmt, block=False)
        template = "match_correct" if plain else "map_response"
    elif item.kind in ("fill_in", "numeric"):
        numeric = item.kind == "numeric"
        declaration.attrib.update(cardinality="single", baseType="float" if numeric else "string")
        entry_element = Element("textEntryInteraction", responseIdentifier="RESPONSE")
        entry_element.set("expectedLength", "15")
        if not _insert_at_blank(body, entry_element):
            _sub(body, "p").append(entry_element)
        if numeric:
            best = max(item.numeric_answers, key=lambda a: a.weight)
            _sub(_sub(declaration, "correctResponse"), "value", format_number(best.value))
        else:
            full = [a for a in item.answers if a.weight >= 1.0 and a.text != "*"]
            if full:
                _sub(_sub(declaration, "correctResponse"), "value", full[0].text)
            default = max([0.0, *(a.weight for a in item.answers if a.text == "*")])
            mapping = _sub(declaration, "mapping", defaultValue=format_number(default))
            for ans in item.answers:
                if ans.text != "*":
                    _sub(mapping, "mapEntry", mapKey=ans.text)
                    mapping[-1].set("mappedValue", format_number(ans.weight))
                    mapping[-1].set("caseSensitive", "true" if item.case_sensitive else "false")
            template = "map_response"
    elif item.kind == "matching":
        declaration.attrib.update(cardinality="multiple", baseType="directedPair")
        lefts = list(dict.fromkeys(p.left for p in item.pairs if p.left))
        rights = list(dict.fromkeys(p.right for p in item.pairs))
        left_id = {text: f"L{n + 1}" for n, text in enumerate(lefts)}
        right_id = {text: f"R{n + 1}" for n, text in enumerate(rights)}
        real = [p for p in item.pairs if p.left]
        correct = _sub(declaration, "correctResponse")
        mapping = _sub(declaration, "mapping", defaultValue="0", lowerBound="0", upperBound="1")
        for pair in real:
            key = f"{left_id[pair.left]} {right_id[pair.right]}"
            _sub(correct, "value", key)
            _sub(mapping, "mapEntry", mapKey=key)
            mapping[-1].set("mappedValue", format_number(round_weight(1 / len(real))))
        interaction = _sub(body, "matchInteraction", responseIdentifier="RESPONSE")
        interaction.attrib.update(shuffle="true", maxAssociations=str(len(real)))
        sources, targets = _sub(interaction, "simpleMatchSet"), _sub(interaction, "simpleMatchSet")
        for text in lefts:
            node = _sub(sources, "simpleAssociableChoice", identifier=left_id[text])
            node.set("matchMax", "1")
            _fill(node, text, fmt, block=False)
        for text in rights:
            node = _sub(targets, "simpleAssociableChoice", identifier=right_id[text])
            node.set("matchMax", str(sum(1 for p in real if p.right == text)))
            _fill(node, text, fmt, block=False)
        template = "map_response"
    else:
        declaration.attrib.update(cardinality="single", baseType="string")
        _sub(body, "extendedTextInteraction", responseIdentifier="RESPONSE")
        if item.grader_info:
            _fill(_sub(body, "rubricBlock", view="scorer"), item.grader_info, fmt, block=True)

    if choice_feedback:
        fb = _sub(root, "outcomeDeclaration", identifier="FEEDBACK", baseType="identifier")
        fb.set("cardinality", "multiple" if item.kind == "multiple" else "single")
    if item.explanation:
        modal = _sub(root, "outcomeDeclaration", identifier="FEEDBACKMODAL")
        modal.attrib.update(cardinality="single", baseType="identifier")
    root.append(body)
    if item.kind == "numeric":
        processing = _numeric_processing(item.numeric_answers, bool(item.explanation))
    else:
        processing = _standard_processing(
            template, feedback=choice_feedback, explanation=bool(item.explanation)
        )
    if len(processing) or processing.get("template"):
        root.append(processing)
    if item.explanation:
        modal_feedback = _sub(root, "modalFeedback", outcomeIdentifier="FEEDBACKMODAL")
        modal_feedback.attrib.update(identifier="GENERAL", showHide="show")
        _fill(modal_feedback, item.explanation, fmt, block=False)
    return root


def _score(parent: Element, value: Element | str) -> None:
    setter = _sub(parent, "setOutcomeValue", identifier="SCORE")
    if isinstance(value, str):
        _sub(setter, "baseValue", value, baseType="float")
    else:
        setter.append(value)


def _standard_processing(template: str, *, feedback: bool, explanation: bool) -> Element:
    """A response processing template, written out as rules when feedback must be set too."""
    processing = Element("responseProcessing")
    if not (feedback or explanation):
        if template:
            processing.set("template", RP_TEMPLATES + template)
        return processing
    if template:
        condition = _sub(processing, "responseCondition")
        if template == "map_response":
            is_null = _sub(_sub(condition, "responseIf"), "isNull")
            _sub(is_null, "variable", identifier="RESPONSE")
            _score(condition[0], "0")
            mapped = Element("mapResponse", identifier="RESPONSE")
            _score(_sub(condition, "responseElse"), mapped)
        else:
            match = _sub(_sub(condition, "responseIf"), "match")
            _sub(match, "variable", identifier="RESPONSE")
            _sub(match, "correct", identifier="RESPONSE")
            _score(condition[0], "1")
            _score(_sub(condition, "responseElse"), "0")
    _feedback_setters(processing, feedback=feedback, explanation=explanation)
    return processing


def _feedback_setters(processing: Element, *, feedback: bool, explanation: bool) -> None:
    if feedback:
        setter = _sub(processing, "setOutcomeValue", identifier="FEEDBACK")
        _sub(setter, "variable", identifier="RESPONSE")
    if explanation:
        setter = _sub(processing, "setOutcomeValue", identifier="FEEDBACKMODAL")
        _sub(setter, "baseValue", "GENERAL", baseType="identifier")


def _numeric_processing(answers: list[NumericAnswer], explanation: bool) -> Element:
    processing = Element("responseProcessing")
    condition = _sub(processing, "responseCondition")
    first = _sub(condition, "responseIf")
    _sub(_sub(first, "isNull"), "variable", identifier="RESPONSE")
    _score(first, "0")
    for answer in answers:
        branch = _sub(condition, "responseElseIf")
        if answer.tolerance:
            tolerance = format_number(answer.tolerance)
            test = _sub(branch, "equal", toleranceMode="absolute")
            test.set("tolerance", f"{tolerance} {tolerance}")
        else:
            test = _sub(branch, "equal", toleranceMode="exact")
        _sub(test, "variable", identifier="RESPONSE")
        _sub(test, "baseValue", format_number(answer.value), baseType="float")
        _score(branch, format_number(answer.weight))
    _score(_sub(condition, "responseElse"), "0")
    _feedback_setters(processing, feedback=False, explanation=explanation)
    return processing


def _indent(element: Element, level: int = 0) -> None:
    if element.tag not in _STRUCTURE or not len(element) or (element.text or "").strip():
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        _indent(child, level + 1)
        child.tail = pad
    element[-1].tail = "\n" + "  " * level


def _serialize(root: Element, *, version: str = "2.2") -> bytes:
    _indent(root)
    if version == "3.0":
        _to_qti3(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


# QTI 3.0 spells the 2.x vocabulary in kebab case with a ``qti-`` prefix.
QTI30_SCHEMA = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
QTI30_TEMPLATES = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
QTI30_CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
_QTI_ELEMENTS = {
    "assessmentItem", "responseDeclaration", "correctResponse", "value", "mapping",
    "mapEntry", "outcomeDeclaration", "defaultValue", "itemBody", "choiceInteraction",
    "simpleChoice", "feedbackInline", "textEntryInteraction", "extendedTextInteraction",
    "matchInteraction", "simpleMatchSet", "simpleAssociableChoice", "rubricBlock",
    "responseProcessing", "responseCondition", "responseIf", "responseElseIf", "responseElse",
    "setOutcomeValue", "baseValue", "variable", "isNull", "mapResponse", "equal", "match",
    "correct", "modalFeedback", "prompt",
}  # fmt: skip


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


def _to_qti3(root: Element) -> None:
    """Rename a QTI 2.2 item written by ``_item_element`` into QTI 3.0 in place."""
    for el in root.iter():
        if el.tag in _QTI_ELEMENTS:
            for key in [k for k in el.attrib if ":" not in k and k != "xmlns"]:
                el.attrib[_kebab(key)] = el.attrib.pop(key)
            if el.tag in ("modalFeedback", "rubricBlock"):
                body = Element("qti-content-body")
                body.text, body[:] = el.text, list(el)
                el.text, el[:] = None, [body]
            el.tag = "qti-" + _kebab(el.tag)
        elif el.tag.startswith("qh5:"):
            el.tag = el.tag[4:]
    template = root.find("qti-response-processing")
    if template is not None and template.get("template"):
        name = template.get("template", "").rsplit("/", 1)[-1]
        template.set("template", f"{QTI30_TEMPLATES}{name}.xml")
    root.attrib.pop("xmlns:qh5", None)
    root.set("xmlns", QTI30)
    root.set("xsi:schemaLocation", f"{QTI30} {QTI30_SCHEMA}")


def export_item_xml(item: Item, identifier: str | None = None, *, version: str = "2.2") -> bytes:
    """One item as a QTI ``assessmentItem`` document (2.2, or 3.0 ``qti-assessment-item``)."""
    element = _item_element(item, _identifier(identifier or item.source_id, "item-1"))
    return _serialize(element, version=version)


def export_package(items: Iterable[Item], *, version: str = "2.2") -> bytes:
    """Items as a QTI content package (2.2, or 3.0): ``imsmanifest.xml`` plus one file per
    item, with tags (LOM keywords) and Tongke's difficulty, category and version in the
    manifest."""
    qti3 = version == "3.0"
    manifest = Element(
        "manifest",
        {
            "xmlns": QTI30_CP if qti3 else IMSCP,
            "xmlns:imsmd": LOM,
            "xmlns:tk": TONGKE_NS,
            "xmlns:xsi": XSI,
            "identifier": "tongke-question-bank",
            "xsi:schemaLocation": f"{IMSCP} http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
        },
    )
    if qti3:
        manifest.attrib.pop("xsi:schemaLocation")
    metadata = _sub(manifest, "metadata")
    _sub(metadata, "schema", "QTI Package" if qti3 else "QTIv2.2 Package")
    _sub(metadata, "schemaversion", "3.0.0" if qti3 else "1.0.0")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    files: list[tuple[str, bytes]] = []
    used: set[str] = set()
    for n, item in enumerate(items, start=1):
        identifier = _identifier(item.source_id, f"item-{n}")
        while identifier in used:
            identifier = f"{identifier}-{n}"
        used.add(identifier)
        href = f"items/{identifier}.xml"
        files.append((href, _serialize(_item_element(item, identifier), version=version)))
        resource = _sub(resources, "resource", identifier=f"RES-{identifier}", href=href)
        resource.set("type", "imsqti_item_xmlv3p0" if qti3 else "imsqti_item_xmlv2p2")
        _resource_metadata_element(_sub(resource, "metadata"), item)
        _sub(resource, "file", href=href)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("imsmanifest.xml", _serialize(manifest)), *files]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _resource_metadata_element(metadata: Element, item: Item) -> None:
    if item.tags:
        general = _sub(_sub(metadata, "imsmd:lom"), "imsmd:general")
        for tag in item.tags:
            _sub(_sub(general, "imsmd:keyword"), "imsmd:string", tag)
    tongke = _sub(metadata, "tk:tongkeItem")
    if item.source_id:
        _sub(tongke, "tk:sourceId", item.source_id)
    if item.difficulty is not None:
        _sub(tongke, "tk:difficulty", format_number(item.difficulty))
    for segment in item.category:
        _sub(tongke, "tk:category", segment)
    _sub(tongke, "tk:version", str(item.version))
