"""Small parts of the live room: rate buckets, the classroom parameter, TURN credentials,
attendance minutes."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from tongke.live import room, selectors
from tongke.live.consumers import Bucket, _classroom_param


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_passes_its_burst_then_its_rate():
    clock = Clock()
    bucket = Bucket(2.0, 3.0, clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # half a second: one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    clock.now = 100.0  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3


def test_the_classroom_parameter():
    assert _classroom_param(b"") is None
    assert _classroom_param(b"classroom=42") == 42
    assert _classroom_param(b"classroom=-1") == -1
    assert _classroom_param(b"classroom=4%202") == -1
    assert _classroom_param(b"classroom=" + b"9" * 30) == -1
    assert _classroom_param(b"classroom=\xff") == -1


def test_turn_credentials_follow_the_rest_api_scheme(settings):
    settings.LIVE_STUN_URLS = ["stun:stun.example.edu.cn:3478"]
    settings.LIVE_TURN_URLS = ["turn:turn.example.edu.cn:443?transport=tcp"]
    settings.LIVE_TURN_SECRET = "s3cret"
    stun, turn = room.ice_servers(7)
    assert stun == {"urls": ["stun:stun.example.edu.cn:3478"]}
    expiry, user = turn["username"].split(":")
    assert user == "7" and int(expiry) > datetime.now(UTC).timestamp() + 3600
    digest = hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
    settings.LIVE_TURN_SECRET = ""
    assert room.ice_servers(7) == [stun]  # no secret, no TURN


def test_attendance_minutes_are_the_union_of_spans():
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def at(m: int) -> datetime:
        return t0 + timedelta(minutes=m)

    assert selectors._union_minutes([]) == 0
    assert selectors._union_minutes([(at(0), at(10)), (at(5), at(15))]) == 15
    assert selectors._union_minutes([(at(0), at(10)), (at(20), at(25))]) == 15
    assert selectors._union_minutes([(at(20), at(25)), (at(0), at(40))]) == 40
