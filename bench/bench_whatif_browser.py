"""What-if as the analyst feels it: a slider move to updated numbers in real headless Chromium (not a test).

Starts ``streamlit run app.py`` on a free port of 127.0.0.1 with ``FBA_HEALTH_DB`` set to ``--db``
(default: a fresh copy of the demo account, loaded with ``fba-health load-sample``), opens the
What-if page, waits until it is ready (the script idle, the metrics and the projection chart drawn),
then moves the service-level slider and the lead-time slider ``--moves`` times each with the
keyboard (one arrow press on the focused thumb, as a keyboard user does, the same step every time).
Each move is timed inside the page, from just before the key press until the metric tiles' text has
changed and Streamlit says the script is no longer running (``data-test-script-state`` of
``stApp`` back to ``notRunning``, the status widget gone): what the analyst sees as "done".

Prints the median and p90 per slider, and a JSON summary on the last line.

    .venv/bin/python bench/bench_whatif_browser.py [--db PATH] [--moves 15] [--warmup 2]

Needs Debian's chromium at /usr/bin/chromium and Playwright's Python package (never downloads a
browser). The goal (issue 14): <= 250 ms on the demo, <= 500 ms on the 10,000-SKU account.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SLIDERS = {"service level": "Service level, every SKU", "lead time": "Lead-time shift"}
TOGGLE = "One service level for every SKU"  # the toggle the slider needed before issue 14

# The numbers the analyst reads: every metric tile's value and delta, as one string.
METRICS_TEXT = """() => Array.from(document.querySelectorAll("[data-testid='stMetric']"))
    .map(m => m.innerText).join(" | ")"""
# True once the numbers differ from `before` and the script is idle: the elapsed ms since window.__t0.
DONE = """(before) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    if (document.querySelector("[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']"))
        return false;
    const now = Array.from(document.querySelectorAll("[data-testid='stMetric']"))
        .map(m => m.innerText).join(" | ");
    return now !== before ? performance.now() - window.__t0 : false;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_copy(folder: Path) -> Path:
    """A fresh database holding the demo account, loaded by the command a seller would run."""
    path = folder / "demo.duckdb"
    command = [str(Path(sys.executable).with_name("fba-health")), "load-sample", "--db", str(path)]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "core.cli", "load-sample", "--db", str(path)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return path


@contextmanager
def streamlit_server(db_path: Path, log_path: Path):
    """``streamlit run app.py`` on a free port with ``FBA_HEALTH_DB=db_path``; stopped on exit."""
    port = free_port()
    env = {**os.environ, "FBA_HEALTH_DB": str(db_path), "FBA_HEALTH_NO_DEMO": "1", "PYTHONPATH": str(ROOT)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"streamlit did not start:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def open_whatif(page, url: str, timeout_ms: int) -> float:
    """Open the What-if page (a deep link: a new session, as a reload) and wait until it is ready;
    the seconds it took."""
    started = time.perf_counter()
    page.goto(f"{url}/whatif")
    page.get_by_role("heading", name="What-if").wait_for(timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stMetric']", timeout=timeout_ms)
    page.wait_for_selector(".main-svg", timeout=timeout_ms)  # the projection chart, drawn last but one
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    return time.perf_counter() - started


def thumb(page, label: str):
    return page.locator("[data-testid='stSlider']", has_text=label).get_by_role("slider")


def one_move(page, label: str, key: str, timeout_ms: int) -> float:
    """Press ``key`` on the slider's focused thumb; ms until the numbers changed and the script is idle."""
    slider = thumb(page, label)
    slider.focus()
    before = page.evaluate(METRICS_TEXT)
    page.evaluate("() => { window.__t0 = performance.now(); }")
    page.keyboard.press(key)
    handle = page.wait_for_function(DONE, arg=before, polling="raf", timeout=timeout_ms)
    return float(handle.json_value())


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p90 of 15 moves is the 14th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the account database (default: a fresh copy of the demo)")
    parser.add_argument("--moves", type=int, default=15, help="timed moves per slider")
    parser.add_argument("--warmup", type=int, default=2, help="untimed moves per slider first")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the page to open")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit("Chromium is missing at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="fba-whatif-bench-"))
    try:
        db_path = args.db.resolve() if args.db else demo_copy(work)
        if not db_path.exists():
            sys.exit(f"{db_path} not found")
        timeout_ms = int(args.timeout * 1000)
        results: dict[str, list[float]] = {}
        with streamlit_server(db_path, work / "streamlit.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            open_s = open_whatif(page, url, timeout_ms)
            if not thumb(page, SLIDERS["service level"]).is_enabled():  # the page before issue 14
                page.get_by_text(TOGGLE).click()
                page.wait_for_function(DONE.replace("performance.now() - window.__t0", "true"),
                                       arg=page.evaluate(METRICS_TEXT), polling="raf", timeout=timeout_ms)
            for name, label in SLIDERS.items():
                times = []
                for n in range(args.warmup + args.moves):
                    elapsed = one_move(page, label, "ArrowRight", 60_000)
                    if n >= args.warmup:
                        times.append(elapsed)
                results[name] = times
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0]  # the machine is shared: a figure means little without it
    summary = {"db": str(args.db) if args.db else "demo (fresh copy)", "cores": os.cpu_count(),
               "load_1min": round(load, 1),
               "first_open_s": round(open_s, 2), "moves": args.moves,
               **{f"{name.replace(' ', '_')}_ms": {"median": round(statistics.median(t)),
                                                   "p90": round(percentile(t, 0.9)),
                                                   "min": round(min(t)), "max": round(max(t))}
                  for name, t in results.items()}}
    print(f"\nWhat-if page in Chromium, {summary['db']}; {os.cpu_count()} cores, load {load:.1f}; page ready in {open_s:.1f} s; "
          f"{args.moves} moves per slider after {args.warmup} untimed\n")
    print("| Slider | Median | p90 |")
    print("|---|---|---|")
    for name, t in results.items():
        print(f"| {name} | {statistics.median(t):.0f} ms | {percentile(t, 0.9):.0f} ms |")
    print()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
