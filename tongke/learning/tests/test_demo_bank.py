"""The demo knowledge graph and question bank (LRN-1, LRN-2 demo).

The graph file must be a DAG of at least 120 junior-maths points aligned to the PEP edition of
the seeded catalogue; the generated bank must hold at least 1,500 valid items covering every
point, and its answers must be right. Answers are checked by recomputing them here, from the
stems alone, with an evaluator of our own (a small arithmetic interpreter over Python's AST
that knows only numbers, + − × ÷, powers, |x|, √ and ∛), for a dozen families of templates.
"""

from __future__ import annotations

import ast
import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tongke.learning import graph
from tongke.learning.demo_items import POINTS as GENERATORS
from tongke.learning.demo_items import DemoItem
from tongke.learning.demo_items import load_items as generate_items
from tongke.learning.interchange.model import (
    KINDS,
    Item,
    match_fill_in,
    validate_item,
)
from tongke.learning.models import Item as ItemRow
from tongke.learning.models import ItemPoint, KnowledgePoint, Prerequisite
from tongke.learning.specs import item_to_spec, spec_to_item
from tongke.library.models import CatalogueNode

GRAPH_FILE = Path(graph.__file__).parent / "data" / "graph_junior_math.json"


@pytest.fixture(scope="module")
def graph_doc() -> dict[str, Any]:
    return json.loads(GRAPH_FILE.read_text())


@pytest.fixture(scope="module")
def bank() -> list[DemoItem]:
    return generate_items()


# --- The graph file ------------------------------------------------------------------------


def test_the_demo_graph_is_a_dag_of_enough_points(graph_doc: dict[str, Any]):
    codes = [p["code"] for p in graph_doc["points"]]
    assert graph_doc["subject"] == "math" and len(codes) >= 120
    assert len(set(codes)) == len(codes)
    edges = [tuple(e) for e in graph_doc["edges"]]
    assert 180 <= len(edges) <= 260 and len(set(edges)) == len(edges)
    assert all(b in codes and a in codes and b != a for b, a in edges)
    order, left = graph.kahn_order(codes, edges)
    assert left == [] and len(order) == len(codes)
    sources = [c for c in codes if not any(a == c for _b, a in edges)]
    assert len(sources) <= 6  # a connected curriculum, not a heap of islands
    for point in graph_doc["points"]:
        assert point["name"] and point["name_en"] and point["grade_level"] in (7, 8, 9)


@pytest.mark.django_db
def test_every_demo_point_is_aligned_to_a_pep_chapter_or_lesson(graph_doc: dict[str, Any]):
    nodes = {
        n.code: n
        for n in CatalogueNode.objects.filter(
            code__in=[p["node_code"] for p in graph_doc["points"]]
        )
    }
    for point in graph_doc["points"]:
        node = nodes.get(point["node_code"])
        assert node is not None, point["code"]
        assert node.kind in ("chapter", "lesson") and node.subject == "math"
        assert node.code.startswith("J-MATH-PEP-")
    chapters = {n.code.split("-L")[0] for n in nodes.values()}
    assert len(chapters) == 29  # every chapter of the six PEP volumes has points


def test_every_point_has_a_generator_and_nothing_else_does(graph_doc: dict[str, Any]):
    assert set(GENERATORS) == {p["code"] for p in graph_doc["points"]}


# --- The generated bank --------------------------------------------------------------------


def test_the_bank_is_large_valid_and_covers_every_point(
    bank: list[DemoItem], graph_doc: dict[str, Any]
):
    assert len(bank) >= 1500
    codes = {p["code"] for p in graph_doc["points"]}
    per_point: Counter[str] = Counter()
    for d in bank:
        assert validate_item(d.item) == [], (d.family, d.item.stem)
        assert 1 <= len(d.points) <= 2 and set(d.points) <= codes, d.family
        assert d.item.explanation.strip(), d.family
        assert d.item.difficulty is not None and -2 <= d.item.difficulty <= 2
        assert 1 <= d.minutes <= 4
        assert d.family == d.item.source_id and d.family.startswith(f"DEMO-{d.points[0]}-")
        per_point.update(d.points)
    assert min(per_point[c] for c in codes) >= 8
    assert sum(1 for d in bank if len(d.points) == 2) >= 50
    kinds = Counter(d.item.kind for d in bank)
    assert set(kinds) == set(KINDS)
    assert kinds["short_answer"] >= 5 and kinds["matching"] >= 5
    assert len({d.item.stem for d in bank}) == len(bank)
    assert len({d.family for d in bank}) == len(bank)
    difficulties = [d.item.difficulty or 0.0 for d in bank]
    assert statistics.pstdev(difficulties) > 0.4  # spread over the scale, not one value


