"""Transcoding cost: Tongke's whole media pass on one lesson video, against one plain transcode.

Usage:
    uv run python bench/transcode.py                      # 60 s 1280x720 test video with tone
    uv run python bench/transcode.py --seconds 20 --width 640 --height 360

It generates a test video (``ffmpeg.make_test_video``: moving test pattern, sine tone), then,
in a child process of its own (so that the peak memory below is the media pass's and not the
generator's), runs what a library upload gets: ``probe`` (which demuxes every packet to
measure the duration), ``transcode`` (the whole ladder: 240p, 360p, 720p and audio-only, one
ffmpeg run) and ``poster``. As a reference, in the same run, one plain
``ffmpeg -i src -c:v libx264 -preset veryfast out720.mp4``, and the ratio of the two times.

Figures: seconds per step, processing time / video duration (below 1 means faster than the
video plays), each rendition's size and measured bitrate, the peak RSS of the ffmpeg
processes (``getrusage(RUSAGE_CHILDREN)``, the largest one), and the machine. On a shared
machine the wall-clock ratio moves with other load; the CPU-time ratio and the load averages
printed at the end tell how much.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _django_light() -> None:
    """The media modules only need translation settings (for error messages)."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def child(src: Path, out_dir: Path) -> None:
    import resource

    _django_light()
    from tongke.library.media import ffmpeg

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    calls: list[float] = []
    t0 = time.perf_counter()
    probe = ffmpeg.probe(src)
    t1 = time.perf_counter()
    cpu1 = children_cpu()
    outputs = ffmpeg.transcode(src, out_dir, probe=probe, on_progress=calls.append)
    t2 = time.perf_counter()
    cpu2 = children_cpu()
    ffmpeg.poster(src, out_dir / "poster.jpg", at_s=ffmpeg.poster_at(probe.duration_s))
    t3 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "duration_s": probe.duration_s,
                "probe_s": t1 - t0,
                "transcode_s": t2 - t1,
                "poster_s": t3 - t2,
                "poster_bytes": (out_dir / "poster.jpg").stat().st_size,
                "ffmpeg_peak_rss_kib": usage.ru_maxrss,
                "ffmpeg_cpu_s": usage.ru_utime + usage.ru_stime,
                "transcode_cpu_s": cpu2 - cpu1,
                "progress_calls": len(calls),
                "outputs": [
                    {
                        "label": o.label,
                        "size": f"{o.width}x{o.height}" if o.width else "-",
                        "bytes": o.size_bytes,
                        "kbps": o.bitrate_kbps,
                    }
                    for o in outputs
                ],
            }
        )
    )


def reference(src: Path, dest: Path) -> tuple[float, int, float]:
    """One plain veryfast 720p transcode: (seconds, peak RSS KiB, CPU seconds)."""
    args = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(src)]
    args += ["-c:v", "libx264", "-preset", "veryfast", str(dest)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"reference transcode failed ({proc.returncode})")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def machine() -> str:
    version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True)
    first = version.stdout.splitlines()[0] if version.stdout else "ffmpeg ?"
    cores = len(os.sched_getaffinity(0))
    return (
        f"{platform.machine()} {platform.processor() or ''} cores usable {cores} "
        f"(os.cpu_count {os.cpu_count()}), Linux {platform.release()}, Python "
        f"{platform.python_version()}; {' '.join(first.split()[:3])}"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--child", nargs=2, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return

    _django_light()
    from tongke.library.media import ffmpeg

    load_before = _load()
    work = Path(tempfile.mkdtemp(prefix="tongke-bench-transcode-"))
    src = work / "source.mp4"
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    ffmpeg.make_test_video(
        src, seconds=args.seconds, width=args.width, height=args.height, label="Tongke bench"
    )
    gen_s = time.perf_counter() - t0
    print(
        f"source: {args.seconds:g} s {args.width}x{args.height} 25 fps H.264+AAC test pattern, "
        f"{src.stat().st_size / 1e6:.1f} MB, generated in {gen_s:.2f} s"
    )
    rungs = ", ".join(
        f"{r.label} <= {r.video_kbps}k+{r.audio_kbps}k" for r in ffmpeg.DEFAULT_LADDER
    )
    print(
        f"ladder: {rungs}, audio {ffmpeg.AUDIO_KBPS}k mono; "
        f"x264 {ffmpeg.X264_PRESET} crf {ffmpeg.CRF}, threads {ffmpeg.THREADS}"
    )

    done = subprocess.run(
        [sys.executable, __file__, "--child", str(src), str(work / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"media pass failed:\n{done.stderr}")
    r: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    ref_s, ref_rss, ref_cpu = reference(src, work / "out720.mp4")

    duration = r["duration_s"]
    total = r["probe_s"] + r["transcode_s"] + r["poster_s"]
    print()
    print(f"probe (incl. full demux)  {r['probe_s']:7.2f} s")
    calls = r["progress_calls"]
    print(f"transcode (whole ladder)  {r['transcode_s']:7.2f} s   progress callbacks: {calls}")
    print(f"poster                    {r['poster_s']:7.2f} s   {r['poster_bytes'] / 1e3:.1f} kB")
    ratio = total / duration
    print(f"processing total          {total:7.2f} s   / video {duration:.1f} s = {ratio:.2f}")
    rss, cpu = r["ffmpeg_peak_rss_kib"] / 1024, r["ffmpeg_cpu_s"]
    print(f"ffmpeg peak RSS           {rss:7.1f} MiB   CPU {cpu:.1f} s")
    print()
    print(f"{'rendition':10} {'size':>9} {'bytes':>11} {'kbps':>6}")
    for o in r["outputs"]:
        print(f"{o['label']:10} {o['size']:>9} {o['bytes']:>11} {o['kbps']:>6}")
    print()
    ref_size = (work / "out720.mp4").stat().st_size
    print(
        f"reference: ffmpeg -i src -c:v libx264 -preset veryfast out720.mp4  {ref_s:.2f} s, "
        f"{ref_size / 1e6:.1f} MB, peak RSS {ref_rss / 1024:.1f} MiB, CPU {ref_cpu:.1f} s"
    )
    print(f"ladder time / reference time = {r['transcode_s'] / ref_s:.2f}")
    print(f"(processing total / reference time = {total / ref_s:.2f})")
    print(
        f"ladder CPU / reference CPU = {r['transcode_cpu_s'] / ref_cpu:.2f} "
        f"({r['transcode_cpu_s']:.1f} s / {ref_cpu:.1f} s; less sensitive to other load)"
    )
    print(f"load average before / after: {load_before} / {_load()}")
    if args.keep:
        print(f"work directory kept: {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
