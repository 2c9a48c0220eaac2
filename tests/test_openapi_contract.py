"""The OpenAPI document says what the API does (trust fault 10): error answers are documented,
timetable clock times are not claimed to be RFC 3339 ``time`` values (which carry an offset),
and a date-time parameter does not take a bare number."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(client_for):
    return client_for(None).get("/api/v1/openapi.json").json()


def test_every_operation_documents_its_error_answers(doc):
    assert set(doc["components"]["schemas"]["Error"]["required"]) == {"code", "message", "detail"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status in ("400", "403", "404", "422"):
                assert status in op["responses"], (method, path, status)
            if method != "get":
                assert "409" in op["responses"] and "413" in op["responses"], (method, path)


def test_no_schema_claims_format_time(doc):
    def walk(node, where):
        if isinstance(node, dict):
            assert node.get("format") != "time", where
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    walk(doc, "")


def test_slots_leave_as_the_documented_clock_text(client_for):
    import re

    from tongke.core.types import CLOCK_PATTERN

    page = client_for("s00001").get("/api/v1/courses/offerings?limit=5").json()
    slots = [s for o in page["items"] for s in o["slots"]]
    assert slots
    for s in slots:
        assert re.fullmatch(CLOCK_PATTERN, s["starts"]) and re.fullmatch(CLOCK_PATTERN, s["ends"])


@pytest.mark.parametrize("start", ["1378669", "1e9", "2026"])
def test_a_calendar_start_must_be_a_date_time_text(client_for, start):
    response = client_for("t0001").get(f"/api/v1/live/calendar?start={start}")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"


def test_a_calendar_start_as_iso_text_is_taken(client_for):
    response = client_for("t0001").get("/api/v1/live/calendar?start=2026-09-01T00:00:00%2B08:00")
    assert response.status_code == 200, response.content