def test_the_bank_is_deterministic(bank: list[DemoItem]):
    again = generate_items(list(GENERATORS)[:5])
    assert [item_to_spec(d.item) for d in again] == [
        item_to_spec(d.item) for d in bank[: len(again)]
    ]


def test_a_system_of_equations_item_is_also_tagged_to_the_linear_equation(bank: list[DemoItem]):
    systems = [d for d in bank if d.points[0] == "jm-elimination" and len(d.points) == 2]
    assert systems and all(d.points[1] == "jm-solve-transpose" for d in systems)


def test_specs_round_trip(bank: list[DemoItem]):
    for d in bank:
        spec = item_to_spec(d.item)
        assert spec_to_item(json.loads(json.dumps(spec))) == d.item


@pytest.mark.parametrize(
    "spec",
    [
        None,
        [],
        {"kind": "essay"},
        {"kind": "single", "choices": "A"},
        {"kind": "numeric", "numeric_answers": [{"value": "five"}]},
        {"kind": "matching", "pairs": [["a"]]},
    ],
)
def test_a_malformed_spec_is_refused(spec: Any):
    from tongke.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        spec_to_item(spec)
    assert refused.value.code == "learning.bad_spec"


# --- Answers, recomputed from the stems ----------------------------------------------------

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def cube_root(v: float) -> float:
    return math.copysign(abs(v) ** (1 / 3), v)


FUNCTIONS: dict[str, Callable[[float], float]] = {"S": math.sqrt, "C": cube_root, "A": abs}


def to_python(text: str, variables: str = "x") -> str:
    """Printed maths to a Python expression over floats (implicit products made explicit)."""
    out = text.replace("−", "-").replace("×", "*").replace("÷", "/").replace("·", "*")
    out = out.translate(str.maketrans("[]{}", "()()"))
    out = re.sub(r"\|([^|]+)\|", r"A(\1)", out)
    out = re.sub(r"√(\d+)", r"S(\1)", out).replace("√(", "S(")
    out = re.sub(r"∛(\d+)", r"C(\1)", out).replace("∛(", "C(")
    out = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "**(" + m.group(0).translate(SUPERSCRIPTS) + ")", out)
    left, right = f"[0-9.){variables}]", f"[({variables}SCA]"
    for _ in range(3):
        out = re.sub(f"({left})({right})", r"\1*\2", out)
    return out


def evaluate(text: str, **values: float) -> float:
    """The value of printed arithmetic, through a whitelist of AST nodes (no eval)."""
    tree = ast.parse(to_python(text, "".join(values) or "x"), mode="eval")

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in values:
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            ops: dict[type, Callable[[float, float], float]] = {
                ast.Add: lambda p, q: p + q,
                ast.Sub: lambda p, q: p - q,
                ast.Mult: lambda p, q: p * q,
                ast.Div: lambda p, q: p / q,
                ast.Pow: lambda p, q: p**q,
            }
            return ops[type(node.op)](a, b)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
            return float(FUNCTIONS[node.func.id](walk(node.args[0])))
        raise AssertionError(f"unexpected {ast.dump(node)} in {text!r}")

    return walk(tree)


def linear_root(left: str, right: str) -> float:
    """The root of a linear equation in x, from its values at x = 0 and x = 1."""
    f0 = evaluate(left, x=0) - evaluate(right, x=0)
    f1 = evaluate(left, x=1) - evaluate(right, x=1)
    return -f0 / (f1 - f0)


def numeric_ok(item: Item, value: float) -> bool:
    return any(
        a.weight >= 1 and math.isclose(a.value, value, rel_tol=1e-9, abs_tol=a.tolerance + 1e-9)
        for a in item.numeric_answers
    )


def fill_ok(item: Item, text: str) -> bool:
    found = match_fill_in(item, text)
    return found is not None and found.weight >= 1


def number_text(v: float) -> str:
    f = Fraction(v).limit_denominator(1000)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


CN = {c: i for i, c in enumerate("零一二三四五六七八九")}


def chinese_number(text: str) -> int:
    if "十" not in text:
        return CN[text]
    tens, _, ones = text.partition("十")
    return (CN[tens] if tens else 1) * 10 + (CN[ones] if ones else 0)


def data_values(text: str) -> list[float]:
    return [float(v.replace("−", "-")) for v in text.split("，")]


def quadratic_coefficients(text: str) -> tuple[float, float, float]:
    c = evaluate(text, x=0)
    plus, minus = evaluate(text, x=1), evaluate(text, x=-1)
    return (plus + minus) / 2 - c, (plus - minus) / 2, c


