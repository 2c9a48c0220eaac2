"""Demo question-bank generators for grade 8 (八年级: chapters 11-15 in the first volume,
16-20 in the second), in textbook order; each registers itself for one knowledge point
with ``@kp``."""

from __future__ import annotations

import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from tongke.learning.demo_items.base import (
    MINUS,
    SQUARE_FREE,
    Gen,
    cn,
    data_list,
    forms,
    frac,
    ineq_forms,
    kp,
    lin,
    line_quadrants,
    list_text,
    mono_text,
    ngon,
    nonzero,
    num,
    par,
    plus,
    point,
    point_forms,
    power_forms,
    radical,
    radical_forms,
    sqrt_parts,
    sup,
    terms,
    triple,
    variants,
)

# --- 8A Chapter 11: triangles --------------------------------------------------------------


@kp("triangle-sides")
def triangle_sides(g: Gen) -> None:
    def can(r: random.Random) -> None:
        a, b, c = sorted(r.randint(1, 15) for _ in range(3))
        ok = a + b > c
        g.tf(
            f"判断：长度分别为{a}cm、{b}cm、{c}cm的三条线段能组成三角形。",
            ok,
            why=f"看较短两边之和是否大于最长边：{a}+{b}={a + b}{'>' if ok else '≤'}{c}。",
            d=-0.7,
        )

    def third(r: random.Random) -> None:
        a, b = r.sample(range(2, 15), 2)
        ask = r.choice(["最大", "最小", "个数"])
        lo, hi = abs(a - b) + 1, a + b - 1
        value = {"最大": hi, "最小": lo, "个数": hi - lo + 1}[ask]
        stem = {
            "最大": "第三边的长最大是多少？",
            "最小": "第三边的长最小是多少？",
            "个数": "第三边的长有几种可能？",
        }[ask]
        g.numeric(
            f"三角形的两边长分别为{a}和{b}，第三边的长是整数，{stem}",
            value,
            why=f"{abs(a - b)}<第三边<{a + b}，整数取{lo}到{hi}。",
            d=-0.2,
        )

    def isosceles(r: random.Random) -> None:
        a = r.randint(2, 6)
        b = r.randint(2 * a + 1, 3 * a)  # only b, b, a works
        g.numeric(
            f"一个等腰三角形的两边长分别为{a}cm和{b}cm，它的周长是多少cm？",
            2 * b + a,
            why=f"若腰为{a}，{a}+{a}≤{b}，不能组成三角形；所以腰为{b}，周长{2 * b + a}cm。",
            d=0.3,
        )

    g.times(4, can)
    g.times(4, third)
    g.times(2, isosceles)
    g.facts([("三角形两边的差小于第三边。", True, "由两边之和大于第三边可得。")])


@kp("triangle-segments")
def triangle_segments(g: Gen) -> None:
    def median_perimeter(r: random.Random) -> None:
        a, b = r.sample(range(3, 20), 2)
        g.numeric(
            f"AD是△ABC的中线，AB={a}cm，AC={b}cm，△ABD与△ACD的周长之差（大减小）是多少cm？",
            abs(a - b),
            why=f"BD=CD，AD公共，周长差=|AB−AC|={abs(a - b)}cm。",
            d=-0.1,
        )

    def median_area(r: random.Random) -> None:
        s = r.randrange(6, 80, 2)
        g.numeric(
            f"AD是△ABC的中线，△ABC的面积为{s}cm²，△ABD的面积是多少cm²？",
            s // 2,
            why="中线把三角形分成面积相等的两部分（等底同高）。",
            d=-0.5,
        )

    def bisector(r: random.Random) -> None:
        a = r.randrange(30, 160, 2)
        g.numeric(
            f"AD是△ABC的角平分线，∠BAC={a}°，∠BAD是多少度？",
            a // 2,
            why=f"∠BAD=∠BAC÷2={a // 2}°。",
            d=-1.0,
        )

    g.times(3, median_perimeter)
    g.times(3, median_area)
    g.times(2, bisector)
    g.facts(
        [
            ("三角形的三条中线交于一点。", True, "这个点叫做三角形的重心。"),
            ("三角形的三条高都在三角形内部。", False, "直角三角形、钝角三角形的高不都在内部。"),
            ("三角形的角平分线是一条射线。", False, "三角形的角平分线是线段。"),
        ]
    )
    g.single(
        "钝角三角形的三条高所在直线的交点在哪里？",
        "三角形的外部",
        ["三角形的内部", "三角形的一边上", "三角形的一个顶点上"],
        why="钝角三角形有两条高在三角形外部，三条高所在直线交于外部一点。",
        d=0.0,
    )


@kp("triangle-angle-sum")
def triangle_angle_sum(g: Gen) -> None:
    def third(r: random.Random) -> None:
        a, b = r.randint(20, 100), r.randint(20, 70)
        if a + b >= 175:
            return
        g.numeric(
            f"在△ABC中，∠A={a}°，∠B={b}°，∠C是多少度？",
            180 - a - b,
            why=f"三角形的内角和是180°：∠C=180°−{a}°−{b}°={180 - a - b}°。",
            d=-1.1,
        )

    def ratio(r: random.Random) -> None:
        p, q, s = sorted(r.sample(range(1, 8), 3))
        if 180 % (p + q + s):
            return
        big = 180 * s // (p + q + s)
        g.numeric(
            f"在△ABC中，∠A∶∠B∶∠C={p}∶{q}∶{s}，最大的角是多少度？",
            big,
            why=f"设每份为x°，{p + q + s}x=180，最大角={s}x={big}°。",
            d=-0.2,
        )

    def right(r: random.Random) -> None:
        a = r.randint(10, 80)
        g.numeric(
            f"直角三角形的一个锐角是{a}°，另一个锐角是多少度？",
            90 - a,
            why="直角三角形的两个锐角互余。",
            d=-1.2,
        )

    g.times(4, third)
    g.times(3, ratio)
    g.times(2, right)
    g.facts(
        [
            ("一个三角形中至少有两个锐角。", True, "若有两个角不是锐角，它们的和已不小于180°。"),
            ("一个三角形中最多有一个钝角。", True, "两个钝角的和已大于180°。"),
        ]
    )


@kp("exterior-angle")
def exterior_angle(g: Gen) -> None:
    def outside(r: random.Random) -> None:
        a, b = r.randint(20, 90), r.randint(20, 80)
        g.numeric(
            f"在△ABC中，∠A={a}°，∠B={b}°，∠C的外角是多少度？",
            a + b,
            why="三角形的外角等于与它不相邻的两个内角的和。",
            d=-0.6,
        )

    def other(r: random.Random) -> None:
        e = r.randint(60, 160)
        a = r.randint(10, e - 10)
        g.numeric(
            f"三角形的一个外角是{e}°，与它不相邻的一个内角是{a}°，另一个与它不相邻的内角是多少度？",
            e - a,
            why=f"{e}°−{a}°={e - a}°。",
            d=-0.4,
        )

    g.times(4, outside)
    g.times(3, other)
    g.facts(
        [
            ("三角形的一个外角大于任何一个内角。", False, "外角只大于与它不相邻的内角。"),
            ("三角形的外角和是360°。", True, "每个顶点取一个外角，和为360°。"),
        ]
    )
    g.single(
        "三角形的一个外角等于什么？",
        "与它不相邻的两个内角的和",
        ["与它相邻的内角", "任意两个内角的和", "180°"],
        why="这是三角形外角的性质。",
        d=-0.8,
    )


@kp("polygon-angle-sum")
def polygon_angle_sum(g: Gen) -> None:
    def interior(r: random.Random) -> None:
        n = r.randint(4, 20)
        g.numeric(
            f"{cn(n)}边形的内角和是多少度？",
            (n - 2) * 180,
            why=f"n边形的内角和是(n−2)·180°：({n}−2)×180°={(n - 2) * 180}°。",
            d=-0.6,
        )

    def sides(r: random.Random) -> None:
        n = r.randint(5, 20)
        g.numeric(
            f"一个多边形的内角和是{(n - 2) * 180}°，它是几边形？（填边数）",
            n,
            why=f"(n−2)·180={(n - 2) * 180}，解得n={n}。",
            d=-0.3,
        )

    def regular(r: random.Random) -> None:
        n = r.choice([5, 6, 8, 9, 10, 12, 15, 18, 20, 24, 36])
        if r.random() < 0.5:
            g.numeric(
                f"{ngon(n)}的每个外角是多少度？",
                Fraction(360, n),
                why=f"多边形的外角和是360°，每个外角=360°÷{n}={num(Fraction(360, n))}°。",
                d=-0.5,
            )
        else:
            g.numeric(
                f"{ngon(n)}的每个内角是多少度？",
                180 - Fraction(360, n),
                why=f"每个内角=180°−360°÷{n}={num(180 - Fraction(360, n))}°。",
                d=-0.2,
            )

    def diagonals(r: random.Random) -> None:
        n = r.randint(4, 15)
        if r.random() < 0.5:
            g.numeric(
                f"从{cn(n)}边形的一个顶点出发，可以画多少条对角线？",
                n - 3,
                why=f"不能连自己和相邻的两个顶点：{n}−3={n - 3}。",
                d=-0.4,
            )
        else:
            g.numeric(
                f"{cn(n)}边形一共有多少条对角线？",
                n * (n - 3) // 2,
                why=f"n(n−3)/2={n}×{n - 3}÷2={n * (n - 3) // 2}。",
                d=0.2,
            )

    g.times(4, interior)
    g.times(3, sides)
    g.times(4, regular)
    g.times(3, diagonals)
    g.facts([("任意多边形的外角和都是360°。", True, "与边数无关。")])


# --- 8A Chapter 12: congruent triangles ----------------------------------------------------


@kp("congruent-triangles")
def congruent_triangles(g: Gen) -> None:
    def side(r: random.Random) -> None:
        a, b, c = sorted(r.sample(range(3, 15), 3))
        if a + b <= c:
            return
        g.numeric(
            f"△ABC≌△DEF，AB={a}，BC={b}，AC={c}，EF的长是多少？",
            b,
            why="全等三角形的对应边相等，EF的对应边是BC。",
            d=-1.0,
        )

    def angle(r: random.Random) -> None:
        a, e = r.randint(30, 90), r.randint(20, 70)
        if a + e >= 170:
            return
        g.numeric(
            f"△ABC≌△DEF，∠A={a}°，∠E={e}°，∠F是多少度？",
            180 - a - e,
            why=f"∠D=∠A={a}°，∠F=180°−{a}°−{e}°={180 - a - e}°。",
            d=-0.5,
        )

    g.times(3, side)
    g.times(3, angle)
    g.facts(
        [
            ("全等三角形的周长相等。", True, "对应边都相等。"),
            ("面积相等的两个三角形全等。", False, "面积相等，形状可以不同。"),
            ("全等三角形对应边上的高相等。", True, "全等三角形能完全重合。"),
        ]
    )
    g.single(
        "能够完全重合的两个图形叫做什么？",
        "全等形",
        ["相似形", "对称图形", "等积形"],
        why="这是全等形的定义。",
        d=-1.5,
    )


@kp("congruence-sss-sas")
def congruence_sss_sas(g: Gen) -> None:
    g.facts(
        [
            ("三边分别相等的两个三角形全等。", True, "这是“SSS”判定。"),
            ("两边和它们的夹角分别相等的两个三角形全等。", True, "这是“SAS”判定。"),
            ("两边和其中一边的对角分别相等的两个三角形全等。", False, "“SSA”不能判定全等。"),
        ]
    )
    g.single(
        "在△ABC和△DEF中，AB=DE，AC=DF，要用“SAS”证明△ABC≌△DEF，还需要添加的条件是什么？",
        "∠A=∠D",
        ["∠B=∠E", "∠C=∠F", "BC=EF"],
        why="SAS要求两边及其夹角相等，AB、AC的夹角是∠A。",
        d=-0.3,
    )
    g.single(
        "在△ABC和△DEF中，AB=DE，BC=EF，要用“SAS”证明全等，还需要添加的条件是什么？",
        "∠B=∠E",
        ["∠A=∠D", "∠C=∠F", "AC=DF"],
        why="AB、BC的夹角是∠B，对应∠E。",
        d=-0.3,
    )
    g.single(
        "已知AB=DE，BC=EF，AC=DF，判定△ABC≌△DEF的依据是什么？",
        "SSS",
        ["SAS", "ASA", "AAS"],
        why="三边分别相等。",
        d=-1.0,
    )
    g.single(
        "用直尺和圆规作一个角等于已知角，其依据是什么？",
        "SSS",
        ["SAS", "ASA", "HL"],
        why="作图时截取的三边分别相等，由SSS得三角形全等，所以对应角相等。",
        d=0.2,
    )
    g.multiple(
        "下列条件中，能判定△ABC≌△DEF的有哪些？",
        ["AB=DE，BC=EF，AC=DF", "AB=DE，∠B=∠E，BC=EF"],
        ["AB=DE，BC=EF，∠A=∠D", "∠A=∠D，∠B=∠E，∠C=∠F"],
        why="SSS和SAS可以判定；SSA和AAA不能。",
        d=0.0,
    )
    g.short(
        "已知：点B、E、C、F在同一条直线上，AB=DE，AC=DF，BE=CF。求证：△ABC≌△DEF。",
        "因为BE=CF，所以BE+EC=CF+EC，即BC=EF。在△ABC和△DEF中，AB=DE，AC=DF，BC=EF，"
        "所以△ABC≌△DEF（SSS）。",
        why="先由线段的和差得出第三组对应边相等，再用SSS。",
        d=0.5,
    )

    def fold(r: random.Random) -> None:
        ab, bc = r.randint(4, 15), r.randint(3, 12)
        g.numeric(
            f"四边形ABCD中，AB=AD={ab}，CB=CD={bc}，连接AC。△ABC≌△ADC的依据是SSS，"
            f"四边形ABCD的周长是多少？",
            2 * ab + 2 * bc,
            why=f"周长=2×{ab}+2×{bc}={2 * ab + 2 * bc}。",
            d=-0.8,
        )

    g.times(2, fold)


