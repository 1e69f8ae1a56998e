"""The app served for real, for the browser tests and the browser benchmark: Debian's Chromium and its
flags, the idle marker of a Streamlit page, and ``serve``, which starts ``streamlit run app.py`` on a
free port, waits for its health check and stops it on exit. No pytest here: bench/ imports it too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
STREAMLIT = [sys.executable, "-m", "streamlit", "run"]


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(env: dict, log_path: Path, *, runner: list[str] = STREAMLIT, timeout: float = 60,
          extra_args: tuple[str, ...] = ()) -> Iterator[tuple[str, int]]:
    """``<runner> app.py`` on a free port with ``env``, its output in ``log_path``; yields the URL and the
    server's process id once ``/_stcore/health`` answers (``ServerDidNotStart`` with the log if it does
    not within ``timeout`` s), and stops the whole process group on exit."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*runner, "app.py", "--server.headless", "true", "--server.port", str(port),
             "--browser.gatherUsageStats", "false", *extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ServerDidNotStart(f"streamlit did not start:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield url, process.pid
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
