# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# The environment lives in .venv/ and is (re)built when pyproject.toml or the lock changes.

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Python 3.12 as selected by .python-version through pyenv; fall back to pyenv's own folder.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo $(HOME)/.pyenv/versions/3.12.1/bin/python3.12)

.PHONY: run test bench bench-sweep lock clean regression-refresh docs browser posterior

$(STAMP): pyproject.toml requirements.lock
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
		echo "$(VENV) is not Python 3.12: rebuilding it"; rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

# The main job: SKR's position (all three levers) against the baseline, paired, under the
# shipped posterior (100 draws x 4 replications, so the intervals include the parameters'
# uncertainty), with the attribution to levers, a report and a one-page brief (printed by
# chromium, which `browser` installs where it may).
run: $(STAMP) browser
	$(BIN)/spridning compare baseline skr_position --posterior default --draws 100 \
		--replications 4 --seed 1 --workers 2 --out results/skr_position_vs_baseline --attribute
	$(BIN)/spridning report results/skr_position_vs_baseline --lang sv
	$(BIN)/spridning brief results/skr_position_vs_baseline --lang sv

# The shipped posterior (model/posteriors/default.*): the joint ABC-SMC calibration to every
# observed series in experiments/targets/ (about 70 minutes on 2 cores; resumes if stopped).
posterior: $(STAMP)
	$(BIN)/spridning calibrate --all --population 200 --generations 9 --draws 200 \
		--workers 2 --out results/calibrations/joint --ship default

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The explorer's tests drive Debian's chromium through Playwright (Playwright's own browser
# download does not work here). Installed when missing and we may; otherwise those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's chromium for the browser tests"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
			{ apt-get update -q >/dev/null 2>&1 && \
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; } || \
			echo "could not install chromium: the browser tests will be skipped"; \
		else echo "chromium is missing and cannot be installed here: the browser tests will be skipped"; fi; }

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_blocks.py
	$(BIN)/python benchmarks/bench_events.py

bench-sweep: $(STAMP)
	$(BIN)/python benchmarks/bench_sweep.py

# Refresh the full lock (every transitive package pinned) after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable --exclude spridning > requirements.lock

clean:
	rm -rf $(VENV)

# Store new seeded-baseline numbers after an intended model change (commit the JSON).
regression-refresh: $(STAMP)
	PYTHONPATH=. $(BIN)/python tests/baseline_regression.py --refresh

# Regenerate the generated parts of docs/ODD.md (parameter table, Bass docking table).
docs: $(STAMP)
	$(BIN)/python -m model.odd
