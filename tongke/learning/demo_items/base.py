"""The machinery of the demo question bank: number and expression text, the ``Gen``
context that builds ``interchange.model.Item`` objects, the registry of generators, and the
helpers the generators share. The generators themselves are in ``grade7``, ``grade8`` and
``grade9``.

Conventions of the content: the minus sign of printed maths (−) in stems, while fill-in
answers accept both it and the keyboard's "-"; powers as superscripts (x², a⁻¹), with "x^2"
accepted in answers; points as (x,y).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import reduce
from typing import Any, Literal

from tongke.learning.interchange.model import (
    BLANK,
    KP_PREFIX,
    Choice,
    Item,
    MatchPair,
    NumericAnswer,
    TextAnswer,
    choice_ids,
    round_weight,
    true_false_choices,
)

SEED = "tongke-demo-bank-2026"


PREFIX = "jm-"


MINUS = "−"


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


SUPERSCRIPT_RUN = re.compile("⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


Number = int | Fraction


@dataclass
class DemoItem:
    """One generated question: its stable family id, the item, and minutes to answer."""

    family: str
    item: Item
    minutes: float

    @property
    def points(self) -> list[str]:
        return self.item.knowledge_points


def decimal_text(v: Fraction) -> str | None:
    """A terminating decimal's text (no exponent, no trailing zeros), or None."""
    d = v.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    text = format(Decimal(v.numerator) / Decimal(v.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def num(v: Number | float) -> str:
    """A number as printed: integers, terminating decimals, else a/b; negatives with −."""
    f = v if isinstance(v, Fraction) else Fraction(str(v)) if isinstance(v, float) else Fraction(v)
    a = abs(f)
    if a.denominator == 1:
        text = str(a.numerator)
    else:
        text = decimal_text(a) or f"{a.numerator}/{a.denominator}"
    return (MINUS if f < 0 else "") + text


def frac(v: Number) -> str:
    """A number as a fraction a/b (integers stay whole)."""
    f = Fraction(v)
    a = abs(f)
    text = str(a.numerator) if a.denominator == 1 else f"{a.numerator}/{a.denominator}"
    return (MINUS if f < 0 else "") + text


def par(v: Number) -> str:
    """A number in brackets when negative, for use inside an expression."""
    return f"({num(v)})" if v < 0 else num(v)


def parf(v: Number) -> str:
    """A fraction in brackets when it is negative or not whole."""
    f = Fraction(v)
    return f"({frac(f)})" if f < 0 or f.denominator != 1 else frac(f)


def sup(n: int) -> str:
    return str(n).translate(SUPERSCRIPT)


def ascii_text(text: str) -> str:
    """The keyboard version of a printed answer: − as -, superscripts as ^n."""
    out = text.replace(MINUS, "-")
    return SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(0).translate(FROM_SUPERSCRIPT), out)


def variants(*texts: str) -> list[str]:
    """Each text, its keyboard version, and both without spaces; in order, no repeats."""
    out: list[str] = []
    for text in texts:
        for t in (text, ascii_text(text), text.replace(" ", ""), ascii_text(text).replace(" ", "")):
            if t not in out:
                out.append(t)
    return out


def forms(v: Number) -> list[str]:
    """Accepted fill-in texts of a number: decimal and fraction forms, − and -."""
    texts = [num(v), frac(v)]
    return variants(*texts)


def terms(*pairs: tuple[Number, str]) -> str:
    """A polynomial's text from (coefficient, monomial) pairs: 3x²−x+5."""
    out = ""
    for coef, var in pairs:
        if coef == 0:
            continue
        sign = MINUS if coef < 0 else ("+" if out else "")
        mag = abs(Fraction(coef))
        body = (num(mag) if mag != 1 or not var else "") + var
        out += sign + body
    return out or "0"


def lin(a: Number, b: Number, x: str = "x") -> str:
    return terms((a, x), (b, ""))


def point(x: Number, y: Number) -> str:
    return f"({num(x)},{num(y)})"


def point_forms(x: Number, y: Number) -> list[str]:
    text = point(x, y)
    return variants(text, text.replace(",", ", "))


def plus(text: str) -> str:
    """A term's text with its sign, for writing it after another term."""
    return text if text.startswith(MINUS) else "+" + text


def times_text(a: int) -> str:
    """A coefficient before a bracket: 3(, −(, ( for 1."""
    return "" if a == 1 else MINUS if a == -1 else num(a)


CN_DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """A whole number 0..99 in Chinese numerals (for names such as 五边形)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def ngon(n: int) -> str:
    """The name of the regular n-gon: 正三角形, 正方形, 正五边形..."""
    return {3: "正三角形", 4: "正方形"}.get(n, f"正{cn(n)}边形")


def clamp(d: float) -> float:
    return round(min(2.0, max(-2.0, d)), 2)


def difficulty(base: float, item: Item, points: int) -> float:
    """The IRT difficulty (-2..2) of a generated item: the template's own estimate, spread
    over the scale, plus a little for each further knowledge point it needs and for the
    negative numbers and powers a computation carries."""
    d = 1.25 * base + 0.35 + 0.25 * (points - 1)
    if item.kind in ("numeric", "fill_in"):
        d += min(
            0.3, 0.06 * item.stem.count(MINUS) + 0.04 * len(SUPERSCRIPT_RUN.findall(item.stem))
        )
    return clamp(d)


def gcd(*values: int) -> int:
    return reduce(math.gcd, values)


class Gen:
    """Collects one knowledge point's items; refuses a stem already in the bank."""

    def __init__(self, code: str, rng: random.Random, stems: set[str]) -> None:
        self.code = code
        self.rng = rng
        self.stems = stems
        self.items: list[DemoItem] = []

    def _add(
        self,
        item: Item,
        *,
        why: str,
        d: float,
        m: float,
        also: Iterable[str],
    ) -> bool:
        if item.stem in self.stems:
            return False
        self.stems.add(item.stem)
        family = f"DEMO-{self.code}-{len(self.items) + 1}"
        points = [self.code, *(c if c.startswith(PREFIX) else PREFIX + c for c in also)]
        item.explanation = why
        item.difficulty = difficulty(d, item, len(points))
        item.tags = [KP_PREFIX + p for p in dict.fromkeys(points)]
        item.source_id = family
        self.items.append(DemoItem(family, item, float(min(4, max(1, m)))))
        return True

    def numeric(
        self,
        stem: str,
        value: Number | float,
        *,
        why: str,
        d: float,
        m: float = 2,
        tol: float = 0.0,
        also: Iterable[str] = (),
    ) -> bool:
        answer = NumericAnswer(float(value), tol)
        return self._add(
            Item(kind="numeric", stem=stem, numeric_answers=[answer]), why=why, d=d, m=m, also=also
        )

    def fill(
        self,
        stem: str,
        answers: Sequence[str],
        *,
        why: str,
        d: float,
        m: float = 2,
        also: Iterable[str] = (),
    ) -> bool:
        assert BLANK in stem, stem
        accepted = [TextAnswer(a) for a in dict.fromkeys(answers)]
        return self._add(
            Item(kind="fill_in", stem=stem, answers=accepted), why=why, d=d, m=m, also=also
        )

    def single(
        self,
        stem: str,
        right: str,
        wrong: Sequence[str],
        *,
        why: str,
        d: float,
        m: float = 1,
        also: Iterable[str] = (),
        shuffle: bool = True,
    ) -> bool:
        options = [right, *[w for w in dict.fromkeys(wrong) if w != right]]
        if shuffle:
            self.rng.shuffle(options)
        ids = choice_ids(len(options))
        choices = [
            Choice(i, text, text == right, 1.0 if text == right else 0.0)
            for i, text in zip(ids, options, strict=True)
        ]
        return self._add(
            Item(kind="single", stem=stem, choices=choices), why=why, d=d, m=m, also=also
        )

    def multiple(
        self,
        stem: str,
        right: Sequence[str],
        wrong: Sequence[str],
        *,
        why: str,
        d: float,
        m: float = 2,
        also: Iterable[str] = (),
    ) -> bool:
        right = list(dict.fromkeys(right))
        wrong = [w for w in dict.fromkeys(wrong) if w not in right]
        assert right and wrong, stem
        options = [*right, *wrong]
        self.rng.shuffle(options)
        gain = round_weight(1 / len(right))
        loss = round_weight(-1 / len(wrong))
        choices = [
            Choice(i, text, text in right, gain if text in right else loss)
            for i, text in zip(choice_ids(len(options)), options, strict=True)
        ]
        return self._add(
            Item(kind="multiple", stem=stem, choices=choices), why=why, d=d, m=m, also=also
        )

    def tf(
        self,
        stem: str,
        truth: bool,
        *,
        why: str,
        d: float = -1.0,
        m: float = 1,
        also: Iterable[str] = (),
    ) -> bool:
        return self._add(
            Item(kind="true_false", stem=stem, choices=true_false_choices(truth)),
            why=why,
            d=d,
            m=m,
            also=also,
        )

    def facts(self, rows: Iterable[tuple[str, bool, str]], d: float = -1.0) -> None:
        """True/false statements: (statement, truth, explanation); false ones count as a
        little harder (a trap to spot)."""
        for stem, truth, why in rows:
            self.tf("判断：" + stem, truth, why=why, d=d if truth else d + 0.5)

    def short(
        self,
        stem: str,
        model: str,
        *,
        why: str,
        d: float,
        m: float = 4,
        also: Iterable[str] = (),
    ) -> bool:
        return self._add(
            Item(kind="short_answer", stem=stem, grader_info=model), why=why, d=d, m=m, also=also
        )

    def match(
        self,
        stem: str,
        pairs: Sequence[tuple[str, str]],
        *,
        why: str,
        d: float,
        m: float = 2,
        also: Iterable[str] = (),
        extra: Sequence[str] = (),
    ) -> bool:
        found = [MatchPair(left, right) for left, right in pairs]
        found += [MatchPair("", right) for right in extra]
        return self._add(
            Item(kind="matching", stem=stem, pairs=found), why=why, d=d, m=m, also=also
        )

    def times(self, n: int, make: Callable[[random.Random], Any]) -> None:
        """Call ``make`` until it has added ``n`` items (a repeated stem adds none)."""
        added = tries = 0
        while added < n and tries < 60 * n:
            tries += 1
            before = len(self.items)
            make(self.rng)
            added += len(self.items) - before


Generator = Callable[[Gen], None]


GENERATORS: dict[str, Generator] = {}


def kp(code: str) -> Callable[[Generator], Generator]:
    """Register the generator of the knowledge point ``jm-<code>``."""

    def register(fn: Generator) -> Generator:
        assert PREFIX + code not in GENERATORS, code
        GENERATORS[PREFIX + code] = fn
        return fn

    return register


def nonzero(r: random.Random, lo: int, hi: int) -> int:
    return r.choice([v for v in range(lo, hi + 1) if v != 0])


Relation = Literal[">", "<", "="]


def compare(a: Number | float, b: Number | float) -> Relation:
    return ">" if a > b else "<" if a < b else "="


def generate_items(codes: Sequence[str] | None = None) -> list[DemoItem]:
    """The whole demo bank (or the items of ``codes``), deterministic."""
    stems: set[str] = set()
    out: list[DemoItem] = []
    for code in codes if codes is not None else list(GENERATORS):
        g = Gen(code, random.Random(f"{SEED}:{code}"), stems)
        GENERATORS[code](g)
        out.extend(g.items)
    return out


def some_rationals(r: random.Random, negatives: int, positives: int) -> list[Fraction]:
    out: set[Fraction] = set()
    while len([v for v in out if v < 0]) < negatives:
        kind = r.randint(0, 2)
        if kind == 0:
            out.add(Fraction(-r.randint(1, 12)))
        elif kind == 1:
            out.add(Fraction(-r.randint(1, 19), 10))
        else:
            out.add(-Fraction(r.randint(1, 4), r.choice([3, 7, 9])))
    while len([v for v in out if v > 0]) < positives:
        out.add(Fraction(r.randint(1, 30), r.choice([1, 1, 2, 4, 10])))
    return sorted(out, key=lambda _v: r.random())


def arith_pair(r: random.Random, decimals: bool = False) -> tuple[Fraction, Fraction]:
    if decimals and r.random() < 0.5:
        return Fraction(nonzero(r, -99, 99), 10), Fraction(nonzero(r, -99, 99), 10)
    return Fraction(nonzero(r, -40, 40)), Fraction(nonzero(r, -40, 40))


LETTERS = ("a", "b", "x", "y", "m", "n")


def monomial(r: random.Random, coef: int | None = None) -> tuple[int, str, int]:
    """(coefficient, letters with powers, degree), such as (−3, "x²y", 3)."""
    letters = sorted(r.sample(LETTERS[:4] if r.random() < 0.7 else LETTERS, r.randint(1, 3)))
    powers = [r.randint(1, 3) for _ in letters]
    text = "".join(v + (sup(p) if p > 1 else "") for v, p in zip(letters, powers, strict=True))
    c = coef if coef is not None else r.choice([nonzero(r, -9, 9), 1, -1])
    return c, text, sum(powers)


def mono_text(c: Number, var: str) -> str:
    return terms((c, var))


EXPRESSIONS: list[tuple[str, Callable[[int, int], int]]] = [
    ("a²−2ab+b²", lambda a, b: a * a - 2 * a * b + b * b),
    ("(a+b)(a−b)", lambda a, b: (a + b) * (a - b)),
    ("3a−2b", lambda a, b: 3 * a - 2 * b),
    ("a²b", lambda a, b: a * a * b),
    ("2a²−b", lambda a, b: 2 * a * a - b),
    ("ab−a+b", lambda a, b: a * b - a + b),
]


def polynomial(r: random.Random) -> tuple[str, int, int, int]:
    """(text, degree, number of terms, constant term) of a random polynomial in x and y."""
    count = r.randint(2, 4)
    degrees = sorted(r.sample(range(1, 5), count - 1), reverse=True)
    parts: list[tuple[Number, str]] = []
    for deg in degrees:
        px = r.randint(1, deg)
        py = deg - px
        var = "x" + (sup(px) if px > 1 else "") + ("y" + (sup(py) if py > 1 else "") if py else "")
        parts.append((nonzero(r, -7, 7), var))
    const = nonzero(r, -9, 9)
    parts.append((const, ""))
    return terms(*parts), degrees[0], count, const


def linear_equation(r: random.Random) -> tuple[str, int, int, int, int]:
    """(text, x, a, b, c) for ax+b=c with a whole solution x."""
    a = nonzero(r, -9, 9)
    x = nonzero(r, -10, 12)
    b = nonzero(r, -20, 20)
    return f"{lin(a, b)}={num(a * x + b)}", x, a, b, a * x + b


QUADRANTS = ["第一象限", "第二象限", "第三象限", "第四象限"]


def linear_system(r: random.Random) -> tuple[str, str, int, int, tuple[int, ...]]:
    """Two equations a1x+b1y=c1, a2x+b2y=c2 with a whole solution (x, y)."""
    while True:
        a1, b1, a2, b2 = (nonzero(r, -5, 5) for _ in range(4))
        if a1 * b2 - a2 * b1 != 0:
            break
    x, y = nonzero(r, -6, 6), nonzero(r, -6, 6)
    c1, c2 = a1 * x + b1 * y, a2 * x + b2 * y
    e1 = f"{terms((a1, 'x'), (b1, 'y'))}={num(c1)}"
    e2 = f"{terms((a2, 'x'), (b2, 'y'))}={num(c2)}"
    return e1, e2, x, y, (a1, b1, c1, a2, b2, c2)


def pair_forms(x: int, y: int, z: int | None = None) -> list[str]:
    if z is None:
        texts = [f"x={num(x)},y={num(y)}", f"x={num(x)}，y={num(y)}", f"x={num(x)};y={num(y)}"]
        texts += [f"x={num(x)}, y={num(y)}", f"{{x={num(x)},y={num(y)}}}", point(x, y)]
    else:
        texts = [f"x={num(x)},y={num(y)},z={num(z)}", f"x={num(x)}，y={num(y)}，z={num(z)}"]
        texts += [f"x={num(x)}, y={num(y)}, z={num(z)}", f"({num(x)},{num(y)},{num(z)})"]
    return variants(*texts)


FLIP = {">": "<", "<": ">", "≥": "≤", "≤": "≥"}


def ineq_forms(var: str, sign: str, value: Number) -> list[str]:
    ascii_sign = {"≥": ">=", "≤": "<="}.get(sign, sign)
    return variants(f"{var}{sign}{num(value)}", f"{var}{ascii_sign}{num(value)}")


def power_forms(base: str, n: int, coef: int = 1) -> list[str]:
    c = "" if coef == 1 else MINUS if coef == -1 else num(coef)
    return variants(f"{c}{base}{sup(n)}", f"{c}{base}^({n})", f"{c}{base}**{n}")


def radical(k: int, m: int) -> str:
    """k√m as printed (k=1: √m)."""
    return ("" if k == 1 else num(k)) + f"√{m}"


def radical_forms(k: int, m: int) -> list[str]:
    text = radical(k, m)
    return variants(text, text.replace("√", "√(").replace(f"√({m}", f"√({m})"), f"{k}*√{m}")


SQUARE_FREE = [2, 3, 5, 6, 7, 10, 11, 13, 14, 15]


def sqrt_parts(n: int) -> tuple[int, int]:
    """(k, m) with √n = k√m and m square-free (m = 1 when n is a square)."""
    for k in range(math.isqrt(n), 0, -1):
        if n % (k * k) == 0:
            return k, n // (k * k)
    return 1, n


TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41)]


