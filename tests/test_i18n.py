"""Chinese first, English complete: the catalogue is whole, and the switch works."""

from __future__ import annotations

import pytest

from tongke.core.i18n_check import problems

pytestmark = pytest.mark.django_db


def test_the_chinese_catalogue_is_complete_and_compiled():
    assert problems() == []


def test_pages_are_chinese_by_default(client_for):
    html = client_for("bj_admin").get("/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "首页" in html and "学校" in html


def test_the_language_switch_remembers_english(client_for):
    client = client_for("bj_admin")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and "Home" in html and "首页" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "首页" in client.get("/").content.decode()


def test_api_errors_follow_the_language(client_for):
    client = client_for("t0001")
    zh = client.get("/api/v1/classes/999999999").json()["message"]
    en = client.get("/api/v1/classes/999999999", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert zh != en
