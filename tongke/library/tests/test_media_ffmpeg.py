"""Video and audio with real ffmpeg on tiny generated files (LIB-3, SEC-4): a duration that can
be trusted, refusals of text, truncated and damaged files, the rendition ladder (H.264/AAC,
sizes, no upscaling, faststart, progress), video without sound, audio-only, posters, and
failures that leave nothing behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tongke.core.errors import Invalid
from tongke.library.media import ffmpeg
from tongke.library.media.ffmpeg import (
    DEFAULT_LADDER,
    Probe,
    RenditionOut,
    check_duration,
    make_test_video,
    plan_ladder,
    poster,
    probe,
    transcode,
    transcode_audio,
)


def _streams(path: Path) -> dict[str, dict[str, Any]]:
    """ffprobe's view of a file: its first video and audio streams keyed by codec type, and
    the container under "format"."""
    done = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            str(path),
        ],
        capture_output=True,
        check=True,
    )
    info = json.loads(done.stdout)
    found: dict[str, dict[str, Any]] = {"format": info["format"]}
    for stream in info["streams"]:
        found.setdefault(stream["codec_type"], stream)
    return found


def _top_level_atoms(path: Path) -> list[str]:
    """The types of an MP4's top-level boxes, in file order, read from the bytes."""
    atoms = []
    data = path.read_bytes()
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            size = len(data) - offset
        atoms.append(kind)
        if size < 8:
            break
        offset += size
    return atoms


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def clip_360p(media: Path) -> Path:
    """1 s, 640x360, with a tone."""
    return make_test_video(media / "clip360.mp4", seconds=1, width=640, height=360, tone_hz=440)


@pytest.fixture(scope="module")
def probe_360p(clip_360p: Path) -> Probe:
    return probe(clip_360p)


@pytest.fixture(scope="module")
def clip_tiny_silent(media: Path) -> Path:
    """1 s, 160x120, no audio track."""
    return make_test_video(media / "tiny.mp4", seconds=1, width=160, height=120, tone_hz=None)


@pytest.fixture(scope="module")
def probe_tiny_silent(clip_tiny_silent: Path) -> Probe:
    return probe(clip_tiny_silent)


@pytest.fixture(scope="module")
def ladder(
    clip_360p: Path, probe_360p: Probe, media: Path
) -> tuple[list[RenditionOut], list[float], Path]:
    """The 360p clip transcoded once: (outputs, progress values, output folder)."""
    calls: list[float] = []
    out_dir = media / "ladder"
    outputs = transcode(clip_360p, out_dir, probe=probe_360p, on_progress=calls.append)
    return outputs, calls, out_dir


# --- Probing --------------------------------------------------------------------------------


def test_probe_reads_duration_size_and_codecs(probe_360p: Probe) -> None:
    result = probe_360p
    assert result.duration_s == pytest.approx(1.0, abs=0.1)
    assert (result.width, result.height) == (640, 360)
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert result.has_video and result.has_audio
    assert "mp4" in result.format_name
    assert result.fps == pytest.approx(25.0)


def test_probe_of_video_without_audio(probe_tiny_silent: Probe) -> None:
    result = probe_tiny_silent
    assert result.has_video and not result.has_audio
    assert result.audio_codec is None
    assert result.duration_s == pytest.approx(1.0, abs=0.1)


def test_probe_applies_rotation(clip_360p: Path, tmp_path: Path) -> None:
    # given a phone-style file: 640x360 pixels, displayed turned a quarter
    rotated = tmp_path / "rotated.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(clip_360p),
            "-c",
            "copy",
            "-metadata:s:v:0",
            "rotate=90",
            str(rotated),
        ],
        check=True,
    )
    result = probe(rotated)
    assert (result.width, result.height) == (360, 640)
    assert [(p.rung.label, p.width, p.height) for p in plan_ladder(result)] == [
        ("240p", 240, 426),
        ("360p", 360, 640),
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("lesson.mp4", b"This is a lesson plan, saved as text.\n" * 50),
        ("lesson.txt", b"This is a lesson plan, saved as text.\n" * 50),
        ("lesson.mp4", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        (
            "lesson.m3u8",
            b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
        ),
        ("lesson.txt", b"ffconcat version 1.0\nfile '/etc/passwd'\n"),
        ("lesson.mp4", bytes(range(256)) * 64),
    ],
    ids=["text-as-mp4", "text", "svg-as-mp4", "hls-playlist", "concat-list", "binary-noise"],
)
def test_probe_refuses_what_is_not_media(tmp_path: Path, name: str, data: bytes) -> None:
    # the demuxer allowlist and file-only protocol keep playlists from reading other files
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(Invalid) as caught:
        probe(path)
    assert caught.value.code == "library.media_unreadable"


