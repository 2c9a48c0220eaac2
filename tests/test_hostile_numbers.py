"""Integers that do not fit in 64 bits are a 4xx, never a 500 (trust fault 4).

Every operation of the OpenAPI document is tried with 2**70 in each integer path and query
parameter, as a regional admin: SQLite raises OverflowError and PostgreSQL a DataError when such
a value reaches a query, so each must be refused before it does."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

HUGE = str(2**70)


def _operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "delete"):
                continue
            params = op.get("parameters", [])
            ints = [
                p
                for p in params
                if p.get("schema", {}).get("type") == "integer"
                or any(s.get("type") == "integer" for s in p.get("schema", {}).get("anyOf", []))
            ]
            if ints:
                yield method, path, params, ints


def test_every_integer_parameter_refuses_values_beyond_64_bits(client_for):
    client = client_for("bj_admin")
    tried = 0
    failures = []
    for method, path, params, ints in _operations(client):
        for target in ints:
            url = path
            for p in params:
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", HUGE if p is target else "1")
            url = re.sub(r"\{[^}]+\}", "1", url)
            query = {target["name"]: HUGE} if target["in"] == "query" else {}
            response = getattr(client, method)(url, query)
            tried += 1
            if response.status_code >= 500:
                failures.append((method.upper(), url, query, response.status_code))
            elif response.status_code >= 400 and response["Content-Type"].startswith(
                "application/json"
            ):
                assert set(response.json()) == {"code", "message", "detail"}, url
    assert tried > 20
    assert not failures, failures


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/courses/results?student_id={HUGE}",
        f"/api/v1/courses/offerings?host_school_id={HUGE}",
        f"/api/v1/courses/selections?student_id={HUGE}",
    ],
)
def test_the_probed_filters_answer_422(client_for, url):
    response = client_for("bj_admin").get(url)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"


def _page_patterns():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    for route in walk(get_resolver().url_patterns):
        if "<int:" in route and not route.startswith("api/"):
            yield route


def test_pages_with_ids_beyond_64_bits_answer_a_readable_4xx(client_for):
    client = client_for("bj_admin")
    routes = list(_page_patterns())
    assert len(routes) > 10
    failures = []
    for route in routes:
        url = "/" + re.sub(r"<int:[^>]+>", HUGE, re.sub(r"<(?:str|slug):[^>]+>", "x", route))
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    assert not failures, failures


@pytest.mark.parametrize(
    "user,url",
    [
        ("t0001", f"/live/?week={HUGE}"),
        ("hd_admin", f"/live/partnerships/new/?host={HUGE}"),
        ("t0043", f"/live/classroom/?classroom={HUGE}"),
        ("s00001", f"/learning/practice/?point={HUGE}"),
        ("t0001", f"/learning/diagnosis/?learner={HUGE}&class={HUGE}"),
        ("s00001", f"/library/?node={HUGE}&page={HUGE}"),
        ("bj_admin", f"/orgs/audit/?page={HUGE}"),
        ("s00001", f"/courses/?round={HUGE}&page={HUGE}"),
    ],
)
def test_query_numbers_beyond_64_bits_on_pages(client_for, user, url):
    assert client_for(user).get(url).status_code < 500