@kp("congruence-asa-aas")
def congruence_asa_aas(g: Gen) -> None:
    g.facts(
        [
            ("两角和它们的夹边分别相等的两个三角形全等。", True, "这是“ASA”判定。"),
            ("两角和其中一个角的对边分别相等的两个三角形全等。", True, "这是“AAS”判定。"),
            ("三个角分别相等的两个三角形全等。", False, "“AAA”不能判定全等（大小可以不同）。"),
        ]
    )
    g.single(
        "在△ABC与△DEF中，∠A=∠D，∠B=∠E，要用“ASA”证明全等，还需要添加的条件是什么？",
        "AB=DE",
        ["BC=EF", "AC=DF", "∠C=∠F"],
        why="ASA要求两角及其夹边相等，∠A、∠B的夹边是AB。",
        d=-0.3,
    )
    g.single(
        "在△ABC与△DEF中，∠A=∠D，∠B=∠E，要用“AAS”证明全等，可以添加的条件是什么？",
        "BC=EF",
        ["AB=DE", "∠C=∠F", "AB=EF"],
        why="AAS要求其中一角的对边相等：∠A的对边是BC。",
        d=-0.1,
    )
    g.multiple(
        "下列条件中，能判定△ABC≌△DEF的有哪些？",
        ["∠A=∠D，AB=DE，∠B=∠E", "∠A=∠D，∠B=∠E，BC=EF"],
        ["∠A=∠D，∠B=∠E，∠C=∠F", "AB=DE，AC=DF，∠B=∠E"],
        why="ASA、AAS可以判定；AAA、SSA不能。",
        d=0.1,
    )
    g.match(
        "把已知条件与判定三角形全等的方法对应起来。",
        [
            ("三边分别相等", "SSS"),
            ("两边及其夹角分别相等", "SAS"),
            ("两角及其夹边分别相等", "ASA"),
            ("两角及其中一角的对边分别相等", "AAS"),
            ("直角三角形的斜边和一条直角边分别相等", "HL"),
        ],
        why="五种判定方法。",
        d=-0.2,
        also=("congruence-sss-sas",),
        extra=["SSA"],
    )
    g.short(
        "在△ABC和△DEF中，∠A=∠D，∠B=∠E，AC=DF。求证：BC=EF。",
        "在△ABC和△DEF中，∠A=∠D，∠B=∠E，AC=DF，所以△ABC≌△DEF（AAS），所以BC=EF"
        "（全等三角形的对应边相等）。",
        why="先证三角形全等，再用全等三角形的性质。",
        d=0.4,
    )

    def fold(r: random.Random) -> None:
        a = r.randint(20, 70)
        g.numeric(
            f"在△ABC中，AD⊥BC于D，BE⊥AC于E，AD与BE交于点F，且AD=BD。若∠C={a}°，∠DBF是多少度？",
            90 - a,
            why=f"∠DBF与∠C都和∠DAC互余（或由△BDF≌△ADC（ASA）），∠DBF=90°−{a}°={90 - a}°。",
            d=0.7,
            m=3,
        )

    g.times(2, fold)


@kp("congruence-hl")
def congruence_hl(g: Gen) -> None:
    g.facts(
        [
            ("斜边和一条直角边分别相等的两个直角三角形全等。", True, "这是“HL”判定。"),
            ("两条直角边分别相等的两个直角三角形全等。", True, "可以用SAS判定。"),
            ("两个锐角分别相等的两个直角三角形全等。", False, "三个角分别相等不能判定全等。"),
            ("“HL”只适用于直角三角形。", True, "它是直角三角形特有的判定方法。"),
        ]
    )
    g.single(
        "在Rt△ABC和Rt△DEF中，∠C=∠F=90°，AB=DE，要用“HL”判定全等，还需要的条件是什么？",
        "AC=DF",
        ["∠A=∠D", "∠B=∠E", "AB=EF"],
        why="HL要求斜边和一条直角边分别相等，斜边AB=DE已知，还需一条直角边。",
        d=-0.3,
    )
    g.single(
        "下列条件中，不能判定两个直角三角形全等的是哪一个？",
        "两个锐角分别相等",
        ["两条直角边分别相等", "斜边和一条直角边分别相等", "一个锐角和斜边分别相等"],
        why="只有角相等不能判定全等。",
        d=-0.2,
    )

    def side(r: random.Random) -> None:
        b, c = r.randint(3, 12), r.randint(13, 20)
        g.numeric(
            f"Rt△ABC和Rt△DEF中，∠C=∠F=90°，AB=DE={c}，AC=DF，BC={b}，EF的长是多少？",
            b,
            why="由HL得Rt△ABC≌Rt△DEF，所以EF=BC。",
            d=-0.5,
        )

    def angle(r: random.Random) -> None:
        a = r.randrange(40, 150, 2)
        d = r.randint(2, 12)
        g.numeric(
            f"点P在∠AOB的内部，PC⊥OA于C，PD⊥OB于D，且PC=PD={d}。连接OP，若∠AOB={a}°，"
            "∠AOP是多少度？",
            a // 2,
            why=f"由HL得Rt△OPC≌Rt△OPD，所以∠AOP=∠BOP={a // 2}°。",
            d=0.3,
        )

    g.times(3, side)
    g.times(2, angle)
    g.short(
        "已知：AC⊥BC，BD⊥AD，AC=BD。求证：BC=AD。",
        "连接AB。在Rt△ABC和Rt△BAD中，AB=BA，AC=BD，所以Rt△ABC≌Rt△BAD（HL），所以BC=AD。",
        why="添加公共边，用HL证明两个直角三角形全等。",
        d=0.5,
    )


@kp("angle-bisector-property")
def angle_bisector_property(g: Gen) -> None:
    def distance(r: random.Random) -> None:
        d = r.randint(2, 15)
        g.numeric(
            f"点P在∠AOB的平分线上，PD⊥OA于D，PD={d}cm，点P到OB的距离是多少cm？",
            d,
            why="角平分线上的点到角两边的距离相等。",
            d=-1.2,
        )

    def right(r: random.Random) -> None:
        bc = r.randint(6, 20)
        bd = r.randint(2, bc - 2)
        g.numeric(
            f"在△ABC中，∠C=90°，AD平分∠BAC交BC于D，BC={bc}，BD={bd}，点D到AB的距离是多少？",
            bc - bd,
            why=f"点D到AB的距离等于DC=BC−BD={bc - bd}。",
            d=-0.2,
        )

    def area(r: random.Random) -> None:
        cd, ab = r.randint(2, 10), r.randint(6, 20)
        g.numeric(
            f"在△ABC中，∠C=90°，AD平分∠BAC交BC于D，CD={cd}，AB={ab}，△ABD的面积是多少？",
            Fraction(ab * cd, 2),
            why=f"D到AB的距离等于CD={cd}，面积=½×{ab}×{cd}={num(Fraction(ab * cd, 2))}。",
            d=0.3,
        )

    g.times(3, distance)
    g.times(3, right)
    g.times(3, area)
    g.facts(
        [
            ("角的平分线上的点到角的两边的距离相等。", True, "角平分线的性质。"),
            ("角的内部到角的两边距离相等的点在这个角的平分线上。", True, "角平分线的判定。"),
        ]
    )


# --- 8A Chapter 13: reflection symmetry ----------------------------------------------------


@kp("axial-symmetry")
def axial_symmetry(g: Gen) -> None:
    shapes_yes = ["等腰三角形", "圆", "正方形", "线段", "角", "长方形", "等边三角形", "菱形"]
    shapes_no = ["平行四边形（非矩形、非菱形）", "不等边三角形", "直角梯形（非等腰）"]

    def which(r: random.Random) -> None:
        right = r.sample(shapes_yes, 3)
        wrong = r.sample(shapes_no, 2)
        options = right + wrong
        r.shuffle(options)
        g.multiple(
            f"在{'，'.join(options)}中，哪些是轴对称图形？",
            right,
            wrong,
            why="沿一条直线折叠，直线两旁的部分能够互相重合的图形是轴对称图形。",
            d=-0.8,
        )

    def axes(r: random.Random) -> None:
        n = r.randint(3, 12)
        g.numeric(
            f"{ngon(n)}有几条对称轴？",
            n,
            why=f"正n边形有n条对称轴，正{cn(n)}边形有{n}条。",
            d=-0.5,
        )

    g.times(3, which)
    g.times(4, axes)
    for shape, count in (("长方形（非正方形）", 2), ("等腰梯形", 1), ("等边三角形", 3)):
        g.numeric(f"{shape}有几条对称轴？", count, why=f"{shape}有{count}条对称轴。", d=-0.9)
    g.multiple(
        "在汉字“中”“田”“日”“王”“木”“我”“的”“成”中，哪些是轴对称图形？",
        ["中", "田", "日", "王", "木"],
        ["我", "的", "成"],
        why="沿竖直的中线折叠能重合的字是轴对称图形。",
        d=-1.0,
    )
    g.facts(
        [
            ("轴对称图形的对称轴是一条线段。", False, "对称轴是一条直线。"),
            ("成轴对称的两个图形全等。", True, "折叠后能完全重合。"),
        ]
    )


@kp("perpendicular-bisector")
def perpendicular_bisector(g: Gen) -> None:
    def perimeter(r: random.Random) -> None:
        e, p = r.randint(2, 8), r.randint(10, 30)
        g.numeric(
            f"在△ABC中，DE是AC的垂直平分线，交AC于E、交BC于D，AE={e}cm，△ABD的周长为{p}cm，"
            "△ABC的周长是多少cm？",
            p + 2 * e,
            why=f"DA=DC，△ABD的周长=AB+BD+DA=AB+BC={p}，AC=2AE={2 * e}，所以周长={p + 2 * e}cm。",
            d=0.4,
            m=3,
        )

    def equal(r: random.Random) -> None:
        a = r.randint(2, 20)
        g.numeric(
            f"点P在线段AB的垂直平分线上，PA={a}cm，PB的长是多少cm？",
            a,
            why="线段垂直平分线上的点到线段两端的距离相等。",
            d=-1.3,
        )

    def side(r: random.Random) -> None:
        a, b = r.randint(2, 12), r.randint(2, 12)
        g.numeric(
            f"在△ABC中，AB的垂直平分线交BC于点D，AD={a}，DC={b}，BC的长是多少？",
            a + b,
            why=f"DB=DA={a}，所以BC=BD+DC={a + b}。",
            d=-0.2,
        )

    g.times(3, perimeter)
    g.times(2, equal)
    g.times(3, side)
    g.facts(
        [
            ("线段垂直平分线上的点到线段两端的距离相等。", True, "性质定理。"),
            ("到线段两端距离相等的点在这条线段的垂直平分线上。", True, "判定定理。"),
        ]
    )