def _cut_in_half(src: Path, dest: Path) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


def test_truncated_mp4_is_refused_with_the_index_at_the_end(
    clip_tiny_silent: Path, tmp_path: Path
) -> None:
    # given an upload cut in half (ffmpeg writes the moov index last: it is lost)
    whole = clip_tiny_silent
    assert _top_level_atoms(whole).index("mdat") < _top_level_atoms(whole).index("moov")
    cut = _cut_in_half(whole, tmp_path / "cut.mp4")
    with pytest.raises(Invalid) as caught:
        probe(cut)
    assert caught.value.code == "library.media_unreadable"


def test_truncated_mp4_is_refused_with_the_index_first(media: Path, tmp_path: Path) -> None:
    # given a faststart file cut in half: the index still claims 2 s, half the data is gone
    whole = make_test_video(
        media / "whole-fs.mp4", seconds=2, width=160, height=120, faststart=True
    )
    assert probe(whole).duration_s == pytest.approx(2.0, abs=0.1)
    cut = _cut_in_half(whole, tmp_path / "cut-fs.mp4")
    with pytest.raises(Invalid) as caught:
        probe(cut)
    assert caught.value.code == "library.media_unreadable"
    assert caught.value.detail == {"reason": "truncated"}


def test_truncated_matroska_is_refused(media: Path, tmp_path: Path) -> None:
    whole = media / "whole.mkv"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(media / "whole-fs.mp4"),
            "-c",
            "copy",
            str(whole),
        ],
        check=True,
    )
    assert probe(whole).duration_s == pytest.approx(2.0, abs=0.1)
    cut = _cut_in_half(whole, tmp_path / "cut.mkv")
    with pytest.raises(Invalid) as caught:
        probe(cut)
    assert caught.value.detail == {"reason": "truncated"}


def test_check_duration_enforces_the_micro_lesson_limit() -> None:
    def made(seconds: float) -> Probe:
        return Probe(seconds, 640, 360, "h264", "aac", True, True, "mov")

    check_duration(made(300.0))
    with pytest.raises(Invalid) as caught:
        check_duration(made(300.5))
    assert caught.value.code == "library.too_long"
    assert caught.value.detail == {"duration_s": 300.5, "max_s": 300.0}


# --- The ladder -----------------------------------------------------------------------------


def _made(width: int, height: int) -> Probe:
    return Probe(10.0, width, height, "h264", "aac", True, True, "mov", fps=25.0)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1920, 1080), [("240p", 426, 240), ("360p", 640, 360), ("720p", 1280, 720)]),
        ((1280, 720), [("240p", 426, 240), ("360p", 640, 360), ("720p", 1280, 720)]),
        ((854, 480), [("240p", 428, 240), ("360p", 640, 360)]),
        ((640, 360), [("240p", 426, 240), ("360p", 640, 360)]),
        ((640, 480), [("240p", 320, 240), ("360p", 480, 360)]),
        ((1280, 718), [("240p", 428, 240), ("360p", 642, 360)]),  # never upscaled to 720
        ((160, 120), [("240p", 160, 120)]),  # smaller than 240p: its own size
        ((175, 99), [("240p", 174, 98)]),  # odd sides made even, downwards
        ((720, 1280), [("240p", 240, 426), ("360p", 360, 640), ("720p", 720, 1280)]),
    ],
)
def test_plan_ladder(size: tuple[int, int], expected: list[tuple[str, int, int]]) -> None:
    planned = plan_ladder(_made(*size))
    assert [(p.rung.label, p.width, p.height) for p in planned] == expected
    assert all(p.width % 2 == 0 and p.height % 2 == 0 for p in planned)


