"""Demo question-bank generators for grade 7 (七年级: chapters 1-4 in the first volume,
5-10 in the second), in textbook order; each registers itself for one knowledge point
with ``@kp``."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction
from functools import reduce

from tongke.learning.demo_items.base import (
    EXPRESSIONS,
    FLIP,
    MINUS,
    QUADRANTS,
    Gen,
    arith_pair,
    cn,
    compare,
    forms,
    frac,
    ineq_forms,
    kp,
    lin,
    linear_equation,
    linear_system,
    mono_text,
    monomial,
    nonzero,
    num,
    pair_forms,
    par,
    parf,
    plus,
    point,
    point_forms,
    polynomial,
    some_rationals,
    sup,
    terms,
    times_text,
    variants,
)

# --- 7A Chapter 1: rational numbers --------------------------------------------------------


@kp("signed-numbers")
def signed_numbers(g: Gen) -> None:
    contexts = [
        ("向东走", "向西走", "米"),
        ("收入", "支出", "元"),
        ("气温上升", "气温下降", "℃"),
        ("高于海平面", "低于海平面", "米"),
        ("盈利", "亏损", "万元"),
        ("存入", "取出", "元"),
    ]

    def opposite(r: random.Random) -> None:
        pos, neg, unit = r.choice(contexts)
        a, b = r.randint(2, 90), r.randint(2, 90)
        g.fill(
            f"如果{pos}{a}{unit}记作+{a}{unit}，那么{neg}{b}{unit}记作_____{unit}。",
            forms(-b),
            why=f"{pos}与{neg}是具有相反意义的量。{pos}记为正，{neg}就记为负，"
            f"所以{neg}{b}{unit}记作{num(-b)}{unit}。",
            d=-1.8,
            m=1,
        )

    def negatives(r: random.Random) -> None:
        values = [*some_rationals(r, r.randint(2, 3), 2), Fraction(0)]
        r.shuffle(values)
        texts = [num(v) for v in values]
        g.multiple(
            f"在{'，'.join(texts)}中，哪些是负数？",
            [num(v) for v in values if v < 0],
            [num(v) for v in values if v >= 0],
            why="小于0的数是负数；0既不是正数也不是负数。",
            d=-1.5,
            m=1,
        )

    g.times(5, opposite)
    g.times(3, negatives)
    g.facts(
        [
            ("0既不是正数也不是负数。", True, "0是正数与负数的分界。"),
            ("一个数不是正数就是负数。", False, "0既不是正数也不是负数。"),
            ("−a一定是负数。", False, "当a是负数或0时，−a是正数或0。"),
            ("−(−3)是负数。", False, "−(−3)=3，是正数。"),
        ]
    )


@kp("rational-numbers")
def rational_numbers(g: Gen) -> None:
    kinds = {"正整数": (1, 1), "负整数": (-1, 1), "正分数": (1, 0), "负分数": (-1, 0)}

    def classify(r: random.Random) -> None:
        label = r.choice(list(kinds))
        sign, whole = kinds[label]
        if whole:
            v = Fraction(sign * r.randint(1, 99))
        elif r.random() < 0.5:
            v = Fraction(sign * r.choice([n for n in range(1, 99) if n % 10]), 10)
        else:
            v = sign * Fraction(r.randint(1, 8), r.choice([3, 7, 9, 11]))
        g.single(
            f"{num(v)}属于下列哪一类数？",
            label,
            [k for k in kinds if k != label],
            why="有限小数和分数都属于分数；"
            f"{num(v)}{'大于' if v > 0 else '小于'}0，所以它是{label}。",
            d=-1.2 if whole else -0.8,
            shuffle=False,
        )

    def which(r: random.Random) -> None:
        what = r.choice(["整数", "分数", "非负数"])
        values = [*some_rationals(r, 2, 3), Fraction(0)]
        r.shuffle(values)
        test = {
            "整数": lambda v: v.denominator == 1,
            "分数": lambda v: v.denominator != 1,
            "非负数": lambda v: v >= 0,
        }[what]
        right = [num(v) for v in values if test(v)]
        wrong = [num(v) for v in values if not test(v)]
        if not right or not wrong:
            return
        g.multiple(
            f"在{'，'.join(num(v) for v in values)}中，哪些是{what}？",
            right,
            wrong,
            why={
                "整数": "正整数、0和负整数统称整数。",
                "分数": "有限小数可以化成分数，属于分数；整数不是分数。",
                "非负数": "非负数是正数和0。",
            }[what],
            d=-0.9,
        )

    def rational(r: random.Random) -> None:
        values = some_rationals(r, 2, 2)
        irr = r.sample(["π", "2π", "π/2", "π−1"], 2)
        options = [num(v) for v in values] + irr
        r.shuffle(options)
        g.multiple(
            f"在{'，'.join(options)}中，哪些是有理数？",
            [num(v) for v in values],
            irr,
            why="整数和分数统称有理数；π是无限不循环小数，不是有理数。",
            d=-1.0,
        )

    g.times(4, classify)
    g.times(3, which)
    g.times(2, rational)
    g.facts(
        [
            ("0是有理数。", True, "0是整数，整数是有理数。"),
            ("整数和分数统称为有理数。", True, "这是有理数的定义。"),
            ("有理数分为正有理数和负有理数两类。", False, "还有0，它既不是正数也不是负数。"),
            ("−3.5是负分数。", True, "−3.5=−7/2，是负分数。"),
        ]
    )


@kp("number-line")
def number_line(g: Gen) -> None:
    def distance(r: random.Random) -> None:
        a, b = nonzero(r, -12, 12), nonzero(r, -12, 12)
        if a == b:
            return
        g.numeric(
            f"数轴上表示{num(a)}的点与表示{num(b)}的点之间的距离是多少？",
            abs(a - b),
            why=f"两点间的距离是|{num(a)}−{par(b)}|={abs(a - b)}。",
            d=-0.8 if a * b > 0 else -0.4,
            also=("absolute-value",) if a * b < 0 else (),
        )

    def move(r: random.Random) -> None:
        a, k = nonzero(r, -9, 9), r.randint(2, 9)
        right = r.random() < 0.5
        end = a + k if right else a - k
        g.numeric(
            f"数轴上点A表示{num(a)}，将点A向{'右' if right else '左'}移动{k}个单位长度"
            "得到点B，点B表示的数是多少？",
            end,
            why=f"向右移动加，向左移动减：{num(a)}{'+' if right else MINUS}{k}={num(end)}。",
            d=-1.0,
        )

    def both_sides(r: random.Random) -> None:
        k = Fraction(r.randint(2, 40), r.choice([1, 1, 2]))
        texts = [f"±{num(k)}", f"{num(k)}或{num(-k)}", f"{num(-k)}或{num(k)}"]
        texts += [f"{num(k)},{num(-k)}", f"{num(-k)},{num(k)}"]
        g.fill(
            f"数轴上与原点的距离为{num(k)}的点表示的数是_____。",
            variants(*texts),
            why=f"原点两侧各有一个这样的点，分别表示{num(k)}和{num(-k)}。",
            d=-0.6,
        )

    g.times(4, distance)
    g.times(4, move)
    g.times(3, both_sides)
    g.facts(
        [
            ("规定了原点、正方向和单位长度的直线叫做数轴。", True, "这是数轴的三要素。"),
            ("所有的有理数都可以用数轴上的点表示。", True, "每个有理数都对应数轴上的一个点。"),
            ("数轴上的每一个点都表示一个有理数。", False, "数轴上还有表示无理数（如π）的点。"),
        ]
    )


@kp("opposites")
def opposites(g: Gen) -> None:
    def opposite_of(r: random.Random) -> None:
        v = r.choice(
            [
                Fraction(nonzero(r, -50, 50)),
                Fraction(nonzero(r, -99, 99), 10),
                Fraction(nonzero(r, -7, 7), r.choice([3, 8, 9])),
            ]
        )
        if v == 0:
            return
        g.fill(
            f"{num(v)}的相反数是_____。",
            forms(-v),
            why=f"只有符号不同的两个数互为相反数，所以{num(v)}的相反数是{num(-v)}。",
            d=-1.7,
            m=1,
        )

    def which_number(r: random.Random) -> None:
        b = nonzero(r, -30, 30)
        g.numeric(
            f"若一个数的相反数是{num(b)}，则这个数是多少？",
            -b,
            why=f"{num(-b)}的相反数是{num(b)}，所以这个数是{num(-b)}。",
            d=-1.5,
            m=1,
        )

    def simplify(r: random.Random) -> None:
        a = nonzero(r, -20, 20)
        n = r.choice([1, 2, 3])
        text = f"({num(a)})" if a < 0 else f"(+{a})"
        for left, right in (("(", ")"), ("[", "]"), ("{", "}"))[1:n]:
            text = f"{left}{MINUS}{text}{right}"
        text = MINUS + text
        value = a * (-1) ** n
        g.fill(
            f"化简：{text}=_____",
            forms(value),
            why=f"每个“−”号把数变成它的相反数，共{n}个，结果是{num(value)}。",
            d=-1.2 + 0.2 * n,
            m=1,
        )

    g.times(4, opposite_of)
    g.times(3, which_number)
    g.times(3, simplify)
    g.facts(
        [
            ("一个数的相反数一定是负数。", False, "负数的相反数是正数，0的相反数是0。"),
            ("互为相反数的两个数的和为0。", True, "a+(−a)=0。"),
            ("0的相反数是0。", True, "0的相反数是它本身。"),
        ]
    )


@kp("absolute-value")
def absolute_value(g: Gen) -> None:
    def value(r: random.Random) -> None:
        a = r.choice([Fraction(nonzero(r, -60, 60)), Fraction(nonzero(r, -99, 99), 10)])
        g.numeric(
            f"求|{num(a)}|的值。",
            abs(a),
            why=f"正数的绝对值是它本身，负数的绝对值是它的相反数，所以|{num(a)}|={num(abs(a))}。",
            d=-1.8 if a > 0 else -1.4,
            m=1,
        )

    def equal_to(r: random.Random) -> None:
        k = Fraction(r.randint(1, 30), r.choice([1, 1, 2, 10]))
        texts = [f"±{num(k)}", f"{num(k)}或{num(-k)}", f"{num(-k)}或{num(k)}"]
        texts += [f"{num(k)},{num(-k)}", f"{num(-k)},{num(k)}"]
        g.fill(
            f"绝对值等于{num(k)}的数是_____。",
            variants(*texts),
            why=f"数轴上到原点距离为{num(k)}的点有两个：{num(k)}和{num(-k)}。",
            d=-0.8,
        )

    def total(r: random.Random) -> None:
        a, b = nonzero(r, -25, 25), nonzero(r, -25, 25)
        op = r.choice(["+", MINUS, "×"])
        result = {"+": abs(a) + abs(b), MINUS: abs(a) - abs(b), "×": abs(a) * abs(b)}[op]
        g.numeric(
            f"计算：|{num(a)}|{op}|{num(b)}|",
            result,
            why=f"先求绝对值：|{num(a)}|={abs(a)}，|{num(b)}|={abs(b)}，再计算得{num(result)}。",
            d=-0.9,
        )

    g.times(5, value)
    g.times(3, equal_to)
    g.times(3, total)
    g.facts(
        [
            ("一个数的绝对值一定是正数。", False, "0的绝对值是0，不是正数。"),
            ("绝对值相等的两个数相等或互为相反数。", True, "|a|=|b|时，a=b或a=−b。"),
            ("若|a|=a，则a≥0。", True, "非负数的绝对值等于它本身。"),
            ("负数的绝对值是它的相反数。", True, "这是绝对值的定义。"),
        ]
    )


@kp("compare-rationals")
def compare_rationals(g: Gen) -> None:
    def pair(r: random.Random) -> None:
        kind = r.randint(0, 2)
        if kind == 0:
            a, b = Fraction(-r.randint(1, 9), 10), Fraction(-r.randint(1, 9), 10)
        elif kind == 1:
            a = -Fraction(r.randint(1, 6), r.randint(7, 9))
            b = -Fraction(r.randint(1, 6), r.randint(7, 9))
        else:
            a, b = Fraction(nonzero(r, -15, 15)), Fraction(nonzero(r, -15, 15))
        if a == b:
            return
        sign = compare(a, b)
        g.single(
            f"比较大小：{num(a)}_____{num(b)}（选择正确的符号）",
            sign,
            [">", "<", "="],
            why=f"两个负数比较大小，绝对值大的反而小；正数大于负数。所以{num(a)}{sign}{num(b)}。",
            d=-0.4 if kind < 2 else -1.2,
            shuffle=False,
        )

    def smallest(r: random.Random) -> None:
        values = some_rationals(r, 2, 2)
        low = min(values)
        g.single(
            f"在{'，'.join(num(v) for v in values)}中，最小的数是哪一个？",
            num(low),
            [num(v) for v in values],
            why=f"负数小于正数；两个负数，绝对值大的反而小。最小的是{num(low)}。",
            d=-0.6,
        )

    def below(r: random.Random) -> None:
        k = nonzero(r, -5, 3)
        values = sorted({Fraction(r.randint(-90, 60), 10) for _ in range(6)})
        right = [num(v) for v in values if v < k]
        wrong = [num(v) for v in values if v >= k]
        if len(right) < 1 or len(wrong) < 1:
            return
        g.multiple(
            f"在{'，'.join(num(v) for v in values)}中，比{num(k)}小的数有哪些？",
            right,
            wrong,
            why="在数轴上，左边的点表示的数比右边的小。",
            d=-0.5,
        )

    g.times(5, pair)
    g.times(3, smallest)
    g.times(2, below)
    g.facts(
        [
            ("两个负数比较大小，绝对值大的反而小。", True, "如−5<−3。"),
            ("0大于一切负数。", True, "正数大于0，0大于负数。"),
        ]
    )


@kp("rational-add")
def rational_add(g: Gen) -> None:
    def add(r: random.Random) -> None:
        a, b = arith_pair(r, decimals=True)
        if a > 0 and b > 0:
            return
        g.numeric(
            f"计算：{par(a)}+{par(b)}",
            a + b,
            why="同号两数相加，取相同的符号，并把绝对值相加；异号两数相加，取绝对值较大的加数"
            f"的符号，并用较大的绝对值减去较小的绝对值。结果是{num(a + b)}。",
            d=-1.0 if a * b > 0 else -0.6,
        )

    def three(r: random.Random) -> None:
        a, b, c = (Fraction(nonzero(r, -20, 20)) for _ in range(3))
        g.numeric(
            f"计算：{par(a)}+{par(b)}+{par(c)}",
            a + b + c,
            why="可以先把互为相反数或同号的数结合起来相加（加法交换律、结合律）。"
            f"结果是{num(a + b + c)}。",
            d=-0.4,
        )

    def warm(r: random.Random) -> None:
        t, u = r.randint(-12, -1), r.randint(3, 15)
        g.numeric(
            f"某日早晨气温为{num(t)}℃，到中午上升了{u}℃，中午的气温是多少℃？",
            t + u,
            why=f"{par(t)}+{u}={num(t + u)}（℃）。",
            d=-0.9,
        )

    g.times(5, add)
    g.times(2, three)
    g.times(2, warm)
    g.facts(
        [
            ("两个有理数相加，和一定大于每一个加数。", False, "如(−2)+(−3)=−5，和比加数小。"),
            ("互为相反数的两个数相加得0。", True, "a+(−a)=0。"),
        ]
    )


@kp("rational-sub")
def rational_sub(g: Gen) -> None:
    def sub(r: random.Random) -> None:
        a, b = arith_pair(r, decimals=True)
        if b > 0 and a > b:
            return
        g.numeric(
            f"计算：{par(a)}{MINUS}{par(b)}",
            a - b,
            why=f"减去一个数等于加上它的相反数：{par(a)}+{par(-b)}={num(a - b)}。",
            d=-0.7 if b > 0 else -0.3,
        )

    def spread(r: random.Random) -> None:
        high, low = r.randint(-5, 20), r.randint(-20, -1)
        if high <= low:
            return
        g.numeric(
            f"某地某天的最高气温是{num(high)}℃，最低气温是{num(low)}℃，这天的温差是多少℃？",
            high - low,
            why=f"温差=最高气温−最低气温={num(high)}{MINUS}{par(low)}={high - low}（℃）。",
            d=-0.6,
        )

    def mixed(r: random.Random) -> None:
        a, b, c = (Fraction(nonzero(r, -30, 30)) for _ in range(3))
        g.numeric(
            f"计算：{par(a)}{MINUS}{par(b)}+{par(c)}",
            a - b + c,
            why=f"先把减法统一成加法：{par(a)}+{par(-b)}+{par(c)}={num(a - b + c)}。",
            d=-0.2,
        )

    g.times(5, sub)
    g.times(3, spread)
    g.times(2, mixed)
    g.facts(
        [
            ("减去一个数，等于加上这个数的相反数。", True, "这是有理数减法法则。"),
            ("两数相减，差一定小于被减数。", False, "减去负数时差大于被减数，如3−(−2)=5。"),
        ]
    )


@kp("rational-mul")
def rational_mul(g: Gen) -> None:
    def mul(r: random.Random) -> None:
        a = r.choice([Fraction(nonzero(r, -15, 15)), Fraction(nonzero(r, -9, 9), 10)])
        b = Fraction(nonzero(r, -15, 15))
        if a > 0 and b > 0:
            return
        g.numeric(
            f"计算：{par(a)}×{par(b)}",
            a * b,
            why=f"两数相乘，同号得正，异号得负，并把绝对值相乘。结果是{num(a * b)}。",
            d=-1.0,
        )

    def three(r: random.Random) -> None:
        a, b, c = (Fraction(nonzero(r, -9, 9)) for _ in range(3))
        negatives = sum(1 for v in (a, b, c) if v < 0)
        g.numeric(
            f"计算：{par(a)}×{par(b)}×{par(c)}",
            a * b * c,
            why=f"负因数有{negatives}个，积的符号为{'负' if negatives % 2 else '正'}；"
            f"结果是{num(a * b * c)}。",
            d=-0.4,
        )

    def distribute(r: random.Random) -> None:
        d1, d2 = r.sample([2, 3, 4, 6], 2)
        n1, n2 = r.randint(1, d1 - 1), r.randint(1, d2 - 1)
        big = d1 * d2 // math.gcd(d1, d2) * r.choice([1, 2])
        sign = r.choice([1, -1])
        total = (Fraction(n1, d1) - Fraction(n2, d2)) * sign * big
        g.numeric(
            f"计算：({frac(Fraction(n1, d1))}{MINUS}{frac(Fraction(n2, d2))})×{par(sign * big)}",
            total,
            why=f"用乘法分配律：{frac(Fraction(n1, d1))}×{par(sign * big)}{MINUS}"
            f"{frac(Fraction(n2, d2))}×{par(sign * big)}={num(total)}。",
            d=0.2,
            m=3,
        )

    g.times(5, mul)
    g.times(3, three)
    g.times(2, distribute)
    g.single(
        "几个不为0的有理数相乘，积的符号由什么决定？",
        "负因数的个数",
        ["正因数的个数", "因数的个数", "绝对值最大的因数"],
        why="负因数有偶数个时积为正，有奇数个时积为负。",
        d=-0.8,
    )
    g.facts(
        [
            ("若ab>0，则a、b同号。", True, "两数相乘，同号得正。"),
            ("任何数同0相乘都得0。", True, "这是乘法法则的一部分。"),
        ]
    )


@kp("reciprocal")
def reciprocal(g: Gen) -> None:
    def of(r: random.Random) -> None:
        v = r.choice(
            [
                Fraction(nonzero(r, -12, 12)),
                Fraction(nonzero(r, -9, 9), r.choice([2, 3, 5, 7])),
                Fraction(r.choice([-75, -25, 25, 125, -125, 5]), 100),
            ]
        )
        if v in (0, 1, -1):
            return
        g.fill(
            f"{num(v)}的倒数是_____。",
            forms(1 / v),
            why=f"乘积为1的两个数互为倒数：{num(v)}×{parf(1 / v)}=1。",
            d=-1.2 if v.denominator == 1 else -0.8,
            m=1,
        )

    def back(r: random.Random) -> None:
        v = Fraction(r.choice([-5, -4, -2, -1, 1, 2, 4, 5]), r.choice([3, 7, 9]))
        g.numeric(
            f"若a的倒数是{frac(v)}，则a等于多少？",
            1 / v,
            why=f"{frac(v)}的倒数是{num(1 / v)}，所以a={num(1 / v)}。",
            d=-0.9,
            m=1,
        )

    g.times(5, of)
    g.times(3, back)
    g.single(
        "若a与b互为倒数，则ab等于多少？",
        "1",
        ["0", MINUS + "1", "不能确定"],
        why="互为倒数的两个数的乘积是1。",
        d=-1.5,
    )
    g.facts(
        [
            ("0没有倒数。", True, "0乘任何数都不等于1。"),
            ("倒数等于它本身的数是1和−1。", True, "1×1=1，(−1)×(−1)=1。"),
            ("一个数的倒数一定小于这个数。", False, "如1/2的倒数是2，比1/2大。"),
        ]
    )


@kp("rational-div")
def rational_div(g: Gen) -> None:
    def div(r: random.Random) -> None:
        b = Fraction(nonzero(r, -12, 12))
        q = Fraction(nonzero(r, -12, 12))
        if b == 1:
            return
        a = b * q
        if a > 0 and b > 0:
            return
        g.numeric(
            f"计算：{par(a)}÷{par(b)}",
            q,
            why=f"两数相除，同号得正，异号得负，并把绝对值相除。结果是{num(q)}。",
            d=-0.9,
        )

    def by_fraction(r: random.Random) -> None:
        a = Fraction(nonzero(r, -12, 12))
        b = Fraction(nonzero(r, -4, 4), r.choice([3, 5, 7]))
        g.numeric(
            f"计算：{par(a)}÷{parf(b)}",
            a / b,
            why=f"除以一个数等于乘它的倒数：{par(a)}×{parf(1 / b)}={num(a / b)}。",
            d=-0.3,
        )

    def chain(r: random.Random) -> None:
        b, c = Fraction(nonzero(r, -6, 6)), Fraction(nonzero(r, -6, 6))
        a = b * nonzero(r, -6, 6)
        g.numeric(
            f"计算：{par(a)}÷{par(b)}×{par(c)}",
            a / b * c,
            why=f"乘除同级，从左到右依次计算：{num(a / b)}×{par(c)}={num(a / b * c)}。",
            d=0.0,
        )

    g.times(4, div)
    g.times(3, by_fraction)
    g.times(2, chain)
    g.facts(
        [
            ("除以一个不等于0的数，等于乘这个数的倒数。", True, "这是有理数除法法则。"),
            ("0除以任何数都得0。", False, "0不能作除数；0除以一个不等于0的数才得0。"),
        ]
    )


@kp("rational-power")
def rational_power(g: Gen) -> None:
    def power(r: random.Random) -> None:
        base = r.choice([Fraction(nonzero(r, -5, 5)), Fraction(nonzero(r, -3, 3), 2)])
        n = r.randint(2, 4) if abs(base) < 4 else 2
        text = f"({frac(base)}){sup(n)}" if base.denominator != 1 else f"{par(base)}{sup(n)}"
        g.numeric(
            f"计算：{text}",
            base**n,
            why=f"{text}表示{n}个{parf(base)}相乘，结果是{num(base**n)}。",
            d=-0.8 + 0.2 * n,
        )

    def sign_trap(r: random.Random) -> None:
        a, n = r.randint(2, 6), r.choice([2, 4])
        g.numeric(
            f"计算：{MINUS}{a}{sup(n)}",
            -(a**n),
            why=f"{MINUS}{a}{sup(n)}表示{a}{sup(n)}的相反数（底数是{a}），"
            f"结果是{num(-(a**n))}；而({MINUS}{a}){sup(n)}={a**n}。",
            d=0.2,
        )

    def minus_one(r: random.Random) -> None:
        n = r.randint(2000, 2030)
        g.single(
            f"(−1){sup(n)}的值是多少？",
            num((-1) ** n),
            [num(-((-1) ** n)), str(n), num(-n)],
            why=f"−1的偶次幂是1，奇次幂是−1；{n}是{'偶' if n % 2 == 0 else '奇'}数。",
            d=-0.5,
        )

    g.times(5, power)
    g.times(2, sign_trap)
    g.times(2, minus_one)
    g.facts(
        [
            ("负数的偶次幂是正数。", True, "偶数个负因数相乘，积为正。"),
            ("任何数的平方都是正数。", False, "0的平方是0。"),
        ]
    )


@kp("mixed-operations")
def mixed_operations(g: Gen) -> None:
    def order(r: random.Random) -> None:
        a, b, c = nonzero(r, -9, 9), nonzero(r, -9, 9), nonzero(r, -5, 5)
        d = c * nonzero(r, -6, 6)
        value = Fraction(a * b) - Fraction(d, c)
        g.numeric(
            f"计算：{par(a)}×{par(b)}{MINUS}{par(d)}÷{par(c)}",
            value,
            why=f"先算乘除，再算加减：{num(a * b)}{MINUS}{par(Fraction(d, c))}={num(value)}。",
            d=0.0,
            m=3,
        )

    def powers(r: random.Random) -> None:
        a, b, c = r.randint(2, 4), nonzero(r, -5, 5), nonzero(r, -4, 4)
        value = -(a**2) + b * (1 - c)
        g.numeric(
            f"计算：{MINUS}{a}²+{par(b)}×(1{MINUS}{par(c)})",
            value,
            why=f"先算乘方和括号：{MINUS}{a}²={num(-(a**2))}，1{MINUS}{par(c)}={num(1 - c)}；"
            f"再算乘法和加法，结果是{num(value)}。",
            d=0.6,
            m=3,
        )

    def brackets(r: random.Random) -> None:
        a, b, c = nonzero(r, -3, 3), nonzero(r, 2, 5), nonzero(r, -6, 6)
        value = Fraction(a) ** 3 * (b - c) + 10
        g.numeric(
            f"计算：{par(a)}³×({b}{MINUS}{par(c)})+10",
            value,
            why=f"{par(a)}³={num(a**3)}，({b}{MINUS}{par(c)})={num(b - c)}，"
            f"所以原式={num(a**3)}×{par(b - c)}+10={num(value)}。",
            d=0.5,
            m=3,
        )

    g.times(3, order)
    g.times(3, powers)
    g.times(2, brackets)
    g.facts(
        [
            (
                "有理数的混合运算，先算乘方，再算乘除，最后算加减；有括号先算括号里面的。",
                True,
                "这是运算顺序。",
            ),
        ]
    )
    for fracs in (((1, 2), (2, 3), (3, 4)), ((1, 3), (5, 6), (3, 4))):
        a, b, c = (Fraction(n, d) for n, d in fracs)
        k = reduce(lambda x, y: x * y // math.gcd(x, y), [f.denominator for f in (a, b, c)])
        total = (a - b + c) * -k
        g.short(
            f"用简便方法计算：({frac(a)}{MINUS}{frac(b)}+{frac(c)})×({MINUS}{k})，"
            "写出过程并说明用了哪条运算律。",
            f"乘法分配律：{frac(a)}×({MINUS}{k}){MINUS}{frac(b)}×({MINUS}{k})+{frac(c)}×"
            f"({MINUS}{k})={num(a * -k)}+{num(b * k)}{'+' if c * -k >= 0 else ''}{num(c * -k)}"
            f"={num(total)}。",
            why="把括号外的数分别与括号里的每个数相乘，约分后相加，比先通分简便。",
            d=0.4,
        )


@kp("scientific-notation")
def scientific_notation(g: Gen) -> None:
    things = [
        "某市常住人口约为",
        "某水库的蓄水量约为",
        "某网站的日访问量约为",
        "某项工程的投资约为",
    ]
    units = ["人", "立方米", "次", "元"]

    def write(r: random.Random) -> None:
        digits = r.randint(2, 3)
        mantissa = Fraction(r.randint(10 ** (digits - 1) + 1, 10**digits - 1), 10 ** (digits - 1))
        if mantissa.denominator == 1:
            return
        n = r.randint(4, 9)
        value = mantissa * 10**n
        i = r.randrange(len(things))
        text = f"{int(value):,}".replace(",", " ")
        m = num(mantissa)
        g.fill(
            f"{things[i]}{text}{units[i]}，用科学记数法表示为_____{units[i]}。",
            variants(f"{m}×10{sup(n)}", f"{m}×10^({n})", f"{m}*10^{n}", f"{m}x10^{n}"),
            why=f"a×10ⁿ中1≤a<10，n等于原数的整数位数减1，所以是{m}×10{sup(n)}。",
            d=-0.6,
        )

    def back(r: random.Random) -> None:
        mantissa = Fraction(r.randint(11, 99), 10)
        n = r.randint(3, 6)
        g.numeric(
            f"把{num(mantissa)}×10{sup(n)}写成原数。",
            mantissa * 10**n,
            why=f"把{num(mantissa)}的小数点向右移动{n}位，得{num(mantissa * 10**n)}。",
            d=-0.8,
        )

    def exponent(r: random.Random) -> None:
        value = r.randint(11, 99) * 10 ** r.randint(4, 9)
        n = len(str(value)) - 1
        g.numeric(
            f"把{value}写成a×10ⁿ（1≤a<10）的形式，n等于多少？",
            n,
            why=f"{value}有{n + 1}位整数，n={n + 1}−1={n}。",
            d=-0.7,
        )

    g.times(5, write)
    g.times(3, back)
    g.times(2, exponent)
    g.single(
        "用科学记数法把一个数写成a×10ⁿ的形式时，a的取值范围是什么？",
        "1≤|a|<10",
        ["0<|a|<1", "1<|a|≤10", "|a|≥10"],
        why="科学记数法要求a的整数部分只有一位（不为0）。",
        d=-1.0,
    )


@kp("approximation")
def approximation(g: Gen) -> None:
    places = [("个位", 0), ("十分位", 1), ("百分位", 2), ("千分位", 3)]

    def rounding(r: random.Random) -> None:
        name, k = r.choice(places)
        value = Decimal(r.randint(1000, 99999)) / Decimal(10 ** r.randint(3, 4))
        if value.as_tuple().exponent >= -k:  # type: ignore[operator]
            return
        q = Decimal(1).scaleb(-k)
        rounded = value.quantize(q, rounding="ROUND_HALF_UP")
        g.fill(
            f"将{value}精确到{name}，结果是_____。",
            [str(rounded)],
            why=f"看{name}的下一位，四舍五入，得{rounded}（末尾的0要保留，表示精确度）。",
            d=-0.8 + 0.2 * k,
        )

    g.times(6, rounding)
    for text, answer, wrong, why in (
        ("3.06", "百分位", ["十分位", "个位", "千分位"], "最后一位数字6在百分位。"),
        ("2.30", "百分位", ["十分位", "个位", "千分位"], "末尾的0在百分位，不能去掉。"),
        ("1.5万", "千位", ["十分位", "万位", "百位"], "5在万位后一位，即千位。"),
        ("4.0", "十分位", ["个位", "百分位", "十位"], "末尾的0在十分位。"),
    ):
        g.single(
            f"近似数{text}精确到哪一位？",
            answer,
            wrong,
            why=why,
            d=-0.3,
        )
    g.facts([("近似数2.0与2的精确度相同。", False, "2.0精确到十分位，2精确到个位。")])


# --- 7A Chapter 2: integral expressions ----------------------------------------------------


@kp("algebraic-expressions")
def algebraic_expressions(g: Gen) -> None:
    def price(r: random.Random) -> None:
        a = r.randint(2, 25)
        thing, unit, letter = r.choice(
            [("钢笔", "支", "x"), ("笔记本", "本", "n"), ("苹果", "千克", "m"), ("门票", "张", "t")]
        )
        g.fill(
            f"一{unit}{thing}{a}元，买{letter}{unit}{thing}共需_____元。",
            variants(f"{a}{letter}", f"{a}×{letter}", f"{a}*{letter}"),
            why=f"总价=单价×数量，即{a}·{letter}，数字写在字母前面：{a}{letter}。",
            d=-1.6,
            m=1,
        )

    def words(r: random.Random) -> None:
        k, b = r.randint(2, 9), r.randint(1, 20)
        kind = r.randint(0, 2)
        if kind == 0:
            stem, text = f"x的{k}倍与y的差", f"{k}x{MINUS}y"
        elif kind == 1:
            stem, text = f"比a的{k}倍多{b}的数", f"{k}a+{b}"
        else:
            stem, text = f"m与n的和的{k}倍", f"{k}(m+n)"
        g.fill(
            f"用代数式表示：{stem}是_____。",
            variants(text),
            why=f"按题意先写出运算顺序，{stem}是{text}。",
            d=-1.2 + 0.3 * kind,
        )

    def discount(r: random.Random) -> None:
        price_, k = r.choice(range(40, 400, 20)), r.randint(5, 9)
        g.numeric(
            f"某商品原价{price_}元，打{k}折后的售价是多少元？",
            Fraction(price_ * k, 10),
            why=(
                f"打{k}折就是按原价的{k * 10}%出售：{price_}×0.{k}="
                f"{num(Fraction(price_ * k, 10))}（元）。"
            ),
            d=-1.0,
        )

    g.times(4, price)
    g.times(3, words)
    g.times(2, discount)
    g.single(
        "下列式子中，书写规范的是哪一个？",
        "2a",
        ["a2", "1½a", "a÷b"],
        why="数字写在字母前面，带分数要化成假分数，除法写成分数形式。",
        d=-1.3,
    )
    g.facts(
        [
            ("a的相反数是−a。", True, "在a前面加“−”号表示它的相反数。"),
            ("a的平方的2倍记作(2a)²。", False, "a的平方的2倍是2a²；(2a)²是2a的平方。"),
        ]
    )


@kp("expression-value")
def expression_value(g: Gen) -> None:
    def quadratic(r: random.Random) -> None:
        a, b, c, v = nonzero(r, -4, 4), nonzero(r, -6, 6), r.randint(-9, 9), nonzero(r, -4, 4)
        value = a * v * v + b * v + c
        g.numeric(
            f"当x={num(v)}时，代数式{terms((a, 'x²'), (b, 'x'), (c, ''))}的值是多少？",
            value,
            why=f"把x={num(v)}代入：{num(a)}×{par(v)}²+{par(b)}×{par(v)}+{par(c)}={num(value)}。"
            "负数代入时要加括号。",
            d=-0.4 if v > 0 else 0.0,
        )

    def two(r: random.Random) -> None:
        text, f = r.choice(EXPRESSIONS)
        a, b = nonzero(r, -5, 5), nonzero(r, -5, 5)
        g.numeric(
            f"当a={num(a)}，b={num(b)}时，求代数式{text}的值。",
            f(a, b),
            why=f"把a={num(a)}、b={num(b)}代入{text}，按运算顺序计算，结果是{num(f(a, b))}。",
            d=-0.2,
        )

    def whole(r: random.Random) -> None:
        k, m, c = nonzero(r, -6, 6), r.randint(2, 5), nonzero(r, -9, 9)
        value = m * k + c
        g.numeric(
            f"若x+2y={num(k)}，则代数式{m}x+{2 * m}y{'+' if c > 0 else MINUS}{abs(c)}的值是多少？",
            value,
            why=f"{m}x+{2 * m}y={m}(x+2y)={m}×{par(k)}={m * k}，整体代入得{num(value)}。",
            d=0.5,
        )

    g.times(4, quadratic)
    g.times(4, two)
    g.times(2, whole)
    g.facts([("当a=−1时，a²=−1。", False, "(−1)²=1。")])


@kp("monomials")
def monomials(g: Gen) -> None:
    def coefficient(r: random.Random) -> None:
        c, text, _deg = monomial(r)
        g.fill(
            f"单项式{mono_text(c, text)}的系数是_____。",
            forms(c),
            why=f"单项式中的数字因数叫做它的系数，{mono_text(c, text)}的系数是{num(c)}。",
            d=-1.0 if abs(c) != 1 else -0.5,
            m=1,
        )

    def degree(r: random.Random) -> None:
        c, text, deg = monomial(r)
        g.fill(
            f"单项式{mono_text(c, text)}的次数是_____。",
            [str(deg)],
            why=f"一个单项式中所有字母的指数的和叫做它的次数：{mono_text(c, text)}的次数是{deg}。",
            d=-0.8,
            m=1,
        )

    def which(r: random.Random) -> None:
        good = r.sample(["−5", "a", "2x²y", "−ab/3", "πr²", "0"], 3)
        bad = r.sample(["x+1", "1/x", "(a+b)/2", "a−b", "2/y"], 2)
        g.multiple(
            f"在{'，'.join(sorted(good + bad, key=lambda _t: r.random()))}中，哪些是单项式？",
            good,
            bad,
            why="数或字母的积是单项式，单独的一个数或字母也是单项式；分母含字母的不是整式。",
            d=-0.6,
        )

    g.times(3, coefficient)
    g.times(3, degree)
    g.times(2, which)
    g.facts(
        [
            ("单独一个数也是单项式。", True, "单独的一个数或一个字母也是单项式。"),
            ("单项式−x的系数是−1。", True, "−x=−1·x。"),
            ("单项式πr²的次数是3。", False, "π是数，不是字母，πr²的次数是2。"),
        ]
    )


@kp("polynomials")
def polynomials(g: Gen) -> None:
    def degree(r: random.Random) -> None:
        text, deg, _n, _c = polynomial(r)
        g.fill(
            f"多项式{text}的次数是_____。",
            [str(deg)],
            why=f"多项式里次数最高的项的次数，就是这个多项式的次数：{deg}。",
            d=-0.6,
            m=1,
        )

    def count(r: random.Random) -> None:
        text, _deg, n, _c = polynomial(r)
        g.numeric(
            f"多项式{text}有几项？",
            n,
            why=f"多项式中每个单项式叫做它的项（连同前面的符号），共{n}项。",
            d=-1.2,
            m=1,
        )

    def constant(r: random.Random) -> None:
        text, _deg, _n, c = polynomial(r)
        g.fill(
            f"多项式{text}的常数项是_____。",
            forms(c),
            why=f"不含字母的项叫做常数项，连同符号是{num(c)}。",
            d=-0.9,
            m=1,
        )

    names = {2: "二", 3: "三", 4: "四"}

    def kind(r: random.Random) -> None:
        text, deg, n, _c = polynomial(r)
        if deg not in names or n not in names:
            return
        right = f"{names[deg]}次{names[n]}项式"
        wrong = [f"{names[a]}次{names[b]}项式" for a in names for b in names]
        g.single(
            f"多项式{text}是几次几项式？",
            right,
            r.sample([w for w in wrong if w != right], 3),
            why=f"它有{n}项，最高次项的次数是{deg}，所以是{right}。",
            d=-0.5,
        )

    g.times(3, degree)
    g.times(2, count)
    g.times(2, constant)
    g.times(2, kind)
    g.facts(
        [
            ("多项式3x²−2x+1的项是3x²、2x、1。", False, "项包括前面的符号，应是3x²、−2x、1。"),
            ("单项式和多项式统称为整式。", True, "这是整式的定义。"),
        ]
    )


@kp("like-terms")
def like_terms(g: Gen) -> None:
    def same(r: random.Random) -> None:
        c1, text, _deg = monomial(r)
        if len(text) < 2:
            return
        alike = r.random() < 0.5
        if alike:
            other = text[::-1] if all(ch in "abxymn" for ch in text) else text
            c2 = nonzero(r, -9, 9)
        else:
            _c, other, _d = monomial(r)
            c2 = nonzero(r, -9, 9)
            if other == text:
                return
        g.tf(
            f"判断：{mono_text(c1, text)}与{mono_text(c2, other)}是同类项。",
            alike,
            why="所含字母相同，并且相同字母的指数也相同的项叫做同类项，与系数和字母顺序无关。",
            d=-0.6,
        )

    def combine(r: random.Random) -> None:
        var = r.choice(["x", "x²", "ab", "a²b", "xy²"])
        cs = [nonzero(r, -9, 9) for _ in range(3)]
        total = sum(cs)
        text = terms(*((c, var) for c in cs[:1])) + "".join(
            (MINUS if c < 0 else "+") + (num(abs(c)) if abs(c) != 1 else "") + var for c in cs[1:]
        )
        result = mono_text(total, var)
        g.fill(
            f"合并同类项：{text}=_____",
            variants(result),
            why=f"把同类项的系数相加，字母和字母的指数不变：({'+'.join(par(c) for c in cs)}){var}"
            f"={result}。",
            d=-0.7,
        )

    def exponents(r: random.Random) -> None:
        p, q = r.randint(2, 5), r.randint(2, 5)
        c1, c2 = nonzero(r, -7, 7), nonzero(r, -7, 7)
        g.numeric(
            f"若{mono_text(c1, 'x' + sup(p) + 'yⁿ')}与{mono_text(c2, 'xᵐy' + sup(q))}是同类项，"
            "则m+n的值是多少？",
            p + q,
            why=f"同类项中相同字母的指数相同：m={p}，n={q}，所以m+n={p + q}。",
            d=-0.2,
        )

    g.times(4, same)
    g.times(4, combine)
    g.times(2, exponents)


@kp("removing-brackets")
def removing_brackets(g: Gen) -> None:
    def expand(r: random.Random, ask: str) -> None:
        a, b, c, d = r.randint(2, 6), nonzero(r, -7, 7), r.randint(2, 6), nonzero(r, -7, 7)
        if (a, b) == (c, d):
            return
        coef, const = a - c, a * b - c * d
        value = coef if ask == "x的系数" else const
        g.numeric(
            f"去括号并合并同类项：{a}({lin(1, b)}){MINUS}{c}({lin(1, d)})，结果中{ask}是多少？",
            value,
            why=f"括号前是“−”号，去括号后括号里各项都变号：{a}x{'+' if a * b > 0 else MINUS}"
            f"{abs(a * b)}{MINUS}{c}x{MINUS if c * d > 0 else '+'}{abs(c * d)}="
            f"{lin(coef, const)}。",
            d=0.0,
        )

    g.times(3, lambda r: expand(r, "x的系数"))
    g.times(3, lambda r: expand(r, "常数项"))
    g.facts(
        [
            ("−(a−b)=−a−b。", False, "−(a−b)=−a+b。"),
            ("−(a−b)=b−a。", True, "−(a−b)=−a+b=b−a。"),
            ("a−(b+c)=a−b−c。", True, "括号前是“−”号，去括号后各项都变号。"),
            ("2(a−1)=2a−1。", False, "2要乘括号里的每一项：2(a−1)=2a−2。"),
        ]
    )
    g.single(
        "下列去括号正确的是哪一个？",
        "a−(2b−c)=a−2b+c",
        ["a−(2b−c)=a−2b−c", "a+(2b−c)=a−2b+c", "−(a−2b)=−a−2b"],
        why="括号前是“−”号，括号里各项都改变符号；括号前是“+”号，各项都不变号。",
        d=-0.4,
    )
    g.single(
        "化简−3(x−2y)的结果是哪一个？",
        "−3x+6y",
        ["−3x−6y", "−3x+2y", "3x−6y"],
        why="−3乘括号里的每一项：−3·x+(−3)·(−2y)=−3x+6y。",
        d=-0.5,
    )


@kp("polynomial-add-sub")
def polynomial_add_sub(g: Gen) -> None:
    def evaluate(r: random.Random) -> None:
        a, b, c, d = (nonzero(r, -6, 6) for _ in range(4))
        v = nonzero(r, -3, 3)
        value = (a - c) * v * v + (b + d) * v
        g.numeric(
            "先化简，再求值："
            f"({terms((a, 'x²'), (b, 'x'))}){MINUS}({terms((c, 'x²'), (-d, 'x'))})，"
            f"其中x={num(v)}。",
            value,
            why=f"化简得{terms((a - c, 'x²'), (b + d, 'x'))}，代入x={num(v)}，值为{num(value)}。",
            d=0.3,
            m=3,
        )

    def add(r: random.Random) -> None:
        a, b, c, d = (nonzero(r, -9, 9) for _ in range(4))
        p, q = a + c, b + d
        if p == 0:
            return
        g.fill(
            f"计算：({lin(a, b)})+({lin(c, d)})=_____",
            variants(lin(p, q), terms((q, ""), (p, "x"))),
            why=f"去括号后合并同类项：x的系数{num(a)}+{par(c)}={num(p)}，常数项{num(b)}+{par(d)}"
            f"={num(q)}。",
            d=-0.4,
        )

    g.times(4, evaluate)
    g.times(3, add)
    g.short(
        "已知A=2x²−3x+1，B=x²+x−2，求2A−B，写出过程。",
        "2A−B=2(2x²−3x+1)−(x²+x−2)=4x²−6x+2−x²−x+2=3x²−7x+4。",
        why="先用括号把A、B整体代入，再去括号、合并同类项。",
        d=0.5,
    )
    g.facts([("整式加减的一般步骤是先去括号，再合并同类项。", True, "这是整式加减的方法。")])


# --- 7A Chapter 3: linear equations in one unknown -----------------------------------------


@kp("equation-solutions")
def equation_solutions(g: Gen) -> None:
    def check(r: random.Random) -> None:
        text, x, _a, _b, _c = linear_equation(r)
        claim = x if r.random() < 0.5 else x + r.choice([-2, -1, 1, 2])
        g.tf(
            f"判断：x={num(claim)}是方程{text}的解。",
            claim == x,
            why=f"把x={num(claim)}代入方程，看左右两边是否相等；方程的解是x={num(x)}。",
            d=-0.8,
        )

    def pick(r: random.Random) -> None:
        text, x, _a, _b, _c = linear_equation(r)
        g.single(
            f"下列各数中，是方程{text}的解的是哪一个？",
            num(x),
            [num(x + k) for k in r.sample([-3, -2, -1, 1, 2, 3], 3)],
            why=f"代入检验：x={num(x)}时方程左右两边相等。",
            d=-0.7,
        )

    def unknown(r: random.Random) -> None:
        a, x, m = nonzero(r, -6, 6), nonzero(r, -6, 6), nonzero(r, -15, 15)
        g.numeric(
            f"若x={num(x)}是方程{mono_text(a, 'x')}+m={num(a * x + m)}的解，则m的值是多少？",
            m,
            why=f"把x={num(x)}代入：{num(a * x)}+m={num(a * x + m)}，所以m={num(m)}。",
            d=-0.3,
        )

    g.times(4, check)
    g.times(3, pick)
    g.times(3, unknown)
    g.multiple(
        "在2x+1=5，3+4=7，x−2>1，y=0，2a+b中，哪些是方程？",
        ["2x+1=5", "y=0"],
        ["3+4=7", "x−2>1", "2a+b"],
        why="含有未知数的等式叫做方程；3+4=7不含未知数，x−2>1不是等式，2a+b不是等式。",
        d=-0.8,
    )


@kp("equality-properties")
def equality_properties(g: Gen) -> None:
    def divide(r: random.Random) -> None:
        a, x = nonzero(r, -9, 9), nonzero(r, -12, 12)
        if a == 1:
            return
        g.fill(
            f"若{mono_text(a, 'x')}={num(a * x)}，则x=_____。",
            forms(x),
            why=f"等式两边都除以{num(a)}（不为0），得x={num(x)}。",
            d=-1.2,
            m=1,
        )

    def add(r: random.Random) -> None:
        a, b = r.randint(1, 20), r.randint(-20, 20)
        g.fill(
            f"若x{MINUS}{a}={num(b)}，则x=_____。",
            forms(a + b),
            why=f"等式两边都加上{a}，得x={num(a + b)}。",
            d=-1.4,
            m=1,
        )

    g.times(3, divide)
    g.times(2, add)
    g.facts(
        [
            ("若a=b，则a+c=b+c。", True, "等式两边加同一个数，结果仍相等。"),
            ("若ac=bc，则a=b。", False, "c=0时不一定成立。"),
            ("若a/c=b/c，则a=b。", True, "两边都乘c即可（这里c≠0）。"),
            ("等式两边都除以同一个数，结果仍相等。", False, "除数不能为0。"),
        ]
    )
    g.single(
        "下列等式变形中，不一定正确的是哪一个？",
        "若a=b，则a/c=b/c",
        ["若a=b，则a+3=b+3", "若a=b，则ac=bc", "若a=b，则a−c=b−c"],
        why="c可能为0，除以0没有意义。",
        d=0.0,
    )
    g.single(
        "由x=y得到的下列等式中，不一定成立的是哪一个？",
        "x/(a−1)=y/(a−1)",
        ["x−5=y−5", "2x=2y", "x/(a²+1)=y/(a²+1)"],
        why="a−1可能为0；而a²+1一定不为0。",
        d=0.2,
    )


@kp("linear-equation-concept")
def linear_equation_concept(g: Gen) -> None:
    g.multiple(
        "在2x−1=3，x²−1=0，x+y=2，1/x=2，x/3=1中，哪些是一元一次方程？",
        ["2x−1=3", "x/3=1"],
        ["x²−1=0", "x+y=2", "1/x=2"],
        why="只含一个未知数、未知数的次数是1、等号两边都是整式的方程是一元一次方程。",
        d=-0.6,
    )
    g.multiple(
        "在3x=0，x+2=2x−1，2x²=x，y−3=5，x+1/x=2中，哪些是一元一次方程？",
        ["3x=0", "x+2=2x−1", "y−3=5"],
        ["2x²=x", "x+1/x=2"],
        why="2x²=x中未知数的次数是2；x+1/x=2的分母含未知数。",
        d=-0.4,
    )

    def abs_power(r: random.Random) -> None:
        c = r.randint(2, 5)
        b = nonzero(r, -9, 9)
        g.numeric(
            f"若(m{MINUS}{c})x^(|m|{MINUS}{c - 1}){'+' if b > 0 else MINUS}{abs(b)}=0是关于x的"
            "一元一次方程，则m的值是多少？",
            -c,
            why=f"需要|m|−{c - 1}=1且m−{c}≠0，所以|m|={c}，m≠{c}，得m={MINUS}{c}。",
            d=0.6,
            m=3,
        )

    def square_term(r: random.Random) -> None:
        a, b = nonzero(r, -6, 6), nonzero(r, -9, 9)
        g.numeric(
            f"若关于x的方程(k{'+' if a < 0 else MINUS}{abs(a)})x²{plus(lin(b, -1))}="
            "0是一元一次方程，"
            "则k的值是多少？",
            a,
            why=f"二次项的系数必须为0：k{'+' if a < 0 else MINUS}{abs(a)}=0，k={num(a)}"
            "（此时一次项系数不为0）。",
            d=0.2,
        )

    g.times(3, abs_power)
    g.times(3, square_term)
    g.facts(
        [
            ("方程x=0是一元一次方程。", True, "它只含一个未知数，次数是1。"),
            ("2x+3y=0是一元一次方程。", False, "它含有两个未知数。"),
            ("一元一次方程的一般形式是ax+b=0（a≠0）。", True, "这是一般形式。"),
        ]
    )


@kp("solve-transpose")
def solve_transpose(g: Gen) -> None:
    def simple(r: random.Random) -> None:
        text, x, a, _b, _c = linear_equation(r)
        g.numeric(
            f"解方程：{text}，x的值是多少？",
            x,
            why=f"移项得{mono_text(a, 'x')}={num(a * x)}，系数化为1得x={num(x)}。",
            d=-0.9 if a > 0 and x > 0 else -0.5,
        )

    def both_sides(r: random.Random) -> None:
        a, c = nonzero(r, -8, 8), nonzero(r, -8, 8)
        if a == c:
            return
        x, b = nonzero(r, -9, 9), nonzero(r, -15, 15)
        d = a * x + b - c * x
        g.fill(
            f"解方程：{lin(a, b)}={lin(c, d)}，得x=_____。",
            variants(f"x={num(x)}", num(x)),
            why=f"移项（移项要变号）：{mono_text(a, 'x')}{MINUS}{par(c)}x={num(d)}{MINUS}{par(b)}，"
            f"合并得{mono_text(a - c, 'x')}={num(d - b)}，所以x={num(x)}。",
            d=-0.2,
        )

    def step(r: random.Random) -> None:
        a, b, c = r.randint(2, 9), r.randint(1, 15), r.randint(-20, 20)
        g.single(
            f"解方程{a}x+{b}={num(c)}时，移项正确的是哪一个？",
            f"{a}x={num(c)}{MINUS}{b}",
            [f"{a}x={num(c)}+{b}", f"{a}x={b}{MINUS}{par(c)}", f"{a}x={MINUS}{par(c)}{MINUS}{b}"],
            why=f"把+{b}从左边移到右边要变号，变为−{b}。",
            d=-1.0,
        )

    g.times(5, simple)
    g.times(4, both_sides)
    g.times(2, step)
    g.facts(
        [("把方程中的某一项改变符号后，从方程的一边移到另一边，叫做移项。", True, "移项要变号。")]
    )


@kp("solve-brackets-fractions")
def solve_brackets_fractions(g: Gen) -> None:
    def brackets(r: random.Random) -> None:
        a, b, x = nonzero(r, -6, 6), nonzero(r, -9, 9), nonzero(r, -9, 9)
        if a == 1:
            return
        e = nonzero(r, -9, 9)
        c = a * (x - b) + e
        g.numeric(
            f"解方程：{times_text(a)}({lin(1, -b)}){plus(num(e))}={num(c)}，x的值是多少？",
            x,
            why=f"去括号得{lin(a, -a * b + e)}={num(c)}，移项、合并得{mono_text(a, 'x')}"
            f"={num(a * x)}，x={num(x)}。",
            d=0.0,
            m=3,
        )

    def fractions(r: random.Random) -> None:
        b, d = r.sample([2, 3, 4, 5, 6], 2)
        t, x = nonzero(r, -5, 5), nonzero(r, -9, 9)
        a, c = b * t - x, x - d * t
        if a == 0 or c == 0:
            return
        g.numeric(
            f"解方程：({lin(1, a)})/{b}=({lin(1, -c)})/{d}，x的值是多少？",
            x,
            why=f"两边同乘{b * d // math.gcd(b, d)}去分母，再去括号、移项、合并，得x={num(x)}。"
            "去分母时分子要加括号。",
            d=0.6,
            m=3,
        )

    g.times(4, brackets)
    g.times(4, fractions)
    g.single(
        "解方程(x−1)/2−(2x+1)/3=1，去分母正确的是哪一个？",
        "3(x−1)−2(2x+1)=6",
        ["3(x−1)−2(2x+1)=1", "3x−1−4x+1=6", "3(x−1)−2(2x+1)=5"],
        why="两边同乘6，右边的1也要乘6，分子要作为整体加括号。",
        d=0.1,
    )
    g.facts(
        [
            (
                "去分母时，方程两边每一项都要乘各分母的最小公倍数，不含分母的项也不能漏乘。",
                True,
                "这是去分母时最容易出错的地方。",
            )
        ]
    )


@kp("linear-equation-applications")
def linear_equation_applications(g: Gen) -> None:
    def meet(r: random.Random) -> None:
        v1, v2, t = r.randint(40, 80), r.randint(40, 80), r.choice([1.5, 2, 2.5, 3, 4])
        dist = int((v1 + v2) * t) if (v1 + v2) * t == int((v1 + v2) * t) else None
        if dist is None:
            return
        g.numeric(
            f"甲、乙两地相距{dist}千米，两辆车同时从两地出发相向而行，速度分别为{v1}千米/时和"
            f"{v2}千米/时，几小时后两车相遇？",
            t,
            why=f"设x小时后相遇，{v1}x+{v2}x={dist}，解得x={num(Fraction(str(t)))}。",
            d=0.0,
            m=3,
            also=("solve-transpose",),
        )

    def discount(r: random.Random) -> None:
        price, k = r.choice(range(50, 500, 10)), r.randint(6, 9)
        sale = Fraction(price * k, 10)
        if sale.denominator != 1:
            return
        g.numeric(
            f"某商品按标价的{k}折出售，售价为{num(sale)}元，这件商品的标价是多少元？",
            price,
            why=f"设标价为x元，0.{k}x={num(sale)}，解得x={price}。",
            d=-0.2,
            m=3,
        )

    def work(r: random.Random) -> None:
        a, b = r.choice([(3, 6), (4, 12), (6, 12), (10, 15), (12, 24), (20, 30), (12, 6), (15, 10)])
        g.numeric(
            f"一项工程，甲单独做需要{a}天完成，乙单独做需要{b}天完成。两人合作需要几天完成？",
            Fraction(a * b, a + b),
            why=f"设合作x天完成，(1/{a}+1/{b})x=1，解得x={num(Fraction(a * b, a + b))}。",
            d=0.4,
            m=3,
        )

    def age(r: random.Random) -> None:
        son, k, x = r.randint(5, 14), r.choice([2, 3]), r.randint(1, 12)
        father = k * (son + x) - x
        if father - son < 20:
            return
        g.numeric(
            f"父亲今年{father}岁，儿子今年{son}岁，几年后父亲的年龄是儿子的{k}倍？",
            x,
            why=f"设x年后，{father}+x={k}({son}+x)，解得x={x}。",
            d=0.3,
            m=3,
        )

    def profit(r: random.Random) -> None:
        cost, rate = r.choice(range(40, 400, 20)), r.choice([10, 20, 25, 30, 40, 50])
        g.numeric(
            f"某商品的进价为{cost}元，按{rate}%的利润率定价，定价是多少元？",
            Fraction(cost * (100 + rate), 100),
            why=(
                f"定价=进价×(1+利润率)={cost}×(1+{rate}%)="
                f"{num(Fraction(cost * (100 + rate), 100))}（元）。"
            ),
            d=-0.3,
            m=2,
        )

    g.times(2, meet)
    g.times(2, discount)
    g.times(2, work)
    g.times(2, age)
    g.times(2, profit)
    g.short(
        "列方程解应用题：某班学生去植树，如果每人植5棵，还剩14棵；如果每人植6棵，还缺10棵。"
        "这个班有多少名学生？写出设、列、解、答。",
        "设这个班有x名学生，5x+14=6x−10，解得x=24。答：这个班有24名学生。",
        why="树的总数不变，用两种方式表示树的总数，列出方程。",
        d=0.5,
    )


# --- 7A Chapter 4: first look at geometric figures -----------------------------------------


@kp("solid-plane-figures")
def solid_plane_figures(g: Gen) -> None:
    def prism(r: random.Random) -> None:
        n = r.randint(3, 10)
        ask, value, why = r.choice(
            [
                ("个面", n + 2, f"{n}个侧面加2个底面，共{n + 2}个面"),
                ("条棱", 3 * n, f"上下底面各{n}条棱，侧棱{n}条，共{3 * n}条"),
                ("个顶点", 2 * n, f"上下底面各{n}个顶点，共{2 * n}个"),
            ]
        )
        g.numeric(f"{cn(n)}棱柱有多少{ask}？", value, why=why + "。", d=-0.8)

    def pyramid(r: random.Random) -> None:
        n = r.randint(3, 10)
        ask, value, why = r.choice(
            [
                ("个面", n + 1, f"{n}个侧面加1个底面，共{n + 1}个面"),
                ("条棱", 2 * n, f"底面{n}条棱，侧棱{n}条，共{2 * n}条"),
                ("个顶点", n + 1, f"底面{n}个顶点加1个顶点，共{n + 1}个"),
            ]
        )
        g.numeric(f"{cn(n)}棱锥有多少{ask}？", value, why=why + "。", d=-0.6)

    g.times(5, prism)
    g.times(3, pyramid)
    g.single(
        "圆柱、三角形、正方形、圆中，属于立体图形的是哪一个？",
        "圆柱",
        ["三角形", "正方形", "圆"],
        why="圆柱的各部分不都在同一平面内，是立体图形；其余是平面图形。",
        d=-1.8,
    )
    g.match(
        "把立体图形与它的特征对应起来。",
        [
            ("圆柱", "两个底面是相等的圆，侧面是曲面"),
            ("圆锥", "一个底面是圆，侧面展开是扇形"),
            ("正方体", "六个面都是相等的正方形"),
            ("球", "由一个曲面围成"),
        ],
        why="根据面的个数和形状区分常见的立体图形。",
        d=-1.2,
        extra=["四个面都是三角形"],
    )
    g.facts([("点动成线，线动成面，面动成体。", True, "图形由点、线、面、体组成。")])


@kp("nets")
def nets(g: Gen) -> None:
    def cylinder(r: random.Random) -> None:
        radius, h = r.randint(1, 10), r.randint(2, 20)
        area = Fraction(2 * 314 * radius * h, 100)
        g.numeric(
            f"一个圆柱的底面半径是{radius}cm，高是{h}cm，它的侧面展开图（长方形）的面积是多少cm²？"
            "（π取3.14）",
            area,
            why=(
                f"长方形的长是底面周长2π×{radius}，宽是高{h}，面积=2×3.14×{radius}×{h}="
                f"{num(area)}。"
            ),
            d=-0.2,
            m=3,
        )

    def cube(r: random.Random) -> None:
        a = r.randint(2, 15)
        g.numeric(
            f"一个正方体的棱长是{a}cm，它的展开图的面积是多少cm²？",
            6 * a * a,
            why=f"展开图由6个边长为{a}cm的正方形组成：6×{a}²={6 * a * a}（cm²）。",
            d=-0.8,
        )

    g.times(4, cylinder)
    g.times(3, cube)
    g.single(
        "圆柱的侧面展开图是什么形状？",
        "长方形",
        ["扇形", "三角形", "圆"],
        why="沿一条母线剪开，圆柱的侧面展开是长方形（或正方形）。",
        d=-1.5,
    )
    g.single(
        "圆锥的侧面展开图是什么形状？",
        "扇形",
        ["长方形", "三角形", "梯形"],
        why="圆锥的侧面展开是一个扇形。",
        d=-1.2,
    )
    g.facts(
        [
            ("正方体的平面展开图共有11种。", True, "正方体共有11种不同的展开图。"),
            ("三棱柱的展开图中有3个三角形。", False, "三棱柱有2个三角形底面和3个长方形侧面。"),
        ]
    )


@kp("lines-rays-segments")
def lines_rays_segments(g: Gen) -> None:
    def lines(r: random.Random) -> None:
        n = r.randint(3, 12)
        g.numeric(
            f"平面内有{n}个点，其中任意三点都不在同一条直线上，过每两点画一条直线，一共可以画"
            "多少条直线？",
            n * (n - 1) // 2,
            why=f"每个点与其余{n - 1}个点各确定一条直线，每条算了两次：{n}×{n - 1}÷2"
            f"={n * (n - 1) // 2}。",
            d=0.0,
        )

    def segments(r: random.Random) -> None:
        n = r.randint(3, 10)
        g.numeric(
            f"一条直线上有{n}个点，以这些点为端点的线段共有多少条？",
            n * (n - 1) // 2,
            why=f"任取两个点就确定一条线段：{n}×{n - 1}÷2={n * (n - 1) // 2}。",
            d=-0.1,
        )

    g.times(3, lines)
    g.times(3, segments)
    g.facts(
        [
            ("两点确定一条直线。", True, "经过两点有一条直线，并且只有一条直线。"),
            ("射线AB与射线BA是同一条射线。", False, "端点和方向都不同。"),
            ("两点之间，线段最短。", True, "这是线段的基本事实。"),
            ("直线比射线长。", False, "直线和射线都无限延伸，不能比较长短。"),
        ]
    )
    g.single(
        "“把弯曲的河道改直，就能缩短路程”，其中蕴含的数学道理是什么？",
        "两点之间，线段最短",
        ["两点确定一条直线", "垂线段最短", "经过一点有无数条直线"],
        why="改直后河道接近连接两点的线段。",
        d=-1.0,
    )


@kp("segment-length")
def segment_length(g: Gen) -> None:
    def midpoint(r: random.Random) -> None:
        ab = r.randint(3, 40)
        g.numeric(
            f"点C是线段AB的中点，AB={ab}cm，AC的长是多少cm？",
            Fraction(ab, 2),
            why=f"中点把线段分成相等的两段：AC=AB÷2={num(Fraction(ab, 2))}cm。",
            d=-1.4,
        )

    def cm(r: random.Random) -> None:
        ac, bc = r.sample(range(2, 20), 2)
        value = abs(Fraction(ac + bc, 2) - ac)
        g.numeric(
            f"点C在线段AB上，AC={ac}cm，BC={bc}cm，点M是线段AB的中点，线段CM的长是多少cm？",
            value,
            why=f"AB={ac + bc}cm，AM={num(Fraction(ac + bc, 2))}cm，CM=|AM−AC|={num(value)}cm。",
            d=0.0,
            m=3,
        )

    def ratio(r: random.Random) -> None:
        p, q = r.sample(range(1, 6), 2)
        k = r.randint(1, 6)
        total = (p + q) * k
        g.numeric(
            f"点C在线段AB上，AC∶CB={p}∶{q}，AB={total}cm，AC的长是多少cm？",
            p * k,
            why=f"AC占AB的{p}/{p + q}：{total}×{p}/{p + q}={p * k}cm。",
            d=-0.4,
        )

    def two(r: random.Random) -> None:
        ab, bc = r.randint(6, 20), r.randint(2, 5)
        texts = [f"{ab + bc}cm或{ab - bc}cm", f"{ab - bc}cm或{ab + bc}cm"]
        texts += [f"{ab + bc}或{ab - bc}", f"{ab - bc}或{ab + bc}"]
        g.fill(
            f"线段AB={ab}cm，点C在直线AB上，且BC={bc}cm，则线段AC的长是_____。",
            variants(*texts),
            why=f"点C可能在线段AB上，也可能在AB的延长线上，AC={ab - bc}cm或{ab + bc}cm。",
            d=0.4,
        )

    g.times(2, midpoint)
    g.times(3, cm)
    g.times(2, ratio)
    g.times(2, two)
    g.facts([("若AC=BC，则点C是线段AB的中点。", False, "点C还必须在线段AB上。")])


@kp("angles")
def angles(g: Gen) -> None:
    def to_degrees(r: random.Random) -> None:
        d, m = r.randint(10, 170), r.choice([6, 12, 15, 18, 24, 30, 36, 42, 45, 48, 54])
        value = d + Fraction(m, 60)
        g.numeric(
            f"{d}°{m}′等于多少度？",
            value,
            why=f"1°=60′，{m}′={num(Fraction(m, 60))}°，所以{d}°{m}′={num(value)}°。",
            d=-0.5,
        )

    def to_minutes(r: random.Random) -> None:
        x = Fraction(r.choice([1, 2, 3, 4, 5, 6, 7, 8, 9]), r.choice([4, 5, 10]))
        g.numeric(
            f"{num(x)}°等于多少分（′）？",
            x * 60,
            why=f"{num(x)}°={num(x)}×60′={num(x * 60)}′。",
            d=-0.7,
        )

    def clock(r: random.Random) -> None:
        h = r.randint(1, 11)
        half = r.random() < 0.5
        hour = 30 * h + (15 if half else 0)
        minute = 180 if half else 0
        angle = abs(hour - minute)
        angle = min(angle, 360 - angle)
        when = f"{h}点30分" if half else f"{h}点整"
        g.numeric(
            f"钟表上{when}时，时针与分针所成的角（不大于180°）是多少度？",
            angle,
            why="钟面一大格是30°，时针每分钟转0.5°、分针每分钟转6°；"
            f"{when}时两针相差{num(angle)}°。",
            d=0.2 if half else -0.3,
        )

    g.times(3, to_degrees)
    g.times(2, to_minutes)
    g.times(4, clock)
    g.facts(
        [
            ("平角就是一条直线。", False, "平角是角，由两条射线组成，只是两边成一条直线。"),
            ("1周角=2平角=4直角=360°。", True, "周角360°，平角180°，直角90°。"),
        ]
    )


@kp("angle-operations")
def angle_operations(g: Gen) -> None:
    def bisector(r: random.Random) -> None:
        a = r.randint(20, 170)
        g.numeric(
            f"已知∠AOB={a}°，OC是∠AOB的平分线，∠AOC是多少度？",
            Fraction(a, 2),
            why=f"角平分线把角分成两个相等的角：∠AOC={a}°÷2={num(Fraction(a, 2))}°。",
            d=-1.0,
        )

    def outside(r: random.Random) -> None:
        a, b = r.randint(20, 90), r.randint(10, 80)
        g.numeric(
            f"已知∠AOB={a}°，∠BOC={b}°，射线OC在∠AOB的外部，∠AOC是多少度？",
            a + b,
            why=f"∠AOC=∠AOB+∠BOC={a}°+{b}°={a + b}°。",
            d=-0.7,
        )

    def inside(r: random.Random) -> None:
        a = r.randint(50, 170)
        b = r.randint(10, a - 10)
        g.numeric(
            f"已知∠AOB={a}°，射线OC在∠AOB的内部，∠BOC={b}°，∠AOC是多少度？",
            a - b,
            why=f"∠AOC=∠AOB−∠BOC={a}°−{b}°={a - b}°。",
            d=-0.7,
        )

    def both(r: random.Random) -> None:
        a, b = r.randint(30, 80), r.randint(10, 60)
        texts = [f"{a + b}°或{a - b}°", f"{a - b}°或{a + b}°", f"{a + b}或{a - b}"]
        if a <= b:
            return
        g.fill(
            f"已知∠AOB={a}°，∠BOC={b}°，则∠AOC的度数是_____。",
            variants(*texts, f"{a - b}或{a + b}"),
            why=f"射线OC可能在∠AOB的内部，也可能在外部，要分两种情况。∠AOC={a + b}°或{a - b}°。",
            d=0.5,
        )

    g.times(3, bisector)
    g.times(2, outside)
    g.times(2, inside)
    g.times(2, both)
    g.facts([("角的大小与边的长短无关。", True, "角的大小由两边张开的程度决定。")])


@kp("complementary-supplementary")
def complementary_supplementary(g: Gen) -> None:
    def complement(r: random.Random) -> None:
        a = r.randint(5, 85)
        g.numeric(f"{a}°角的余角是多少度？", 90 - a, why=f"90°−{a}°={90 - a}°。", d=-1.3, m=1)

    def supplement(r: random.Random) -> None:
        a = r.randint(5, 175)
        g.numeric(f"{a}°角的补角是多少度？", 180 - a, why=f"180°−{a}°={180 - a}°。", d=-1.3, m=1)

    def relation(r: random.Random) -> None:
        k = r.choice([3, 4, 5, 7, 10])
        x = Fraction(90 * k - 180, k - 1)
        g.numeric(
            f"一个角的补角是它的余角的{k}倍，这个角是多少度？",
            x,
            why=f"设这个角为x°，180−x={k}(90−x)，解得x={num(x)}。",
            d=0.4,
            m=3,
            also=("solve-transpose",),
        )

    def minutes(r: random.Random) -> None:
        d, m = r.randint(10, 80), r.randint(1, 59)
        rest = 90 * 60 - (d * 60 + m)
        g.fill(
            f"{d}°{m}′的余角是_____。",
            variants(f"{rest // 60}°{rest % 60}′", f"{rest // 60}°{rest % 60}'"),
            why=f"90°=89°60′，89°60′−{d}°{m}′={rest // 60}°{rest % 60}′。",
            d=-0.3,
        )

    g.times(3, complement)
    g.times(3, supplement)
    g.times(3, relation)
    g.times(2, minutes)
    g.facts(
        [
            ("同角（或等角）的余角相等。", True, "这是余角的性质。"),
            ("钝角没有余角。", True, "钝角大于90°，不存在和它相加等于90°的角。"),
            ("一个角的补角一定大于这个角。", False, "钝角的补角是锐角，比它小。"),
        ]
    )


# --- 7B Chapter 5: intersecting and parallel lines -----------------------------------------


@kp("vertical-angles")
def vertical_angles(g: Gen) -> None:
    def opposite(r: random.Random) -> None:
        a = r.randint(10, 170)
        if r.random() < 0.5:
            g.numeric(
                f"两条直线相交，其中一个角是{a}°，它的对顶角是多少度？",
                a,
                why="对顶角相等。",
                d=-1.5,
                m=1,
            )
        else:
            g.numeric(
                f"两条直线相交，其中一个角是{a}°，它的邻补角是多少度？",
                180 - a,
                why=f"邻补角的和是180°：180°−{a}°={180 - a}°。",
                d=-1.2,
                m=1,
            )

    def pair_sum(r: random.Random) -> None:
        s = r.randrange(20, 178, 2)
        g.numeric(
            f"两条直线相交所成的四个角中，有两个角的和是{s}°，这两个角中的一个是多少度？",
            s // 2,
            why=f"和不是180°，所以这两个角是对顶角，它们相等：{s}°÷2={s // 2}°。",
            d=0.0,
        )

    def ratio(r: random.Random) -> None:
        p, q = r.sample(range(1, 9), 2)
        if 180 % (p + q) or math.gcd(p, q) > 1:
            return
        small = 180 * min(p, q) // (p + q)
        g.numeric(
            f"两条直线相交，所成的两个邻补角的度数之比是{p}∶{q}，其中较小的角是多少度？",
            small,
            why=f"邻补角的和为180°，较小的角=180°×{min(p, q)}/{p + q}={small}°。",
            d=0.2,
        )

    g.times(4, opposite)
    g.times(3, pair_sum)
    g.times(2, ratio)
    g.facts(
        [
            ("对顶角相等。", True, "同角的补角相等，所以对顶角相等。"),
            ("相等的角是对顶角。", False, "相等的角不一定有公共顶点且两边互为反向延长线。"),
        ]
    )


@kp("perpendicular")
def perpendicular(g: Gen) -> None:
    def height(r: random.Random) -> None:
        k = r.randint(1, 8)
        a, b, c = 3 * k, 4 * k, 5 * k
        if r.random() < 0.5:
            a, b = b, a
        g.numeric(
            f"在Rt△ABC中，∠C=90°，AC={a}，BC={b}，AB={c}，点C到直线AB的距离是多少？",
            Fraction(a * b, c),
            why=f"点C到AB的距离是斜边上的高h，由面积得AC·BC=AB·h，h={a}×{b}÷{c}"
            f"={num(Fraction(a * b, c))}。",
            d=0.4,
            m=3,
        )

    def right_angle(r: random.Random) -> None:
        a = r.randint(5, 85)
        g.numeric(
            f"OA⊥OB，射线OC在∠AOB的内部，∠AOC={a}°，∠BOC是多少度？",
            90 - a,
            why=f"∠AOB=90°，∠BOC=90°−{a}°={90 - a}°。",
            d=-1.0,
        )

    g.times(3, height)
    g.times(3, right_angle)
    g.facts(
        [
            ("在同一平面内，过一点有且只有一条直线与已知直线垂直。", True, "这是垂线的性质。"),
            ("连接直线外一点与直线上各点的所有线段中，垂线段最短。", True, "这是垂线段的性质。"),
            (
                "点到直线的距离是指这点到直线的垂线段。",
                False,
                "距离是垂线段的长度，不是垂线段本身。",
            ),
        ]
    )
    g.single(
        "体育课上测量跳远成绩，测量的是落脚点到起跳线的垂线段的长度，依据是什么？",
        "垂线段最短",
        ["两点之间，线段最短", "两点确定一条直线", "经过一点有无数条直线"],
        why="落脚点到起跳线的距离就是垂线段的长度。",
        d=-0.8,
    )


@kp("transversal-angles")
def transversal_angles(g: Gen) -> None:
    for name, where, wrong in (
        ("内错角", "在两条被截直线之间，并且分别在截线的两侧", ["同位角", "同旁内角", "对顶角"]),
        ("同位角", "在两条被截直线的同一方，并且都在截线的同侧", ["内错角", "同旁内角", "邻补角"]),
        ("同旁内角", "在两条被截直线之间，并且都在截线的同一旁", ["内错角", "同位角", "对顶角"]),
    ):
        g.single(
            f"两条直线被第三条直线所截，两个角都{where}，这样的一对角叫做什么？",
            name,
            wrong,
            why=f"这是{name}的定义。",
            d=-0.9,
        )
    for name, count in (("同位角", 4), ("内错角", 2), ("同旁内角", 2)):
        g.numeric(
            f"两条直线被第三条直线所截，共形成多少对{name}？",
            count,
            why=f"8个角中，{name}共有{count}对。",
            d=-0.3,
        )
    g.match(
        "把角的位置特征与名称对应起来（两条直线被第三条直线所截）。",
        [
            ("F型：在截线同侧、被截直线同方", "同位角"),
            ("Z型：在截线两侧、两被截直线之间", "内错角"),
            ("U型：在截线同侧、两被截直线之间", "同旁内角"),
        ],
        why="按角与截线、被截直线的位置关系区分三类角。",
        d=-0.5,
        extra=["对顶角"],
    )
    g.facts(
        [
            ("同位角相等。", False, "只有两直线平行时，同位角才相等。"),
            ("两条直线被第三条直线所截，共形成8个角。", True, "每个交点处有4个角。"),
        ]
    )


@kp("parallel-tests")
def parallel_tests(g: Gen) -> None:
    def interior(r: random.Random) -> None:
        a = r.randint(30, 150)
        kind = r.choice(["同旁内角", "内错角", "同位角"])
        need = 180 - a if kind == "同旁内角" else a
        g.numeric(
            f"直线a、b被直线c所截，∠1与∠2是{kind}，∠1={a}°。当∠2等于多少度时，a∥b？",
            need,
            why={
                "同旁内角": f"同旁内角互补，两直线平行：∠2=180°−{a}°={need}°。",
                "内错角": "内错角相等，两直线平行。",
                "同位角": "同位角相等，两直线平行。",
            }[kind],
            d=-0.5,
        )

    g.times(4, interior)
    g.facts(
        [
            ("同位角相等，两直线平行。", True, "这是平行线的判定方法。"),
            ("内错角互补，两直线平行。", False, "应是内错角相等，两直线平行。"),
            ("同旁内角互补，两直线平行。", True, "这是平行线的判定方法。"),
            ("平行于同一条直线的两条直线互相平行。", True, "平行公理的推论。"),
            ("在同一平面内，垂直于同一条直线的两条直线互相平行。", True, "同位角都是90°。"),
            ("不相交的两条直线叫做平行线。", False, "必须是在同一平面内不相交的两条直线。"),
        ]
    )


@kp("parallel-properties")
def parallel_properties(g: Gen) -> None:
    def angle(r: random.Random) -> None:
        a = r.randint(25, 155)
        kind = r.choice(["同位角", "内错角", "同旁内角"])
        value = 180 - a if kind == "同旁内角" else a
        g.numeric(
            f"a∥b，直线c与a、b相交，∠1与∠2是{kind}，∠1={a}°，∠2是多少度？",
            value,
            why={
                "同旁内角": f"两直线平行，同旁内角互补：180°−{a}°={value}°。",
                "内错角": "两直线平行，内错角相等。",
                "同位角": "两直线平行，同位角相等。",
            }[kind],
            d=-0.6,
        )

    def bend(r: random.Random) -> None:
        a, b = r.randint(20, 80), r.randint(20, 80)
        g.numeric(
            f"AB∥CD，点E在AB与CD之间，∠BAE={a}°，∠DCE={b}°，点E在AC的右侧，∠AEC是多少度？",
            a + b,
            why=f"过E作EF∥AB，则EF∥CD，∠AEC=∠BAE+∠DCE={a}°+{b}°={a + b}°。",
            d=0.6,
            m=3,
        )

    g.times(6, angle)
    g.times(3, bend)
    g.facts([("两直线平行，同旁内角相等。", False, "两直线平行，同旁内角互补。")])


@kp("propositions")
def propositions(g: Gen) -> None:
    g.facts(
        [
            ("“相等的角是对顶角”是真命题。", False, "相等的角不一定是对顶角。"),
            ("“两直线平行，同位角相等”是真命题。", True, "这是平行线的性质。"),
            ("定理都是真命题。", True, "定理是经过推理证实的真命题。"),
            ("“如果a²=b²，那么a=b”是真命题。", False, "反例：a=2，b=−2。"),
            ("“如果a=b，那么a²=b²”是真命题。", True, "相等的数的平方相等。"),
        ]
    )
    g.multiple(
        "在“对顶角相等”“画线段AB=3cm”“两点之间，线段最短”“你喝水了吗？”“同位角相等”中，"
        "哪些是命题？",
        ["对顶角相等", "两点之间，线段最短", "同位角相等"],
        ["画线段AB=3cm", "你喝水了吗？"],
        why="判断一件事情的语句叫做命题（可真可假）；作图语句和疑问句不是命题。",
        d=-0.3,
    )
    g.single(
        "命题“同角的补角相等”的题设是什么？",
        "两个角是同一个角的补角",
        ["这两个角相等", "同角", "补角相等"],
        why="改写成“如果两个角是同一个角的补角，那么这两个角相等”。",
        d=0.0,
    )
    g.single(
        "能说明命题“若a²=b²，则a=b”是假命题的反例是哪一个？",
        "a=3，b=−3",
        ["a=3，b=3", "a=0，b=0", "a=−3，b=−3"],
        why="a=3，b=−3时a²=b²但a≠b。",
        d=0.1,
    )
    g.short(
        "写出命题“内错角相等，两直线平行”的逆命题，并判断逆命题的真假。",
        "逆命题：两直线平行，内错角相等。它是真命题（平行线的性质）。",
        why="交换命题的题设和结论得到逆命题。",
        d=0.2,
        m=3,
    )
    g.short(
        "举一个反例，说明命题“若a>b，则a²>b²”是假命题。",
        "如a=1，b=−2，a>b，但a²=1<b²=4。",
        why="反例要满足题设而不满足结论。",
        d=0.3,
        m=3,
    )


@kp("translation")
def translation(g: Gen) -> None:
    def distance(r: random.Random) -> None:
        bc = r.randint(5, 20)
        ec = r.randint(1, bc - 1)
        g.numeric(
            f"将△ABC沿BC方向平移得到△DEF（点E在线段BC上），BC={bc}cm，EC={ec}cm，"
            "平移的距离是多少cm？",
            bc - ec,
            why=f"平移距离BE=BC−EC={bc}−{ec}={bc - ec}cm。",
            d=-0.4,
        )

    def perimeter(r: random.Random) -> None:
        p, d = r.randint(10, 30), r.randint(1, 6)
        g.numeric(
            f"将周长为{p}cm的△ABC沿BC方向平移{d}cm得到△DEF，四边形ABFD的周长是多少cm？",
            p + 2 * d,
            why=f"四边形ABFD的周长=AB+BC+CF+DF+AD=△ABC的周长+2×{d}={p + 2 * d}cm。",
            d=0.5,
            m=3,
        )

    g.times(3, distance)
    g.times(3, perimeter)
    g.facts(
        [
            ("平移不改变图形的形状和大小。", True, "平移后的图形与原图形全等。"),
            ("平移后，对应点所连的线段平行（或在同一条直线上）且相等。", True, "这是平移的性质。"),
            ("平移会改变图形的方向。", False, "平移不改变图形的方向。"),
        ]
    )
    g.single(
        "下列现象中，属于平移的是哪一个？",
        "电梯的上下运动",
        ["钟摆的摆动", "风车的转动", "汽车方向盘的转动"],
        why="图形沿某一方向移动一定距离是平移；其余是旋转。",
        d=-1.2,
    )


# --- 7B Chapter 6: real numbers ------------------------------------------------------------


@kp("square-roots")
def square_roots(g: Gen) -> None:
    def both(r: random.Random) -> None:
        k = Fraction(r.randint(1, 20), r.choice([1, 1, 2, 3, 4, 5]))
        n = k * k
        texts = [f"±{num(k)}", f"{num(k)}或{num(-k)}", f"{num(k)},{num(-k)}", f"±{frac(k)}"]
        g.fill(
            f"{frac(n)}的平方根是_____。",
            variants(*texts),
            why=f"({num(k)})²=({num(-k)})²={frac(n)}，正数有两个平方根，它们互为相反数。",
            d=-0.8,
        )

    def arithmetic(r: random.Random) -> None:
        k = Fraction(r.randint(1, 25), r.choice([1, 1, 2, 3, 4, 10]))
        n = k * k
        g.fill(
            f"{frac(n)}的算术平方根是_____。",
            forms(k),
            why=f"正数的正的平方根叫做它的算术平方根：{num(k)}。",
            d=-1.0,
        )

    def root(r: random.Random) -> None:
        k = r.randint(11, 30)
        g.numeric(f"计算：√{k * k}", k, why=f"{k}²={k * k}，所以√{k * k}={k}。", d=-0.6, m=1)

    g.times(3, both)
    g.times(3, arithmetic)
    g.times(3, root)
    g.facts(
        [
            ("负数没有平方根。", True, "任何数的平方都不是负数。"),
            ("4的平方根是2。", False, "4的平方根是±2。"),
            ("0的平方根是0。", True, "0只有一个平方根。"),
        ]
    )


@kp("cube-roots")
def cube_roots(g: Gen) -> None:
    def root(r: random.Random) -> None:
        k = nonzero(r, -12, 12)
        g.numeric(
            f"计算：∛{par(k**3)}" if k < 0 else f"计算：∛{k**3}",
            k,
            why=f"{par(k)}³={num(k**3)}，所以立方根是{num(k)}。",
            d=-0.7 if k > 0 else -0.4,
            m=1,
        )

    def cube(r: random.Random) -> None:
        a = r.randint(2, 15)
        g.numeric(
            f"一个正方体的体积是{a**3}cm³，它的棱长是多少cm？",
            a,
            why=f"棱长=∛{a**3}={a}cm。",
            d=-0.6,
        )

    g.times(5, root)
    g.times(3, cube)
    g.facts(
        [
            ("负数有立方根。", True, "如∛(−8)=−2。"),
            ("一个数的立方根只有一个。", True, "任何数都有唯一的立方根。"),
            ("立方根等于它本身的数是0和1。", False, "还有−1。"),
        ]
    )


@kp("real-numbers")
def real_numbers(g: Gen) -> None:
    def irrational(r: random.Random) -> None:
        good = r.sample(["√2", "π", "−√5", "0.1010010001…（相邻两个1之间依次多一个0）", "√3/2"], 2)
        bad = r.sample(["22/7", "√9", "∛8", "3.14", "0", "−√16"], 3)
        options = good + bad
        r.shuffle(options)
        g.multiple(
            f"在{'，'.join(options)}中，哪些是无理数？",
            good,
            bad,
            why="无限不循环小数是无理数；√9=3、∛8=2、22/7、3.14都是有理数。",
            d=-0.3,
        )

    def between(r: random.Random) -> None:
        n = r.choice([v for v in range(2, 150) if math.isqrt(v) ** 2 != v])
        k = math.isqrt(n)
        g.single(
            f"√{n}在哪两个相邻的整数之间？",
            f"{k}和{k + 1}之间",
            [f"{k - 1}和{k}之间", f"{k + 1}和{k + 2}之间", f"{k + 2}和{k + 3}之间"],
            why=f"{k}²={k * k}<{n}<{(k + 1) ** 2}={k + 1}²，所以{k}<√{n}<{k + 1}。",
            d=-0.4,
        )

    g.times(3, irrational)
    g.times(4, between)
    g.facts(
        [
            ("无限小数都是无理数。", False, "无限循环小数是有理数。"),
            ("实数与数轴上的点一一对应。", True, "每个实数都对应数轴上的一个点，反之亦然。"),
            ("带根号的数都是无理数。", False, "如√4=2是有理数。"),
        ]
    )


@kp("real-operations")
def real_operations(g: Gen) -> None:
    def compute(r: random.Random) -> None:
        a, b, c = r.randint(2, 12), nonzero(r, -5, 5), nonzero(r, -9, 9)
        value = a + b - abs(c)
        cube_text = f"∛{par(b**3)}" if b < 0 else f"∛{b**3}"
        g.numeric(
            f"计算：√{a * a}+{cube_text}{MINUS}|{num(c)}|",
            value,
            why=f"√{a * a}={a}，{cube_text}={num(b)}，|{num(c)}|={abs(c)}，结果是{num(value)}。",
            d=-0.2,
        )

    def estimate(r: random.Random) -> None:
        n = r.choice([v for v in range(2, 99) if math.isqrt(v) ** 2 != v])
        value = round(math.sqrt(n), 1)
        g.numeric(
            f"估算√{n}的值（精确到0.1）。",
            value,
            why=f"{value - 0.05:.2f}²<{n}<{value + 0.05:.2f}²，所以√{n}≈{value}。",
            d=0.2,
            tol=0.05,
        )

    def order(r: random.Random) -> None:
        n = r.choice([v for v in range(5, 99) if math.isqrt(v) ** 2 != v])
        k = math.isqrt(n) + r.choice([0, 1])
        sign = compare(n, k * k)
        g.single(
            f"比较大小：√{n}_____{k}（选择正确的符号）",
            sign,
            [">", "<", "="],
            why=f"比较被开方数：{k}=√{k * k}，{n}{sign}{k * k}，所以√{n}{sign}{k}。",
            d=-0.3,
            shuffle=False,
        )

    g.times(4, compute)
    g.times(3, estimate)
    g.times(3, order)


# --- 7B Chapter 7: the rectangular coordinate plane ----------------------------------------


@kp("coordinate-plane")
def coordinate_plane(g: Gen) -> None:
    def axis_distance(r: random.Random) -> None:
        x, y = nonzero(r, -12, 12), nonzero(r, -12, 12)
        axis = r.choice(["x轴", "y轴"])
        value = abs(y) if axis == "x轴" else abs(x)
        g.numeric(
            f"点P{point(x, y)}到{axis}的距离是多少？",
            value,
            why=f"点到x轴的距离是纵坐标的绝对值，到y轴的距离是横坐标的绝对值：{value}。",
            d=-0.6,
        )

    def locate(r: random.Random) -> None:
        a, b = r.randint(1, 9), r.randint(1, 9)
        up, right = r.random() < 0.5, r.random() < 0.5
        x, y = (b if right else -b), (a if up else -a)
        g.fill(
            f"点P在x轴{'上' if up else '下'}方，距离x轴{a}个单位长度，"
            f"在y轴{'右' if right else '左'}侧，"
            f"距离y轴{b}个单位长度，点P的坐标是_____。",
            point_forms(x, y),
            why=f"横坐标的绝对值是到y轴的距离，纵坐标的绝对值是到x轴的距离，所以P{point(x, y)}。",
            d=-0.2,
        )

    g.times(5, axis_distance)
    g.times(4, locate)
    g.facts(
        [
            ("点(0,3)在y轴上。", True, "横坐标为0的点在y轴上。"),
            ("点(2,3)与点(3,2)表示同一个点。", False, "有序数对的顺序不同，表示的点不同。"),
        ]
    )


@kp("quadrants")
def quadrants(g: Gen) -> None:
    def which(r: random.Random) -> None:
        x, y = nonzero(r, -15, 15), nonzero(r, -15, 15)
        q = {(1, 1): 0, (-1, 1): 1, (-1, -1): 2, (1, -1): 3}[
            (1 if x > 0 else -1, 1 if y > 0 else -1)
        ]
        g.single(
            f"点{point(x, y)}在第几象限？",
            QUADRANTS[q],
            QUADRANTS,
            why="第一象限(+,+)，第二象限(−,+)，第三象限(−,−)，第四象限(+,−)。",
            d=-1.0,
            shuffle=False,
        )

    def on_axis(r: random.Random) -> None:
        k, j = nonzero(r, -9, 9), nonzero(r, -9, 9)
        axis = r.choice(["x轴", "y轴"])
        value = j if axis == "x轴" else -k
        g.numeric(
            f"若点P(a{plus(num(k))},a{plus(num(-j))})在{axis}上，则a的值是多少？",
            value,
            why=f"在x轴上的点纵坐标为0，在y轴上的点横坐标为0，解得a={num(value)}。",
            d=0.0,
        )

    g.times(5, which)
    g.times(3, on_axis)
    g.facts(
        [
            ("坐标轴上的点不属于任何象限。", True, "象限不包括坐标轴。"),
            ("点(−2,0)在第二象限。", False, "纵坐标为0，点在x轴上。"),
        ]
    )


@kp("coordinate-translation")
def coordinate_translation(g: Gen) -> None:
    def move(r: random.Random) -> None:
        x, y, a, b = (nonzero(r, -8, 8) for _ in range(4))
        h = "右" if a > 0 else "左"
        v = "上" if b > 0 else "下"
        g.fill(
            f"将点A{point(x, y)}向{h}平移{abs(a)}个单位长度，再向{v}平移{abs(b)}个单位长度，"
            "得到点A′，点A′的坐标是_____。",
            point_forms(x + a, y + b),
            why=f"左右平移改变横坐标（右加左减），上下平移改变纵坐标（上加下减）："
            f"A′{point(x + a, y + b)}。",
            d=-0.4,
        )

    def back(r: random.Random) -> None:
        x, y, a = nonzero(r, -8, 8), nonzero(r, -8, 8), r.randint(1, 8)
        g.numeric(
            f"点B{point(x, y)}是由点A向左平移{a}个单位长度得到的，点A的横坐标是多少？",
            x + a,
            why=f"向左平移横坐标减{a}，所以A的横坐标是{num(x)}+{a}={num(x + a)}。",
            d=-0.2,
        )

    def to_axis(r: random.Random) -> None:
        x, y = nonzero(r, -9, 9), r.randint(-9, -1)
        g.numeric(
            f"点A{point(x, y)}至少向上平移多少个单位长度，才能落在x轴上？",
            -y,
            why=f"x轴上的点纵坐标为0，需要向上平移{-y}个单位长度。",
            d=-0.6,
        )

    g.times(5, move)
    g.times(2, back)
    g.times(2, to_axis)
    g.facts(
        [("把一个图形上所有点的横坐标都加3，图形向右平移3个单位长度。", True, "横坐标加则右移。")]
    )


@kp("coordinate-location")
def coordinate_location(g: Gen) -> None:
    def place(r: random.Random) -> None:
        a, b = r.randint(1, 9), r.randint(1, 9)
        east, north = r.random() < 0.5, r.random() < 0.5
        x, y = (a if east else -a), (b if north else -b)
        where = r.choice(["图书馆", "体育馆", "医院", "公园", "车站"])
        g.fill(
            "以学校为原点，正东方向为x轴正方向，正北方向为y轴正方向建立平面直角坐标系（单位："
            "百米）。"
            f"{where}在学校{'东' if east else '西'}{a}百米、{'北' if north else '南'}{b}百米处，"
            f"{where}的坐标是_____。",
            point_forms(x, y),
            why=f"东为正、西为负表示横坐标，北为正、南为负表示纵坐标：{point(x, y)}。",
            d=-0.7,
        )

    def distance(r: random.Random) -> None:
        x1, x2, y = nonzero(r, -9, 9), nonzero(r, -9, 9), nonzero(r, -9, 9)
        if x1 == x2:
            return
        g.numeric(
            f"在平面直角坐标系中，点A{point(x1, y)}与点B{point(x2, y)}之间的距离是多少？",
            abs(x1 - x2),
            why=f"两点纵坐标相同，AB∥x轴，AB=|{num(x1)}−{par(x2)}|={abs(x1 - x2)}。",
            d=-0.4,
        )

    g.times(4, place)
    g.times(4, distance)
    g.facts([("确定平面内一个点的位置需要两个数据。", True, "如横坐标和纵坐标。")])


# --- 7B Chapter 8: systems of linear equations ---------------------------------------------


@kp("linear-system-concept")
def linear_system_concept(g: Gen) -> None:
    def check(r: random.Random) -> None:
        e1, e2, x, y, _c = linear_system(r)
        cx, cy = (x, y) if r.random() < 0.5 else (x + r.choice([-1, 1]), y)
        g.tf(
            f"判断：x={num(cx)}，y={num(cy)}是方程组{{{e1}，{e2}}}的解。",
            (cx, cy) == (x, y),
            why=f"方程组的解要同时满足两个方程；它的解是x={num(x)}，y={num(y)}。",
            d=-0.6,
        )

    def unknown(r: random.Random) -> None:
        x, y, a, m = nonzero(r, -5, 5), nonzero(r, -5, 5), nonzero(r, -5, 5), nonzero(r, -5, 5)
        c = a * x + m * y
        g.numeric(
            f"已知x={num(x)}，y={num(y)}是方程{mono_text(a, 'x')}+my={num(c)}的解，m的值是多少？",
            m,
            why=f"代入得{num(a * x)}{plus(num(y))}m={num(c)}，解得m={num(m)}。",
            d=-0.2,
            also=("solve-transpose",),
        )

    def positive(r: random.Random) -> None:
        n = r.randint(3, 12)
        g.numeric(
            f"方程x+y={n}的正整数解共有多少组？",
            n - 1,
            why=f"x可取1到{n - 1}，每个x对应一个正整数y，共{n - 1}组。",
            d=0.0,
        )

    g.times(3, check)
    g.times(3, unknown)
    g.times(2, positive)
    g.multiple(
        "在{x+y=3，x−y=1}，{x+y=3，y+z=1}，{xy=2，x+y=3}，{x=1，y=2}中，哪些是二元一次方程组？",
        ["{x+y=3，x−y=1}", "{x=1，y=2}"],
        ["{x+y=3，y+z=1}", "{xy=2，x+y=3}"],
        why="共含两个未知数、每个方程都是一次方程的方程组是二元一次方程组。",
        d=-0.4,
    )
    g.facts([("二元一次方程x+2y=5有无数组解。", True, "x每取一个值，都能求出对应的y。")])


@kp("substitution")
def substitution(g: Gen) -> None:
    def solve(r: random.Random, ask: str) -> None:
        k, b = nonzero(r, -4, 4), nonzero(r, -6, 6)
        x = nonzero(r, -5, 5)
        y = k * x + b
        a2, b2 = nonzero(r, -4, 4), nonzero(r, -4, 4)
        if a2 + b2 * k == 0:
            return
        c2 = a2 * x + b2 * y
        value = x if ask == "x" else y
        g.numeric(
            f"用代入消元法解方程组{{y={lin(k, b)}，{terms((a2, 'x'), (b2, 'y'))}={num(c2)}}}，"
            f"{ask}的值是多少？",
            value,
            why=f"把y={lin(k, b)}代入第二个方程，得到关于x的一元一次方程，解得x={num(x)}，"
            f"再代回得y={num(y)}。",
            d=0.0,
            m=3,
            also=("solve-brackets-fractions",),
        )

    def express(r: random.Random) -> None:
        a, c = nonzero(r, -6, 6), nonzero(r, -12, 12)
        g.single(
            f"把方程{mono_text(a, 'x')}+y={num(c)}变形为用含x的式子表示y，正确的是哪一个？",
            f"y={terms((-a, 'x'), (c, ''))}",
            [
                f"y={terms((a, 'x'), (c, ''))}",
                f"y={terms((-a, 'x'), (-c, ''))}",
                f"x={terms((-1, 'y'), (c, ''))}",
            ],
            why=f"移项得y={num(c)}{MINUS}({mono_text(a, 'x')})={terms((-a, 'x'), (c, ''))}。",
            d=-0.6,
        )

    g.times(3, lambda r: solve(r, "x"))
    g.times(3, lambda r: solve(r, "y"))
    g.times(2, express)

    def pair(r: random.Random) -> None:
        x, y = nonzero(r, -6, 6), nonzero(r, -6, 6)
        g.fill(
            f"方程组{{x+y={num(x + y)}，x{MINUS}y={num(x - y)}}}的解是_____。",
            pair_forms(x, y),
            why=f"由第二个方程得x=y{plus(num(x - y))}，代入第一个方程解得y={num(y)}，x={num(x)}。",
            d=-0.3,
            also=("solve-transpose",),
        )

    g.times(2, pair)


@kp("elimination")
def elimination(g: Gen) -> None:
    def solve(r: random.Random, ask: str) -> None:
        e1, e2, x, y, _c = linear_system(r)
        g.numeric(
            f"用加减消元法解方程组{{{e1}，{e2}}}，{ask}的值是多少？",
            x if ask == "x" else y,
            why="把两个方程的某个未知数的系数化为相同（或相反）的数，相减（或相加）消去它，"
            f"解得x={num(x)}，y={num(y)}。",
            d=0.2,
            m=3,
            also=("solve-transpose",),
        )

    def pair(r: random.Random) -> None:
        e1, e2, x, y, _c = linear_system(r)
        g.fill(
            f"解方程组{{{e1}，{e2}}}，它的解是_____。",
            pair_forms(x, y),
            why=f"用加减法消去一个未知数，解得x={num(x)}，y={num(y)}。",
            d=0.3,
            m=3,
        )

    g.times(3, lambda r: solve(r, "x"))
    g.times(3, lambda r: solve(r, "y"))
    g.times(3, pair)
    g.facts(
        [
            (
                "用加减法解方程组时，若某个未知数的系数互为相反数，可以把两个方程相加。",
                True,
                "相加即可消去它。",
            )
        ]
    )


@kp("system-applications")
def system_applications(g: Gen) -> None:
    def cage(r: random.Random) -> None:
        chickens, rabbits = r.randint(5, 40), r.randint(5, 40)
        heads, feet = chickens + rabbits, 2 * chickens + 4 * rabbits
        g.numeric(
            f"笼中有鸡和兔共{heads}只，共有{feet}只脚。兔有多少只？",
            rabbits,
            why=f"设鸡x只、兔y只，x+y={heads}，2x+4y={feet}，解得y={rabbits}。",
            d=0.2,
            m=3,
            also=("elimination",),
        )

    def shop(r: random.Random) -> None:
        pen, book = r.randint(3, 20), r.randint(2, 12)
        a, b, c, d = r.randint(1, 4), r.randint(1, 4), r.randint(1, 4), r.randint(1, 4)
        if a * d == b * c:
            return
        g.numeric(
            f"买{a}支钢笔和{b}本笔记本共花{a * pen + b * book}元，买{c}支钢笔和{d}本笔记本共花"
            f"{c * pen + d * book}元。一支钢笔多少元？",
            pen,
            why=f"设钢笔x元/支、笔记本y元/本，列方程组解得x={pen}，y={book}。",
            d=0.3,
            m=3,
        )

    def parts(r: random.Random) -> None:
        p, q = r.choice([(12, 18), (10, 20), (15, 24), (16, 24), (20, 30), (9, 12)])
        # x workers on bolts: 2·p·x = q·(n − x), so n must be a multiple of (2p+q)/gcd(2p+q, q).
        step = (2 * p + q) // math.gcd(2 * p + q, q)
        n = step * r.randint(1, 5)
        if n < 10:
            return
        x = n * q // (2 * p + q)
        g.numeric(
            f"某车间有{n}名工人，每人每天能生产螺栓{p}个或螺母{q}个，一个螺栓配两个螺母。"
            "为使每天生产的螺栓和螺母刚好配套，应安排多少名工人生产螺栓？",
            x,
            why=f"设x人生产螺栓，则2×{p}x={q}({n}−x)，解得x={x}。",
            d=0.6,
            m=3,
        )

    g.times(3, cage)
    g.times(3, shop)
    g.times(2, parts)
    g.short(
        "某校组织学生参观，若租用45座客车若干辆，则有15人没有座位；若租用同样数量的60座客车，"
        "则多出一辆车且其余车恰好坐满。参观的学生有多少人？列方程组求解。",
        "设租x辆车，学生y人：45x+15=y，60(x−1)=y，解得x=5，y=240。答：有240名学生。",
        why="人数不变，用两种租车方式分别表示人数。",
        d=0.6,
    )


@kp("three-variable-systems")
def three_variable_systems(g: Gen) -> None:
    def chain(r: random.Random) -> None:
        x, y, z = (nonzero(r, -6, 6) for _ in range(3))
        g.numeric(
            f"解方程组{{x+y+z={num(x + y + z)}，x{MINUS}y={num(x - y)}，y{MINUS}z={num(y - z)}}}，"
            "x的值是多少？",
            x,
            why="用后两个方程把y、z都用x表示，代入第一个方程消元，"
            f"解得x={num(x)}，y={num(y)}，z={num(z)}。",
            d=0.5,
            m=3,
        )

    def general(r: random.Random) -> None:
        x, y, z = (nonzero(r, -4, 4) for _ in range(3))
        a, b, c = r.sample([2, 3, 4], 3)
        g.numeric(
            f"解方程组{{{a}x+y+z={num(a * x + y + z)}，x+{b}y+z={num(x + b * y + z)}，"
            f"x+y+{c}z={num(x + y + c * z)}}}，z的值是多少？",
            z,
            why=f"两两相减消去一个未知数，化为二元一次方程组，解得x={num(x)}，y={num(y)}，"
            f"z={num(z)}。",
            d=0.9,
            m=4,
        )

    def triple(r: random.Random) -> None:
        x, y, z = (nonzero(r, -5, 5) for _ in range(3))
        g.fill(
            f"方程组{{x+y={num(x + y)}，y+z={num(y + z)}，z+x={num(z + x)}}}的解是_____。",
            pair_forms(x, y, z),
            why=f"三式相加得x+y+z={num(x + y + z)}，再分别减去各式，"
            f"得x={num(x)}，y={num(y)}，z={num(z)}。",
            d=0.5,
            m=3,
        )

    g.times(3, chain)
    g.times(3, general)
    g.times(2, triple)
    g.facts(
        [("解三元一次方程组的基本思路是消元：三元化二元，二元化一元。", True, "这是消元思想。")]
    )


# --- 7B Chapter 9: inequalities ------------------------------------------------------------


@kp("inequality-concept")
def inequality_concept(g: Gen) -> None:
    def solutions(r: random.Random) -> None:
        k = nonzero(r, -5, 5)
        sign = r.choice([">", "<", "≥", "≤"])
        values = sorted(r.sample(range(-8, 9), 6))
        test = {
            ">": lambda v: v > k,
            "<": lambda v: v < k,
            "≥": lambda v: v >= k,
            "≤": lambda v: v <= k,
        }[sign]
        right = [num(v) for v in values if test(v)]
        wrong = [num(v) for v in values if not test(v)]
        if not right or not wrong:
            return
        g.multiple(
            f"在{'，'.join(num(v) for v in values)}中，哪些是不等式x{sign}{num(k)}的解？",
            right,
            wrong,
            why="使不等式成立的未知数的值叫做不等式的解。",
            d=-0.8,
        )

    def check(r: random.Random) -> None:
        a, b, v = nonzero(r, -6, 6), nonzero(r, -20, 20), nonzero(r, -6, 6)
        g.tf(
            f"判断：x={num(v)}是不等式{mono_text(a, 'x')}>{num(b)}的一个解。",
            a * v > b,
            why=f"代入得{num(a * v)}{'>' if a * v > b else '≤'}{num(b)}。",
            d=-0.8,
        )

    def count(r: random.Random) -> None:
        k = r.randint(3, 12)
        strict = r.random() < 0.5
        g.numeric(
            f"不等式x{'<' if strict else '≤'}{k}的正整数解有多少个？",
            k - 1 if strict else k,
            why=f"正整数解是1，2，…，{k - 1 if strict else k}。",
            d=-0.4,
        )

    g.times(3, solutions)
    g.times(3, check)
    g.times(2, count)
    g.single(
        "“x的2倍与3的和是非负数”用不等式表示为哪一个？",
        "2x+3≥0",
        ["2x+3>0", "2(x+3)≥0", "2x+3≤0"],
        why="非负数就是大于或等于0。",
        d=-0.6,
    )
    g.single(
        "“a与5的差不大于−1”用不等式表示为哪一个？",
        "a−5≤−1",
        ["a−5<−1", "a−5≥−1", "5−a≤−1"],
        why="“不大于”就是“≤”。",
        d=-0.6,
    )


@kp("inequality-properties")
def inequality_properties(g: Gen) -> None:
    def flip(r: random.Random) -> None:
        k = r.randint(2, 9)
        g.fill(
            f"若a>b，则{MINUS}{k}a_____{MINUS}{k}b（填“>”或“<”）。",
            ["<"],
            why=f"不等式两边乘同一个负数{MINUS}{k}，不等号的方向改变。",
            d=-0.5,
            m=1,
        )

    def keep(r: random.Random) -> None:
        k = r.randint(2, 9)
        g.fill(
            f"若a<b，则a{MINUS}{k}_____b{MINUS}{k}（填“>”或“<”）。",
            ["<"],
            why="不等式两边减同一个数，不等号的方向不变。",
            d=-1.0,
            m=1,
        )

    g.times(2, flip)
    g.times(2, keep)
    g.single(
        "若a>b，则下列不等式一定成立的是哪一个？",
        "−2a<−2b",
        ["−2a>−2b", "a−1<b−1", "a/3<b/3"],
        why="两边乘负数−2，不等号方向改变。",
        d=-0.3,
    )
    g.single(
        "若m<n，则下列不等式中不成立的是哪一个？",
        "−m<−n",
        ["m+2<n+2", "3m<3n", "m/5<n/5"],
        why="两边乘−1，不等号方向要改变，应为−m>−n。",
        d=-0.2,
    )
    g.facts(
        [
            ("若a>b，则ac>bc。", False, "c≤0时不成立。"),
            ("若a>b，则a−3>b−3。", True, "两边减同一个数，不等号方向不变。"),
            ("若a<b且c<0，则ac>bc。", True, "两边乘负数，不等号方向改变。"),
            ("若ac²>bc²，则a>b。", True, "由ac²>bc²知c²>0，两边除以c²即可。"),
        ]
    )


@kp("linear-inequality")
def linear_inequality(g: Gen) -> None:
    def solve(r: random.Random) -> None:
        a, x0, b = nonzero(r, -6, 6), nonzero(r, -8, 8), nonzero(r, -15, 15)
        sign = r.choice([">", "<", "≥", "≤"])
        c = a * x0 + b
        result = sign if a > 0 else FLIP[sign]
        g.fill(
            f"解不等式{lin(a, b)}{sign}{num(c)}，它的解集是_____。",
            ineq_forms("x", result, x0),
            why=f"移项得{mono_text(a, 'x')}{sign}{num(c - b)}，两边除以{num(a)}"
            + ("，不等号方向改变" if a < 0 else "")
            + f"，得x{result}{num(x0)}。",
            d=-0.2 if a > 0 else 0.3,
        )

    def largest(r: random.Random) -> None:
        a, b = r.randint(2, 7), nonzero(r, -10, 10)
        c = r.randint(-20, 30)
        bound = Fraction(c + b, a)
        top = math.floor(bound)
        g.numeric(
            f"不等式{lin(a, -b)}≤{num(c)}的最大整数解是多少？",
            top,
            why=f"解得x≤{num(bound)}，其中最大的整数是{top}。",
            d=0.2,
        )

    g.times(6, solve)
    g.times(3, largest)
    g.facts(
        [("解一元一次不等式时，两边同除以一个负数，不等号的方向要改变。", True, "不等式的性质3。")]
    )


@kp("inequality-applications")
def inequality_applications(g: Gen) -> None:
    def pens(r: random.Random) -> None:
        money, book, pen = r.randint(30, 100), r.randint(5, 25), r.randint(2, 9)
        if money <= book + pen:
            return
        g.numeric(
            f"小明有{money}元，买了一本{book}元的笔记本后，用剩下的钱买单价{pen}元的笔，"
            "最多能买几支？",
            (money - book) // pen,
            why=f"设买x支，{book}+{pen}x≤{money}，x≤{num(Fraction(money - book, pen))}，"
            f"x取最大整数{(money - book) // pen}。",
            d=0.0,
            m=3,
        )

    def quiz(r: random.Random) -> None:
        n, a, b = r.choice([20, 25, 30]), r.choice([4, 5, 6]), r.choice([1, 2])
        s = r.randrange(40, a * n - 10, 5)
        need = math.ceil(Fraction(s + b * n, a + b))
        g.numeric(
            f"某次知识竞赛共有{n}道题，答对一题得{a}分，答错或不答扣{b}分。要使总分不少于{s}分，"
            "至少要答对几道题？",
            need,
            why=f"设答对x道，{a}x−{b}({n}−x)≥{s}，解得x≥{num(Fraction(s + b * n, a + b))}，"
            f"所以至少答对{need}道。",
            d=0.5,
            m=3,
        )

    def taxi(r: random.Random) -> None:
        start, base, per = r.choice([8, 10, 13]), r.choice([2, 3]), r.choice([2, 3])
        money = start + per * r.randint(2, 12) + r.randint(0, per - 1)
        most = base + (money - start) // per
        g.numeric(
            f"某地出租车起步价为{start}元（{base}千米以内），"
            f"超过{base}千米后每千米收费{per}元（不足"
            f"1千米按1千米计）。乘客付费不超过{money}元，最多能乘坐多少千米（整千米）？",
            most,
            why=(
                f"设乘坐x千米，{start}+{per}(x−{base})≤{money}，"
                f"解得x≤{num(Fraction(money - start, per) + base)}，"
                f"最多{most}千米。"
            ),
            d=0.4,
            m=3,
        )

    g.times(3, pens)
    g.times(3, quiz)
    g.times(3, taxi)
    g.facts([("“不少于”用不等号表示是“≥”。", True, "不少于就是大于或等于。")])


@kp("inequality-systems")
def inequality_systems(g: Gen) -> None:
    def interval(r: random.Random) -> None:
        a, b = sorted(r.sample(range(-8, 9), 2))
        left, right = r.choice([(">", "≤"), ("≥", "<"), (">", "<"), ("≥", "≤")])
        lo = "<" if left == ">" else "≤"
        texts = [f"{num(a)}{lo}x{right}{num(b)}"]
        g.fill(
            f"不等式组{{x{left}{num(a)}，x{right}{num(b)}}}的解集是_____。",
            variants(*texts, texts[0].replace("≤", "<=")),
            why=f"大小小大中间找：解集是{texts[0]}。",
            d=-0.3,
        )

    def integers(r: random.Random) -> None:
        a, b = sorted(r.sample(range(-6, 9), 2))
        if b - a < 2:
            return
        xs = [v for v in range(a + 1, b + 1)]
        ask = r.choice(["个数", "和"])
        value = len(xs) if ask == "个数" else sum(xs)
        g.numeric(
            f"不等式组{{x>{num(a)}，x≤{num(b)}}}的所有整数解的{ask}是多少？",
            value,
            why=(
                f"解集是{num(a)}<x≤{num(b)}，整数解是{'，'.join(num(v) for v in xs)}，"
                f"{ask}为{num(value)}。"
            ),
            d=0.1,
        )

    def solve(r: random.Random) -> None:
        a1, lo = r.randint(2, 5), r.randint(-5, 2)
        a2, hi = r.randint(2, 5), lo + r.randint(2, 6)
        b1, b2 = nonzero(r, -9, 9), nonzero(r, -9, 9)
        g.fill(
            f"解不等式组{{{lin(a1, b1)}>{num(a1 * lo + b1)}，{lin(a2, b2)}≤{num(a2 * hi + b2)}}}，"
            "它的解集是_____。",
            variants(f"{num(lo)}<x≤{num(hi)}", f"{num(lo)}<x<={num(hi)}"),
            why=f"分别解得x>{num(lo)}和x≤{num(hi)}，公共部分是{num(lo)}<x≤{num(hi)}。",
            d=0.4,
            m=3,
        )

    g.times(3, interval)
    g.times(3, integers)
    g.times(2, solve)
    g.fill(
        "不等式组{x>2，x<1}的解集是_____。",
        ["无解", "空集", "∅"],
        why="大大小小找不到：没有同时满足两个不等式的x。",
        d=0.0,
    )
    g.facts([("不等式组{x>3，x>5}的解集是x>5。", True, "同大取大。")])


# --- 7B Chapter 10: collecting and describing data -----------------------------------------


@kp("surveys")
def surveys(g: Gen) -> None:
    def sample(r: random.Random) -> None:
        n, k = r.choice(range(600, 3000, 100)), r.choice([50, 80, 100, 120, 150, 200])
        what = r.choice(["视力情况", "身高", "睡眠时间", "每天阅读时间"])
        g.single(
            f"为了解某校{n}名学生的{what}，从中抽取{k}名学生进行调查。这个问题中的样本容量是多少？",
            str(k),
            [str(n), f"{k}名学生", f"{k}名学生的{what}"],
            why="样本容量是样本中个体的数目，没有单位。",
            d=-0.6,
        )

    def population(r: random.Random) -> None:
        n, k = r.choice(range(500, 2000, 100)), r.choice([40, 60, 100])
        what = r.choice(["数学成绩", "体重", "体育锻炼时间"])
        g.single(
            f"为了解某地{n}名九年级学生的{what}，抽查了其中{k}名学生的{what}。"
            "这个问题中的总体是什么？",
            f"{n}名九年级学生的{what}",
            [f"{n}名九年级学生", f"{k}名学生的{what}", f"{k}"],
            why="总体是所要考察对象的全体，这里考察的是学生的" + what + "。",
            d=-0.4,
        )

    g.times(3, sample)
    g.times(2, population)
    g.single(
        "下列调查中，适合采用全面调查（普查）的是哪一个？",
        "对乘坐飞机的旅客进行安全检查",
        ["调查一批灯泡的使用寿命", "调查全国中学生的视力情况", "调查某河流的水质情况"],
        why="安检关系安全，必须逐一检查；其余调查范围大或有破坏性，适合抽样。",
        d=-0.7,
    )
    g.single(
        "下列调查中，最适合采用抽样调查的是哪一个？",
        "了解一批炮弹的杀伤半径",
        ["了解某班学生的身高情况", "检查神舟飞船各零部件的质量", "了解某校教师的年龄"],
        why="测试炮弹的杀伤半径有破坏性，只能抽样。",
        d=-0.7,
    )
    g.facts(
        [
            ("样本容量没有单位。", True, "它是个体的数目。"),
            ("抽样调查时，样本要有代表性。", True, "样本要能代表总体。"),
        ]
    )


@kp("statistical-charts")
def statistical_charts(g: Gen) -> None:
    def percent(r: random.Random) -> None:
        p = r.choice(range(5, 95, 5))
        g.numeric(
            f"在扇形统计图中，某部分占总体的{p}%，它所对应的扇形的圆心角是多少度？",
            Fraction(360 * p, 100),
            why=f"圆心角=360°×{p}%={num(Fraction(360 * p, 100))}°。",
            d=-0.6,
        )

    def count(r: random.Random) -> None:
        n = r.choice([36, 40, 45, 48, 50, 60])
        k = r.randint(3, n // 2)
        if (360 * k) % n:
            return
        sport = r.choice(["篮球", "足球", "乒乓球", "跳绳", "羽毛球"])
        g.numeric(
            f"某班{n}名学生中，喜欢{sport}的有{k}人。在扇形统计图中，表示喜欢{sport}的扇形的圆心角"
            "是多少度？",
            360 * k // n,
            why=f"360°×{k}/{n}={360 * k // n}°。",
            d=-0.3,
        )

    g.times(4, percent)
    g.times(3, count)
    for stem, right, why in (
        (
            "要反映某地一周内每天最高气温的变化情况，最适合用哪种统计图？",
            "折线统计图",
            "折线图反映变化趋势。",
        ),
        (
            "要表示各部分数量占总数的百分比，最适合用哪种统计图？",
            "扇形统计图",
            "扇形图反映部分与整体的关系。",
        ),
        (
            "要直观表示各项目的具体数量，最适合用哪种统计图？",
            "条形统计图",
            "条形图能清楚地表示数量。",
        ),
    ):
        g.single(
            stem,
            right,
            [c for c in ("条形统计图", "折线统计图", "扇形统计图", "频数分布直方图") if c != right],
            why=why,
            d=-1.0,
        )


@kp("frequency-histogram")
def frequency_histogram(g: Gen) -> None:
    def groups(r: random.Random) -> None:
        low, w = r.randint(140, 160), r.choice([3, 4, 5])
        span = r.randint(15, 40)
        if span % w == 0:
            return
        g.numeric(
            f"一组数据的最大值是{low + span}，最小值是{low}，取组距为{w}，应把这组数据分成几组？",
            math.ceil(span / w),
            why=f"极差={span}，{span}÷{w}≈{span / w:.1f}，所以分成{math.ceil(span / w)}组。",
            d=-0.3,
        )

    def rate(r: random.Random) -> None:
        n = r.choice([20, 25, 40, 50, 80, 100, 200])
        f = r.randint(1, n // 2)
        g.numeric(
            f"一个样本的容量为{n}，其中某一组的频数是{f}，这一组的频率是多少？",
            Fraction(f, n),
            why=f"频率=频数÷样本容量={f}÷{n}={num(Fraction(f, n))}。",
            d=-0.6,
        )

    def spread(r: random.Random) -> None:
        low, span = r.randint(-10, 150), r.randint(5, 60)
        g.numeric(
            f"一组数据的最大值是{num(low + span)}，最小值是{num(low)}，这组数据的极差是多少？",
            span,
            why=f"极差=最大值−最小值={span}。",
            d=-1.0,
        )

    g.times(3, groups)
    g.times(3, rate)
    g.times(2, spread)
    g.facts(
        [
            ("各组的频数之和等于样本容量。", True, "每个数据都落在某一组中。"),
            ("各组的频率之和等于1。", True, "频率之和=频数之和÷样本容量=1。"),
        ]
    )