@kp("symmetric-coordinates")
def symmetric_coordinates(g: Gen) -> None:
    def mirror(r: random.Random) -> None:
        x, y = nonzero(r, -9, 9), nonzero(r, -9, 9)
        axis = r.choice(["x轴", "y轴"])
        image = (x, -y) if axis == "x轴" else (-x, y)
        g.fill(
            f"点{point(x, y)}关于{axis}对称的点的坐标是_____。",
            point_forms(*image),
            why=(
                "关于x轴对称：横坐标不变，纵坐标互为相反数；关于y轴对称：纵坐标不变，"
                "横坐标互为相反数。"
            ),
            d=-0.7,
        )

    def letters(r: random.Random) -> None:
        a, b = nonzero(r, -9, 9), nonzero(r, -9, 9)
        axis = r.choice(["x轴", "y轴"])
        if axis == "y轴":
            m, n = b, -a
        else:
            m, n = -b, a
        g.numeric(
            f"若点A({num(a)},m)与点B(n,{num(b)})关于{axis}对称，m+n的值是多少？",
            m + n,
            why=f"得m={num(m)}，n={num(n)}，m+n={num(m + n)}。",
            d=0.0,
        )

    g.times(6, mirror)
    g.times(3, letters)
    g.facts([("关于x轴对称的两点，横坐标相同，纵坐标互为相反数。", True, "这是坐标规律。")])


@kp("isosceles-triangle")
def isosceles_triangle(g: Gen) -> None:
    def base(r: random.Random) -> None:
        top = r.randrange(20, 160, 2)
        g.numeric(
            f"等腰三角形的顶角是{top}°，它的底角是多少度？",
            (180 - top) // 2,
            why=f"两个底角相等：(180°−{top}°)÷2={(180 - top) // 2}°。",
            d=-0.8,
        )

    def top(r: random.Random) -> None:
        b = r.randint(20, 85)
        g.numeric(
            f"等腰三角形的一个底角是{b}°，它的顶角是多少度？",
            180 - 2 * b,
            why=f"180°−2×{b}°={180 - 2 * b}°。",
            d=-0.8,
        )

    def obtuse(r: random.Random) -> None:
        a = r.randrange(92, 178, 2)
        g.numeric(
            f"等腰三角形的一个角是{a}°，它的底角是多少度？",
            (180 - a) // 2,
            why=f"{a}°是钝角，只能是顶角，底角=(180°−{a}°)÷2={(180 - a) // 2}°。",
            d=-0.2,
        )

    def two_cases(r: random.Random) -> None:
        a = r.randrange(20, 88, 2)
        if a == 60:
            return
        other = 180 - 2 * a
        texts = [f"{other}°或{a}°", f"{a}°或{other}°", f"{other}或{a}", f"{a}或{other}"]
        g.fill(
            f"等腰三角形的一个内角是{a}°，它的顶角是_____。",
            variants(*texts),
            why=f"若{a}°是底角，顶角=180°−2×{a}°={other}°；若{a}°是顶角，顶角就是{a}°。",
            d=0.4,
        )

    def sides(r: random.Random) -> None:
        leg = r.randint(4, 15)
        b = r.randint(2, 2 * leg - 1)
        g.numeric(
            f"等腰三角形的周长是{2 * leg + b}cm，腰长是{leg}cm，底边长是多少cm？",
            b,
            why=f"底边={2 * leg + b}−2×{leg}={b}cm。",
            d=-0.9,
        )

    g.times(3, base)
    g.times(2, top)
    g.times(2, obtuse)
    g.times(2, two_cases)
    g.times(2, sides)
    g.facts([("等腰三角形顶角的平分线、底边上的中线、底边上的高互相重合。", True, "“三线合一”。")])


@kp("equilateral-triangle")
def equilateral_triangle(g: Gen) -> None:
    def side(r: random.Random) -> None:
        a = r.randint(2, 30)
        g.numeric(
            f"等边三角形的周长是{3 * a}cm，它的边长是多少cm？",
            a,
            why=f"三边相等：{3 * a}÷3={a}cm。",
            d=-1.5,
        )

    def half(r: random.Random) -> None:
        a = r.randint(2, 30)
        g.numeric(
            f"等边三角形ABC的边长为{a}，AD是BC边上的高，BD的长是多少？",
            Fraction(a, 2),
            why="等边三角形底边上的高也是中线，BD=BC÷2。",
            d=-0.8,
        )

    g.times(3, side)
    g.times(3, half)
    g.facts(
        [
            ("三个角都相等的三角形是等边三角形。", True, "判定方法。"),
            ("有一个角是60°的等腰三角形是等边三角形。", True, "判定方法。"),
            ("有两个角是60°的三角形是等边三角形。", True, "第三个角也是60°。"),
            ("有一个角是60°的三角形是等边三角形。", False, "必须是等腰三角形。"),
        ]
    )
    g.single(
        "等边三角形ABC中，AD是BC边上的高，∠BAD是多少度？",
        "30°",
        ["60°", "45°", "90°"],
        why="三线合一，AD平分∠BAC=60°。",
        d=-0.6,
    )


@kp("right-triangle-30")
def right_triangle_30(g: Gen) -> None:
    def short(r: random.Random) -> None:
        c = r.randint(2, 30)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，∠A=30°，AB={c}，BC的长是多少？",
            Fraction(c, 2),
            why="30°角所对的直角边等于斜边的一半。",
            d=-0.6,
        )

    def long(r: random.Random) -> None:
        a = r.randint(2, 20)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，∠B=30°，AC={a}，斜边AB的长是多少？",
            2 * a,
            why="∠B=30°，它所对的直角边AC等于斜边的一半，AB=2AC。",
            d=-0.5,
        )

    def sixty(r: random.Random) -> None:
        c = r.randrange(4, 40, 2)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，∠B=60°，AB={c}，BC的长是多少？",
            c // 2,
            why="∠A=30°，它所对的直角边BC等于斜边的一半。",
            d=-0.2,
        )

    g.times(3, short)
    g.times(3, long)
    g.times(2, sixty)
    g.facts(
        [
            ("在直角三角形中，30°角所对的直角边等于斜边的一半。", True, "定理。"),
            ("在直角三角形中，较短的直角边等于斜边的一半。", False, "必须有一个角是30°。"),
        ]
    )


@kp("shortest-path")
def shortest_path(g: Gen) -> None:
    def river(r: random.Random) -> None:
        k = r.randint(1, 4)
        legs, cd = r.choice([(3, 4), (4, 3), (6, 8), (8, 6), (5, 12), (12, 5)])
        s, cd = legs * k, cd * k
        a = r.randint(1, s - 1)
        b = s - a
        g.numeric(
            f"A、B两村在河l的同侧，A到河的距离AC={a}km，B到河的距离BD={b}km，CD={cd}km。"
            "在河边建一个水站P，使PA+PB最小，这个最小值是多少km？",
            math.isqrt(s * s + cd * cd),
            why=f"作A关于l的对称点A′，连接A′B交l于P。PA+PB=A′B=√({s}²+{cd}²)"
            f"={math.isqrt(s * s + cd * cd)}km。",
            d=0.9,
            m=4,
            also=("pythagorean-theorem",),
        )

    def sides(r: random.Random) -> None:
        d = r.randint(3, 20)
        g.numeric(
            f"A、B两点在直线l的两侧，AB={d}，点P在l上移动，PA+PB的最小值是多少？",
            d,
            why="两点之间线段最短：P为AB与l的交点时，PA+PB=AB。",
            d=-0.3,
        )

    g.times(3, river)
    g.times(3, sides)
    g.single(
        "A、B在直线l的同侧，在l上找一点P使PA+PB最小，正确的作法是哪一个？",
        "作A关于l的对称点A′，连接A′B交l于P",
        ["过A作l的垂线，垂足为P", "取AB的中点，过它作l的垂线，垂足为P", "连接AB并延长交l于P"],
        why="把同侧的两点化为异侧，利用“两点之间线段最短”。",
        d=0.0,
    )
    g.facts(
        [
            ("“将军饮马”问题利用了轴对称和“两点之间，线段最短”。", True, "这是解题思路。"),
            ("A、B在直线l两侧时，AB与l的交点就是使PA+PB最小的点P。", True, "两点之间线段最短。"),
        ]
    )
    g.short(
        "A、B两个小区在公路l的同侧，要在l上建一个公交站P，使它到两个小区的距离之和最小。"
        "请写出确定P的方法和理由。",
        "作A关于l的对称点A′，连接A′B交l于点P，点P即为所求。理由：PA=PA′，PA+PB=PA′+PB，"
        "两点之间线段最短，所以此时最小。",
        why="用轴对称把折线转化为线段。",
        d=0.6,
    )


# --- 8A Chapter 14: multiplying integral expressions and factorisation ---------------------


@kp("exponent-rules")
def exponent_rules(g: Gen) -> None:
    def product_rule(r: random.Random) -> None:
        m, n = r.randint(2, 9), r.randint(2, 9)
        base = r.choice(["a", "x", "m", "y"])
        g.fill(
            f"计算：{base}{sup(m)}·{base}{sup(n)}=_____",
            power_forms(base, m + n),
            why=f"同底数幂相乘，底数不变，指数相加：{base}{sup(m + n)}。",
            d=-1.0,
            m=1,
        )

    def power_rule(r: random.Random) -> None:
        m, n = r.randint(2, 6), r.randint(2, 5)
        base = r.choice(["a", "x", "b", "y"])
        g.fill(
            f"计算：({base}{sup(m)}){sup(n)}=_____",
            power_forms(base, m * n),
            why=f"幂的乘方，底数不变，指数相乘：{base}{sup(m * n)}。",
            d=-0.8,
            m=1,
        )

    def product_power(r: random.Random) -> None:
        k, n = nonzero(r, -3, 3), r.randint(2, 3)
        if abs(k) == 1:
            return
        coef = k**n
        c = num(coef)
        g.fill(
            f"计算：({num(k)}a²b){sup(n)}=_____",
            variants(f"{c}a{sup(2 * n)}b{sup(n)}", f"{c}a^{2 * n}b^{n}"),
            why=f"积的乘方等于每个因式分别乘方：{par(k)}{sup(n)}·(a²){sup(n)}·b{sup(n)}"
            f"={c}a{sup(2 * n)}b{sup(n)}。",
            d=0.0,
        )

    def values(r: random.Random) -> None:
        p, q = r.randint(2, 9), r.randint(2, 9)
        g.numeric(
            f"若aᵐ={p}，aⁿ={q}，则aᵐ⁺ⁿ的值是多少？",
            p * q,
            why=f"aᵐ⁺ⁿ=aᵐ·aⁿ={p}×{q}={p * q}。",
            d=0.2,
        )

    g.times(3, product_rule)
    g.times(3, power_rule)
    g.times(2, product_power)
    g.times(3, values)