def test_transcode_gives_a_360p_video_240p_360p_and_audio(
    ladder: tuple[list[RenditionOut], list[float], Path],
) -> None:
    outputs, _calls, out_dir = ladder
    # no 720p: never upscaled
    assert [(o.label, o.width, o.height) for o in outputs] == [
        ("240p", 426, 240),
        ("360p", 640, 360),
        ("audio", None, None),
    ]
    assert sorted(p.name for p in out_dir.iterdir()) == ["240p.mp4", "360p.mp4", "audio.m4a"]
    for out in outputs:
        assert out.path.parent == out_dir
        assert out.size_bytes == out.path.stat().st_size > 0
        assert out.bitrate_kbps > 0
        assert out.mime == ("audio/mp4" if out.label == "audio" else "video/mp4")


def test_renditions_are_h264_aac_of_the_right_size(
    ladder: tuple[list[RenditionOut], list[float], Path],
) -> None:
    outputs, _calls, _out_dir = ladder
    profiles = {"240p": "Constrained Baseline", "360p": "Main"}
    for out in outputs:
        streams = _streams(out.path)
        assert float(streams["format"]["duration"]) == pytest.approx(1.0, abs=0.15)
        assert streams["audio"]["codec_name"] == "aac"
        if out.label == "audio":
            assert "video" not in streams
            assert streams["audio"]["channels"] == 1
            continue
        video = streams["video"]
        assert video["codec_name"] == "h264"
        assert video["pix_fmt"] == "yuv420p"
        assert video["profile"] == profiles[out.label]
        assert (video["width"], video["height"]) == (out.width, out.height)


def test_renditions_are_faststart(ladder: tuple[list[RenditionOut], list[float], Path]) -> None:
    # the index (moov) comes before the media data (mdat), so playback starts at once
    for out in ladder[0]:
        atoms = _top_level_atoms(out.path)
        assert atoms.index("moov") < atoms.index("mdat"), (out.label, atoms)


def test_transcode_reports_progress_from_0_to_1(
    ladder: tuple[list[RenditionOut], list[float], Path],
) -> None:
    calls = ladder[1]
    assert calls[0] == 0.0 and calls[-1] == 1.0
    assert calls == sorted(calls) and len(calls) >= 2


def test_transcode_of_a_tiny_video_without_sound(
    clip_tiny_silent: Path, probe_tiny_silent: Probe, tmp_path: Path
) -> None:
    # given a 160x120 video with no audio track
    source = probe_tiny_silent
    calls: list[float] = []
    outputs = transcode(clip_tiny_silent, tmp_path / "out", probe=source, on_progress=calls.append)

    # then it gets one "240p" rendition at its own size, video only, and no audio rendition
    assert [(o.label, o.width, o.height) for o in outputs] == [("240p", 160, 120)]
    streams = _streams(outputs[0].path)
    assert "audio" not in streams
    assert (streams["video"]["width"], streams["video"]["height"]) == (160, 120)
    assert calls[0] == 0.0 and calls[-1] == 1.0