def triple(r: random.Random, scale: int = 3) -> tuple[int, int, int]:
    a, b, c = r.choice(TRIPLES)
    k = r.randint(1, scale) if c < 20 else 1
    if r.random() < 0.5:
        a, b = b, a
    return a * k, b * k, c * k


def line_quadrants(k: Number, b: Number) -> str:
    if k > 0:
        return "第一、二、三象限" if b > 0 else "第一、三、四象限"
    return "第一、二、四象限" if b > 0 else "第二、三、四象限"


def data_list(r: random.Random, n: int, lo: int, hi: int) -> list[int]:
    return [r.randint(lo, hi) for _ in range(n)]


def list_text(values: Sequence[Number]) -> str:
    return "，".join(num(v) for v in values)


def quadratic(a: int, b: int, c: int, var: str = "x") -> str:
    return terms((a, var + "²"), (b, var), (c, ""))


def roots_forms(p: Number, q: Number) -> list[str]:
    """Accepted texts for the two roots p and q of an equation."""
    a, b = num(p), num(q)
    if p == q:
        return variants(f"x₁=x₂={a}", f"x1=x2={a}", f"x={a}", a)
    texts = []
    for s, t in ((a, b), (b, a)):
        texts += [f"x₁={s}，x₂={t}", f"x1={s},x2={t}", f"x={s}或x={t}", f"{s},{t}", f"{s}或{t}"]
        texts += [f"x₁={s},x₂={t}", f"x1={s}，x2={t}"]
    return variants(*texts)


