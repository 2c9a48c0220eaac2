"""Demo question-bank generators for grade 9 (九年级: chapters 21-25 in the first volume,
26-29 in the second), in textbook order; each registers itself for one knowledge point
with ``@kp``."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from itertools import combinations

from tongke.learning.demo_items.base import (
    CIRCLE_TRIPLES,
    EVENTS,
    MINUS,
    SPECIAL,
    TRIPLES,
    Gen,
    cn,
    frac,
    kp,
    list_text,
    ngon,
    nonzero,
    num,
    par,
    pi_forms,
    plus,
    point,
    point_forms,
    prob_forms,
    quadratic,
    roots_forms,
    triple,
    value_forms,
    variants,
    vertex_form,
)

# --- 9A Chapter 21: quadratic equations ----------------------------------------------------


@kp("quadratic-equation-concept")
def quadratic_equation_concept(g: Gen) -> None:
    def general(r: random.Random) -> None:
        p, q, rr = nonzero(r, -6, 6), nonzero(r, -6, 6), nonzero(r, -9, 9)
        ask = r.choice(["一次项系数", "常数项"])
        b, c = p - q, -p * q - rr
        value = b if ask == "一次项系数" else c
        g.numeric(
            f"把方程(x{plus(num(p))})(x{plus(num(-q))})={num(rr)}化成一般形式x²+bx+c=0后，"
            f"{ask}是多少？",
            value,
            why=f"展开并移项：{quadratic(1, b, c)}=0，{ask}是{num(value)}。",
            d=0.0,
        )

    def root(r: random.Random) -> None:
        x, c = nonzero(r, -5, 5), nonzero(r, -9, 9)
        m = Fraction(-x * x - c, x)
        if m.denominator != 1:
            return
        g.numeric(
            f"若x={num(x)}是方程x²+mx{plus(num(c))}=0的一个根，m的值是多少？",
            m,
            why=f"代入得{x * x}{plus(num(x))}m{plus(num(c))}=0，m={num(m)}。",
            d=0.1,
        )

    g.times(4, general)
    g.times(3, root)
    g.multiple(
        "在x²=0，x²+1/x=2，x²−y=1，(x−1)(x+2)=x²，3x²−2x=5中，哪些是一元二次方程？",
        ["x²=0", "3x²−2x=5"],
        ["x²+1/x=2", "x²−y=1", "(x−1)(x+2)=x²"],
        why="化简后只含一个未知数、最高次数是2的整式方程才是一元二次方程。",
        d=0.0,
    )
    g.facts(
        [
            ("方程ax²+bx+c=0一定是一元二次方程。", False, "a=0时不是。"),
            ("一元二次方程的一般形式是ax²+bx+c=0（a≠0）。", True, "一般形式。"),
        ]
    )


@kp("completing-square")
def completing_square(g: Gen) -> None:
    def pure(r: random.Random) -> None:
        a = r.randint(1, 15)
        g.fill(
            f"解方程：x²={a * a}，它的解是_____。",
            roots_forms(a, -a) + variants(f"x=±{a}", f"±{a}"),
            why=f"直接开平方：x=±{a}。",
            d=-0.8,
        )

    def shifted(r: random.Random) -> None:
        p, q = nonzero(r, -6, 6), r.randint(1, 9)
        g.fill(
            f"解方程：(x{plus(num(-p))})²={q * q}，它的解是_____。",
            roots_forms(p + q, p - q),
            why=f"x{plus(num(-p))}=±{q}，所以x₁={num(p + q)}，x₂={num(p - q)}。",
            d=-0.3,
        )

    def complete(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.fill(
            f"配方：x²{plus(num(2 * a))}x+_____=(x{plus(num(a))})²",
            [str(a * a)],
            why=f"加上一次项系数一半的平方：({num(a)})²={a * a}。",
            d=-0.5,
        )

    def moved(r: random.Random) -> None:
        p, c = nonzero(r, -6, 6), r.randint(1, 20)
        g.numeric(
            f"用配方法解方程x²{plus(num(-2 * p))}x{MINUS}{c}=0，配方后得(x{plus(num(-p))})²=n，"
            "n的值是多少？",
            p * p + c,
            why=f"x²{plus(num(-2 * p))}x={c}，两边加{p * p}，n={c}+{p * p}={p * p + c}。",
            d=0.0,
        )

    g.times(2, pure)
    g.times(3, shifted)
    g.times(3, complete)
    g.times(2, moved)


@kp("quadratic-formula")
def quadratic_formula(g: Gen) -> None:
    def delta(r: random.Random) -> None:
        a, b, c = nonzero(r, -5, 5), nonzero(r, -9, 9), nonzero(r, -9, 9)
        g.numeric(
            f"方程{quadratic(a, b, c)}=0的根的判别式Δ=b²−4ac的值是多少？",
            b * b - 4 * a * c,
            why=f"Δ={par(b)}²−4×{par(a)}×{par(c)}={b * b - 4 * a * c}。",
            d=-0.3,
        )

    def nature(r: random.Random) -> None:
        a, b, c = nonzero(r, -4, 4), nonzero(r, -8, 8), r.randint(-9, 9)
        if r.random() < 0.25 and b % 2 == 0 and a > 0:
            c = b * b // (4 * a) if (b * b) % (4 * a) == 0 else c
        d = b * b - 4 * a * c
        right = (
            "有两个不相等的实数根" if d > 0 else "有两个相等的实数根" if d == 0 else "没有实数根"
        )
        g.single(
            f"方程{quadratic(a, b, c)}=0的根的情况是怎样的？",
            right,
            ["有两个不相等的实数根", "有两个相等的实数根", "没有实数根"],
            why=f"Δ={d}，" + ("大于0。" if d > 0 else "等于0。" if d == 0 else "小于0。"),
            d=0.0,
            shuffle=False,
        )

    def double(r: random.Random) -> None:
        b = r.randrange(2, 21, 2) * r.choice([1, -1])
        g.numeric(
            f"若关于x的方程x²{plus(num(b))}x+k=0有两个相等的实数根，k的值是多少？",
            b * b // 4,
            why=f"Δ={b * b}−4k=0，k={b * b // 4}。",
            d=0.2,
        )

    def larger(r: random.Random) -> None:
        a = r.choice([1, 1, 2, 3])
        p, q = r.sample(range(-8, 9), 2)
        b, c = -a * (p + q), a * p * q
        g.numeric(
            f"用公式法解方程{quadratic(a, b, c)}=0，较大的根是多少？",
            max(p, q),
            why=f"x=(−b±√Δ)/(2a)，Δ={b * b - 4 * a * c}，两根为{num(p)}和{num(q)}。",
            d=0.3,
            m=3,
        )

    g.times(3, delta)
    g.times(4, nature)
    g.times(2, double)
    g.times(3, larger)


@kp("quadratic-factoring")
def quadratic_factoring(g: Gen) -> None:
    def solve(r: random.Random) -> None:
        p, q = r.sample(range(-9, 10), 2)
        g.fill(
            f"用因式分解法解方程：{quadratic(1, -(p + q), p * q)}=0，它的解是_____。",
            roots_forms(p, q),
            why=f"(x{plus(num(-p))})(x{plus(num(-q))})=0，所以x₁={num(p)}，x₂={num(q)}。",
            d=-0.2,
        )

    def common(r: random.Random) -> None:
        a = nonzero(r, -12, 12)
        g.numeric(
            f"方程x(x{plus(num(-a))})=0的非零根是多少？",
            a,
            why=f"x=0或x{plus(num(-a))}=0，非零根是{num(a)}。",
            d=-0.8,
        )

    def larger(r: random.Random) -> None:
        p, q = r.sample(range(-9, 10), 2)
        g.numeric(
            f"方程{quadratic(1, -(p + q), p * q)}=0的较大的根是多少？",
            max(p, q),
            why=f"分解为(x{plus(num(-p))})(x{plus(num(-q))})=0，较大的根是{num(max(p, q))}。",
            d=-0.3,
        )

    g.times(4, solve)
    g.times(2, common)
    g.times(3, larger)
    g.facts([("方程x²=x的解是x=1。", False, "还有x=0：x(x−1)=0。")])


@kp("vieta")
def vieta(g: Gen) -> None:
    def one(r: random.Random, ask: str) -> None:
        p, q = nonzero(r, -7, 7), nonzero(r, -7, 7)
        b, c = -(p + q), p * q
        options: dict[str, Fraction] = {
            "x₁+x₂": Fraction(p + q),
            "x₁x₂": Fraction(p * q),
            "x₁²+x₂²": Fraction(p * p + q * q),
            "1/x₁+1/x₂": Fraction(p + q, p * q),
        }
        value = options[ask]
        if Fraction(value).denominator not in (1, 2, 4, 5, 10):
            return
        g.numeric(
            f"方程{quadratic(1, b, c)}=0的两个根为x₁、x₂，{ask}的值是多少？",
            value,
            why=f"x₁+x₂=−b/a={num(p + q)}，x₁x₂=c/a={num(p * q)}，所以{ask}={num(value)}。",
            d={"x₁+x₂": -0.4, "x₁x₂": -0.4, "x₁²+x₂²": 0.5, "1/x₁+1/x₂": 0.5}[ask],
        )

    g.times(3, lambda r: one(r, "x₁+x₂"))
    g.times(3, lambda r: one(r, "x₁x₂"))
    g.times(2, lambda r: one(r, "x₁²+x₂²"))
    g.times(2, lambda r: one(r, "1/x₁+1/x₂"))
    g.facts([("若方程x²+2x+3=0的两根为x₁、x₂，则x₁+x₂=−2。", False, "Δ=4−12<0，方程没有实数根。")])


@kp("quadratic-applications")
def quadratic_applications(g: Gen) -> None:
    def growth(r: random.Random) -> None:
        a, rate = r.choice([100, 200, 400, 500, 1000]), r.choice([10, 20, 25, 30, 50])
        b = Fraction(a) * Fraction(100 + rate, 100) ** 2
        if b.denominator != 1:
            return
        y = r.randint(2019, 2024)
        g.numeric(
            f"某工厂{y}年的产值是{a}万元，{y + 2}年的产值是{num(b)}万元。这两年的年平均增长率是"
            "百分之几？（填百分号前的数）",
            rate,
            why=f"设增长率为x，{a}(1+x)²={num(b)}，x={rate}%（负根舍去）。",
            d=0.4,
            m=3,
        )

    def path(r: random.Random) -> None:
        x = r.randint(1, 3)
        length, width = r.randint(x + 10, 40), r.randint(x + 6, 25)
        area = (length - x) * (width - x)
        g.numeric(
            f"在一块长{length}m、宽{width}m的矩形空地上，修两条互相垂直、宽度相同的小路，"
            "其余部分种草，"
            f"草坪面积为{area}m²。小路宽多少米？",
            x,
            why=f"把小路平移到边上，({length}−x)({width}−x)={area}，解得x={x}（另一根不合题意）。",
            d=0.6,
            m=3,
        )

    def league(r: random.Random) -> None:
        n = r.randint(4, 16)
        g.numeric(
            f"参加足球联赛的每两队之间都要进行一场比赛，共要比赛{n * (n - 1) // 2}场。"
            "共有多少个队参加？",
            n,
            why=f"x(x−1)/2={n * (n - 1) // 2}，x={n}（负根舍去）。",
            d=0.3,
            m=3,
        )

    g.times(3, growth)
    g.times(3, path)
    g.times(3, league)
    g.short(
        "某商品原价200元，连续两次降价后售价为128元，若两次降价的百分率相同，求这个百分率。"
        "写出过程。",
        "设降价百分率为x，200(1−x)²=128，(1−x)²=0.64，1−x=0.8（负值舍去），x=20%。",
        why="连续两次变化用(1−x)²表示。",
        d=0.5,
    )


# --- 9A Chapter 22: quadratic functions ----------------------------------------------------


@kp("quadratic-function-concept")
def quadratic_function_concept(g: Gen) -> None:
    def value(r: random.Random) -> None:
        a, b, c, v = nonzero(r, -3, 3), r.randint(-6, 6), r.randint(-9, 9), nonzero(r, -4, 4)
        g.numeric(
            f"二次函数y={quadratic(a, b, c)}，当x={num(v)}时，y的值是多少？",
            a * v * v + b * v + c,
            why=f"代入得{num(a * v * v + b * v + c)}。",
            d=-0.6,
        )

    def exponent(r: random.Random) -> None:
        a = r.randint(2, 4)
        k = a * a - 2
        g.numeric(
            f"若y=(m{MINUS}{a})x^(m²{plus(num(-k))})+3x是关于x的二次函数，m的值是多少？",
            -a,
            why=f"m²−{k}=2，m=±{a}；又m−{a}≠0，所以m={MINUS}{a}。",
            d=0.6,
        )

    g.times(4, value)
    g.times(3, exponent)
    g.multiple(
        "在y=3x²，y=x²−2x+1，y=2x+1，y=1/x²，y=(x+1)²−x²中，哪些是二次函数？",
        ["y=3x²", "y=x²−2x+1"],
        ["y=2x+1", "y=1/x²", "y=(x+1)²−x²"],
        why="形如y=ax²+bx+c（a≠0）的函数是二次函数；(x+1)²−x²=2x+1是一次函数。",
        d=0.0,
    )
    g.facts([("y=ax²+bx+c（a、b、c是常数）一定是二次函数。", False, "要求a≠0。")])


@kp("parabola-vertex-form")
def parabola_vertex_form(g: Gen) -> None:
    def vertex(r: random.Random) -> None:
        a, h, k = nonzero(r, -3, 3), nonzero(r, -6, 6), r.randint(-9, 9)
        g.fill(
            f"抛物线y={vertex_form(a, h, k)}的顶点坐标是_____。",
            point_forms(h, k),
            why=f"y=a(x−h)²+k的顶点是(h,k)：{point(h, k)}。",
            d=-0.5,
        )

    def axis(r: random.Random) -> None:
        a, h, k = nonzero(r, -3, 3), nonzero(r, -6, 6), r.randint(-9, 9)
        g.fill(
            f"抛物线y={vertex_form(a, h, k)}的对称轴是直线_____。",
            variants(f"x={num(h)}"),
            why=f"对称轴是直线x=h，即x={num(h)}。",
            d=-0.5,
        )

    def opening(r: random.Random) -> None:
        a, h, k = nonzero(r, -3, 3), nonzero(r, -6, 6), r.randint(-9, 9)
        g.single(
            f"抛物线y={vertex_form(a, h, k)}的开口方向是怎样的？",
            "向上" if a > 0 else "向下",
            ["向上", "向下"],
            why="a>0时开口向上，a<0时开口向下。",
            d=-1.0,
            shuffle=False,
        )

    def extreme(r: random.Random) -> None:
        a, h, k = nonzero(r, -3, 3), nonzero(r, -6, 6), r.randint(-9, 9)
        word = "最小" if a > 0 else "最大"
        g.numeric(
            f"二次函数y={vertex_form(a, h, k)}的{word}值是多少？",
            k,
            why=f"a{'>' if a > 0 else '<'}0，顶点纵坐标就是{word}值{num(k)}。",
            d=-0.3,
        )

    def shift(r: random.Random) -> None:
        a, p, q = nonzero(r, -3, 3), nonzero(r, -5, 5), nonzero(r, -5, 5)
        h = -p
        left = "左" if p > 0 else "右"
        up = "上" if q > 0 else "下"
        g.fill(
            f"把抛物线y={vertex_form(a, 0, 0)}向{left}平移{abs(p)}个单位长度，"
            f"再向{up}平移{abs(q)}个"
            "单位长度，得到的抛物线的解析式是_____。",
            variants(f"y={vertex_form(a, h, q)}"),
            why="左加右减（自变量），上加下减（常数项）：" + f"y={vertex_form(a, h, q)}。",
            d=0.2,
            also=("coordinate-translation",),
        )

    g.times(3, vertex)
    g.times(2, axis)
    g.times(2, opening)
    g.times(2, extreme)
    g.times(2, shift)


@kp("parabola-general-form")
def parabola_general_form(g: Gen) -> None:
    def vertex(r: random.Random) -> None:
        a, h, k = r.choice([1, -1, 2]), nonzero(r, -5, 5), r.randint(-9, 9)
        b, c = -2 * a * h, a * h * h + k
        g.fill(
            f"抛物线y={quadratic(a, b, c)}的顶点坐标是_____。",
            point_forms(h, k),
            why=f"配方：y={vertex_form(a, h, k)}，顶点{point(h, k)}。",
            d=0.0,
            also=("completing-square",),
        )

    def axis(r: random.Random) -> None:
        a, h = nonzero(r, -3, 3), nonzero(r, -5, 5)
        b, c = -2 * a * h, r.randint(-9, 9)
        g.numeric(
            f"抛物线y={quadratic(a, b, c)}的对称轴是直线x=m，m的值是多少？",
            h,
            why=f"x=−b/(2a)=−{par(b)}/(2×{par(a)})={num(h)}。",
            d=-0.3,
        )

    def intercept(r: random.Random) -> None:
        a, b, c = nonzero(r, -3, 3), r.randint(-6, 6), nonzero(r, -9, 9)
        g.numeric(
            f"抛物线y={quadratic(a, b, c)}与y轴交点的纵坐标是多少？",
            c,
            why=f"令x=0，y={num(c)}。",
            d=-0.8,
        )

    def monotone(r: random.Random) -> None:
        a, h = nonzero(r, -3, 3), nonzero(r, -5, 5)
        b, c = -2 * a * h, r.randint(-9, 9)
        g.single(
            f"二次函数y={quadratic(a, b, c)}，当x>{num(h)}时，y随x的增大怎样变化？",
            "增大" if a > 0 else "减小",
            ["增大", "减小", "不变"],
            why=f"对称轴是x={num(h)}，a{'>' if a > 0 else '<'}0，对称轴右侧y随x的增大而"
            + ("增大。" if a > 0 else "减小。"),
            d=0.0,
            shuffle=False,
        )

    g.times(3, vertex)
    g.times(3, axis)
    g.times(2, intercept)
    g.times(2, monotone)


@kp("quadratic-function-expression")
def quadratic_function_expression(g: Gen) -> None:
    def from_vertex(r: random.Random) -> None:
        a, h, k = nonzero(r, -2, 2), nonzero(r, -4, 4), r.randint(-6, 6)
        x = h + r.choice([-2, -1, 1, 2])
        y = a * (x - h) ** 2 + k
        g.fill(
            f"抛物线的顶点是{point(h, k)}，且经过点{point(x, y)}，它的解析式是_____。",
            variants(f"y={vertex_form(a, h, k)}", f"y={quadratic(a, -2 * a * h, a * h * h + k)}"),
            why=(
                f"设y=a(x{plus(num(-h))})²{plus(num(k)) if k else ''}，代入点{point(x, y)}得a="
                f"{num(a)}。"
            ),
            d=0.3,
            m=3,
        )

    def b_and_c(r: random.Random) -> None:
        b, c = r.randint(-6, 6), r.randint(-9, 9)
        x1, x2 = r.sample(range(-3, 4), 2)
        ask = r.choice(["b", "c"])
        g.numeric(
            f"二次函数y=x²+bx+c的图象经过点{point(x1, x1 * x1 + b * x1 + c)}和"
            f"{point(x2, x2 * x2 + b * x2 + c)}，{ask}的值是多少？",
            b if ask == "b" else c,
            why=f"代入两点得关于b、c的方程组，解得b={num(b)}，c={num(c)}。",
            d=0.4,
            m=3,
            also=("elimination",),
        )

    def three_points(r: random.Random) -> None:
        a, b, c = nonzero(r, -3, 3), r.randint(-5, 5), r.randint(-6, 6)
        g.numeric(
            f"抛物线y=ax²+bx+c经过点(0,{num(c)})、(1,{num(a + b + c)})、"
            f"({MINUS}1,{num(a - b + c)})，"
            "a的值是多少？",
            a,
            why=f"c={num(c)}；a+b={num(a + b)}，a−b={num(a - b)}，相加得a={num(a)}。",
            d=0.5,
            m=3,
            also=("three-variable-systems",),
        )

    g.times(3, from_vertex)
    g.times(4, b_and_c)
    g.times(3, three_points)


@kp("quadratic-function-equation")
def quadratic_function_equation(g: Gen) -> None:
    def intersections(r: random.Random) -> None:
        p, q = sorted(r.sample(range(-7, 8), 2))
        texts = [f"({num(p)},0),({num(q)},0)", f"({num(q)},0),({num(p)},0)"]
        texts += [f"({num(p)},0)和({num(q)},0)", f"({num(q)},0)和({num(p)},0)"]
        g.fill(
            f"抛物线y={quadratic(1, -(p + q), p * q)}与x轴的交点坐标是_____。",
            variants(*texts),
            why=f"令y=0，解方程得x₁={num(p)}，x₂={num(q)}。",
            d=0.0,
            also=("quadratic-factoring",),
        )

    def touch(r: random.Random) -> None:
        b = r.randrange(2, 17, 2) * r.choice([1, -1])
        g.numeric(
            f"抛物线y=x²{plus(num(b))}x+c与x轴只有一个公共点，c的值是多少？",
            b * b // 4,
            why=f"Δ={b * b}−4c=0，c={b * b // 4}。",
            d=0.2,
        )

    def count(r: random.Random) -> None:
        a, b, c = nonzero(r, -3, 3), r.randint(-6, 6), r.randint(-6, 6)
        d = b * b - 4 * a * c
        n = 2 if d > 0 else 1 if d == 0 else 0
        g.numeric(
            f"抛物线y={quadratic(a, b, c)}与x轴有几个公共点？",
            n,
            why=f"Δ={d}，"
            + ("大于0，有两个。" if n == 2 else "等于0，有一个。" if n else "小于0，没有。"),
            d=0.0,
            also=("quadratic-formula",),
        )

    def negative(r: random.Random) -> None:
        p, q = sorted(r.sample(range(-6, 7), 2))
        g.fill(
            f"二次函数y={quadratic(1, -(p + q), p * q)}，当y<0时，x的取值范围是_____。",
            variants(f"{num(p)}<x<{num(q)}"),
            why=f"抛物线开口向上，与x轴交于{num(p)}和{num(q)}，两交点之间的部分在x轴下方。",
            d=0.5,
        )

    g.times(3, intersections)
    g.times(2, touch)
    g.times(3, count)
    g.times(2, negative)


@kp("quadratic-function-applications")
def quadratic_function_applications(g: Gen) -> None:
    def fence(r: random.Random) -> None:
        length = r.randrange(12, 100, 4)
        g.numeric(
            f"用长{length}m的篱笆围成一个一边靠墙（墙足够长）的矩形菜园，菜园的最大面积是多少m²？",
            Fraction(length * length, 8),
            why=f"设垂直于墙的边长为x m，S=x({length}−2x)，当x={num(Fraction(length, 4))}时S最大，"
            f"为{num(Fraction(length * length, 8))}m²。",
            d=0.6,
            m=3,
        )

    def profit(r: random.Random) -> None:
        cost, k = r.choice([20, 30, 40, 50]), r.choice([5, 10, 20])
        best = r.randint(2, 10)  # the best price rise
        margin = r.randint(5, 15)
        n = k * (2 * best + margin)
        value = (margin + best) * (n - k * best)
        g.numeric(
            f"某商品进价为{cost}元，售价为{cost + margin}元时每天可卖出{n}件；售价每上涨1元，"
            "每天少卖"
            f"{k}件。每天的最大利润是多少元？",
            value,
            why=f"设涨价x元，利润y=({margin}+x)({n}−{k}x)，当x={best}时最大，为{value}元。",
            d=0.8,
            m=4,
        )

    def ball(r: random.Random) -> None:
        v = r.choice([10, 20, 30, 40])
        ask = r.choice(["最大高度是多少米", "经过几秒达到最高点"])
        value = Fraction(v * v, 20) if ask.startswith("最大") else Fraction(v, 10)
        g.numeric(
            f"小球竖直向上抛出，高度h（m）与时间t（s）的关系是h={v}t−5t²。小球的{ask}？",
            value,
            why=f"h=−5(t−{num(Fraction(v, 10))})²+{num(Fraction(v * v, 20))}，顶点给出最大值。",
            d=0.3,
        )

    g.times(3, fence)
    g.times(3, profit)
    g.times(4, ball)


# --- 9A Chapter 23: rotation ---------------------------------------------------------------


@kp("rotation")
def rotation(g: Gen) -> None:
    def self_map(r: random.Random) -> None:
        n = r.choice([3, 5, 6, 8, 9, 10, 12, 15, 18, 20])
        g.numeric(
            f"{ngon(n)}绕它的中心至少旋转多少度，才能与原来的图形重合？",
            Fraction(360, n),
            why=f"360°÷{n}={num(Fraction(360, n))}°。",
            d=-0.3,
        )

    def angle(r: random.Random) -> None:
        a = r.randint(20, 170)
        g.numeric(
            f"将△ABC绕点A逆时针旋转{a}°得到△AB′C′，∠BAB′是多少度？",
            a,
            why="对应点与旋转中心连线的夹角等于旋转角。",
            d=-1.0,
        )

    def equilateral(r: random.Random) -> None:
        length = r.randint(2, 20)
        g.numeric(
            f"将线段AB绕点A旋转60°得到线段AB′，AB={length}，BB′的长是多少？",
            length,
            why="AB=AB′，∠BAB′=60°，△ABB′是等边三角形。",
            d=0.0,
            also=("equilateral-triangle",),
        )

    g.times(4, self_map)
    g.times(2, angle)
    g.times(2, equilateral)
    g.facts(
        [
            ("旋转不改变图形的形状和大小。", True, "旋转前后的图形全等。"),
            ("对应点到旋转中心的距离相等。", True, "旋转的性质。"),
            ("旋转中心必须在图形上。", False, "旋转中心可以在图形外。"),
        ]
    )


@kp("central-symmetry")
def central_symmetry(g: Gen) -> None:
    yes = ["平行四边形", "矩形", "菱形", "圆", "线段", "正六边形"]
    no = ["等边三角形", "等腰梯形", "正五边形", "角"]

    def which(r: random.Random) -> None:
        right, wrong = r.sample(yes, 3), r.sample(no, 2)
        options = right + wrong
        r.shuffle(options)
        g.multiple(
            f"在{'，'.join(options)}中，哪些是中心对称图形？",
            right,
            wrong,
            why="绕某一点旋转180°后能与自身重合的图形是中心对称图形。",
            d=-0.5,
        )

    def regular(r: random.Random) -> None:
        n = r.randint(3, 12)
        g.tf(
            f"判断：正{cn(n)}边形是中心对称图形。",
            n % 2 == 0,
            why="边数为偶数的正多边形是中心对称图形，边数为奇数的不是。",
            d=-0.2,
        )

    g.times(3, which)
    g.times(3, regular)
    g.multiple(
        "在线段，等边三角形，矩形，平行四边形，圆中，哪些既是轴对称图形又是中心对称图形？",
        ["线段", "矩形", "圆"],
        ["等边三角形", "平行四边形"],
        why="等边三角形只是轴对称图形，一般的平行四边形只是中心对称图形。",
        d=0.0,
    )
    g.facts(
        [
            ("中心对称图形绕对称中心旋转180°后与自身重合。", True, "定义。"),
            ("成中心对称的两个图形全等。", True, "旋转不改变形状和大小。"),
        ]
    )


@kp("origin-symmetric-points")
def origin_symmetric_points(g: Gen) -> None:
    def image(r: random.Random) -> None:
        x, y = nonzero(r, -9, 9), nonzero(r, -9, 9)
        g.fill(
            f"点{point(x, y)}关于原点对称的点的坐标是_____。",
            point_forms(-x, -y),
            why="关于原点对称的两点，横、纵坐标都互为相反数。",
            d=-0.8,
        )

    def letters(r: random.Random) -> None:
        a, b = nonzero(r, -9, 9), nonzero(r, -9, 9)
        g.numeric(
            f"若点A({num(a)},m)与点B(n,{num(b)})关于原点对称，m+n的值是多少？",
            -b - a,
            why=f"m={num(-b)}，n={num(-a)}，m+n={num(-a - b)}。",
            d=-0.2,
        )

    def table(r: random.Random) -> None:
        x, y = nonzero(r, -9, 9), nonzero(r, -9, 9)
        if abs(x) == abs(y):
            return
        g.match(
            f"把点P{point(x, y)}的对称点与对称方式对应起来。",
            [
                ("关于x轴对称", point(x, -y)),
                ("关于y轴对称", point(-x, y)),
                ("关于原点对称", point(-x, -y)),
            ],
            why="关于x轴：纵坐标变号；关于y轴：横坐标变号；关于原点：都变号。",
            d=-0.3,
            also=("symmetric-coordinates",),
            extra=[point(y, x)],
        )

    g.times(4, image)
    g.times(3, letters)
    g.times(2, table)
    g.facts([("关于原点对称的两点，横坐标、纵坐标分别互为相反数。", True, "坐标规律。")])


# --- 9A Chapter 24: circles ----------------------------------------------------------------


@kp("circle-basics")
def circle_basics(g: Gen) -> None:
    def chord(r: random.Random) -> None:
        radius = r.randint(2, 30)
        g.numeric(
            f"⊙O的半径为{radius}cm，⊙O中最长的弦是多少cm？",
            2 * radius,
            why="直径是圆中最长的弦。",
            d=-0.8,
        )

    def from_length(r: random.Random) -> None:
        k = r.randint(2, 40)
        g.numeric(
            f"一个圆的周长是{k}π cm，它的半径是多少cm？",
            Fraction(k, 2),
            why=f"C=2πr，r={k}π÷2π={num(Fraction(k, 2))}cm。",
            d=-0.8,
        )

    def from_area(r: random.Random) -> None:
        k = r.randint(2, 15)
        g.numeric(
            f"一个圆的面积是{k * k}π cm²，它的直径是多少cm？",
            2 * k,
            why=f"S=πr²，r={k}，直径为{2 * k}cm。",
            d=-0.6,
        )

    g.times(2, chord)
    g.times(2, from_length)
    g.times(2, from_area)
    g.facts(
        [
            ("直径是圆中最长的弦。", True, "直径经过圆心。"),
            ("弧是半圆。", False, "半圆是弧，但弧不一定是半圆。"),
            ("半圆是弧。", True, "半圆是特殊的弧。"),
            ("长度相等的两条弧是等弧。", False, "等弧要在同圆或等圆中能够完全重合。"),
            ("圆心确定圆的位置，半径确定圆的大小。", True, "圆的基本要素。"),
        ]
    )


@kp("perpendicular-diameter")
def perpendicular_diameter(g: Gen) -> None:
    def distance(r: random.Random) -> None:
        d, half, radius = r.choice(CIRCLE_TRIPLES)
        if r.random() < 0.5:
            d, half = half, d
        g.numeric(
            f"⊙O的半径为{radius}，弦AB={2 * half}，圆心O到AB的距离是多少？",
            d,
            why=f"垂径定理：AB的一半为{half}，距离=√({radius}²−{half}²)={d}。",
            d=0.0,
            also=("pythagorean-theorem",),
        )

    def radius_(r: random.Random) -> None:
        d, half, radius = r.choice(CIRCLE_TRIPLES)
        if r.random() < 0.5:
            d, half = half, d
        g.numeric(
            f"⊙O中，弦AB={2 * half}，圆心O到AB的距离为{d}，⊙O的半径是多少？",
            radius,
            why=f"半径=√({half}²+{d}²)={radius}。",
            d=0.0,
        )

    def chord(r: random.Random) -> None:
        d, half, radius = r.choice(CIRCLE_TRIPLES)
        if r.random() < 0.5:
            d, half = half, d
        g.numeric(
            f"⊙O的半径为{radius}，圆心O到弦AB的距离为{d}，弦AB的长是多少？",
            2 * half,
            why=f"AB的一半=√({radius}²−{d}²)={half}，AB={2 * half}。",
            d=0.1,
        )

    g.times(3, distance)
    g.times(3, radius_)
    g.times(3, chord)
    g.facts(
        [
            ("平分弦的直径垂直于弦。", False, "被平分的弦不能是直径。"),
            ("垂直于弦的直径平分弦，并且平分弦所对的两条弧。", True, "垂径定理。"),
        ]
    )


@kp("arcs-chords-central-angles")
def arcs_chords_central_angles(g: Gen) -> None:
    def equal(r: random.Random) -> None:
        a = r.randint(20, 170)
        g.numeric(
            f"在⊙O中，弦AB=CD，∠AOB={a}°，∠COD是多少度？",
            a,
            why="在同圆中，相等的弦所对的圆心角相等。",
            d=-0.8,
        )

    def parts(r: random.Random) -> None:
        n = r.choice([3, 4, 5, 6, 8, 9, 10, 12, 15, 18])
        g.numeric(
            f"把一个圆{n}等分，每一份弧所对的圆心角是多少度？",
            Fraction(360, n),
            why=f"360°÷{n}={num(Fraction(360, n))}°。",
            d=-0.9,
        )

    def clock(r: random.Random) -> None:
        m = r.randint(5, 55)
        g.numeric(
            f"钟面上的分针走了{m}分钟，它转过的圆心角是多少度？",
            6 * m,
            why=f"分针每分钟转6°：{6 * m}°。",
            d=-0.7,
        )

    g.times(3, equal)
    g.times(3, parts)
    g.times(2, clock)
    g.numeric(
        "⊙O中，弦AB的长等于半径，弦AB所对的圆心角是多少度？",
        60,
        why="OA=OB=AB，△OAB是等边三角形，∠AOB=60°。",
        d=0.0,
    )
    g.facts(
        [
            ("在同圆或等圆中，相等的圆心角所对的弦相等。", True, "圆心角定理。"),
            ("相等的圆心角所对的弧相等。", False, "必须在同圆或等圆中。"),
        ]
    )


@kp("inscribed-angles")
def inscribed_angles(g: Gen) -> None:
    def half(r: random.Random) -> None:
        a = r.randrange(20, 180, 2)
        g.numeric(
            f"在⊙O中，∠AOB={a}°，点C在优弧AB上，∠ACB是多少度？",
            a // 2,
            why="同弧所对的圆周角等于圆心角的一半。",
            d=-0.4,
        )

    def double(r: random.Random) -> None:
        b = r.randint(10, 85)
        g.numeric(
            f"在⊙O中，点C在⊙O上，∠ACB={b}°（C在优弧上），∠AOB是多少度？",
            2 * b,
            why="圆心角是同弧所对圆周角的2倍。",
            d=-0.4,
        )

    def diameter(r: random.Random) -> None:
        a = r.randint(10, 80)
        g.numeric(
            f"AB是⊙O的直径，点C在⊙O上，∠A={a}°，∠B是多少度？",
            90 - a,
            why="直径所对的圆周角∠C=90°，∠B=90°−∠A。",
            d=-0.2,
        )

    def cyclic(r: random.Random) -> None:
        a = r.randint(30, 150)
        g.numeric(
            f"四边形ABCD内接于⊙O，∠A={a}°，∠C是多少度？",
            180 - a,
            why="圆内接四边形的对角互补。",
            d=-0.3,
        )

    g.times(3, half)
    g.times(2, double)
    g.times(3, diameter)
    g.times(2, cyclic)
    g.facts(
        [
            ("直径所对的圆周角是直角。", True, "圆周角定理的推论。"),
            ("同弧所对的圆周角相等。", True, "圆周角定理的推论。"),
        ]
    )


@kp("point-circle-position")
def point_circle_position(g: Gen) -> None:
    def where(r: random.Random) -> None:
        radius = r.randint(2, 12)
        d = (
            radius + r.choice([-1, 0, 1]) * r.randint(1, 2)
            if radius > 2
            else radius + r.choice([0, 1])
        )
        right = "圆内" if d < radius else "圆上" if d == radius else "圆外"
        g.single(
            f"⊙O的半径为{radius}cm，点P到圆心O的距离为{d}cm，点P在哪里？",
            right,
            ["圆内", "圆上", "圆外"],
            why="d<r在圆内，d=r在圆上，d>r在圆外。",
            d=-0.9,
            shuffle=False,
        )

    def circum(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        g.numeric(
            f"直角三角形的两条直角边长分别为{a}和{b}，它的外接圆的半径是多少？",
            Fraction(c, 2),
            why=f"直角三角形外接圆的直径是斜边{c}，半径为{num(Fraction(c, 2))}。",
            d=0.2,
        )

    g.times(5, where)
    g.times(2, circum)
    g.facts(
        [
            ("不在同一条直线上的三个点确定一个圆。", True, "确定圆的条件。"),
            ("三角形的外心是三边垂直平分线的交点。", True, "外心到三个顶点的距离相等。"),
            ("经过任意三个点一定可以作一个圆。", False, "三点共线时不能。"),
        ]
    )


@kp("line-circle-position")
def line_circle_position(g: Gen) -> None:
    def where(r: random.Random) -> None:
        radius = r.randint(3, 12)
        d = radius + r.choice([-2, -1, 0, 0, 1, 2])
        right = "相交" if d < radius else "相切" if d == radius else "相离"
        g.single(
            f"⊙O的半径为{radius}cm，圆心O到直线l的距离为{d}cm，直线l与⊙O的位置关系是什么？",
            right,
            ["相离", "相切", "相交"],
            why="d>r相离，d=r相切，d<r相交。",
            d=-0.7,
            shuffle=False,
        )

    def count(r: random.Random) -> None:
        radius = Fraction(r.randint(6, 30), 2)
        d = radius + Fraction(r.choice([-3, -1, 0, 1, 3]), 2)
        n = 2 if d < radius else 1 if d == radius else 0
        g.numeric(
            f"⊙O的直径为{num(2 * radius)}，圆心O到直线l的距离为{num(d)}，直线l与⊙O有几个公共点？",
            n,
            why=f"半径为{num(radius)}，比较d与r：公共点有{n}个。",
            d=-0.3,
        )

    g.times(5, where)
    g.times(4, count)
    g.facts([("直线与圆有唯一公共点时，这条直线叫做圆的切线。", True, "切线的定义。")])


@kp("tangent")
def tangent(g: Gen) -> None:
    def length(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        g.numeric(
            f"PA切⊙O于点A，OA={a}，PO={c}，切线长PA是多少？",
            b,
            why=f"OA⊥PA，PA=√({c}²−{a}²)={b}。",
            d=0.0,
            also=("pythagorean-theorem",),
        )

    def two(r: random.Random) -> None:
        a = r.randint(2, 20)
        g.numeric(
            f"PA、PB分别切⊙O于A、B，PA={a}，PB的长是多少？",
            a,
            why="切线长定理：从圆外一点引圆的两条切线，切线长相等。",
            d=-0.8,
        )

    def angle(r: random.Random) -> None:
        a = r.randint(20, 160)
        g.numeric(
            f"PA、PB分别切⊙O于A、B，∠APB={a}°，∠AOB是多少度？",
            180 - a,
            why="∠OAP=∠OBP=90°，四边形内角和360°，∠AOB=180°−∠APB。",
            d=0.1,
        )

    def incircle(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        g.numeric(
            f"直角三角形的两条直角边长分别为{a}和{b}，它的内切圆的半径是多少？",
            Fraction(a + b - c, 2),
            why=f"斜边为{c}，内切圆半径=(a+b−c)/2={num(Fraction(a + b - c, 2))}。",
            d=0.6,
        )

    g.times(3, length)
    g.times(2, two)
    g.times(2, angle)
    g.times(2, incircle)
    g.facts(
        [
            ("经过半径的外端并且垂直于这条半径的直线是圆的切线。", True, "切线的判定定理。"),
            ("垂直于半径的直线是圆的切线。", False, "还必须经过半径的外端。"),
            ("圆的切线垂直于经过切点的半径。", True, "切线的性质定理。"),
        ]
    )


@kp("regular-polygons-circles")
def regular_polygons_circles(g: Gen) -> None:
    def central(r: random.Random) -> None:
        n = r.choice([3, 4, 5, 6, 8, 9, 10, 12, 15, 18, 20, 24])
        g.numeric(
            f"{ngon(n)}的中心角是多少度？",
            Fraction(360, n),
            why=f"中心角=360°÷{n}={num(Fraction(360, n))}°。",
            d=-0.5,
        )

    def hexagon(r: random.Random) -> None:
        radius = r.randint(2, 20)
        if r.random() < 0.5:
            g.numeric(
                f"半径为{radius}cm的圆的内接正六边形的边长是多少cm？",
                radius,
                why="正六边形的中心角是60°，每个小三角形都是等边三角形，边长等于半径。",
                d=-0.2,
            )
        else:
            g.numeric(
                f"半径为{radius}cm的圆的内接正六边形的周长是多少cm？",
                6 * radius,
                why=f"边长等于半径{radius}cm，周长为{6 * radius}cm。",
                d=-0.2,
            )

    g.times(4, central)
    g.times(4, hexagon)
    g.facts(
        [
            ("各边相等的多边形是正多边形。", False, "还要求各角相等，如菱形。"),
            ("正多边形都是轴对称图形。", True, "正n边形有n条对称轴。"),
        ]
    )


@kp("arc-length-sector")
def arc_length_sector(g: Gen) -> None:
    def arc(r: random.Random) -> None:
        n, radius = r.choice([30, 45, 60, 90, 120, 135, 150, 180, 240, 270]), r.randint(2, 12)
        k = Fraction(n * radius, 180)
        g.fill(
            f"半径为{radius}cm、圆心角为{n}°的弧长是_____cm（结果保留π）。",
            pi_forms(k),
            why=f"l=nπr/180={n}π×{radius}/180={pi_forms(k)[0]}。",
            d=0.0,
        )

    def sector(r: random.Random) -> None:
        n, radius = r.choice([30, 45, 60, 90, 120, 135, 150, 180, 240, 270]), r.randint(2, 12)
        k = Fraction(n * radius * radius, 360)
        g.fill(
            f"半径为{radius}cm、圆心角为{n}°的扇形的面积是_____cm²（结果保留π）。",
            pi_forms(k),
            why=f"S=nπr²/360={pi_forms(k)[0]}。",
            d=0.1,
        )

    def cone(r: random.Random) -> None:
        length = r.randint(3, 20)
        radius = r.randint(1, length - 1)
        angle = Fraction(360 * radius, length)
        if angle.denominator != 1:
            return
        g.numeric(
            f"圆锥的母线长为{length}cm，底面半径为{radius}cm，它的侧面展开图（扇形）"
            "的圆心角是多少度？",
            angle,
            why=f"扇形弧长等于底面周长：nπ×{length}/180=2π×{radius}，n={num(angle)}。",
            d=0.5,
            also=("nets",),
        )

    g.times(4, arc)
    g.times(3, sector)
    g.times(3, cone)


# --- 9A Chapter 25: introduction to probability --------------------------------------------


@kp("random-events")
def random_events(g: Gen) -> None:
    for event, kind in EVENTS:
        g.single(
            f"“{event}”是什么事件？",
            kind,
            ["必然事件", "不可能事件", "随机事件"],
            why=(
                "一定会发生的是必然事件，一定不会发生的是不可能事件，"
                "可能发生也可能不发生的是随机事件。"
                f"这是{kind}。"
            ),
            d=-1.2,
            shuffle=False,
        )
    g.facts([("随机事件发生的可能性有大有小。", True, "可以用概率表示大小。")])


@kp("probability-meaning")
def probability_meaning(g: Gen) -> None:
    dice = [
        ("点数是偶数", 3),
        ("点数大于4", 2),
        ("点数是3的倍数", 2),
        ("点数小于3", 2),
        ("点数是质数", 3),
        ("点数是6", 1),
        ("点数不小于2", 5),
    ]
    for what, count in dice:
        p = Fraction(count, 6)
        g.fill(
            f"掷一枚质地均匀的骰子，{what}的概率是_____。",
            prob_forms(p),
            why=f"共有6种等可能的结果，其中{what}的有{count}种，概率为{frac(p)}。",
            d=-0.8,
        )

    def balls(r: random.Random) -> None:
        red, white = r.randint(1, 9), r.randint(1, 9)
        p = Fraction(red, red + white)
        g.fill(
            f"一个不透明的袋子里有{red}个红球和{white}个白球，它们除颜色外都相同。"
            "从中任意摸出一个球，"
            "摸到红球的概率是_____。",
            prob_forms(p),
            why=f"P=红球数÷球的总数={red}/{red + white}={frac(p)}。",
            d=-0.8,
        )

    g.times(3, balls)
    g.facts(
        [
            ("不可能事件的概率为0。", True, "P=0。"),
            ("某事件发生的概率是0.99，它一定会发生。", False, "概率小于1的事件不一定发生。"),
        ]
    )


@kp("listing-probability")
def listing_probability(g: Gen) -> None:
    def two_dice(r: random.Random) -> None:
        s = r.randint(2, 12)
        count = sum(1 for a in range(1, 7) for b in range(1, 7) if a + b == s)
        p = Fraction(count, 36)
        g.fill(
            f"同时掷两枚质地均匀的骰子，两枚骰子的点数之和为{s}的概率是_____。",
            prob_forms(p),
            why=f"列表可知共有36种等可能的结果，点数之和为{s}的有{count}种，概率为{frac(p)}。",
            d=0.3,
        )

    def cards(r: random.Random) -> None:
        values = sorted(r.sample(range(1, 10), 4))
        pairs = list(combinations(values, 2))
        good = sum(1 for a, b in pairs if (a + b) % 2 == 0)
        p = Fraction(good, len(pairs))
        g.fill(
            f"从标有{list_text(values)}的四张卡片中随机抽取两张，"
            "两张卡片上的数字之和为偶数的概率是_____。",
            prob_forms(p),
            why=f"共有{len(pairs)}种等可能的结果，和为偶数的有{good}种，概率为{frac(p)}。",
            d=0.5,
        )

    g.times(4, two_dice)
    g.times(3, cards)
    g.fill(
        "同时抛掷两枚质地均匀的硬币，两枚都正面朝上的概率是_____。",
        prob_forms(Fraction(1, 4)),
        why="结果有正正、正反、反正、反反4种，两枚都正面朝上的有1种。",
        d=-0.4,
    )
    g.fill(
        "同时抛掷两枚质地均匀的硬币，一枚正面朝上、一枚反面朝上的概率是_____。",
        prob_forms(Fraction(1, 2)),
        why="4种等可能结果中，一正一反的有2种。",
        d=-0.2,
    )
    g.short(
        "甲、乙两人玩“石头、剪刀、布”游戏，用列表法或树状图求两人打成平局的概率。",
        "共有3×3=9种等可能的结果，平局有3种（石头石头、剪刀剪刀、布布），概率为1/3。",
        why="列出所有等可能结果再数出所求事件的结果数。",
        d=0.3,
        m=3,
    )


@kp("frequency-probability")
def frequency_probability(g: Gen) -> None:
    def seedlings(r: random.Random) -> None:
        p = r.choice([Fraction(8, 10), Fraction(9, 10), Fraction(95, 100), Fraction(3, 4)])
        n = r.choice(range(300, 3000, 60))
        need = n / p
        if need.denominator != 1:
            return
        g.numeric(
            f"某种树苗的成活频率稳定在{num(p)}左右。要成活{n}棵，大约需要栽种多少棵？",
            need,
            why=f"{n}÷{num(p)}={num(need)}（棵）。",
            d=-0.2,
        )

    def whites(r: random.Random) -> None:
        red, total_draws = r.randint(2, 10), r.choice([100, 200, 400, 500])
        white = r.randint(2, 30)
        hits = Fraction(red * total_draws, red + white)
        if hits.denominator != 1:
            return
        g.numeric(
            f"一个袋子里有{red}个红球和若干个白球（除颜色外都相同）。"
            f"摸球{total_draws}次（每次摸后放回），"
            f"摸到红球{hits}次。估计袋中有多少个白球？",
            white,
            why=(
                f"红球的频率约为{frac(hits / total_draws)}，{red}÷{frac(hits / total_draws)}="
                f"{red + white}，"
                f"白球约{white}个。"
            ),
            d=0.4,
            m=3,
        )

    def coin(r: random.Random) -> None:
        n = r.choice([50, 100, 200, 500, 1000])
        k = r.randint(n * 2 // 5, n * 3 // 5)
        g.numeric(
            f"抛掷一枚硬币{n}次，正面朝上{k}次，正面朝上的频率是多少？",
            Fraction(k, n),
            why=f"频率=频数÷试验次数={k}÷{n}={num(Fraction(k, n))}。",
            d=-0.8,
        )

    g.times(3, seedlings)
    g.times(3, whites)
    g.times(2, coin)
    g.facts(
        [
            ("试验次数很多时，频率会稳定在概率附近。", True, "用频率估计概率的依据。"),
            ("频率就是概率。", False, "频率随试验而变化，概率是确定的数。"),
        ]
    )


# --- 9B Chapter 26: inverse proportion functions -------------------------------------------


@kp("inverse-proportion-concept")
def inverse_proportion_concept(g: Gen) -> None:
    def k_value(r: random.Random) -> None:
        x, y = nonzero(r, -8, 8), nonzero(r, -8, 8)
        g.numeric(
            f"反比例函数y=k/x的图象经过点{point(x, y)}，k的值是多少？",
            x * y,
            why=f"k=xy={num(x)}×{par(y)}={num(x * y)}。",
            d=-0.6,
        )

    def other(r: random.Random) -> None:
        x, y = nonzero(r, -6, 6), nonzero(r, -6, 6)
        k = x * y
        divisors = [d for d in range(-12, 13) if d and k % d == 0 and d != x]
        x2 = r.choice(divisors)
        g.numeric(
            f"y是x的反比例函数，当x={num(x)}时y={num(y)}。当x={num(x2)}时，y的值是多少？",
            k // x2,
            why=f"k={num(k)}，y={num(k)}/x，x={num(x2)}时y={num(k // x2)}。",
            d=-0.2,
        )

    g.times(4, k_value)
    g.times(4, other)
    g.multiple(
        "在y=3/x，y=x/3，y=−2/x，xy=5，y=1/(x+1)中，y是x的反比例函数的有哪些？",
        ["y=3/x", "y=−2/x", "xy=5"],
        ["y=x/3", "y=1/(x+1)"],
        why="形如y=k/x（k≠0）的函数是反比例函数；xy=5即y=5/x。",
        d=-0.3,
    )
    g.facts([("反比例函数y=k/x中，自变量x不能为0。", True, "分母不为0。")])


@kp("inverse-proportion-graph")
def inverse_proportion_graph(g: Gen) -> None:
    def quadrants(r: random.Random) -> None:
        k = nonzero(r, -12, 12)
        g.single(
            f"反比例函数y={num(k)}/x的图象位于哪些象限？",
            "第一、三象限" if k > 0 else "第二、四象限",
            ["第一、三象限", "第二、四象限", "第一、二象限", "第三、四象限"],
            why="k>0时位于第一、三象限，k<0时位于第二、四象限。",
            d=-0.8,
            shuffle=False,
        )

    def monotone(r: random.Random) -> None:
        k = nonzero(r, -12, 12)
        g.single(
            f"反比例函数y={num(k)}/x，在每个象限内，y随x的增大怎样变化？",
            "减小" if k > 0 else "增大",
            ["增大", "减小", "不变"],
            why="k>0时，在每个象限内y随x的增大而减小；k<0时增大。",
            d=-0.4,
            shuffle=False,
        )

    def area(r: random.Random) -> None:
        s = Fraction(r.randint(1, 12), r.choice([1, 2]))
        g.numeric(
            f"点A在反比例函数y=k/x（k>0）的图象上，过A作x轴的垂线，垂足为B，△AOB的面积为{num(s)}，"
            "k的值是多少？",
            2 * s,
            why="△AOB的面积=|k|/2，k>0，所以k=2S。",
            d=0.3,
        )

    g.times(3, quadrants)
    g.times(3, monotone)
    g.times(3, area)
    g.facts([("反比例函数的图象与坐标轴没有交点。", True, "x、y都不能为0。")])


@kp("inverse-proportion-applications")
def inverse_proportion_applications(g: Gen) -> None:
    def pool(r: random.Random) -> None:
        q, t = r.randint(2, 12), r.randint(2, 12)
        divisors = [d for d in range(2, 30) if (q * t) % d == 0 and d != q]
        q2 = r.choice(divisors)
        g.numeric(
            f"一个蓄水池，每小时排水{q}m³，{t}小时可以排完。若每小时排水{q2}m³，需要几小时排完？",
            Fraction(q * t, q2),
            why=f"总水量{q * t}m³不变，时间={q * t}÷{q2}={num(Fraction(q * t, q2))}小时。",
            d=-0.3,
        )

    def pressure(r: random.Random) -> None:
        force = r.choice([100, 200, 300, 500, 600, 1000])
        area = r.choice(
            [
                Fraction(1, 10),
                Fraction(1, 5),
                Fraction(1, 2),
                Fraction(1, 4),
                Fraction(1),
                Fraction(2),
            ]
        )
        g.numeric(
            f"压强p（Pa）与受力面积S（m²）的关系是p=F/S。压力F={force}N，"
            f"受力面积S={num(area)}m²时，"
            "压强是多少Pa？",
            force / Fraction(area),
            why=f"p={force}÷{num(area)}={num(force / Fraction(area))}Pa。",
            d=-0.4,
        )

    def lever(r: random.Random) -> None:
        resistance, arm = r.choice([1200, 1500, 1000, 600]), Fraction(r.choice([1, 2, 5]), 10)
        length = r.choice([Fraction(3, 2), Fraction(2), Fraction(5, 2), Fraction(3), Fraction(4)])
        force = resistance * arm / Fraction(length)
        if force.denominator != 1:
            return
        g.numeric(
            f"用撬棍撬石头，阻力为{resistance}N，阻力臂为{num(arm)}m。当动力臂为{num(length)}m时，"
            "需要的动力是多少N？",
            force,
            why=f"阻力×阻力臂=动力×动力臂：{resistance}×{num(arm)}÷{num(length)}={num(force)}N。",
            d=0.0,
        )

    g.times(3, pool)
    g.times(3, pressure)
    g.times(3, lever)
    g.facts([("当压力一定时，压强与受力面积成反比例。", True, "p=F/S。")])


# --- 9B Chapter 27: similarity -------------------------------------------------------------


@kp("proportional-segments")
def proportional_segments(g: Gen) -> None:
    def split(r: random.Random) -> None:
        p, q, k = r.randint(1, 7), r.randint(1, 7), r.randint(1, 6)
        if math.gcd(p, q) > 1 or p == q:
            return
        g.numeric(
            f"若a∶b={p}∶{q}，且a+b={(p + q) * k}，a的值是多少？",
            p * k,
            why=f"设a={p}k，b={q}k，{p + q}k={(p + q) * k}，k={k}，a={p * k}。",
            d=-0.3,
        )

    def fourth(r: random.Random) -> None:
        a, b, c = r.randint(1, 9), r.randint(1, 9), r.randint(1, 9)
        d = Fraction(b * c, a)
        if d.denominator not in (1, 2, 4, 5):
            return
        g.numeric(
            f"已知线段a={a}cm，b={b}cm，c={c}cm，线段d是a、b、c的第四比例项（a∶b=c∶d），"
            "d是多少cm？",
            d,
            why=f"ad=bc，d={b}×{c}÷{a}={num(d)}cm。",
            d=-0.2,
        )

    def mean(r: random.Random) -> None:
        x, y = r.randint(1, 12), r.randint(1, 12)
        a, b = x * x, y * y
        if a == b:
            return
        g.numeric(
            f"线段a={a}cm，b={b}cm，它们的比例中项是多少cm？",
            x * y,
            why=f"c²=ab={a * b}，c={x * y}cm（线段长度取正值）。",
            d=0.0,
        )

    g.times(3, split)
    g.times(3, fourth)
    g.times(2, mean)
    g.numeric(
        "点C是线段AB的黄金分割点（AC>BC），AB=2，AC的长约是多少？（精确到0.01）",
        round(math.sqrt(5) - 1, 2),
        why="AC=(√5−1)/2×AB=√5−1≈1.24。",
        d=0.6,
        tol=0.005,
    )
    g.facts([("若a/b=c/d，则ad=bc。", True, "比例的基本性质。")])


@kp("similar-polygons")
def similar_polygons(g: Gen) -> None:
    def perimeter(r: random.Random) -> None:
        p, q = r.randint(1, 5), r.randint(2, 7)
        if p >= q or math.gcd(p, q) > 1:
            return
        small = p * r.randint(2, 10)
        g.numeric(
            f"两个相似多边形的相似比为{p}∶{q}，较小多边形的周长为{small}cm，"
            "较大多边形的周长是多少cm？",
            Fraction(small * q, p),
            why=f"周长比等于相似比：{small}×{q}/{p}={num(Fraction(small * q, p))}cm。",
            d=-0.2,
        )

    def area(r: random.Random) -> None:
        p, q = r.randint(1, 5), r.randint(2, 7)
        if p >= q or math.gcd(p, q) > 1:
            return
        small = p * p * r.randint(1, 6)
        g.numeric(
            f"两个相似多边形的相似比为{p}∶{q}，较小多边形的面积为{small}cm²，"
            "较大多边形的面积是多少cm²？",
            Fraction(small * q * q, p * p),
            why=(
                f"面积比等于相似比的平方：{small}×{q * q}/{p * p}="
                f"{num(Fraction(small * q * q, p * p))}cm²。"
            ),
            d=0.2,
        )

    g.times(3, perimeter)
    g.times(3, area)
    g.facts(
        [
            ("所有的正方形都相似。", True, "对应角相等，对应边成比例。"),
            ("所有的矩形都相似。", False, "对应边不一定成比例。"),
            ("所有的菱形都相似。", False, "对应角不一定相等。"),
            ("所有的正五边形都相似。", True, "边数相同的正多边形都相似。"),
        ]
    )


@kp("similar-triangle-tests")
def similar_triangle_tests(g: Gen) -> None:
    def parallel(r: random.Random) -> None:
        ad, db, bc = r.randint(1, 9), r.randint(1, 9), r.randint(2, 20)
        de = Fraction(ad * bc, ad + db)
        if de.denominator not in (1, 2, 4, 5):
            return
        g.numeric(
            f"在△ABC中，点D、E分别在AB、AC上，DE∥BC，AD={ad}，DB={db}，BC={bc}，DE的长是多少？",
            de,
            why=f"△ADE∽△ABC，DE/BC=AD/AB={ad}/{ad + db}，DE={num(de)}。",
            d=0.1,
        )

    def side(r: random.Random) -> None:
        ad, ab, ae = r.randint(1, 9), r.randint(2, 15), r.randint(1, 12)
        if ad >= ab:
            return
        ac = Fraction(ae * ab, ad)
        if ac.denominator not in (1, 2, 4, 5):
            return
        g.numeric(
            f"在△ABC中，DE∥BC，D、E分别在AB、AC上，AD={ad}，AB={ab}，AE={ae}，AC的长是多少？",
            ac,
            why=f"平行线分线段成比例：AD/AB=AE/AC，AC={num(ac)}。",
            d=0.0,
        )

    g.times(3, parallel)
    g.times(2, side)
    g.facts(
        [
            ("两角分别相等的两个三角形相似。", True, "判定定理。"),
            ("两边成比例且夹角相等的两个三角形相似。", True, "判定定理。"),
            ("三边成比例的两个三角形相似。", True, "判定定理。"),
            ("两边成比例且一角相等的两个三角形相似。", False, "相等的角必须是两边的夹角。"),
            ("有一个锐角相等的两个直角三角形相似。", True, "两角分别相等。"),
            ("有一个角相等的两个等腰三角形相似。", False, "相等的角可能一个是顶角、一个是底角。"),
        ]
    )


@kp("similar-triangle-properties")
def similar_triangle_properties(g: Gen) -> None:
    def area(r: random.Random) -> None:
        p, q = r.randint(1, 5), r.randint(1, 5)
        if p == q or math.gcd(p, q) > 1:
            return
        s = p * p * r.randint(1, 8)
        g.numeric(
            f"△ABC∽△DEF，相似比为{p}∶{q}，△ABC的面积为{s}，△DEF的面积是多少？",
            Fraction(s * q * q, p * p),
            why=f"面积比等于相似比的平方：{s}×{q * q}/{p * p}={num(Fraction(s * q * q, p * p))}。",
            d=0.0,
        )

    def perimeter(r: random.Random) -> None:
        p, q = r.randint(1, 6), r.randint(1, 6)
        if p == q or math.gcd(p, q) > 1 or Fraction(p, q).denominator not in (1, 2, 4, 5):
            return
        g.numeric(
            f"两个相似三角形对应中线的比为{p}∶{q}，它们的周长比是多少？（填前项除以后项的值）",
            Fraction(p, q),
            why=f"对应中线的比、周长比都等于相似比{p}∶{q}，比值为{num(Fraction(p, q))}。",
            d=-0.2,
        )

    def ratio(r: random.Random) -> None:
        p, q = r.randint(1, 6), r.randint(1, 6)
        if p == q or math.gcd(p, q) > 1:
            return
        texts = [f"{p}∶{q}", f"{p}:{q}", f"{p}/{q}"]
        g.fill(
            f"两个相似三角形的面积比为{p * p}∶{q * q}，它们的相似比是_____。",
            variants(*texts),
            why=f"相似比是面积比的算术平方根：{p}∶{q}。",
            d=0.0,
        )

    def side(r: random.Random) -> None:
        ab, de, bc = r.randint(2, 12), r.randint(2, 12), r.randint(2, 12)
        ef = Fraction(de * bc, ab)
        if ab == de or ef.denominator not in (1, 2, 4, 5):
            return
        g.numeric(
            f"△ABC∽△DEF，AB={ab}，DE={de}，BC={bc}，EF的长是多少？",
            ef,
            why=f"对应边成比例：EF=BC×DE/AB={num(ef)}。",
            d=-0.3,
        )

    g.times(3, area)
    g.times(2, perimeter)
    g.times(2, ratio)
    g.times(3, side)
    g.facts([("相似三角形的面积比等于相似比。", False, "面积比等于相似比的平方。")])


@kp("similar-applications")
def similar_applications(g: Gen) -> None:
    def shadow(r: random.Random) -> None:
        h = Fraction(r.randint(15, 18), 10)
        s = Fraction(r.choice([1, 2, 3, 4, 5, 6, 8, 9, 12]), 10) * r.choice([1, 2])
        big = s * r.randint(4, 15)
        height = h * big / s
        if height.denominator not in (1, 2, 4, 5, 10):
            return
        g.numeric(
            f"同一时刻，身高{num(h)}m的小明的影长为{num(s)}m，旗杆的影长为{num(big)}m，"
            "旗杆高多少米？",
            height,
            why=f"同一时刻物高与影长成正比：{num(h)}/{num(s)}=x/{num(big)}，x={num(height)}m。",
            d=0.0,
        )

    def mirror(r: random.Random) -> None:
        h = Fraction(r.randint(15, 17), 10)
        a = Fraction(r.randint(1, 4), 2)
        b = a * r.randint(3, 12)
        tree = h * b / a
        g.numeric(
            f"把一面小镜子放在离树{num(b)}m的地面上，人后退到离镜子{num(a)}m处恰好在镜中看到树顶。"
            f"人眼离地面{num(h)}m，树高多少米？",
            tree,
            why=(
                f"入射角等于反射角，两个直角三角形相似：{num(h)}/{num(a)}=x/{num(b)}，x="
                f"{num(tree)}m。"
            ),
            d=0.4,
            m=3,
        )

    g.times(4, shadow)
    g.times(3, mirror)
    g.short(
        "小明想测量河的宽度，请你设计一个利用相似三角形测量河宽的方案，"
        "写出需要测量的量和计算方法。",
        "在河对岸选一点A，在本岸选点B使AB垂直河岸，在B点的垂线上取点C，过C作CD⊥BC，使D、"
        "E（BC上的点）"
        "与A在一条直线上；测量BE、EC、CD，由△ABE∽△DCE得AB=BE·CD/EC。",
        why="构造相似三角形，把不能直接测量的长度转化为可测量的长度。",
        d=0.7,
    )
    g.facts([("利用同一时刻的影长可以测量物体的高度。", True, "太阳光线平行，构成相似三角形。")])


@kp("homothety")
def homothety(g: Gen) -> None:
    def same_side(r: random.Random) -> None:
        k = r.choice([2, 3])
        x, y = nonzero(r, -5, 5), nonzero(r, -5, 5)
        g.fill(
            f"以原点O为位似中心，相似比为{k}，把点A{point(x, y)}放大（放大后的点与A在原点的同侧），"
            "对应点A′的坐标是_____。",
            point_forms(k * x, k * y),
            why=f"坐标都乘{k}：{point(k * x, k * y)}。",
            d=0.0,
        )

    def other_side(r: random.Random) -> None:
        k = r.choice([2, 3])
        x, y = nonzero(r, -5, 5), nonzero(r, -5, 5)
        g.fill(
            f"以原点O为位似中心，相似比为{k}，把点A{point(x, y)}放大（放大后的点与A在原点的异侧），"
            "对应点A′的坐标是_____。",
            point_forms(-k * x, -k * y),
            why=f"坐标都乘−{k}：{point(-k * x, -k * y)}。",
            d=0.3,
        )

    def perimeter(r: random.Random) -> None:
        k, p = r.randint(2, 5), r.randint(3, 30)
        g.numeric(
            f"两个位似图形的位似比为1∶{k}，较小图形的周长为{p}cm，较大图形的周长是多少cm？",
            k * p,
            why=f"周长比等于位似比：{p}×{k}={k * p}cm。",
            d=-0.5,
        )

    g.times(3, same_side)
    g.times(2, other_side)
    g.times(3, perimeter)
    g.facts(
        [
            ("位似图形一定是相似图形。", True, "位似是特殊的相似。"),
            ("相似图形一定是位似图形。", False, "还要求对应点连线交于一点。"),
        ]
    )


# --- 9B Chapter 28: trigonometric functions of acute angles --------------------------------


@kp("trig-ratios")
def trig_ratios(g: Gen) -> None:
    def ratio(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        name, top, bottom, desc = r.choice(
            [("sinA", a, c, "对边/斜边"), ("cosA", b, c, "邻边/斜边"), ("tanA", a, b, "对边/邻边")]
        )
        value = Fraction(top, bottom)
        g.fill(
            f"在Rt△ABC中，∠C=90°，BC={a}，AC={b}，AB={c}，{name}=_____。",
            value_forms(value),
            why=f"{name}=∠A的{desc}={top}/{bottom}={frac(value)}。",
            d=-0.4,
        )

    def side(r: random.Random) -> None:
        a, _b, c = r.choice(TRIPLES[:3])
        k = r.randint(1, 4)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，sinA={a}/{c}，AB={c * k}，BC的长是多少？",
            a * k,
            why=f"sinA=BC/AB，BC={c * k}×{a}/{c}={a * k}。",
            d=0.0,
        )

    g.times(6, ratio)
    g.times(3, side)
    g.facts(
        [
            (
                "锐角三角函数值只与角的大小有关，与三角形的大小无关。",
                True,
                "相似三角形对应边的比相等。",
            ),
            ("锐角A的正弦值可以大于1。", False, "对边小于斜边，0<sinA<1。"),
        ]
    )


@kp("special-angle-values")
def special_angle_values(g: Gen) -> None:
    def combo(r: random.Random) -> None:
        (n1, v1), (n2, v2) = r.sample(list(SPECIAL.items()), 2)
        k = r.randint(1, 3)
        op = r.choice(["+", MINUS])
        value = k * v1 + v2 if op == "+" else k * v1 - v2
        lead = "" if k == 1 else str(k)
        g.fill(
            f"求值：{lead}{n1}{op}{n2}=_____",
            value_forms(value),
            why=f"{n1}={frac(v1)}，{n2}={frac(v2)}，结果是{frac(value)}。",
            d=0.0,
        )

    g.times(5, combo)
    for given, angle in (("tanA=√3", 60), ("sinA=1/2", 30), ("cosA=√2/2", 45), ("cosA=1/2", 60)):
        g.numeric(
            f"若{given}，锐角A是多少度？",
            angle,
            why=f"由特殊角的三角函数值，∠A={angle}°。",
            d=-0.5,
        )
    g.match(
        "把三角函数与它的值对应起来。",
        [
            ("sin30°", "1/2"),
            ("cos30°", "√3/2"),
            ("tan45°", "1"),
            ("tan60°", "√3"),
            ("sin45°", "√2/2"),
        ],
        why="记住30°、45°、60°角的三角函数值。",
        d=-0.3,
        extra=["√3/3"],
    )
    g.match(
        "把三角函数与它的值对应起来（第二组）。",
        [("cos60°", "1/2"), ("sin60°", "√3/2"), ("tan30°", "√3/3"), ("cos45°", "√2/2")],
        why="可以借助含30°角和45°角的直角三角形记忆。",
        d=-0.3,
        extra=["√3"],
    )


@kp("solving-right-triangles")
def solving_right_triangles(g: Gen) -> None:
    def thirty(r: random.Random) -> None:
        a = r.randint(2, 20)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，∠A=30°，BC={a}，斜边AB的长是多少？",
            2 * a,
            why="sinA=BC/AB=1/2，AB=2BC。",
            d=-0.4,
            also=("right-triangle-30",),
        )

    def forty_five(r: random.Random) -> None:
        b = r.randint(2, 20)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，∠A=45°，AC={b}，BC的长是多少？",
            b,
            why="tanA=BC/AC=1，BC=AC。",
            d=-0.5,
        )

    def sixty(r: random.Random) -> None:
        b = r.randint(2, 20)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，∠A=60°，AC={b}，斜边AB的长是多少？",
            2 * b,
            why="cosA=AC/AB=1/2，AB=2AC。",
            d=-0.3,
        )

    def sine(r: random.Random) -> None:
        a, b, c = r.choice(TRIPLES[:3])
        k = r.randint(1, 4)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，sinA={a}/{c}，AB={c * k}，AC的长是多少？",
            b * k,
            why=f"BC=AB·sinA={a * k}，AC=√(AB²−BC²)={b * k}。",
            d=0.2,
            also=("pythagorean-theorem",),
        )

    g.times(3, thirty)
    g.times(2, forty_five)
    g.times(2, sixty)
    g.times(3, sine)
    g.facts([("解直角三角形时，除直角外，至少要知道一条边。", True, "只知道角不能确定边长。")])


@kp("trig-applications")
def trig_applications(g: Gen) -> None:
    def elevation(r: random.Random) -> None:
        d, h = r.randint(5, 40), Fraction(r.randint(10, 18), 10)
        g.numeric(
            f"在离旗杆{d}m的地方，用测角仪测得旗杆顶端的仰角为45°，测角仪高{num(h)}m。"
            "旗杆高多少米？",
            d + h,
            why=f"tan45°=1，旗杆顶端比测角仪高{d}m，旗杆高{d}+{num(h)}={num(d + h)}m。",
            d=0.0,
        )

    def slope(r: random.Random) -> None:
        k, h = (
            r.choice([Fraction(3, 2), Fraction(2), Fraction(5, 2), Fraction(3)]),
            r.randint(2, 12),
        )
        g.numeric(
            f"一段斜坡的坡度i=1∶{num(k)}，坡的铅直高度为{h}m，它的水平宽度是多少米？",
            Fraction(k) * h,
            why=f"坡度=铅直高度∶水平宽度，水平宽度={h}×{num(k)}={num(Fraction(k) * h)}m。",
            d=0.0,
        )

    def thirty(r: random.Random) -> None:
        k = r.randint(5, 40)
        g.numeric(
            f"在A处测得塔顶的仰角为30°，A到塔底的水平距离为{k}√3 m（测角仪高度忽略不计），"
            "塔高多少米？",
            k,
            why=f"塔高={k}√3×tan30°={k}√3×√3/3={k}m。",
            d=0.3,
            also=("special-angle-values",),
        )

    g.times(3, elevation)
    g.times(3, slope)
    g.times(3, thirty)
    g.facts(
        [
            ("视线在水平线上方时，视线与水平线的夹角叫做仰角。", True, "仰角的定义。"),
            ("坡度越大，坡面越陡。", True, "坡度是坡角的正切值。"),
        ]
    )


# --- 9B Chapter 29: projections and views --------------------------------------------------


@kp("projections")
def projections(g: Gen) -> None:
    def shadow(r: random.Random) -> None:
        h, s = r.choice(
            [
                (Fraction(str(h)), Fraction(t))
                for h, t in ((1, 2), (2, 3), (3, 2), (1.5, 1), (2, 5), (4, 3))
            ]
        )
        big = Fraction(s) * r.randint(3, 20)
        height = Fraction(h) * big / Fraction(s)
        g.numeric(
            f"同一时刻，在太阳光下，高{num(h)}m的竹竿的影长为{num(s)}m，"
            f"某建筑物的影长为{num(big)}m，"
            "这座建筑物高多少米？",
            height,
            why=f"太阳光下的投影是平行投影，物高与影长成正比：{num(height)}m。",
            d=-0.2,
            also=("similar-applications",),
        )

    g.times(4, shadow)
    g.facts(
        [
            ("太阳光下物体的影子是平行投影。", True, "太阳光线可以看成平行光线。"),
            ("灯光下物体的影子是中心投影。", True, "光线从一点发出。"),
            ("在同一时刻的太阳光下，物体的高度与影长成正比。", True, "平行投影的性质。"),
            ("在路灯下，人离路灯越远，影子越短。", False, "离路灯越远，影子越长。"),
        ]
    )
    g.single(
        "一块正方形纸板在太阳光下的投影不可能是什么形状？",
        "三角形",
        ["正方形", "平行四边形", "线段"],
        why="平行投影下，正方形的投影是平行四边形（含正方形、矩形）或线段。",
        d=0.2,
    )
    g.multiple(
        "一块圆形纸板在太阳光下的投影可能是什么形状？",
        ["圆", "椭圆", "线段"],
        ["三角形", "正方形"],
        why="纸板与光线的夹角不同，投影可能是圆、椭圆或线段。",
        d=0.1,
    )


@kp("three-views")
def three_views(g: Gen) -> None:
    for solid, view, answer, wrong in (
        ("圆柱", "主视图", "长方形", ["圆", "三角形", "梯形"]),
        ("球", "三视图", "都是圆", ["都是半圆", "两个圆和一个长方形", "都是正方形"]),
        ("圆锥", "俯视图", "带圆心的圆", ["三角形", "长方形", "扇形"]),
        ("正方体", "左视图", "正方形", ["长方形", "三角形", "圆"]),
    ):
        g.single(
            f"{solid}的{view}是什么形状？",
            answer,
            wrong,
            why=f"从对应方向看{solid}，看到的是{answer}。",
            d=-0.9,
        )

    def volume(r: random.Random) -> None:
        a, b, c = r.randint(2, 10), r.randint(2, 10), r.randint(2, 10)
        g.numeric(
            f"一个长方体的主视图是长{a}cm、高{b}cm的长方形，左视图是宽{c}cm、高{b}cm的长方形，"
            "这个长方体的体积是多少cm³？",
            a * b * c,
            why=f"长{a}cm、宽{c}cm、高{b}cm，体积为{a * b * c}cm³。",
            d=-0.2,
        )

    g.times(3, volume)
    g.facts(
        [
            ("主视图与俯视图长对正。", True, "三视图的规律。"),
            ("主视图与左视图高平齐。", True, "三视图的规律。"),
            ("俯视图与左视图宽相等。", True, "三视图的规律。"),
        ]
    )
    g.match(
        "把几何体与它的三视图的特征对应起来。",
        [
            ("圆柱", "两个视图是长方形，一个是圆"),
            ("圆锥", "两个视图是三角形，一个是带圆心的圆"),
            ("球", "三个视图都是圆"),
            ("正方体", "三个视图都是正方形"),
        ],
        why="根据几何体的形状想象从三个方向看到的图形。",
        d=-0.5,
        extra=["三个视图都是三角形"],
    )