def check_numeric(item: Item) -> bool | None:
    """Recompute a numeric item's answer from its stem; None when no family matches."""
    stem = item.stem
    if m := re.fullmatch(r"计算：(.+)", stem):
        return numeric_ok(item, evaluate(m[1]))
    if m := re.fullmatch(r"求\|(.+)\|的值。", stem):
        return numeric_ok(item, abs(evaluate(m[1])))
    if m := re.fullmatch(r"解方程：([^，=]+)=([^，]+)，x的值是多少？", stem):
        return numeric_ok(item, linear_root(m[1], m[2]))
    if m := re.fullmatch(r"当x=(\S+?)时，代数式(.+)的值是多少？", stem):
        return numeric_ok(item, evaluate(m[2], x=evaluate(m[1])))
    if m := re.fullmatch(r"当a=(\S+?)，b=(\S+?)时，求代数式(.+)的值。", stem):
        return numeric_ok(item, evaluate(m[3], a=evaluate(m[1]), b=evaluate(m[2])))
    if m := re.fullmatch(r"(.+)边形的内角和是多少度？", stem):
        return numeric_ok(item, (chinese_number(m[1]) - 2) * 180)
    if m := re.fullmatch(r"在△ABC中，∠A=(\d+)°，∠B=(\d+)°，∠C是多少度？", stem):
        return numeric_ok(item, 180 - int(m[1]) - int(m[2]))
    if m := re.fullmatch(r"在Rt△ABC中，∠C=90°，a=(\d+)，b=(\d+)，斜边c的长是多少？", stem):
        return numeric_ok(item, math.hypot(int(m[1]), int(m[2])))
    if m := re.fullmatch(r"数据(.+)的(平均数|中位数|众数|方差)是多少？", stem):
        values = data_values(m[1])
        compute: dict[str, Callable[[list[float]], float]] = {
            "平均数": statistics.mean,
            "中位数": statistics.median,
            "众数": statistics.mode,
            "方差": statistics.pvariance,
        }
        return numeric_ok(item, compute[m[2]](values))
    if m := re.fullmatch(r"方程(.+)=0的根的判别式Δ=b²−4ac的值是多少？", stem):
        a, b, c = quadratic_coefficients(m[1])
        return numeric_ok(item, b * b - 4 * a * c)
    if m := re.fullmatch(r"用公式法解方程(.+)=0，较大的根是多少？", stem):
        a, b, c = quadratic_coefficients(m[1])
        roots = [(-b + s * math.sqrt(b * b - 4 * a * c)) / (2 * a) for s in (1, -1)]
        return numeric_ok(item, max(roots))
    if m := re.fullmatch(r"一次函数y=(.+)，当x=(\S+?)时，y的值是多少？", stem):
        return numeric_ok(item, evaluate(m[1], x=evaluate(m[2])))
    return None


def check_fill_in(item: Item) -> bool | None:
    stem = item.stem
    if m := re.fullmatch(r"解方程：([^，=]+)=([^，]+)，得x=_____。", stem):
        root = linear_root(m[1], m[2])
        return fill_ok(item, number_text(root)) and fill_ok(item, f"x={number_text(root)}")
    if m := re.fullmatch(r"解不等式([^组].*?)([<>≤≥])(.+)，它的解集是_____。", stem):
        left, sign, right = m[1], m[2], m[3]
        slope = evaluate(left, x=1) - evaluate(left, x=0)
        bound = (evaluate(right) - evaluate(left, x=0)) / slope
        if slope < 0:
            sign = {"<": ">", ">": "<", "≤": "≥", "≥": "≤"}[sign]
        return fill_ok(item, f"x{sign}{number_text(bound)}".replace("-", "−"))
    if m := re.fullmatch(
        r"同时掷两枚质地均匀的骰子，两枚骰子的点数之和为(\d+)的概率是_____。", stem
    ):
        count = sum(1 for a in range(1, 7) for b in range(1, 7) if a + b == int(m[1]))
        return fill_ok(item, number_text(count / 36))
    if m := re.fullmatch(r"(.+)的相反数是_____。", stem):
        return fill_ok(item, number_text(-evaluate(m[1])))
    if m := re.fullmatch(r"(.+)的倒数是_____。", stem):
        return fill_ok(item, number_text(1 / evaluate(m[1])))
    if m := re.fullmatch(r"点(\(.+\))关于(原点|x轴|y轴)对称的点的坐标是_____。", stem):
        x, y = (evaluate(v) for v in m[1].strip("()").split(","))
        x, y = {"原点": (-x, -y), "x轴": (x, -y), "y轴": (-x, y)}[m[2]]
        return fill_ok(item, f"({number_text(x)},{number_text(y)})")
    if m := re.fullmatch(
        r"将点A(\(.+?\))向(左|右)平移(\d+)个单位长度，再向(上|下)平移(\d+)个.+", stem
    ):
        x, y = (evaluate(v) for v in m[1].strip("()").split(","))
        x += int(m[3]) * (1 if m[2] == "右" else -1)
        y += int(m[5]) * (1 if m[4] == "上" else -1)
        return fill_ok(item, f"({number_text(x)},{number_text(y)})")
    if m := re.fullmatch(r"抛物线y=(.+)的顶点坐标是_____。", stem):
        a, b, c = quadratic_coefficients(m[1])
        h = -b / (2 * a)
        return fill_ok(item, f"({number_text(h)},{number_text(a * h * h + b * h + c)})")
    if m := re.fullmatch(r"(\d+)(?:/(\d+))?的算术平方根是_____。", stem):
        value = math.sqrt(int(m[1]) / int(m[2] or 1))
        return fill_ok(item, number_text(value))
    if m := re.fullmatch(r"化简：√(\d+)=_____", stem):
        n = int(m[1])
        k = max(k for k in range(1, n + 1) if n % (k * k) == 0)
        return fill_ok(item, f"{k}√{n // (k * k)}")
    return None


