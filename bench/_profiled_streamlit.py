"""Child of bench_whatif_browser.py ``--profile DIR``: ``streamlit run`` with every script run profiled.

Each script run (a full run, or a fragment rerun) is run under cProfile; its statistics go to
``DIR/run-<n>.pstats`` and one line (n, wall ms) to ``DIR/runs.tsv``. Which it was shows in the
profile (``wrapped_fragment`` without app.py): a widget callback can turn a run into a fragment
rerun after it has started (``st.rerun(key)``). Read one with ``python -m pstats``. Arguments after
the script name are streamlit's.

    .venv/bin/python bench/_profiled_streamlit.py DIR app.py --server.port 8501 ...
"""

from __future__ import annotations

import cProfile
import itertools
import sys
import time
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

OUT = Path(sys.argv.pop(1))
OUT.mkdir(parents=True, exist_ok=True)
_count = itertools.count(1)
_plain_run = script_runner.ScriptRunner._run_script


def _profiled_run(self, rerun_data, *args, **kwargs):
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    try:
        return _plain_run(self, rerun_data, *args, **kwargs)
    finally:
        profile.disable()
        n = next(_count)
        profile.dump_stats(OUT / f"run-{n}.pstats")
        with (OUT / "runs.tsv").open("a") as runs:
            runs.write(f"{n}\t{(time.perf_counter() - started) * 1000:.0f}\n")


script_runner.ScriptRunner._run_script = _profiled_run
sys.argv = ["streamlit", "run", *sys.argv[1:]]
sys.exit(cli.main())
