"""The frames a page sends into the live room: one pydantic model per ``type``.

``consumers.ROUTES`` maps each type to its model, the policy that says which seat may send
it, and the service (or relay) that handles it. ``parse`` turns the first refused field into
the room's usual error frame (``live.bad_message``, ``live.bad_quiz``, ``live.bad_signal``,
``live.message_too_large``, with the same message and detail as ever): every field is checked
by a plain validator, in the order the fields are declared, and a missing field reads as
``null``. Unknown fields are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, TypeVar

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tongke.core.errors import TongkeError
from tongke.live import errors, policies
from tongke.live.enums import MediaMode
from tongke.live.janus import JsonDict, check_candidate, check_jsep

TEXT_MAX = 500
QUIZ_PROMPT_MAX = 1000
QUIZ_CHOICES_MAX = 8
QUIZ_CHOICE_MAX = 200
HEADCOUNT_MAX = 500
LINK = re.compile(r"^(pub|floor|master|c[0-9]{1,10})$")  # ASCII digits: "c²" is no peer

T = TypeVar("T")
F = TypeVar("F", bound="Frame")


# --- Field checks ----------------------------------------------------------------------------


@contextmanager
def _refusing() -> Iterator[None]:
    """A check's ``Invalid`` becomes a pydantic error that carries its code, message and
    detail through validation (``parse`` turns it back)."""
    try:
        yield
    except TongkeError as exc:
        context = {"message": str(exc.message), "detail": exc.detail}
        raise PydanticCustomError(exc.code, "{message}", context) from None


def checked(check: Callable[[Any], T]) -> PlainValidator:
    def run(value: Any) -> T:
        with _refusing():
            return check(value)

    return PlainValidator(run)


def optional(check: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda value: None if value is None else check(value)


def clean_text(value: Any, *, limit: int = TEXT_MAX) -> str:
    """Text without control or format characters, trimmed, not empty, at most ``limit``."""
    if not isinstance(value, str):
        raise errors.invalid(errors.BAD_MESSAGE, _("Text is expected."))
    text = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    ).strip()
    if not text:
        raise errors.invalid(errors.BAD_MESSAGE, _("The message is empty."))
    if len(text) > limit:
        raise errors.invalid(
            errors.TOO_LARGE, _("At most %(n)d characters.") % {"n": limit}, limit=limit
        )
    return text


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _description(value: Any) -> JsonDict:
    try:
        return check_jsep(value)
    except ValueError as exc:
        raise errors.invalid(errors.BAD_SIGNAL, str(exc)) from exc


def _candidate(value: Any) -> JsonDict:
    try:
        return check_candidate(value)
    except ValueError as exc:
        raise errors.invalid(errors.BAD_SIGNAL, str(exc)) from exc


def _link(value: Any) -> str:
    if not isinstance(value, str) or not LINK.match(value):
        raise errors.invalid(errors.BAD_SIGNAL, _("Unknown media link."))
    return value


def _feed(value: Any) -> str:
    if not isinstance(value, str) or not LINK.match(value) or value in ("pub", "floor"):
        raise errors.invalid(errors.BAD_SIGNAL, _("You cannot watch that feed."))
    return value


def _slide(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("data:image/jpeg;base64,"):
        raise errors.invalid(errors.BAD_MESSAGE, _("A slide is a JPEG image."))
    return value


def _message_id(value: Any) -> int:
    if not isinstance(value, int):
        raise errors.invalid(errors.BAD_MESSAGE, _("A message id is expected."))
    return value


def _quiz_id(value: Any) -> int:
    if not _is_int(value):
        raise errors.invalid(errors.BAD_QUIZ, _("A quiz id is expected."), field="quiz")
    return int(value)


def _item_id(value: Any) -> int:
    if not _is_int(value):
        raise errors.invalid(errors.BAD_QUIZ, _("An item id is expected."), field="item")
    return int(value)


def _headcount(value: Any) -> int:
    if not _is_int(value) or not 0 <= value <= HEADCOUNT_MAX:
        raise errors.invalid(
            errors.BAD_MESSAGE, _("A headcount is 0 to %(n)d.") % {"n": HEADCOUNT_MAX}
        )
    return int(value)


def _mode(value: Any) -> MediaMode:
    if value not in MediaMode.values:
        raise errors.invalid(errors.BAD_MESSAGE, _("Unknown media mode."))
    return MediaMode(value)


def _classroom_peer(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"c[0-9]{1,10}", value):
        raise errors.invalid(errors.BAD_MESSAGE, _("Unknown classroom."))
    return value


Text = Annotated[str, checked(clean_text)]
Link = Annotated[str, checked(_link)]
Description = Annotated[JsonDict, checked(_description)]
QuizId = Annotated[int, checked(_quiz_id)]


# --- Frames ----------------------------------------------------------------------------------


class Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: str

    @model_validator(mode="before")
    @classmethod
    def _absent_is_null(cls, data: Any) -> Any:
        """A field the page left out reads as ``null`` (and its check decides), except the
        ones with a default."""
        if not isinstance(data, dict):
            return data
        required = {name: None for name, f in cls.model_fields.items() if f.is_required()}
        return required | data


class PingFrame(Frame):
    """The page's keepalive; the master's and observers' ask who is ``online``."""

    type: Literal["ping"]
    t: JsonValue = None  # echoed back
    online: JsonValue = None


