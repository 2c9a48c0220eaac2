"""Video and audio with ffmpeg: probe a file for a duration you can trust, transcode it into a
ladder of renditions for weak links, take a poster frame, and make small test videos.

Every call runs ffmpeg/ffprobe as a subprocess with an argument list, a time limit, an allowlist
of demuxers and only the ``file`` protocol (so a playlist or concat file posing as a video can
read nothing else). Outputs are written under temporary names and renamed only once ffmpeg
succeeded, so a failure or a timeout never leaves a partial rendition behind.

Error codes (all ``Invalid``, 400):

``library.media_unreadable``   not a media file, damaged, truncated, or no audio/video stream
``library.media_unsupported``  readable, but a picture larger than Tongke handles
``library.too_long``           longer than allowed (``check_duration``)
``library.transcode_failed``   ffmpeg failed or ran past its time limit
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid
from tongke.library.errors import LibraryError

log = logging.getLogger(__name__)

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"

# Demuxers ffmpeg may use on an upload ("mov" covers mp4/m4a/3gp, "matroska" covers webm).
DEMUXERS = "mov,matroska,avi,flv,mpegts,mpeg,mp3,aac,wav,ogg,flac"
_GUARD = ("-format_whitelist", DEMUXERS, "-protocol_whitelist", "file")
# Containers whose header duration is exact: a file much shorter than it says is truncated.
_EXACT_DURATION = ("mov", "matroska", "avi", "flv", "wav", "ogg", "flac")

PROBE_TIMEOUT_S = 30.0
DEMUX_TIMEOUT_S = 120.0
POSTER_TIMEOUT_S = 60.0
TIMEOUT_BASE_S = 120.0
TIMEOUT_PER_MEDIA_SECOND = 8.0  # default transcode limit: base + this x duration

MAX_DIMENSION = 8192
MAX_PIXELS = 8192 * 4320
MAX_FPS = 30.0  # faster sources are reduced to this: enough for a lesson, less to decode
GOP_SECONDS = 4


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Threads for the decoder and for each encoder: at most 4 (several encoders run side by side,
# so more buys little).
THREADS = max(1, min(_usable_cores(), 4))

MICRO_LESSON_MAX_S = 300.0
POSTER_WIDTH = 640
POSTER_FRACTION = 0.10
POSTER_MAX_AT_S = 10.0

ProgressCallback = Callable[[float], None]


# --- Probing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """What a media file holds. ``duration_s`` is measured by reading every packet (not only
    the container's claim); ``width``/``height`` are the displayed size (rotation and pixel
    aspect applied), None without video."""

    duration_s: float
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    has_video: bool
    has_audio: bool
    format_name: str
    fps: float | None = None
    audio_channels: int = 0
    audio_sample_rate: int = 0
    interlaced: bool = False
    video_stream: int | None = None  # stream index in the file
    audio_stream: int | None = None


def _unreadable(reason: str) -> Invalid:
    return Invalid(
        _("This media file cannot be read: it is damaged, incomplete or not a video or audio."),
        code=LibraryError.MEDIA_UNREADABLE,
        detail={"reason": reason},
    )


def _input(path: str | Path) -> list[str]:
    return [*_GUARD, "-i", f"file:{Path(path).resolve()}"]


def _ratio(text: str | None) -> float | None:
    if not text:
        return None
    num, _sep, den = text.partition("/")
    try:
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            try:
                return int(float(side["rotation"]))
            except (TypeError, ValueError):
                return 0
    try:
        return int((stream.get("tags") or {}).get("rotate", 0))
    except (TypeError, ValueError):
        return 0


def _display_size(stream: dict[str, Any]) -> tuple[int, int]:
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    sar = _ratio(stream.get("sample_aspect_ratio", "").replace(":", "/"))
    if sar and abs(sar - 1.0) > 0.01:
        width = round(width * sar)
    if abs(_rotation(stream)) % 180 == 90:
        width, height = height, width
    return width, height


def _float(value: Any) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return result if result == result and result > 0 else 0.0  # drops NaN


def probe(path: str | Path, *, timeout_s: float = PROBE_TIMEOUT_S) -> Probe:
    """Probe a media file. Refuses text or other non-media (whatever its name), damaged and
    truncated files (``library.media_unreadable``) and pictures above ``MAX_DIMENSION``
    (``library.media_unsupported``).

    The duration is measured by demuxing every packet (stream copy to the null muxer: no
    decoding, so it costs about one read of the file). A file that holds much less than its
    container claims, because it was cut short, is refused; one that holds more than it claims
    gets the measured, longer duration, so a length limit cannot be dodged by a lying header.
    """
    args = [
        FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
        *_GUARD, f"file:{Path(path).resolve()}",
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603
            args, capture_output=True, timeout=timeout_s, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        raise _unreadable("probe_timeout") from exc
    if done.returncode != 0:
        raise _unreadable("not_media")
    try:
        info = json.loads(done.stdout or b"{}")
    except ValueError as exc:
        raise _unreadable("not_media") from exc
    fmt = info.get("format") or {}
    streams = info.get("streams") or []
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and not (s.get("disposition") or {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise _unreadable("no_audio_or_video")

    width = height = None
    fps = None
    if video is not None:
        width, height = _display_size(video)
        if width <= 0 or height <= 0:
            raise _unreadable("no_picture_size")
        if max(width, height) > MAX_DIMENSION or width * height > MAX_PIXELS:
            raise Invalid(
                _("This video's picture is larger than Tongke handles (at most 8K)."),
                code=LibraryError.MEDIA_UNSUPPORTED,
                detail={"reason": "dimensions", "width": width, "height": height},
            )
        fps = _ratio(video.get("avg_frame_rate")) or _ratio(video.get("r_frame_rate"))

    format_name = str(fmt.get("format_name") or "")
    claimed = _float(fmt.get("duration")) or max(
        (_float(s.get("duration")) for s in (video, audio) if s is not None), default=0.0
    )
    mapped = [s["index"] for s in (video, audio) if s is not None]
    measured, partial = _measure(path, mapped)
    exact = any(name in _EXACT_DURATION for name in format_name.split(","))
    if partial or (exact and claimed and measured < claimed - max(1.0, 0.02 * claimed)):
        raise _unreadable("truncated")
    duration = measured or claimed
    if duration <= 0:
        raise _unreadable("no_duration")
    return Probe(
        duration_s=round(duration, 3),
        width=width,
        height=height,
        video_codec=video.get("codec_name") if video is not None else None,
        audio_codec=audio.get("codec_name") if audio is not None else None,
        has_video=video is not None,
        has_audio=audio is not None,
        format_name=format_name,
        fps=round(fps, 3) if fps else None,
        audio_channels=int(audio.get("channels") or 0) if audio is not None else 0,
        audio_sample_rate=int(_float(audio.get("sample_rate"))) if audio is not None else 0,
        interlaced=(video is not None and video.get("field_order") in ("tt", "bb", "tb", "bt")),
        video_stream=video["index"] if video is not None else None,
        audio_stream=audio["index"] if audio is not None else None,
    )


def _measure(path: str | Path, streams: Sequence[int]) -> tuple[float, bool]:
    """Demux every packet of ``streams``; return (end time in seconds, whether the demuxer
    reported a partial file)."""
    maps = [arg for index in streams for arg in ("-map", f"0:{index}")]
    args = [
        FFMPEG, "-nostdin", "-hide_banner", "-v", "error", *_input(path), *maps,
        "-c", "copy", "-f", "null", "-", "-progress", "pipe:1", "-nostats",
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603
            args, capture_output=True, timeout=DEMUX_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise _unreadable("probe_timeout") from exc
    if done.returncode != 0:
        raise _unreadable("demux_failed")
    end_us = 0
    for line in done.stdout.decode("ascii", "replace").splitlines():
        key, _sep, value = line.partition("=")
        if key == "out_time_us" and value.strip().isdigit():
            end_us = max(end_us, int(value))
    partial = b"partial file" in done.stderr
    return end_us / 1_000_000, partial


def check_duration(probe: Probe, *, max_s: float = MICRO_LESSON_MAX_S) -> None:
    """Refuse media longer than ``max_s`` (micro-lessons: five minutes), by the measured
    duration (``library.too_long``)."""
    if probe.duration_s > max_s:
        raise Invalid(
            _("This recording is longer than %(minutes)s minutes.")
            % {"minutes": f"{max_s / 60:g}"},
            code=LibraryError.TOO_LONG,
            detail={"duration_s": probe.duration_s, "max_s": max_s},
        )


# --- The rendition ladder -----------------------------------------------------------------


@dataclass(frozen=True)
class Rung:
    """One rendition of the ladder. ``short_side`` is the smaller picture side (the height of a
    landscape video); ``video_kbps`` caps the video bitrate (quality-targeted below the cap)."""

    label: str
    short_side: int
    video_kbps: int
    audio_kbps: int
    audio_channels: int
    profile: str  # H.264 profile: baseline for the smallest, main otherwise
    level: str


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung("240p", 240, 250, 48, 1, "baseline", "3.0"),
    Rung("360p", 360, 450, 64, 1, "main", "3.0"),
    Rung("720p", 720, 1200, 96, 2, "main", "3.1"),
)
AUDIO_LABEL = "audio"
AUDIO_KBPS = 48  # mono AAC, enough for a teacher's voice
CRF = 23
X264_PRESET = "veryfast"


@dataclass(frozen=True)
class PlannedRendition:
    rung: Rung
    width: int
    height: int


@dataclass(frozen=True)
class RenditionOut:
    label: str  # 240p, 360p, 720p or audio
    path: Path
    width: int | None  # None for audio
    height: int | None
    bitrate_kbps: int  # measured: file size x 8 / duration (audio and video together)
    size_bytes: int
    mime: str


def _even_down(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def plan_ladder(probe: Probe, ladder: Sequence[Rung] = DEFAULT_LADDER) -> list[PlannedRendition]:
    """The renditions a video gets: every rung whose size the source reaches (never
    upscaling), keeping the aspect ratio with even sides. A source smaller than the lowest rung
    gets that rung's label at its own size."""
    if not probe.has_video or not probe.width or not probe.height or not ladder:
        return []
    width, height = probe.width, probe.height
    short = min(width, height)
    planned = []
    for rung in sorted(ladder, key=lambda r: r.short_side):
        if rung.short_side > short:
            continue
        scale = rung.short_side / short
        w = min(_even_down(width), max(2, round(width * scale / 2) * 2))
        h = min(_even_down(height), max(2, round(height * scale / 2) * 2))
        planned.append(PlannedRendition(rung, w, h))
    if not planned:
        lowest = min(ladder, key=lambda r: r.short_side)
        planned.append(PlannedRendition(lowest, _even_down(width), _even_down(height)))
    return planned