def test_numeric_answers_check_out_when_recomputed(bank: list[DemoItem]):
    checked: Counter[str] = Counter()
    for d in bank:
        if d.item.kind != "numeric":
            continue
        result = check_numeric(d.item)
        if result is not None:
            assert result, (d.family, d.item.stem, d.item.numeric_answers)
            checked[d.points[0]] += 1
    assert sum(checked.values()) >= 150, checked
    assert len(checked) >= 20  # the families span many knowledge points


def test_fill_in_answers_check_out_when_recomputed(bank: list[DemoItem]):
    checked: Counter[str] = Counter()
    for d in bank:
        if d.item.kind != "fill_in":
            continue
        result = check_fill_in(d.item)
        if result is not None:
            assert result, (d.family, d.item.stem, d.item.accepted_answers)
            checked[d.points[0]] += 1
    assert sum(checked.values()) >= 30, checked
    assert len(checked) >= 5


def test_fill_in_accepts_both_minus_signs(bank: list[DemoItem]):
    item = next(
        d.item for d in bank if d.item.stem.startswith("如果") and "记作_____" in d.item.stem
    )
    value = item.accepted_answers[0]
    assert fill_ok(item, value.replace("−", "-")) and fill_ok(item, value.replace("-", "−"))


def test_every_choice_item_has_exactly_the_right_number_of_keys(bank: list[DemoItem]):
    for d in bank:
        if d.item.kind in ("single", "true_false"):
            assert len(d.item.correct_choices) == 1, d.family
        elif d.item.kind == "multiple":
            assert 1 <= len(d.item.correct_choices) < len(d.item.choices), d.family


def test_the_evaluator_knows_printed_maths():
    assert evaluate("(−2)³+|−7|") == -1
    assert evaluate("−3²") == -9
    assert evaluate("2⁻²") == 0.25
    assert evaluate("√16+∛(−8)") == 2
    assert evaluate("3x²−2x+1", x=-2) == 17
    assert evaluate("[1−(−2)]×{2}") == 6
    assert linear_root("(x+4)/4", "(x+6)/5") == pytest.approx(4)
    assert chinese_number("二十") == 20 and chinese_number("十七") == 17


# --- Stored by the demo seed ---------------------------------------------------------------


@pytest.mark.django_db
def test_seed_learning_stores_the_graph_and_the_bank_once(graph_doc: dict[str, Any]):
    from tongke.demo.seed_learning import seed_learning

    seed_learning()
    points = KnowledgePoint.objects.filter(subject="math")
    assert points.count() == len(graph_doc["points"])
    assert Prerequisite.objects.filter(after__subject="math").count() == len(graph_doc["edges"])
    assert len(graph.topological_order("math")) == points.count()
    rows = ItemRow.objects.filter(source="demo", family__startswith="DEMO-")
    assert rows.count() >= 1500
    assert (
        not rows.exclude(scope_path="").exists() and not rows.filter(owner__isnull=False).exists()
    )
    per_point = Counter(
        ItemPoint.objects.filter(item__in=rows).values_list("point__code", flat=True)
    )
    assert min(per_point[p["code"]] for p in graph_doc["points"]) >= 8
    sample = rows.order_by("?")[:50]
    for row in sample:
        item = spec_to_item(row.spec)
        assert validate_item(item) == [] and item.stem == row.stem and item.kind == row.kind
        assert sorted(item.knowledge_points) == sorted(
            row.point_links.values_list("point__code", flat=True)
        )
    assert seed_learning() == {"points": 0, "edges": 0, "items": 0, "item_points": 0}
