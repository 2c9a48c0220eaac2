"""Start a real Janus for tests: a throw-away config with only the VideoRoom plugin and the
WebSocket transport on a free loopback port. Used by test_janus.py and the browser test of
the SFU path."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def janus_folder(kind: str) -> Path:
    """Where the installed Janus keeps its plugins or transports (Debian: multiarch libdir)."""
    sample = Path("/etc/janus/janus.jcfg")
    if sample.exists():
        found = re.search(rf'^\s*{kind}_folder\s*=\s*"([^"]+)"', sample.read_text(), re.M)
        if found and Path(found[1]).is_dir():
            return Path(found[1])
    places = [*Path("/usr/lib").glob(f"*/janus/{kind}"), Path(f"/usr/lib/janus/{kind}")]
    places += [Path(f"/usr/local/lib/janus/{kind}"), Path(f"/opt/janus/lib/janus/{kind}")]
    for place in places:
        if place.is_dir():
            return place
    raise RuntimeError(f"janus is installed but its {kind} folder was not found")


def all_but(folder: Path, keep: str) -> str:
    names = sorted(p.name for p in folder.glob("*.so"))
    assert keep in names, f"{keep} is missing from {folder}"
    return ",".join(name for name in names if name != keep)


@contextlib.contextmanager
def running_janus(conf: Path, *, api_secret: str | None = None) -> Iterator[str]:
    """Start Janus (VideoRoom over WebSockets only) with its config in ``conf``; yields its
    ``ws://`` address and stops it afterwards."""
    binary = shutil.which("janus")
    if binary is None:
        raise RuntimeError("janus is not installed (apt-get install janus)")
    plugins, transports = janus_folder("plugins"), janus_folder("transports")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = conf / "janus.log"
    secret_line = f' api_secret = "{api_secret}"\n' if api_secret else ""
    (conf / "janus.jcfg").write_text(
        f'general: {{\n configs_folder = "{conf}"\n plugins_folder = "{plugins}"\n'
        f' transports_folder = "{transports}"\n log_to_stdout = false\n'
        f' log_to_file = "{log}"\n debug_level = 3\n {secret_line}}}\n'
        f'media: {{\n}}\nnat: {{\n ice_ignore_list = "vmnet"\n}}\n'
        f'plugins: {{\n disable = "{all_but(plugins, "libjanus_videoroom.so")}"\n}}\n'
        f'transports: {{\n disable = "{all_but(transports, "libjanus_websockets.so")}"\n}}\n'
    )
    (conf / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
    (conf / "janus.transport.websockets.jcfg").write_text(
        f'general: {{\n json = "compact"\n ws = true\n ws_port = {port}\n ws_ip = "127.0.0.1"\n'
        " wss = false\n}\nadmin: {\n admin_ws = false\n admin_wss = false\n}\n"
    )
    proc = subprocess.Popen(
        [binary, "-C", str(conf / "janus.jcfg"), "-F", str(conf), "--disable-colors"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text()[-2000:] if log.exists() else "(no log)"
                raise RuntimeError(f"janus did not start listening on {port}:\n{tail}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"ws://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