@dataclass
class _Output:
    label: str
    part: Path
    final: Path
    width: int | None
    height: int | None
    mime: str


class _Reporter:
    """Calls ``on_progress`` with increasing values, at most about twice a second."""

    def __init__(self, callback: ProgressCallback | None):
        self.callback = callback
        self.last = -1.0
        self.last_at = 0.0

    def __call__(self, value: float, *, force: bool = False) -> None:
        if self.callback is None:
            return
        value = max(self.last, min(1.0, max(0.0, value)))
        now = time.monotonic()
        if force or (value - self.last >= 0.01 and now - self.last_at >= 0.5):
            self.last, self.last_at = value, now
            self.callback(value)


def _failed(reason: str) -> Invalid:
    return Invalid(
        _("The media could not be converted. Try another file or export it again."),
        code=LibraryError.TRANSCODE_FAILED,
        detail={"reason": reason},
    )


def _run_with_progress(
    args: list[str], *, duration_s: float, report: _Reporter, timeout_s: float
) -> None:
    """Run ffmpeg with ``-progress pipe:1`` in ``args``, reporting out_time / duration; kill it
    after ``timeout_s``."""
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(  # noqa: S603
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
        )
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.daemon = True
        timer.start()
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                key, _sep, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and value.isdigit() and duration_s > 0:
                    report(min(0.99, int(value) / 1_000_000 / duration_s))
            returncode = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if expired.is_set():
            raise _failed("timeout")
        if returncode != 0:
            errors.seek(0)
            log.warning(
                "ffmpeg failed (%s): %s",
                returncode,
                errors.read()[-2000:].decode("utf-8", "replace"),
            )
            raise _failed("ffmpeg_failed")