def vertex_form(a: int, h: int, k: int) -> str:
    inner = "x" if h == 0 else f"(x{plus(num(-h))})"
    lead = "" if a == 1 else MINUS if a == -1 else num(a)
    text = f"{lead}{inner}²" if h else f"{lead}x²"
    return text + (plus(num(k)) if k else "")


CIRCLE_TRIPLES = [(3, 4, 5), (6, 8, 10), (5, 12, 13), (8, 15, 17), (9, 12, 15), (12, 16, 20)]


def pi_forms(k: Fraction) -> list[str]:
    """Accepted texts for kπ: 12π, 20π/3, 2.5π."""
    if k.denominator == 1:
        return variants("π" if k == 1 else f"{k.numerator}π")
    texts = [f"{'' if k.numerator == 1 else k.numerator}π/{k.denominator}"]
    if (dec := decimal_text(k)) is not None:
        texts.append(f"{dec}π")
    return variants(*texts)


EVENTS = [
    ("太阳从东方升起", "必然事件"),
    ("抛掷一枚硬币，正面朝上", "随机事件"),
    ("明天会下雨", "随机事件"),
    ("在标准大气压下，水加热到100℃会沸腾", "必然事件"),
    ("掷一枚普通的骰子，向上一面的点数是7", "不可能事件"),
    ("从只装有红球的袋子中摸出一个白球", "不可能事件"),
    ("任意画一个三角形，其内角和是180°", "必然事件"),
    ("打开电视机，正在播放新闻", "随机事件"),
    ("射击运动员射击一次，命中十环", "随机事件"),
    ("367人中至少有两人的生日相同", "必然事件"),
    ("同时掷两枚普通的骰子，点数之和是13", "不可能事件"),
    ("经过有交通信号灯的路口，遇到红灯", "随机事件"),
]


def value_forms(p: Fraction) -> list[str]:
    """A fraction's accepted texts: 3/4 and 0.75 (no percent)."""
    texts = [frac(p)]
    if (dec := decimal_text(p)) is not None and p.denominator != 1:
        texts.append(dec)
    return variants(*texts)


def prob_forms(p: Fraction) -> list[str]:
    """A probability's accepted texts: 1/4, 0.25, 25%."""
    texts = value_forms(p)
    if decimal_text(p) is not None and p.denominator != 1:
        texts += variants(f"{num(p * 100)}%")
    return texts


SPECIAL = {
    "sin30°": Fraction(1, 2),
    "cos60°": Fraction(1, 2),
    "tan45°": Fraction(1),
    "sin²45°": Fraction(1, 2),
    "cos²45°": Fraction(1, 2),
    "cos²30°": Fraction(3, 4),
    "sin²60°": Fraction(3, 4),
    "tan30°·tan60°": Fraction(1),
    "tan²60°": Fraction(3),
    "tan²30°": Fraction(1, 3),
}