@kp("polynomial-multiplication")
def polynomial_multiplication(g: Gen) -> None:
    def middle(r: random.Random) -> None:
        a, b, c, d = nonzero(r, -5, 5), nonzero(r, -9, 9), nonzero(r, -5, 5), nonzero(r, -9, 9)
        g.numeric(
            f"计算({lin(a, b)})({lin(c, d)})，结果中x的一次项系数是多少？",
            a * d + b * c,
            why=f"x项来自{num(a)}x·{par(d)}与{par(b)}·{num(c)}x：{num(a * d)}+{par(b * c)}"
            f"={num(a * d + b * c)}。",
            d=0.0,
        )

    def constant(r: random.Random) -> None:
        a, b, c, d = nonzero(r, -5, 5), nonzero(r, -9, 9), nonzero(r, -5, 5), nonzero(r, -9, 9)
        g.numeric(
            f"计算({lin(a, b)})({lin(c, d)})，结果中的常数项是多少？",
            b * d,
            why=f"常数项是两个常数项的积：{par(b)}×{par(d)}={num(b * d)}。",
            d=-0.4,
        )

    def no_linear(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.numeric(
            f"若(x{plus(num(a))})(x+m)的结果中不含x的一次项，则m的值是多少？",
            -a,
            why=f"x的一次项系数是m{plus(num(a))}，令它为0，m={num(-a)}。",
            d=0.4,
        )

    def monomial_times(r: random.Random) -> None:
        k, a, b = nonzero(r, -5, 5), nonzero(r, -6, 6), nonzero(r, -9, 9)
        result = terms((k * a, "x²"), (k * b, "x"))
        g.fill(
            f"计算：{mono_text(k, 'x')}({lin(a, b)})=_____",
            variants(result),
            why=f"用单项式去乘多项式的每一项：{result}。",
            d=-0.4,
        )

    g.times(3, middle)
    g.times(2, constant)
    g.times(3, no_linear)
    g.times(3, monomial_times)


@kp("exponent-division")
def exponent_division(g: Gen) -> None:
    def divide(r: random.Random) -> None:
        m = r.randint(5, 12)
        n = r.randint(2, m - 2)
        base = r.choice(["a", "x", "m", "y"])
        g.fill(
            f"计算：{base}{sup(m)}÷{base}{sup(n)}=_____",
            power_forms(base, m - n),
            why=f"同底数幂相除，底数不变，指数相减：{base}{sup(m - n)}。",
            d=-0.9,
            m=1,
        )

    def numbers(r: random.Random) -> None:
        b = r.choice([2, 3, 5, 10, -2, -3])
        m = r.randint(4, 9)
        n = r.randint(m - 3, m - 1)
        g.numeric(
            f"计算：{par(b)}{sup(m)}÷{par(b)}{sup(n)}",
            Fraction(b) ** (m - n),
            why=(
                f"{par(b)}{sup(m)}÷{par(b)}{sup(n)}={par(b)}{sup(m - n)}="
                f"{num(Fraction(b) ** (m - n))}。"
            ),
            d=-0.4,
        )

    def zero(r: random.Random) -> None:
        v = r.choice(
            [Fraction(nonzero(r, -9, 9)), Fraction(nonzero(r, -9, 9), r.choice([2, 3, 7]))]
        )
        text = f"({frac(v)})⁰" if v.denominator != 1 or v < 0 else f"{frac(v)}⁰"
        g.numeric(f"计算：{text}", 1, why="任何不等于0的数的0次幂都等于1。", d=-0.8, m=1)

    g.times(3, divide)
    g.times(3, numbers)
    g.times(3, zero)
    g.facts(
        [
            ("任何数的0次幂都等于1。", False, "0的0次幂没有意义。"),
            ("a⁰=1（a≠0）。", True, "零指数幂的规定。"),
        ]
    )


@kp("difference-of-squares")
def difference_of_squares(g: Gen) -> None:
    def numbers(r: random.Random) -> None:
        base = r.choice([10, 20, 30, 50, 100, 1000])
        k = r.randint(1, 9)
        g.numeric(
            f"计算：{base + k}×{base - k}",
            (base + k) * (base - k),
            why=f"({base}+{k})({base}−{k})={base}²−{k}²={(base + k) * (base - k)}。",
            d=-0.3,
        )

    def expand(r: random.Random) -> None:
        a = r.randint(1, 12)
        var = r.choice(["x", "a", "m"])
        g.fill(
            f"计算：({var}+{a})({var}{MINUS}{a})=_____",
            variants(f"{var}²{MINUS}{a * a}"),
            why=f"(a+b)(a−b)=a²−b²：{var}²−{a * a}。",
            d=-0.8,
        )

    def sum_diff(r: random.Random) -> None:
        s, d = nonzero(r, -12, 12), nonzero(r, -12, 12)
        g.numeric(
            f"若a+b={num(s)}，a−b={num(d)}，a²−b²的值是多少？",
            s * d,
            why=f"a²−b²=(a+b)(a−b)={num(s)}×{par(d)}={num(s * d)}。",
            d=0.0,
        )

    g.times(4, numbers)
    g.times(3, expand)
    g.times(3, sum_diff)
    g.facts(
        [
            ("(a+b)(−a−b)可以用平方差公式计算。", False, "两个因式完全互为相反数，是完全平方。"),
            ("(−a+b)(−a−b)=a²−b²。", True, "(−a)²−b²=a²−b²。"),
        ]
    )


@kp("perfect-square")
def perfect_square(g: Gen) -> None:
    def expand(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.fill(
            f"计算：(x{plus(num(a))})²=_____",
            variants(terms((1, "x²"), (2 * a, "x"), (a * a, ""))),
            why=f"(a±b)²=a²±2ab+b²：x²{plus(num(2 * a))}x+{a * a}。",
            d=-0.5,
        )

    def numbers(r: random.Random) -> None:
        n = r.choice([99, 101, 199, 201, 999, 1001, 49, 51, 98, 102])
        g.numeric(
            f"利用完全平方公式计算：{n}²",
            n * n,
            why=f"把{n}写成整百（整十）数与一个小数的和或差，再用完全平方公式：{n * n}。",
            d=-0.2,
        )

    def symmetric(r: random.Random) -> None:
        a, b = nonzero(r, -6, 6), nonzero(r, -6, 6)
        s, p = a + b, a * b
        g.numeric(
            f"若a+b={num(s)}，ab={num(p)}，a²+b²的值是多少？",
            s * s - 2 * p,
            why=f"a²+b²=(a+b)²−2ab={s * s}−2×{par(p)}={s * s - 2 * p}。",
            d=0.4,
        )

    def complete(r: random.Random) -> None:
        k = r.randrange(2, 21, 2) * r.choice([1, -1])
        g.numeric(
            f"若x²{plus(num(k))}x+m是一个完全平方式，m的值是多少？",
            (k // 2) ** 2,
            why=f"x²{plus(num(k))}x+m=(x{plus(num(k // 2))})²，m={(k // 2) ** 2}。",
            d=0.3,
        )

    g.times(4, expand)
    g.times(3, numbers)
    g.times(3, symmetric)
    g.times(2, complete)
    g.facts([("(a−b)²=a²−b²。", False, "(a−b)²=a²−2ab+b²。")])


@kp("common-factor")
def common_factor(g: Gen) -> None:
    def gcf(r: random.Random) -> None:
        a, b = r.randint(2, 24), r.randint(2, 24)
        k = math.gcd(a, b)
        text = f"{a}x²y{MINUS}{b}xy²"
        c = "" if k == 1 else str(k)
        g.fill(
            f"多项式{text}的公因式是_____。",
            variants(f"{c}xy"),
            why=f"系数取最大公约数{k}，字母取相同字母的最低次幂：{c}xy。",
            d=-0.4,
        )

    def factor(r: random.Random) -> None:
        gg = r.randint(2, 6)
        p, q = nonzero(r, -5, 5), nonzero(r, -7, 7)
        if math.gcd(p, q) != 1 or p < 0:
            return
        result = f"{gg}x({lin(p, q)})"
        g.fill(
            f"因式分解：{terms((gg * p, 'x²'), (gg * q, 'x'))}=_____",
            variants(result),
            why=f"提出公因式{gg}x：{result}。",
            d=-0.3,
        )

    def value(r: random.Random) -> None:
        a, b = nonzero(r, -6, 6), nonzero(r, -6, 6)
        s, p = a + b, a * b
        if s == 0:
            return
        g.numeric(
            f"已知a+b={num(s)}，ab={num(p)}，a²b+ab²的值是多少？",
            s * p,
            why=f"a²b+ab²=ab(a+b)={num(p)}×{par(s)}={num(s * p)}。",
            d=0.1,
        )

    g.times(3, gcf)
    g.times(4, factor)
    g.times(3, value)
    g.facts([("因式分解与整式乘法是互逆的变形。", True, "方向相反。")])


@kp("factor-by-formula")
def factor_by_formula(g: Gen) -> None:
    def squares(r: random.Random) -> None:
        a = r.randint(1, 12)
        g.fill(
            f"因式分解：x²{MINUS}{a * a}=_____",
            variants(f"(x+{a})(x{MINUS}{a})", f"(x{MINUS}{a})(x+{a})"),
            why=f"a²−b²=(a+b)(a−b)：(x+{a})(x−{a})。",
            d=-0.6,
        )

    def square(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.fill(
            f"因式分解：x²{plus(num(2 * a))}x+{a * a}=_____",
            variants(f"(x{plus(num(a))})²", f"(x{plus(num(a))})^2"),
            why=f"a²±2ab+b²=(a±b)²：(x{plus(num(a))})²。",
            d=-0.3,
        )

    def both(r: random.Random) -> None:
        k, a = r.randint(2, 5), r.randint(1, 6)
        g.fill(
            f"因式分解：{k}x²{MINUS}{k * a * a}=_____",
            variants(f"{k}(x+{a})(x{MINUS}{a})", f"{k}(x{MINUS}{a})(x+{a})"),
            why=f"先提公因式{k}，再用平方差公式：{k}(x+{a})(x−{a})。",
            d=0.2,
            also=("common-factor",),
        )

    def compute(r: random.Random) -> None:
        p = r.randint(20, 120)
        q = p - r.choice([1, 2, 10, 20])
        g.numeric(
            f"利用因式分解计算：{p}²{MINUS}{q}²",
            p * p - q * q,
            why=f"{p}²−{q}²=({p}+{q})({p}−{q})={p + q}×{p - q}={p * p - q * q}。",
            d=-0.2,
        )

    g.times(3, squares)
    g.times(3, square)
    g.times(2, both)
    g.times(3, compute)
    g.facts([("x²+y²能用平方差公式分解因式。", False, "x²+y²是两个平方的和，不能分解。")])


# --- 8A Chapter 15: fractional expressions -------------------------------------------------


@kp("fraction-concept")
def fraction_concept(g: Gen) -> None:
    def zero(r: random.Random) -> None:
        a, b = nonzero(r, -9, 9), nonzero(r, -9, 9)
        if a == -b:
            return
        g.numeric(
            f"当x取何值时，分式({lin(1, -a)})/({lin(1, b)})的值为0？",
            a,
            why=f"分子为0且分母不为0：x{plus(num(-a))}=0，x={num(a)}，此时分母≠0。",
            d=-0.2,
        )

    def undefined(r: random.Random) -> None:
        k, a = nonzero(r, -9, 9), nonzero(r, -9, 9)
        g.numeric(
            f"当x等于多少时，分式{num(k)}/({lin(1, -a)})没有意义？",
            a,
            why=f"分母为0时分式没有意义：x{plus(num(-a))}=0，x={num(a)}。",
            d=-0.5,
        )

    g.times(3, zero)
    g.times(3, undefined)
    g.multiple(
        "在1/x，x/2，(a+b)/(a−b)，x/π，3/(y+1)中，哪些是分式？",
        ["1/x", "(a+b)/(a−b)", "3/(y+1)"],
        ["x/2", "x/π"],
        why="分母中含有字母的式子是分式；π是数，x/π是整式。",
        d=-0.4,
    )
    g.multiple(
        "在2/a，(x+y)/5，m/(m−2)，−3x，b²/(2b)中，哪些是分式？",
        ["2/a", "m/(m−2)", "b²/(2b)"],
        ["(x+y)/5", "−3x"],
        why="判断分式看原式的分母是否含字母，不能先约分。",
        d=-0.2,
    )
    g.facts(
        [
            ("分式的分母中一定含有字母。", True, "这是分式与整式的区别。"),
            ("分式的值为0时，分子为0即可。", False, "还要求分母不为0。"),
        ]
    )


@kp("fraction-basic-property")
def fraction_basic_property(g: Gen) -> None:
    def reduce_(r: random.Random) -> None:
        p, q = r.randint(2, 9), r.randint(2, 9)
        k = math.gcd(p, q)
        if k == 1:
            return
        a, b = p // k, q // k
        top = f"{a}x" if a != 1 else "x"
        bottom = f"{b}y" if b != 1 else "y"
        answers = [f"{top}/({bottom})" if b != 1 else f"{top}/{bottom}", f"({top})/({bottom})"]
        g.fill(
            f"约分：{p}x²y/({q}xy²)=_____",
            variants(*answers),
            why=f"分子分母同除以公因式{k}xy：{answers[0]}。",
            d=-0.2,
        )

    def lcd(r: random.Random) -> None:
        a, b = r.randint(2, 9), r.randint(2, 9)
        m = a * b // math.gcd(a, b)
        g.fill(
            f"分式1/({a}x)与1/({b}x²)的最简公分母是_____。",
            variants(f"{m}x²"),
            why=f"系数取最小公倍数{m}，字母取最高次幂x²：{m}x²。",
            d=-0.4,
        )

    def scale(r: random.Random) -> None:
        k = r.randint(2, 10)
        g.numeric(
            f"把分式xy/(x+y)中的x和y都扩大为原来的{k}倍，分式的值变为原来的几倍？",
            k,
            why=f"分子扩大{k * k}倍，分母扩大{k}倍，分式的值扩大{k}倍。",
            d=0.4,
        )

    g.times(3, reduce_)
    g.times(3, lcd)
    g.times(2, scale)
    g.single(
        "下列各式中，与分式−a/b相等的是哪一个？",
        "a/(−b)",
        ["−a/(−b)", "a/b", "(a−1)/(b−1)"],
        why="分子、分母和分式本身的符号，改变其中任意两个，分式的值不变。",
        d=0.0,
    )
    g.facts(
        [
            (
                "分式的分子与分母同乘（或除以）一个不等于0的整式，分式的值不变。",
                True,
                "分式的基本性质。",
            )
        ]
    )


@kp("fraction-mul-div")
def fraction_mul_div(g: Gen) -> None:
    def evaluate(r: random.Random) -> None:
        a, v = r.randint(1, 6), r.randint(-6, 8)
        if v in (a, -a, 0):
            return
        g.numeric(
            f"先化简，再求值：(x²{MINUS}{a * a})/x·x²/(x+{a})，其中x={num(v)}。",
            v * (v - a),
            why=f"原式=(x+{a})(x−{a})/x·x²/(x+{a})=x(x−{a})，代入得{num(v * (v - a))}。",
            d=0.4,
            m=3,
            also=("factor-by-formula",),
        )

    def monomials(r: random.Random) -> None:
        a, b = r.randint(2, 9), r.randint(2, 9)
        k = math.gcd(a, b)
        top, bottom = a // k, b // k
        answer = (
            f"{'' if top == 1 else top}y/({bottom}x)"
            if bottom != 1
            else f"{'' if top == 1 else top}y/x"
        )
        g.fill(
            f"计算：({a}x/y)·(y²/({b}x²))=_____",
            variants(answer),
            why=f"分子乘分子、分母乘分母，再约分：{answer}。",
            d=-0.1,
        )

    def divide(r: random.Random) -> None:
        a, v = r.randint(1, 5), r.randint(2, 9)
        if v == a:
            return
        g.numeric(
            f"先化简，再求值：(x{MINUS}{a})/x÷(x{MINUS}{a})/x²，其中x={v}。",
            v,
            why=f"除以一个分式等于乘它的倒数：(x−{a})/x·x²/(x−{a})=x，值为{v}。",
            d=0.2,
        )

    g.times(3, evaluate)
    g.times(3, monomials)
    g.times(3, divide)
    g.facts([("分式乘方，要把分子、分母分别乘方。", True, "(a/b)ⁿ=aⁿ/bⁿ。")])


@kp("fraction-add-sub")
def fraction_add_sub(g: Gen) -> None:
    def same(r: random.Random) -> None:
        a, b = r.randint(1, 9), r.randint(1, 9)
        g.fill(
            f"计算：{a}/x+{b}/x=_____",
            variants(f"{a + b}/x"),
            why="同分母分式相加，分母不变，分子相加。",
            d=-0.9,
        )

    def evaluate(r: random.Random) -> None:
        p, q, a = r.randint(1, 9), r.randint(1, 9), r.randint(1, 6)
        v = r.randint(-5, 8)
        if v + a == 0 or (p + q) % (v + a):
            return
        g.numeric(
            f"先化简，再求值：{p}/(x+{a})+{q}/(x+{a})，其中x={num(v)}。",
            Fraction(p + q, v + a),
            why=f"原式={p + q}/(x+{a})，代入得{num(Fraction(p + q, v + a))}。",
            d=-0.2,
        )

    def reciprocal_sum(r: random.Random) -> None:
        a, b = nonzero(r, -6, 6), nonzero(r, -6, 6)
        if a + b == 0:
            return
        s, p = Fraction(a + b, a * b), a * b
        g.numeric(
            f"若1/a+1/b={frac(s)}，ab={num(p)}，a+b的值是多少？",
            a + b,
            why=f"1/a+1/b=(a+b)/(ab)，所以a+b={frac(s)}×{par(p)}={num(a + b)}。",
            d=0.4,
        )

    g.times(2, same)
    g.times(3, evaluate)
    g.times(3, reciprocal_sum)
    g.fill(
        "计算：a/(a−b)−b/(a−b)=_____",
        ["1"],
        why="分子相减得(a−b)，与分母约分得1。",
        d=-0.3,
    )
    g.fill(
        "计算：1/(x−1)−1/(x+1)=_____",
        variants("2/(x²−1)", "2/((x+1)(x−1))", "2/((x−1)(x+1))"),
        why="通分：[(x+1)−(x−1)]/((x−1)(x+1))=2/(x²−1)。",
        d=0.3,
    )
    g.facts([("异分母分式相加减，先通分，变为同分母的分式再加减。", True, "加减法法则。")])


@kp("negative-exponents")
def negative_exponents(g: Gen) -> None:
    def power(r: random.Random) -> None:
        p, q = r.choice([(1, 2), (2, 5), (1, 4), (3, 2), (1, 5), (5, 2), (2, 1), (4, 1), (1, 10)])
        n = r.choice([1, 2])
        base = Fraction(p, q)
        text = f"({frac(base)})⁻{sup(n)}" if base.denominator != 1 else f"{frac(base)}⁻{sup(n)}"
        g.numeric(
            f"计算：{text}",
            base**-n,
            why=f"a⁻ⁿ=1/aⁿ：{text}={num(base**-n)}。",
            d=-0.3 + 0.2 * n,
        )

    def small(r: random.Random) -> None:
        n = r.randint(3, 9)
        mant = Fraction(r.randint(11, 99), 10)
        value = mant / 10**n
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
        m = num(mant)
        g.fill(
            f"用科学记数法表示{text}：_____",
            variants(f"{m}×10⁻{sup(n)}", f"{m}×10^(-{n})", f"{m}*10^-{n}", f"{m}x10^-{n}"),
            why=f"小数点向右移动{n}位得到{m}，所以是{m}×10⁻{sup(n)}。",
            d=-0.3,
            also=("scientific-notation",),
        )

    g.times(4, power)
    g.times(4, small)
    g.facts(
        [
            ("a⁻ⁿ=1/aⁿ（a≠0，n是正整数）。", True, "负整数指数幂的规定。"),
            ("(−2)⁻²=−1/4。", False, "(−2)⁻²=1/(−2)²=1/4。"),
        ]
    )


@kp("fractional-equations")
def fractional_equations(g: Gen) -> None:
    def solve(r: random.Random) -> None:
        a, c, b = r.randint(1, 9), r.randint(1, 9), nonzero(r, -6, 6)
        if a == c:
            return
        x = Fraction(-c * b, a - c)
        if x.denominator != 1 or x in (0, b):
            return
        g.numeric(
            f"解分式方程：{a}/(x{plus(num(-b))})={c}/x，x的值是多少？",
            x,
            why=f"两边同乘x(x{plus(num(-b))})，得{a}x={c}(x{plus(num(-b))})，解得x={num(x)}；"
            "检验：它使分母不为0，是原方程的解。",
            d=0.3,
            m=3,
        )

    def simple(r: random.Random) -> None:
        k, a = nonzero(r, -9, 9), nonzero(r, -6, 6)
        x = k - a
        if x == -a:
            return
        g.numeric(
            f"解分式方程：{num(k)}/(x{plus(num(a))})=1，x的值是多少？",
            x,
            why=f"x{plus(num(a))}={num(k)}，x={num(x)}，检验后是原方程的解。",
            d=-0.2,
        )

    def extraneous(r: random.Random) -> None:
        b = nonzero(r, -6, 6)
        g.fill(
            f"若关于x的分式方程m/(x{plus(num(-b))})+3=x/(x{plus(num(-b))})有增根，"
            "则增根是x=_____。",
            forms(b),
            why=f"增根使最简公分母为0：x{plus(num(-b))}=0，x={num(b)}。",
            d=0.2,
        )

    def work(r: random.Random) -> None:
        x, d = r.randint(4, 30), r.randint(2, 10)
        k = r.randint(2, 6)
        a_count, b_count = (x + d) * k, x * k
        g.numeric(
            f"甲做{a_count}个零件所用的时间与乙做{b_count}个零件所用的时间相同，甲每小时比乙多做"
            f"{d}个。乙每小时做多少个零件？",
            x,
            why=f"设乙每小时做x个，{a_count}/(x+{d})={b_count}/x，解得x={x}，检验合格。",
            d=0.5,
            m=3,
        )

    g.times(4, solve)
    g.times(2, simple)
    g.times(2, extraneous)
    g.times(3, work)
    g.single(
        "解分式方程时必须检验，原因是什么？",
        "去分母时可能产生增根",
        ["计算容易出错", "分式方程一定无解", "分母可能是负数"],
        why="去分母时两边乘了可能为0的整式，可能产生使分母为0的增根。",
        d=-0.4,
    )


# --- 8B Chapter 16: quadratic radicals ----------------------------------------------------


@kp("quadratic-radicals")
def quadratic_radicals(g: Gen) -> None:
    def least(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.numeric(
            f"若二次根式√(x{plus(num(-a))})有意义，x的最小值是多少？",
            a,
            why=f"被开方数非负：x{plus(num(-a))}≥0，x≥{num(a)}。",
            d=-0.3,
            also=("linear-inequality",),
        )

    def largest(r: random.Random) -> None:
        b, x = r.randint(2, 5), nonzero(r, -6, 6)
        a = b * x
        g.numeric(
            f"若二次根式√({num(a)}{MINUS}{b}x)有意义，x的最大值是多少？",
            x,
            why=f"{num(a)}−{b}x≥0，x≤{num(x)}。",
            d=0.0,
        )

    def square(r: random.Random) -> None:
        a = r.randint(2, 30)
        if r.random() < 0.5:
            g.numeric(f"计算：(√{a})²", a, why="(√a)²=a（a≥0）。", d=-1.0, m=1)
        else:
            g.numeric(
                f"计算：√(({MINUS}{a})²)",
                a,
                why=f"√(a²)=|a|，|{MINUS}{a}|={a}。",
                d=-0.3,
                m=1,
            )

    g.times(3, least)
    g.times(2, largest)
    g.times(4, square)
    g.facts(
        [
            ("√(a²)=a对任何实数a都成立。", False, "√(a²)=|a|。"),
            ("(√a)²=a（a≥0）。", True, "二次根式的性质。"),
        ]
    )


@kp("radical-mul-div")
def radical_mul_div(g: Gen) -> None:
    def product(r: random.Random) -> None:
        m = r.choice(SQUARE_FREE)
        a, b = m * r.choice([1, 4]), m * r.choice([1, 9])
        value = math.isqrt(a * b)
        g.numeric(
            f"计算：√{a}×√{b}",
            value,
            why=f"√a·√b=√(ab)：√{a * b}={value}。",
            d=-0.4,
        )

    def quotient(r: random.Random) -> None:
        k, b = r.randint(2, 9), r.choice(SQUARE_FREE)
        g.numeric(
            f"计算：√{k * k * b}÷√{b}",
            k,
            why=f"√a÷√b=√(a/b)：√{k * k}={k}。",
            d=-0.5,
        )

    def mixed(r: random.Random) -> None:
        m = r.choice([2, 3, 5])
        a, b = r.randint(2, 6), r.randint(2, 6)
        g.numeric(
            f"计算：{a}√{m}×{b}√{m}",
            a * b * m,
            why=f"系数相乘、被开方数相乘：{a * b}×√{m * m}={a * b * m}。",
            d=-0.2,
        )

    g.times(4, product)
    g.times(3, quotient)
    g.times(2, mixed)
    g.facts(
        [
            ("√a·√b=√(ab)（a≥0，b≥0）。", True, "二次根式的乘法法则。"),
            ("√(−4)×√(−9)=√36。", False, "√(−4)、√(−9)没有意义。"),
        ]
    )


@kp("simplest-radicals")
def simplest_radicals(g: Gen) -> None:
    def simplify(r: random.Random) -> None:
        k, m = r.randint(2, 7), r.choice(SQUARE_FREE)
        g.fill(
            f"化简：√{k * k * m}=_____",
            radical_forms(k, m),
            why=f"√{k * k * m}=√({k * k}×{m})={radical(k, m)}。",
            d=-0.3,
        )

    def fraction(r: random.Random) -> None:
        m = r.choice([2, 3, 5, 6, 7])
        texts = [f"√{m}/{m}", f"(√{m})/{m}", f"1/√{m}"]
        g.fill(
            f"化简：√(1/{m})=_____（化为最简二次根式）",
            variants(*texts[:2]),
            why=f"分子分母同乘√{m}：√(1/{m})=√{m}/{m}。",
            d=0.2,
        )

    g.times(5, simplify)
    g.times(3, fraction)
    g.multiple(
        "在√12，√15，√(1/2)，√7，√0.5中，哪些是最简二次根式？",
        ["√15", "√7"],
        ["√12", "√(1/2)", "√0.5"],
        why="被开方数不含分母（小数），也不含能开得尽方的因数。",
        d=-0.2,
    )
    g.facts(
        [
            ("√12是最简二次根式。", False, "√12=2√3。"),
            ("√(1/3)不是最简二次根式。", True, "被开方数含分母。"),
        ]
    )


@kp("radical-add-sub")
def radical_add_sub(g: Gen) -> None:
    def like(r: random.Random) -> None:
        a, b, m = nonzero(r, -6, 9), nonzero(r, -6, 9), r.choice(SQUARE_FREE)
        if a + b <= 0:
            return
        g.fill(
            f"计算：{radical(a, m) if a > 0 else MINUS + radical(-a, m)}"
            f"{plus(radical(b, m) if b > 0 else MINUS + radical(-b, m))}=_____",
            radical_forms(a + b, m),
            why=(
                f"被开方数相同的二次根式可以合并：({num(a)}{plus(num(b))})√{m}="
                f"{radical(a + b, m)}。"
            ),
            d=-0.4,
        )

    def simplify_first(r: random.Random) -> None:
        k1, k2, m = r.randint(1, 5), r.randint(2, 5), r.choice([2, 3, 5])
        if k1 == k2:
            return
        g.fill(
            f"计算：√{k1 * k1 * m}+√{k2 * k2 * m}=_____",
            radical_forms(k1 + k2, m),
            why=f"先化简：{radical(k1, m)}+{radical(k2, m)}={radical(k1 + k2, m)}。",
            d=0.0,
            also=("simplest-radicals",),
        )

    def conjugate(r: random.Random) -> None:
        a, b = r.choice(SQUARE_FREE), r.randint(1, 5)
        g.numeric(
            f"计算：(√{a}+{b})(√{a}{MINUS}{b})",
            a - b * b,
            why=f"平方差公式：(√{a})²−{b}²={a}−{b * b}={a - b * b}。",
            d=0.0,
            also=("difference-of-squares",),
        )

    g.times(3, like)
    g.times(3, simplify_first)
    g.times(3, conjugate)
    g.facts(
        [
            ("√2+√3=√5。", False, "被开方数不同的二次根式不能合并。"),
            ("3√2−√2=2√2。", True, "合并同类二次根式。"),
        ]
    )


# --- 8B Chapter 17: the Pythagorean theorem ------------------------------------------------


@kp("pythagorean-theorem")
def pythagorean_theorem(g: Gen) -> None:
    def hypotenuse(r: random.Random) -> None:
        a, b, c = triple(r)
        g.numeric(
            f"在Rt△ABC中，∠C=90°，a={a}，b={b}，斜边c的长是多少？",
            c,
            why=f"c=√(a²+b²)=√({a * a}+{b * b})={c}。",
            d=-0.6,
        )

    def leg(r: random.Random) -> None:
        a, b, c = triple(r)
        g.numeric(
            f"直角三角形的斜边长为{c}，一条直角边长为{a}，另一条直角边长是多少？",
            b,
            why=f"√({c}²−{a}²)=√{c * c - a * a}={b}。",
            d=-0.4,
        )

    def altitude(r: random.Random) -> None:
        k = r.randint(1, 6)
        a, b, c = 3 * k, 4 * k, 5 * k
        g.numeric(
            f"直角三角形的两条直角边长分别为{a}和{b}，斜边上的高是多少？",
            Fraction(a * b, c),
            why=f"斜边为{c}，由面积相等：高={a}×{b}÷{c}={num(Fraction(a * b, c))}。",
            d=0.3,
        )

    def ambiguous(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        small, big = sorted((a, b))
        other = big * big - small * small
        k, m = sqrt_parts(other)
        rest = str(k) if m == 1 else radical(k, m)
        texts = [f"{c}或{rest}", f"{rest}或{c}", f"{c}或√{other}", f"√{other}或{c}"]
        g.fill(
            f"一个直角三角形的两边长分别为{small}和{big}，第三边的长是_____。",
            variants(*texts),
            why=f"{big}可能是直角边（第三边为斜边{c}），也可能是斜边（第三边为{rest}）。",
            d=0.6,
        )

    g.times(4, hypotenuse)
    g.times(3, leg)
    g.times(2, altitude)
    g.times(2, ambiguous)
    g.facts([("在△ABC中，一定有a²+b²=c²。", False, "只有∠C=90°时才成立。")])


@kp("pythagorean-applications")
def pythagorean_applications(g: Gen) -> None:
    def ladder(r: random.Random) -> None:
        a, b, c = triple(r, 1)
        if c > 30:
            return
        g.numeric(
            f"一架长{c}m的梯子斜靠在竖直的墙上，梯子底端离墙{a}m，梯子顶端离地面多少米？",
            b,
            why=f"√({c}²−{a}²)={b}（m）。",
            d=-0.3,
        )

    def diagonal(r: random.Random) -> None:
        a, b, c = triple(r)
        g.numeric(
            f"一个长方形的长为{max(a, b)}cm，宽为{min(a, b)}cm，它的对角线长是多少cm？",
            c,
            why=f"√({a}²+{b}²)={c}（cm）。",
            d=-0.5,
        )

    def tree(r: random.Random) -> None:
        h, d, top = triple(r, 1)
        if top > 30:
            return
        g.numeric(
            f"一棵大树在离地面{h}m处折断，树的顶端落在离树根{d}m处。大树折断前高多少米？",
            h + top,
            why=f"折断部分长√({h}²+{d}²)={top}m，树高{h}+{top}={h + top}m。",
            d=0.3,
            m=3,
        )

    def plane(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        x1, y1 = nonzero(r, -5, 5), nonzero(r, -5, 5)
        x2, y2 = x1 + a * r.choice([1, -1]), y1 + b * r.choice([1, -1])
        g.numeric(
            f"在平面直角坐标系中，点A{point(x1, y1)}与点B{point(x2, y2)}之间的距离是多少？",
            c,
            why=f"横坐标相差{a}，纵坐标相差{b}，AB=√({a}²+{b}²)={c}。",
            d=0.2,
            also=("coordinate-plane",),
        )

    g.times(3, ladder)
    g.times(2, diagonal)
    g.times(3, tree)
    g.times(3, plane)


@kp("pythagorean-converse")
def pythagorean_converse(g: Gen) -> None:
    def right(r: random.Random) -> None:
        a, b, c = triple(r)
        if r.random() < 0.5:
            c += r.choice([-1, 1])
        ok = a * a + b * b == c * c
        g.tf(
            f"判断：以{a}、{b}、{c}为边长的三角形是直角三角形。",
            ok,
            why=f"{a}²+{b}²={a * a + b * b}，{c}²={c * c}，"
            + ("相等，是直角三角形。" if ok else "不相等，不是直角三角形。"),
            d=-0.5,
        )

    def area(r: random.Random) -> None:
        a, b, c = triple(r)
        g.numeric(
            f"△ABC的三边长分别为a={a}，b={b}，c={c}，△ABC的面积是多少？",
            Fraction(a * b, 2),
            why=f"{a}²+{b}²={c}²，所以∠C=90°，面积=½×{a}×{b}={num(Fraction(a * b, 2))}。",
            d=0.1,
        )

    g.times(5, right)
    g.times(3, area)
    g.multiple(
        "在(3,4,5)，(6,8,10)，(1,2,3)，(5,12,13)，(0.3,0.4,0.5)中，哪些是勾股数？",
        ["(3,4,5)", "(6,8,10)", "(5,12,13)"],
        ["(1,2,3)", "(0.3,0.4,0.5)"],
        why="勾股数是满足a²+b²=c²的三个正整数。",
        d=-0.2,
    )
    g.facts(
        [
            (
                "如果三角形的三边长a、b、c满足a²+b²=c²，那么它是直角三角形。",
                True,
                "勾股定理的逆定理。",
            )
        ]
    )


# --- 8B Chapter 18: parallelograms ---------------------------------------------------------


@kp("parallelogram-properties")
def parallelogram_properties(g: Gen) -> None:
    def angles(r: random.Random) -> None:
        a = r.randint(30, 150)
        if a == 90:
            return
        which = r.choice(["∠B", "∠C", "∠D"])
        value = a if which == "∠C" else 180 - a
        g.numeric(
            f"在▱ABCD中，∠A={a}°，{which}是多少度？",
            value,
            why="平行四边形的对角相等，邻角互补。",
            d=-0.8,
        )

    def side(r: random.Random) -> None:
        a, b = r.randint(3, 20), r.randint(3, 20)
        g.numeric(
            f"▱ABCD的周长为{2 * (a + b)}cm，AB={a}cm，BC的长是多少cm？",
            b,
            why=f"对边相等：AB+BC=周长的一半={a + b}cm，BC={b}cm。",
            d=-0.8,
        )

    def diagonals(r: random.Random) -> None:
        x, y, z = r.randrange(4, 30, 2), r.randrange(4, 30, 2), r.randint(3, 20)
        if z >= x // 2 + y // 2 or z <= abs(x // 2 - y // 2):
            return
        g.numeric(
            f"▱ABCD的对角线AC、BD相交于点O，AC={x}，BD={y}，AB={z}，△AOB的周长是多少？",
            x // 2 + y // 2 + z,
            why=f"对角线互相平分：OA={x // 2}，OB={y // 2}，周长={x // 2 + y // 2 + z}。",
            d=-0.2,
        )

    g.times(4, angles)
    g.times(2, side)
    g.times(3, diagonals)
    g.facts(
        [
            ("平行四边形的对角线相等。", False, "平行四边形的对角线互相平分，不一定相等。"),
            ("平行四边形的对角线互相平分。", True, "平行四边形的性质。"),
        ]
    )


@kp("parallelogram-tests")
def parallelogram_tests(g: Gen) -> None:
    g.facts(
        [
            ("一组对边平行，另一组对边相等的四边形是平行四边形。", False, "等腰梯形就是反例。"),
            ("两组对边分别相等的四边形是平行四边形。", True, "判定定理。"),
            ("对角线互相平分的四边形是平行四边形。", True, "判定定理。"),
            ("一组对边平行且相等的四边形是平行四边形。", True, "判定定理。"),
            ("两组对角分别相等的四边形是平行四边形。", True, "判定定理。"),
        ]
    )
    g.multiple(
        "在四边形ABCD中，下列条件中能判定它是平行四边形的有哪些？",
        ["AB∥CD，AB=CD", "AB=CD，AD=BC", "∠A=∠C，∠B=∠D"],
        ["AB∥CD，AD=BC", "AB=AD，CB=CD"],
        why="“一组对边平行、另一组对边相等”和“两组邻边分别相等”都不能判定。",
        d=0.0,
    )
    g.multiple(
        "四边形ABCD的对角线AC、BD交于点O，下列条件中能判定它是平行四边形的有哪些？",
        ["OA=OC，OB=OD", "AB∥CD，OA=OC"],
        ["AC=BD", "AC⊥BD"],
        why="对角线互相平分可判定；AB∥CD且OA=OC可证△AOB≌△COD，得到OB=OD。",
        d=0.3,
    )

    def missing(r: random.Random) -> None:
        a = r.randint(3, 15)
        g.numeric(
            f"四边形ABCD中，AB∥CD，AB={a}。当CD等于多少时，四边形ABCD是平行四边形？",
            a,
            why="一组对边平行且相等的四边形是平行四边形。",
            d=-0.6,
        )

    g.times(2, missing)
    g.short(
        "已知：在▱ABCD中，点E、F分别在AB、CD上，且AE=CF。求证：四边形DEBF是平行四边形。",
        "因为四边形ABCD是平行四边形，所以AB∥CD，AB=CD。又AE=CF，所以BE=DF，且BE∥DF，"
        "所以四边形DEBF是平行四边形（一组对边平行且相等）。",
        why="用“一组对边平行且相等”判定。",
        d=0.5,
    )


@kp("triangle-midline")
def triangle_midline(g: Gen) -> None:
    def half(r: random.Random) -> None:
        a = r.randint(3, 30)
        g.numeric(
            f"D、E分别是△ABC的边AB、AC的中点，BC={a}cm，DE的长是多少cm？",
            Fraction(a, 2),
            why="三角形的中位线等于第三边的一半。",
            d=-1.0,
        )

    def double(r: random.Random) -> None:
        d = r.randint(2, 20)
        g.numeric(
            f"D、E分别是△ABC的边AB、AC的中点，DE={d}cm，BC的长是多少cm？",
            2 * d,
            why="BC=2DE。",
            d=-1.0,
        )

    def perimeter(r: random.Random) -> None:
        p = r.randint(10, 60)
        g.numeric(
            f"△ABC的周长为{p}cm，D、E、F分别是三边的中点，△DEF的周长是多少cm？",
            Fraction(p, 2),
            why="△DEF的三边都是△ABC的中位线，周长是原来的一半。",
            d=-0.3,
        )

    g.times(3, half)
    g.times(2, double)
    g.times(3, perimeter)
    g.facts(
        [
            ("三角形的中位线平行于第三边，并且等于第三边的一半。", True, "中位线定理。"),
            (
                "三角形的中位线与中线是同一条线段。",
                False,
                "中位线连接两边中点，中线连接顶点与对边中点。",
            ),
        ]
    )


@kp("rectangle")
def rectangle(g: Gen) -> None:
    def equal(r: random.Random) -> None:
        d = r.randint(4, 30)
        g.numeric(
            f"矩形ABCD的对角线AC={d}cm，BD的长是多少cm？", d, why="矩形的对角线相等。", d=-1.2
        )

    def sixty(r: random.Random) -> None:
        a = r.randint(2, 15)
        g.numeric(
            f"矩形ABCD的对角线AC、BD相交于O，∠AOB=60°，AB={a}，对角线AC的长是多少？",
            2 * a,
            why="OA=OB，∠AOB=60°，△AOB是等边三角形，OA=AB，AC=2AB。",
            d=0.3,
            also=("equilateral-triangle",),
        )

    def median(r: random.Random) -> None:
        c = r.randint(3, 30)
        g.numeric(
            f"直角三角形斜边的长为{c}，斜边上的中线长是多少？",
            Fraction(c, 2),
            why="直角三角形斜边上的中线等于斜边的一半（矩形的对角线互相平分且相等）。",
            d=-0.5,
        )

    def diagonal(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        g.numeric(
            f"矩形的两边长分别为{a}和{b}，它的对角线长是多少？",
            c,
            why=f"矩形的每个角都是直角，对角线=√({a}²+{b}²)={c}。",
            d=-0.4,
            also=("pythagorean-theorem",),
        )

    g.times(2, equal)
    g.times(3, sixty)
    g.times(3, median)
    g.times(2, diagonal)
    g.facts(
        [
            ("对角线相等的四边形是矩形。", False, "必须是对角线相等的平行四边形。"),
            ("有三个角是直角的四边形是矩形。", True, "判定定理。"),
            ("对角线相等的平行四边形是矩形。", True, "判定定理。"),
        ]
    )


@kp("rhombus")
def rhombus(g: Gen) -> None:
    def area(r: random.Random) -> None:
        p, q = r.randint(2, 20), r.randint(2, 20)
        g.numeric(
            f"菱形的两条对角线长分别为{p}cm和{q}cm，它的面积是多少cm²？",
            Fraction(p * q, 2),
            why="菱形的面积等于两条对角线长的积的一半。",
            d=-0.4,
        )

    def side(r: random.Random) -> None:
        a, b, c = triple(r, 2)
        g.numeric(
            f"菱形的两条对角线长分别为{2 * a}和{2 * b}，它的边长是多少？",
            c,
            why=f"对角线互相垂直平分，边长=√({a}²+{b}²)={c}。",
            d=0.2,
            also=("pythagorean-theorem",),
        )

    def perimeter(r: random.Random) -> None:
        a = r.randint(2, 25)
        g.numeric(f"菱形的周长为{4 * a}cm，它的边长是多少cm？", a, why="菱形的四条边相等。", d=-1.2)

    g.times(3, area)
    g.times(3, side)
    g.times(2, perimeter)
    g.facts(
        [
            ("对角线互相垂直的四边形是菱形。", False, "必须是对角线互相垂直的平行四边形。"),
            ("四条边都相等的四边形是菱形。", True, "判定定理。"),
            ("对角线互相垂直的平行四边形是菱形。", True, "判定定理。"),
        ]
    )


@kp("square")
def square(g: Gen) -> None:
    def area(r: random.Random) -> None:
        d = r.randint(2, 20)
        g.numeric(
            f"正方形的对角线长为{d}，它的面积是多少？",
            Fraction(d * d, 2),
            why="正方形也是菱形，面积=对角线的平方÷2。",
            d=0.0,
        )

    def perimeter(r: random.Random) -> None:
        a = r.randint(2, 20)
        g.numeric(
            f"正方形的面积为{a * a}，它的周长是多少？",
            4 * a,
            why=f"边长为{a}，周长为{4 * a}。",
            d=-1.0,
        )

    g.times(3, area)
    g.times(3, perimeter)
    g.facts(
        [
            ("正方形既是矩形，又是菱形。", True, "正方形具有两者的所有性质。"),
            ("对角线相等且互相垂直的四边形是正方形。", False, "还要求对角线互相平分。"),
            ("有一个角是直角的菱形是正方形。", True, "判定方法。"),
            ("对角线相等的菱形是正方形。", True, "判定方法。"),
        ]
    )
    g.match(
        "把四边形与它的对角线的性质对应起来。",
        [
            ("平行四边形", "互相平分"),
            ("矩形", "互相平分且相等"),
            ("菱形", "互相垂直平分"),
            ("正方形", "互相垂直平分且相等"),
        ],
        why="特殊平行四边形的对角线在互相平分的基础上各有特点。",
        d=0.0,
        also=("rhombus",),
        extra=["相等但不一定互相平分"],
    )


# --- 8B Chapter 19: linear functions -------------------------------------------------------


@kp("variables-functions")
def variables_functions(g: Gen) -> None:
    def value(r: random.Random) -> None:
        a, v = r.randint(1, 9), nonzero(r, -5, 5)
        g.numeric(
            f"函数y=x²{MINUS}{a}中，当x={num(v)}时，函数值y是多少？",
            v * v - a,
            why=f"{par(v)}²−{a}={v * v - a}。",
            d=-0.8,
        )

    def domain_fraction(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.fill(
            f"函数y=1/(x{plus(num(-a))})中，自变量x的取值范围是_____。",
            variants(f"x≠{num(a)}", f"x!={num(a)}"),
            why=f"分母不为0：x≠{num(a)}。",
            d=-0.4,
        )

    def domain_root(r: random.Random) -> None:
        a = nonzero(r, -9, 9)
        g.fill(
            f"函数y=√(x{plus(num(-a))})中，自变量x的取值范围是_____。",
            ineq_forms("x", "≥", a),
            why=f"被开方数非负：x≥{num(a)}。",
            d=-0.3,
        )

    g.times(3, value)
    g.times(2, domain_fraction)
    g.times(2, domain_root)
    g.facts(
        [
            ("在y²=x中，y是x的函数。", False, "一个x（x>0）对应两个y。"),
            ("在圆的面积公式S=πr²中，π是常量。", True, "π是固定的数。"),
        ]
    )
    g.single(
        "在匀速运动的路程公式s=vt中（v是定值），变量是哪些？",
        "s和t",
        ["v和t", "s和v", "s、v和t"],
        why="v是定值（常量），s和t是变量。",
        d=-0.8,
    )


@kp("function-representations")
def function_representations(g: Gen) -> None:
    def tank(r: random.Random) -> None:
        v, rate = r.randint(50, 200), r.randint(2, 10)
        t = r.randint(1, v // rate)
        g.numeric(
            f"一个水池有水{v}m³，每小时放水{rate}m³，剩余水量Q（m³）与放水时间t（h）"
            "之间的函数关系式"
            f"是Q={v}−{rate}t。放水{t}h后，剩余水量是多少m³？",
            v - rate * t,
            why=f"Q={v}−{rate}×{t}={v - rate * t}。",
            d=-0.8,
        )

    def spring(r: random.Random) -> None:
        length, d, m = r.randint(10, 20), Fraction(r.randint(1, 5), 2), r.randint(1, 8)
        g.numeric(
            f"一根弹簧原长{length}cm，每挂1kg物体伸长{num(d)}cm。挂{m}kg物体后（在弹性限度内），"
            "弹簧长多少cm？",
            length + d * m,
            why=f"y={length}+{num(d)}x，x={m}时y={num(length + d * m)}。",
            d=-0.6,
        )

    def on_graph(r: random.Random) -> None:
        k, b, x = nonzero(r, -4, 4), nonzero(r, -6, 6), nonzero(r, -4, 4)
        y = k * x + b + r.choice([0, 0, 1, -1])
        g.tf(
            f"判断：点{point(x, y)}在函数y={lin(k, b)}的图象上。",
            y == k * x + b,
            why=f"把x={num(x)}代入，得y={num(k * x + b)}。",
            d=-0.6,
        )

    g.times(3, tank)
    g.times(2, spring)
    g.times(3, on_graph)
    g.single(
        "表示函数的三种方法是什么？",
        "解析式法、列表法、图象法",
        ["描点法、连线法、列表法", "代入法、消元法、图象法", "列表法、计算法、作图法"],
        why="函数可以用解析式、表格或图象表示。",
        d=-1.0,
    )
    g.facts([("函数图象上的点的坐标都满足函数解析式。", True, "图象是满足解析式的点的集合。")])


@kp("direct-proportion")
def direct_proportion(g: Gen) -> None:
    def k_value(r: random.Random) -> None:
        k, x = nonzero(r, -6, 6), nonzero(r, -5, 5)
        g.numeric(
            f"正比例函数y=kx的图象经过点{point(x, k * x)}，k的值是多少？",
            k,
            why=f"代入得{num(k * x)}={num(x)}k，k={num(k)}。",
            d=-0.6,
        )

    def quadrants(r: random.Random) -> None:
        k = r.choice([Fraction(nonzero(r, -9, 9)), Fraction(nonzero(r, -5, 5), r.choice([2, 3]))])
        if k == 1:
            return
        right = "第一、三象限" if k > 0 else "第二、四象限"
        g.single(
            f"正比例函数y={mono_text(k, 'x') if k.denominator == 1 else f'({frac(k)})x'}"
            "的图象经过哪些象限？",
            right,
            ["第一、三象限", "第二、四象限", "第一、二象限", "第三、四象限"],
            why="k>0时经过第一、三象限，k<0时经过第二、四象限。",
            d=-0.8,
            shuffle=False,
        )

    g.times(4, k_value)
    g.times(4, quadrants)
    g.facts(
        [
            ("正比例函数的图象是一条经过原点的直线。", True, "y=kx过(0,0)。"),
            ("y=2x+1是正比例函数。", False, "它是一次函数，b≠0。"),
        ]
    )


@kp("linear-function-concept")
def linear_function_concept(g: Gen) -> None:
    def value(r: random.Random) -> None:
        k, b, v = nonzero(r, -6, 6), nonzero(r, -9, 9), nonzero(r, -6, 6)
        g.numeric(
            f"一次函数y={lin(k, b)}，当x={num(v)}时，y的值是多少？",
            k * v + b,
            why=f"{num(k)}×{par(v)}{plus(num(b))}={num(k * v + b)}。",
            d=-0.8,
        )

    def coefficient(r: random.Random) -> None:
        a, b = nonzero(r, -9, 9), nonzero(r, -9, 9)
        g.numeric(
            f"若y=(m{plus(num(-a))})x{plus(num(b))}是y关于x的一次函数，m不能等于多少？",
            a,
            why=f"一次函数要求k≠0：m{plus(num(-a))}≠0，m≠{num(a)}。",
            d=-0.2,
        )

    g.times(4, value)
    g.times(3, coefficient)
    g.multiple(
        "在y=2x，y=−3x+1，y=x²+1，y=1/x，y=(x−1)/2中，哪些是一次函数？",
        ["y=2x", "y=−3x+1", "y=(x−1)/2"],
        ["y=x²+1", "y=1/x"],
        why="形如y=kx+b（k≠0）的函数是一次函数。",
        d=-0.5,
    )
    g.facts(
        [
            ("正比例函数是特殊的一次函数。", True, "b=0时的一次函数。"),
            ("一次函数都是正比例函数。", False, "b≠0时不是。"),
        ]
    )


@kp("linear-function-graph")
def linear_function_graph(g: Gen) -> None:
    def y_intercept(r: random.Random) -> None:
        k, b = nonzero(r, -6, 6), nonzero(r, -12, 12)
        g.numeric(
            f"一次函数y={lin(k, b)}的图象与y轴交点的纵坐标是多少？",
            b,
            why=f"令x=0，得y={num(b)}。",
            d=-0.9,
        )

    def x_intercept(r: random.Random) -> None:
        k, x = nonzero(r, -6, 6), nonzero(r, -6, 6)
        b = -k * x
        g.numeric(
            f"一次函数y={lin(k, b)}的图象与x轴交点的横坐标是多少？",
            x,
            why=f"令y=0，{lin(k, b)}=0，x={num(x)}。",
            d=-0.5,
        )

    def quadrants(r: random.Random) -> None:
        k, b = nonzero(r, -6, 6), nonzero(r, -9, 9)
        right = line_quadrants(k, b)
        g.single(
            f"一次函数y={lin(k, b)}的图象经过哪几个象限？",
            right,
            ["第一、二、三象限", "第一、三、四象限", "第一、二、四象限", "第二、三、四象限"],
            why="k>0时直线从左到右上升，k<0时下降；b>0时与y轴交于正半轴，b<0时交于负半轴。",
            d=-0.2,
            shuffle=False,
        )

    def monotone(r: random.Random) -> None:
        k, b = nonzero(r, -6, 6), nonzero(r, -9, 9)
        g.single(
            f"一次函数y={lin(k, b)}中，y随x的增大怎样变化？",
            "增大" if k > 0 else "减小",
            ["增大", "减小", "不变"],
            why="k>0时y随x的增大而增大，k<0时y随x的增大而减小。",
            d=-0.7,
            shuffle=False,
        )

    def area(r: random.Random) -> None:
        k, x = nonzero(r, -4, 4), nonzero(r, -6, 6)
        b = -k * x
        g.numeric(
            f"一次函数y={lin(k, b)}的图象与两条坐标轴围成的三角形的面积是多少？",
            Fraction(abs(x * b), 2),
            why=f"与x轴交于({num(x)},0)，与y轴交于(0,{num(b)})，面积=½×{abs(x)}×{abs(b)}"
            f"={num(Fraction(abs(x * b), 2))}。",
            d=0.4,
        )

    g.times(2, y_intercept)
    g.times(3, x_intercept)
    g.times(4, quadrants)
    g.times(2, monotone)
    g.times(2, area)


@kp("linear-function-expression")
def linear_function_expression(g: Gen) -> None:
    def two_points(r: random.Random) -> None:
        k, b = nonzero(r, -5, 5), nonzero(r, -9, 9)
        x1, x2 = r.sample(range(-5, 6), 2)
        y1, y2 = k * x1 + b, k * x2 + b
        g.fill(
            f"一次函数的图象经过点{point(x1, y1)}和{point(x2, y2)}，它的解析式是_____。",
            variants(f"y={lin(k, b)}", f"y={terms((b, ''), (k, 'x'))}"),
            why=f"设y=kx+b，代入两点得方程组，解得k={num(k)}，b={num(b)}。",
            d=0.3,
            m=3,
            also=("substitution",),
        )

    def one_point(r: random.Random) -> None:
        k, b, x = nonzero(r, -6, 6), nonzero(r, -9, 9), nonzero(r, -5, 5)
        g.numeric(
            f"一次函数y=kx{plus(num(b))}的图象经过点{point(x, k * x + b)}，k的值是多少？",
            k,
            why=f"代入得{num(k * x + b)}={num(x)}k{plus(num(b))}，k={num(k)}。",
            d=-0.2,
        )

    def parallel(r: random.Random) -> None:
        k, b, v = nonzero(r, -5, 5), nonzero(r, -9, 9), nonzero(r, -5, 5)
        g.numeric(
            f"直线y=kx+b与直线y={mono_text(k, 'x')}平行，且经过点(0,{num(b)})。当x={num(v)}时，"
            "y的值是多少？",
            k * v + b,
            why=f"平行则k相同：y={lin(k, b)}，x={num(v)}时y={num(k * v + b)}。",
            d=0.2,
        )

    g.times(4, two_points)
    g.times(3, one_point)
    g.times(2, parallel)
    g.facts([("求一次函数的解析式，一般需要两个条件。", True, "要确定k、b两个待定系数。")])


@kp("linear-function-equations")
def linear_function_equations(g: Gen) -> None:
    def root(r: random.Random) -> None:
        k, x = nonzero(r, -6, 6), nonzero(r, -6, 6)
        b = -k * x
        g.numeric(
            f"直线y={lin(k, b)}与x轴交点的横坐标，就是方程{lin(k, b)}=0的解。这个解是多少？",
            x,
            why=f"解方程{lin(k, b)}=0得x={num(x)}。",
            d=-0.5,
        )

    def crossing(r: random.Random) -> None:
        k1, k2 = r.sample([v for v in range(-4, 5) if v], 2)
        x = nonzero(r, -5, 5)
        y = nonzero(r, -9, 9)
        b1, b2 = y - k1 * x, y - k2 * x
        g.fill(
            f"直线y={lin(k1, b1)}与直线y={lin(k2, b2)}的交点坐标是_____。",
            point_forms(x, y),
            why=f"交点坐标是两个解析式组成的方程组的解：x={num(x)}，y={num(y)}。",
            d=0.3,
            also=("elimination",),
        )

    def positive(r: random.Random) -> None:
        k, x = nonzero(r, -5, 5), nonzero(r, -6, 6)
        b = -k * x
        sign = ">" if k > 0 else "<"
        g.fill(
            f"一次函数y={lin(k, b)}，当y>0时，x的取值范围是_____。",
            ineq_forms("x", sign, x),
            why=f"解不等式{lin(k, b)}>0，得x{sign}{num(x)}。",
            d=0.2,
            also=("linear-inequality",),
        )

    g.times(3, root)
    g.times(3, crossing)
    g.times(3, positive)
    g.facts([("两条直线的交点坐标是对应的二元一次方程组的解。", True, "数形结合。")])


@kp("linear-function-applications")
def linear_function_applications(g: Gen) -> None:
    def phone(r: random.Random) -> None:
        base, p = r.choice([8, 10, 12, 18, 20]), Fraction(r.randint(1, 3), 10)
        minutes = r.randrange(50, 400, 10)
        total = base + p * minutes
        g.numeric(
            f"某手机套餐月租{base}元，每分钟通话费{num(p)}元。某月话费为{num(total)}元，这个月通话"
            "多少分钟？",
            minutes,
            why=f"y={base}+{num(p)}x，令y={num(total)}，解得x={minutes}。",
            d=0.0,
        )

    def print_shop(r: random.Random) -> None:
        p, q = r.choice(
            [
                (Fraction(1, 2), Fraction(1)),
                (Fraction(1, 5), Fraction(7, 10)),
                (Fraction(1), Fraction(2)),
                (Fraction(3, 10), Fraction(4, 5)),
            ]
        )
        n = r.randrange(100, 1000, 50)
        a = (Fraction(q) - Fraction(p)) * n
        if a.denominator != 1:
            return
        g.numeric(
            f"甲印刷厂收制版费{num(a)}元，每份另收印刷费{num(p)}元；乙印刷厂不收制版费，每份收"
            f"{num(q)}元。印刷多少份时，两厂的收费相同？",
            n,
            why=f"{num(a)}+{num(p)}x={num(q)}x，解得x={n}。",
            d=0.3,
            m=3,
        )

    def fuel(r: random.Random) -> None:
        v, c = r.choice([40, 50, 60]), r.choice([5, 6, 8, 10])
        x = r.randrange(100, v * 100 // c, 50)
        left = v - Fraction(c * x, 100)
        g.numeric(
            f"汽车油箱中有油{v}L，每行驶100km耗油{c}L。行驶{x}km后，油箱中还剩油多少升？",
            left,
            why=f"y={v}−{num(Fraction(c, 100))}x，x={x}时y={num(left)}。",
            d=-0.4,
        )

    g.times(3, phone)
    g.times(3, print_shop)
    g.times(3, fuel)
    g.short(
        "某单位要租车，甲公司每辆车每天收费300元另加每千米2元，乙公司每辆车每天收费500元、"
        "不限里程。"
        "一天行驶多少千米时租甲公司的车更划算？写出函数关系式和结论。",
        "y甲=300+2x，y乙=500。y甲<y乙时300+2x<500，x<100。答："
        "一天行驶少于100千米时租甲公司的车更划算"
        "（等于100千米时一样，多于100千米时选乙）。",
        why="分别写出两家费用与里程的函数，比较大小。",
        d=0.6,
    )


# --- 8B Chapter 20: analysing data ---------------------------------------------------------


@kp("weighted-mean")
def weighted_mean(g: Gen) -> None:
    def mean(r: random.Random) -> None:
        n = r.choice([4, 5, 5, 8, 10])
        values = data_list(r, n, 60, 100) if r.random() < 0.5 else data_list(r, n, -5, 15)
        avg = Fraction(sum(values), n)
        g.numeric(
            f"数据{list_text(values)}的平均数是多少？",
            avg,
            why=f"平均数=({'+'.join(par(v) for v in values)})÷{n}={num(avg)}。",
            d=-0.9,
        )

    def weighted(r: random.Random) -> None:
        scores = data_list(r, 3, 70, 100)
        w = r.choice([(2, 3, 5), (3, 3, 4), (1, 3, 6), (2, 4, 4), (3, 2, 5)])
        total = Fraction(sum(s * k for s, k in zip(scores, w, strict=True)), sum(w))
        g.numeric(
            f"某学生的平时、期中、期末成绩分别为{scores[0]}分、{scores[1]}分、{scores[2]}分，"
            f"按{w[0]}∶{w[1]}∶{w[2]}的比例计算总评成绩，总评成绩是多少分？",
            total,
            why=(
                f"({scores[0]}×{w[0]}+{scores[1]}×{w[1]}+{scores[2]}×{w[2]})÷{sum(w)}="
                f"{num(total)}。"
            ),
            d=-0.2,
        )

    def shift(r: random.Random) -> None:
        m, k = r.randint(5, 30), nonzero(r, -9, 9)
        g.numeric(
            f"若数据x₁，x₂，…，xₙ的平均数是{m}，则数据x₁{plus(num(k))}，x₂{plus(num(k))}，…，"
            f"xₙ{plus(num(k))}的平均数是多少？",
            m + k,
            why=f"每个数都加{num(k)}，平均数也加{num(k)}。",
            d=0.0,
        )

    g.times(4, mean)
    g.times(3, weighted)
    g.times(2, shift)
    g.facts([("平均数一定是这组数据中的某一个数。", False, "如1和2的平均数是1.5。")])


@kp("median-mode")
def median_mode(g: Gen) -> None:
    def median(r: random.Random) -> None:
        values = data_list(r, r.choice([5, 6, 7, 8]), 1, 40)
        s = sorted(values)
        n = len(s)
        med = Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)
        g.numeric(
            f"数据{list_text(values)}的中位数是多少？",
            med,
            why=f"从小到大排列：{list_text(s)}，"
            + ("最中间的数" if n % 2 else "中间两个数的平均数")
            + f"是{num(med)}。",
            d=-0.5,
        )

    def mode(r: random.Random) -> None:
        base = data_list(r, 5, 1, 20)
        top = r.choice(base)
        values = [*base, top, top]
        counts = Counter(values)
        best = counts.most_common(2)
        if len(best) > 1 and best[0][1] == best[1][1]:
            return
        r.shuffle(values)
        g.numeric(
            f"数据{list_text(values)}的众数是多少？",
            best[0][0],
            why=f"{best[0][0]}出现了{best[0][1]}次，次数最多。",
            d=-0.9,
        )

    g.times(4, median)
    g.times(3, mode)
    g.facts(
        [
            ("一组数据的众数可能不止一个。", True, "出现次数并列最多时有多个众数。"),
            ("中位数一定是这组数据中的某个数。", False, "数据个数为偶数时可能不是。"),
        ]
    )
    g.single(
        "鞋店经理最关心哪种尺码的鞋销量最大，他应该关注销量数据的哪个统计量？",
        "众数",
        ["平均数", "中位数", "方差"],
        why="销量最大的尺码就是众数。",
        d=-0.6,
    )


@kp("variance")
def variance(g: Gen) -> None:
    def compute(r: random.Random) -> None:
        n = r.choice([4, 5])
        values = data_list(r, n, 1, 12)
        avg = Fraction(sum(values), n)
        var = sum((v - avg) ** 2 for v in values) / n
        g.numeric(
            f"数据{list_text(values)}的方差是多少？",
            var,
            why=f"平均数为{num(avg)}，方差=各数与平均数之差的平方的平均数={num(var)}。",
            d=0.2,
            m=3,
        )

    def stable(r: random.Random) -> None:
        a, b = sorted(r.sample([Fraction(v, 10) for v in range(2, 40)], 2))
        first = r.random() < 0.5
        sa, sb = (a, b) if first else (b, a)
        g.single(
            f"甲、乙两人射击成绩的平均数相同，方差分别为s甲²={num(sa)}，s乙²={num(sb)}，"
            "谁的成绩更稳定？",
            "甲" if first else "乙",
            ["甲", "乙", "一样稳定", "无法确定"],
            why="方差越小，数据的波动越小，成绩越稳定。",
            d=-0.7,
            shuffle=False,
        )

    g.times(4, compute)
    g.times(3, stable)
    g.facts(
        [
            ("方差越大，数据的波动越大。", True, "方差刻画数据的波动程度。"),
            ("一组数据的每个数都加上同一个数，方差不变。", True, "波动程度不变。"),
            ("一组数据的每个数都乘2，方差也乘2。", False, "方差变为原来的4倍。"),
        ]
    )