def _finish(outputs: list[_Output], duration_s: float) -> list[RenditionOut]:
    """Rename the finished parts into place, all or none."""
    done: list[RenditionOut] = []
    for out in outputs:
        if not out.part.exists() or out.part.stat().st_size == 0:
            raise _failed("empty_output")
    try:
        for out in outputs:
            os.replace(out.part, out.final)
            size = out.final.stat().st_size
            kbps = round(size * 8 / duration_s / 1000) if duration_s > 0 else 0
            done.append(
                RenditionOut(out.label, out.final, out.width, out.height, kbps, size, out.mime)
            )
    except OSError:
        for finished in done:
            finished.path.unlink(missing_ok=True)
        raise
    return done


def _produce(
    args: list[str],
    outputs: list[_Output],
    *,
    duration_s: float,
    on_progress: ProgressCallback | None,
    timeout_s: float | None,
) -> list[RenditionOut]:
    report = _Reporter(on_progress)
    report(0.0, force=True)
    limit = timeout_s or TIMEOUT_BASE_S + TIMEOUT_PER_MEDIA_SECOND * duration_s
    try:
        _run_with_progress(args, duration_s=duration_s, report=report, timeout_s=limit)
        done = _finish(outputs, duration_s)
    except BaseException:
        for out in outputs:
            out.part.unlink(missing_ok=True)
        raise
    report(1.0, force=True)
    return done