class SignalFrame(Frame):
    """A WebRTC offer, answer or ICE candidate between the master and a classroom."""

    type: Literal["signal"]
    to: str | None
    description: Annotated[JsonDict | None, checked(optional(_description))]
    candidate: Annotated[JsonDict | None, checked(optional(_candidate))]

    @field_validator("to", mode="plain")
    @classmethod
    def _to(cls, value: Any, info: ValidationInfo) -> str | None:
        """Checked first, with the sender's seat (``policies.can_signal``): a signal to a
        peer it may not reach is refused whatever it carries."""
        seat = (info.context or {}).get("seat")
        if (
            not isinstance(value, str | None)
            or seat is None
            or not policies.can_signal(seat, value)
        ):
            with _refusing():
                raise errors.invalid(
                    errors.BAD_SIGNAL, _("Signals go between the master and a classroom.")
                )
        return value


class SlideFrame(Frame):
    """A still of the master's screen, for the classrooms in audio mode."""

    type: Literal["slide"]
    image: Annotated[str, checked(_slide)]


class SfuFrame(Frame):
    """Media through Janus (``sfu.*``); ``link`` names the connection: the page's own feed
    (``pub``), the floor, or the feed it watches."""

    link: Link = "pub"


class SfuPublishFrame(SfuFrame):
    type: Literal["sfu.publish"]
    description: Description


class SfuSubscribeFrame(SfuFrame):
    type: Literal["sfu.subscribe"]
    peer: Annotated[str, checked(_feed)]


class SfuAnswerFrame(SfuFrame):
    type: Literal["sfu.answer"]
    description: Description


class SfuTrickleFrame(SfuFrame):
    type: Literal["sfu.trickle"]
    candidate: Annotated[JsonDict | None, checked(optional(_candidate))]  # null: no more


class SfuLeaveFrame(SfuFrame):
    type: Literal["sfu.leave"]


class ChatFrame(Frame):
    type: Literal["chat"]
    text: Text


class QuestionFrame(Frame):
    type: Literal["question"]
    text: Text


class HandFrame(Frame):
    type: Literal["hand"]


class ResolveFrame(Frame):
    """The master answers a question or lowers a hand (a classroom lowers its own)."""

    type: Literal["resolve"]
    id: Annotated[int, checked(_message_id)]


class QuizPushFrame(Frame):
    """Opens a quiz: a bank ``item``, or a typed ``prompt`` with ``choices`` and the index of
    the ``correct`` one (ignored when an item is given)."""

    type: Literal["quiz.push"]
    item: Annotated[int | None, checked(optional(_item_id))]
    prompt: str | None
    choices: list[str] | None
    correct: int | None

    @field_validator("prompt", mode="plain")
    @classmethod
    def _prompt(cls, value: Any, info: ValidationInfo) -> str | None:
        if _from_bank(info):
            return None
        with _refusing():
            return clean_text(value, limit=QUIZ_PROMPT_MAX)

    @field_validator("choices", mode="plain")
    @classmethod
    def _choices(cls, value: Any, info: ValidationInfo) -> list[str] | None:
        if _from_bank(info):
            return None
        with _refusing():
            if not isinstance(value, list) or not (2 <= len(value) <= QUIZ_CHOICES_MAX):
                raise errors.invalid(
                    errors.BAD_QUIZ,
                    _("Give 2 to %(n)d choices.") % {"n": QUIZ_CHOICES_MAX},
                    field="choices",
                )
            return [clean_text(c, limit=QUIZ_CHOICE_MAX) for c in value]

    @field_validator("correct", mode="plain")
    @classmethod
    def _correct(cls, value: Any, info: ValidationInfo) -> int | None:
        if _from_bank(info):
            return None
        choices = info.data.get("choices") or []
        with _refusing():
            if not _is_int(value) or not 0 <= value < len(choices):
                raise errors.invalid(
                    errors.BAD_QUIZ, _("Mark which choice is right."), field="correct"
                )
        return int(value)


def _from_bank(info: ValidationInfo) -> bool:
    """A bank item makes the typed fields moot (and a refused item is the only error)."""
    return "item" not in info.data or info.data["item"] is not None


class QuizAnswerFrame(Frame):
    """A student's phone sends ``choice``; a tutor the room's ``counts`` per option. Which,
    and how many options, depend on the seat and the quiz: ``services.quiz_answer`` checks
    them against the open quiz."""

    type: Literal["quiz.answer"]
    quiz: QuizId
    choice: JsonValue = None
    counts: JsonValue = None


class QuizCloseFrame(Frame):
    type: Literal["quiz.close"]
    quiz: QuizId


class HeadcountFrame(Frame):
    type: Literal["headcount"]
    count: Annotated[int, checked(_headcount)]


class ModeFrame(Frame):
    """A classroom switches between video and audio plus slides."""

    type: Literal["mode"]
    mode: Annotated[MediaMode, checked(_mode)]


class FloorFrame(Frame):
    """The master brings one classroom's audio in for every room (null: back to the master)."""

    type: Literal["floor"]
    peer: Annotated[str | None, checked(optional(_classroom_peer))]


class EndFrame(Frame):
    type: Literal["end"]


def parse(schema: type[F], raw: dict[str, Any], seat: policies.Seated) -> F:
    """``raw`` as a ``schema`` frame from ``seat``, or the ``Invalid`` of its first refused
    field."""
    try:
        return schema.model_validate(raw, context={"seat": seat})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        context = first.get("ctx") or {}
        if "message" not in context:  # not one of our checks: the frame's shape is wrong
            raise errors.invalid(
                errors.BAD_MESSAGE, _("A message is an object with a type.")
            ) from None
        raise errors.invalid(
            first["type"], context["message"], **(context["detail"] or {})
        ) from None