def test_transcode_that_times_out_leaves_nothing(
    clip_360p: Path, probe_360p: Probe, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    with pytest.raises(Invalid) as caught:
        transcode(clip_360p, out_dir, probe=probe_360p, timeout_s=0.05)
    assert caught.value.code == "library.transcode_failed"
    assert caught.value.detail == {"reason": "timeout"}
    assert list(out_dir.iterdir()) == []


def test_transcode_that_fails_leaves_nothing(
    probe_360p: Probe, clip_tiny_silent: Path, tmp_path: Path
) -> None:
    # given a probe that does not match the file (it maps an audio stream the file lacks)
    out_dir = tmp_path / "out"
    with pytest.raises(Invalid) as caught:
        transcode(clip_tiny_silent, out_dir, probe=probe_360p)
    assert caught.value.code == "library.transcode_failed"
    assert caught.value.detail == {"reason": "ffmpeg_failed"}
    assert list(out_dir.iterdir()) == []


def test_progress_callback_that_raises_stops_the_work(
    clip_360p: Path, probe_360p: Probe, tmp_path: Path
) -> None:
    # given a caller that cancels (its progress callback raises)
    class Cancelled(Exception):
        pass

    def cancel(value: float) -> None:
        raise Cancelled

    out_dir = tmp_path / "out"
    with pytest.raises(Cancelled):
        transcode(clip_360p, out_dir, probe=probe_360p, on_progress=cancel)
    assert list(out_dir.iterdir()) == []


def test_transcode_audio_of_an_audio_upload(media: Path, tmp_path: Path) -> None:
    # given a stereo WAV recording
    wav = media / "voice.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300:duration=1",
            "-ac",
            "2",
            str(wav),
        ],
        check=True,
    )
    source = probe(wav)
    assert not source.has_video and source.has_audio
    assert source.duration_s == pytest.approx(1.0, abs=0.05)

    # when it is transcoded (through transcode too: a source without video gets audio only)
    outputs = transcode_audio(wav, tmp_path / "a", probe=source)
    assert [o.label for o in outputs] == ["audio"]
    assert transcode(wav, tmp_path / "b", probe=source)[0].label == "audio"

    # then it is mono AAC in an MP4 (.m4a), faststart
    streams = _streams(outputs[0].path)
    assert "video" not in streams
    assert streams["audio"]["codec_name"] == "aac" and streams["audio"]["channels"] == 1
    assert outputs[0].path.name == "audio.m4a"
    atoms = _top_level_atoms(outputs[0].path)
    assert atoms.index("moov") < atoms.index("mdat")


# --- Poster and test videos -----------------------------------------------------------------


def test_poster_is_a_small_jpeg(clip_360p: Path, tmp_path: Path) -> None:
    dest = poster(clip_360p, tmp_path / "poster.jpg", at_s=ffmpeg.poster_at(1.0))
    with Image.open(dest) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 360)


def test_poster_past_the_end_falls_back_to_the_first_frame(
    clip_tiny_silent: Path, tmp_path: Path
) -> None:
    dest = poster(clip_tiny_silent, tmp_path / "poster.jpg", at_s=99.0)
    with Image.open(dest) as image:
        assert image.size == (160, 120)
    assert [p.name for p in tmp_path.iterdir()] == ["poster.jpg"]


def test_poster_of_a_large_video_is_at_most_640_wide(media: Path, tmp_path: Path) -> None:
    wide = make_test_video(media / "wide.mp4", seconds=0.4, width=1280, height=720, tone_hz=None)
    dest = poster(wide, tmp_path / "poster.jpg", at_s=0.2)
    with Image.open(dest) as image:
        assert image.size == (640, 360)


def test_poster_at_is_ten_percent_capped() -> None:
    assert ffmpeg.poster_at(20.0) == pytest.approx(2.0)
    assert ffmpeg.poster_at(300.0) == ffmpeg.POSTER_MAX_AT_S


def test_make_test_video_with_a_label(tmp_path: Path) -> None:
    path = make_test_video(
        tmp_path / "label.mp4", seconds=0.5, width=320, height=240, label="同课 Tongke: 1'2"
    )
    streams = _streams(path)
    assert (streams["video"]["width"], streams["video"]["height"]) == (320, 240)
    assert streams["audio"]["codec_name"] == "aac"
    assert float(streams["format"]["duration"]) == pytest.approx(0.5, abs=0.1)
    assert [p.name for p in tmp_path.iterdir()] == ["label.mp4"]


def test_default_ladder_is_modest() -> None:
    # weak links: no rung asks for more than 1.2 Mbit/s of video
    assert [r.label for r in DEFAULT_LADDER] == ["240p", "360p", "720p"]
    assert max(r.video_kbps for r in DEFAULT_LADDER) <= 1200