def _audio_args(probe: Probe, kbps: int, channels: int) -> list[str]:
    args = [
        "-c:a",
        "aac",
        "-b:a",
        f"{kbps}k",
        "-ac",
        str(max(1, min(channels, probe.audio_channels or 1))),
    ]
    if probe.audio_sample_rate > 48000 or probe.audio_sample_rate == 0:
        args += ["-ar", "48000"]
    return args


_COMMON_OUT = ("-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart")


def _head(src: str | Path) -> list[str]:
    return [
        FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1",
        "-threads", str(THREADS), *_input(src),
    ]  # fmt: skip


def _part(out_dir: Path, label: str, suffix: str) -> tuple[Path, Path]:
    return out_dir / f".{label}.{secrets.token_hex(6)}.part", out_dir / f"{label}{suffix}"


def transcode(
    src: str | Path,
    out_dir: str | Path,
    *,
    probe: Probe,
    on_progress: ProgressCallback | None = None,
    ladder: Sequence[Rung] = DEFAULT_LADDER,
    timeout_s: float | None = None,
) -> list[RenditionOut]:
    """Transcode a video into ``plan_ladder`` renditions (``<label>.mp4``: H.264 yuv420p +
    AAC, faststart, metadata stripped) plus ``audio.m4a`` when it has sound, in one ffmpeg run
    that decodes the source once. ``on_progress`` gets 0.0 first, increasing values, and 1.0
    once the files are in place. A source without video gets the audio rendition only.
    Refuses with ``library.transcode_failed`` (nothing left in ``out_dir``) on failure or
    after ``timeout_s`` (default: 120 s + 8 x duration)."""
    if not probe.has_video:
        return transcode_audio(
            src, out_dir, probe=probe, on_progress=on_progress, timeout_s=timeout_s
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    planned = plan_ladder(probe, ladder)
    if not planned:
        raise ValueError("an empty ladder")
    fps = probe.fps or 25.0
    pre = []
    if probe.interlaced:
        pre.append("yadif=deint=interlaced")
    if fps > MAX_FPS + 0.5:
        pre.append(f"fps={MAX_FPS:g}")
        fps = MAX_FPS
    branches = "".join(f"[s{i}]" for i in range(len(planned)))
    graph = [f"[0:{probe.video_stream}]{','.join([*pre, f'split={len(planned)}'])}{branches}"]
    for i, plan in enumerate(planned):
        graph.append(
            f"[s{i}]scale={plan.width}:{plan.height}:flags=bicubic,setsar=1,format=yuv420p[v{i}]"
        )
    cap = f"{probe.duration_s + 0.5:.3f}"
    gop = str(max(1, round(fps * GOP_SECONDS)))
    args = [*_head(src), "-filter_complex", ";".join(graph)]
    outputs: list[_Output] = []
    for i, plan in enumerate(planned):
        rung = plan.rung
        part, final = _part(out_dir, rung.label, ".mp4")
        outputs.append(_Output(rung.label, part, final, plan.width, plan.height, "video/mp4"))
        args += ["-map", f"[v{i}]"]
        if probe.has_audio:
            args += ["-map", f"0:{probe.audio_stream}"]
            args += _audio_args(probe, rung.audio_kbps, rung.audio_channels)
        args += [
            "-c:v", "libx264", "-preset", X264_PRESET, "-profile:v", rung.profile,
            "-level:v", rung.level, "-pix_fmt", "yuv420p", "-crf", str(CRF),
            "-maxrate", f"{rung.video_kbps}k", "-bufsize", f"{rung.video_kbps * 2}k",
            "-g", gop, "-threads", str(THREADS), "-sn", "-dn", *_COMMON_OUT,
            "-t", cap, "-f", "mp4", str(part),
        ]  # fmt: skip
    if probe.has_audio:
        part, final = _part(out_dir, AUDIO_LABEL, ".m4a")
        outputs.append(_Output(AUDIO_LABEL, part, final, None, None, "audio/mp4"))
        args += ["-map", f"0:{probe.audio_stream}", "-vn", "-sn", "-dn"]
        args += [*_audio_args(probe, AUDIO_KBPS, 1), *_COMMON_OUT]
        args += ["-t", cap, "-f", "mp4", str(part)]
    return _produce(
        args, outputs, duration_s=probe.duration_s, on_progress=on_progress, timeout_s=timeout_s
    )


def transcode_audio(
    src: str | Path,
    out_dir: str | Path,
    *,
    probe: Probe,
    on_progress: ProgressCallback | None = None,
    timeout_s: float | None = None,
) -> list[RenditionOut]:
    """The ``audio`` rendition (``audio.m4a``, mono AAC 48 kbps, faststart) of an audio file
    or of a video's sound; a one-element list, like ``transcode``'s."""
    if not probe.has_audio:
        raise _failed("no_audio")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    part, final = _part(out_dir, AUDIO_LABEL, ".m4a")
    outputs = [_Output(AUDIO_LABEL, part, final, None, None, "audio/mp4")]
    args = [
        *_head(src), "-map", f"0:{probe.audio_stream}", "-vn", "-sn", "-dn",
        *_audio_args(probe, AUDIO_KBPS, 1), *_COMMON_OUT,
        "-t", f"{probe.duration_s + 0.5:.3f}", "-f", "mp4", str(part),
    ]  # fmt: skip
    return _produce(
        args, outputs, duration_s=probe.duration_s, on_progress=on_progress, timeout_s=timeout_s
    )


# --- Poster ---------------------------------------------------------------------------------


def poster_at(duration_s: float) -> float:
    """Where to take the poster: 10% into the video, at most 10 s in."""
    return max(0.0, min(duration_s * POSTER_FRACTION, POSTER_MAX_AT_S))


def poster(
    src: str | Path,
    dest_jpg: str | Path,
    *,
    at_s: float,
    width: int = POSTER_WIDTH,
    timeout_s: float = POSTER_TIMEOUT_S,
) -> Path:
    """Write one JPEG frame taken at ``at_s`` (or the first frame if that is past the end),
    at most ``width`` pixels wide, displayed aspect ratio kept. ``library.transcode_failed``
    when no frame can be taken."""
    dest = Path(dest_jpg)
    part = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
    scale = f"scale=w='min({width},trunc(iw*sar/2)*2)':h='max(2,round(ow/dar/2)*2)',setsar=1"
    try:
        for seek in (max(0.0, at_s), 0.0):
            args = [
                FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-ss", f"{seek:.3f}", *_input(src), "-map", "0:V:0", "-frames:v", "1",
                "-vf", scale, "-q:v", "4", "-map_metadata", "-1", "-f", "image2", str(part),
            ]  # fmt: skip
            try:
                done = subprocess.run(  # noqa: S603
                    args, capture_output=True, timeout=timeout_s, check=False
                )
            except subprocess.TimeoutExpired as exc:
                raise _failed("timeout") from exc
            if done.returncode == 0 and part.exists() and part.stat().st_size > 0:
                os.replace(part, dest)
                return dest
            if seek == 0.0:
                break
        raise _failed("no_frame")
    finally:
        part.unlink(missing_ok=True)


# --- Test videos ----------------------------------------------------------------------------


FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


def _fc(*args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603
            list(args), capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


@cache
def cjk_font_file() -> str | None:
    """A font file that draws Chinese: Noto Sans CJK SC if fontconfig has it, else any font
    fontconfig lists for zh-cn, else a few usual paths; None when there is none. Only plain
    paths are returned (they go into ffmpeg filter arguments unescaped)."""
    chinese = set(_fc("fc-list", ":lang=zh-cn", "-f", "%{file}\n").split())
    preferred = _fc("fc-match", "-f", "%{file}", "Noto Sans CJK SC").strip()
    found = [preferred] if preferred in chinese else []
    found += sorted(p for p in chinese if "Regular" in p) + sorted(chinese)
    found += [p for p in FONT_CANDIDATES if Path(p).exists()]
    for path in found:
        if re.fullmatch(r"[A-Za-z0-9_./-]+", path) and Path(path).is_file():
            return path
    return None


_drawtext_works: dict[str, bool] = {}


def make_test_video(
    dest: str | Path,
    *,
    seconds: float,
    width: int,
    height: int,
    tone_hz: float | None = 440,
    label: str | None = None,
    fps: int = 25,
    faststart: bool = False,
) -> Path:
    """Generate a real H.264 (+ AAC sine tone unless ``tone_hz`` is None) MP4 from ffmpeg's
    test sources: moving colour bars, an optional ``label`` drawn on it (left out if drawtext
    or its font is not available). Fast: a 20 s 320x240 clip takes a fraction of a second."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tongke-testvideo-") as work:
        video = f"testsrc2=size={width}x{height}:rate={fps}"
        if label and _drawtext_works.get("ok", True):
            textfile = Path(work) / "label.txt"
            textfile.write_text(label, encoding="utf-8")
            font = cjk_font_file()
            drawtext = (
                f"drawtext=textfile={textfile}:fontsize={max(12, height // 10)}:fontcolor=white"
                ":box=1:boxcolor=black@0.6:boxborderw=6:x=(w-tw)/2:y=h-th-h/12"
            )
            if font:
                drawtext += f":fontfile={font}"
            try:
                _generate(dest, video + "," + drawtext, seconds, tone_hz, faststart)
                _drawtext_works["ok"] = True
                return dest
            except subprocess.CalledProcessError:
                _drawtext_works["ok"] = False
        _generate(dest, video, seconds, tone_hz, faststart)
    return dest


def _generate(
    dest: Path, video_filter: str, seconds: float, tone_hz: float | None, faststart: bool
) -> None:
    part = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
    args = [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y"]
    args += ["-f", "lavfi", "-i", video_filter]
    if tone_hz is not None:
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone_hz:g}:sample_rate=48000"]
    args += ["-t", f"{seconds:g}", "-map", "0:v"]
    if tone_hz is not None:
        args += ["-map", "1:a", "-c:a", "aac", "-b:a", "64k"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p"]
    if faststart:
        args += ["-movflags", "+faststart"]
    args += ["-f", "mp4", str(part)]
    try:
        subprocess.run(args, capture_output=True, timeout=600, check=True)  # noqa: S603
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)
