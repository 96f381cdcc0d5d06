# The two commands of the README: `make e2e` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
REPORTS ?= reports

.PHONY: setup system browser node e2e test test-order test-families report pv board site lab lint clean

setup: system $(VENV)/.installed browser node

# Debian's packages the project needs (one list: scripts/system-deps, used by .ci/run too).
# Without root or apt-get it stops at once, naming the missing packages.
system:
	@scripts/system-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# Playwright's own Chromium where it can be downloaded; Debian's chromium otherwise (with its
# chromium-headless-shell, which headless runs prefer, as Playwright's own download does).
browser: $(VENV)/.installed
	@$(PY) -c "from playwright.sync_api import sync_playwright as s; import os,sys; p=s().start(); sys.exit(0 if os.path.exists(p.chromium.executable_path) else 1)" 2>/dev/null \
	 || [ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] \
	 || $(PY) -m playwright install chromium 2>/dev/null \
	 || (echo "No Chromium: run 'playwright install chromium' or install your distribution's chromium" && exit 1)

node_modules/.bin/allure: package.json
	npm install --no-audit --no-fund --silent
	touch $@

node: node_modules/.bin/allure

# Run the checks (against the lab when no VERIFIER_ENT_URL is set), then build the report.
e2e: setup
	-rm -rf $(REPORTS)/allure-results $(REPORTS)/screenshots
	$(PYTEST) e2e/ ; status=$$?; \
	 $(MAKE) --no-print-directory report || [ $$status -ne 0 ] || status=1; \
	 $(MAKE) --no-print-directory pv || [ $$status -ne 0 ] || status=1; exit $$status

# Tidy the results first (no pytest fixtures, French parameters; verdict/report_view.py),
# then take Allure's Google Analytics out of the report (no call to Google when it is opened),
# then check that it shows every account of summary.json as judged (verdict/report_check.py).
report: node
	$(PY) -m verdict.report_view $(REPORTS)/allure-results >/dev/null
	npx allure generate $(REPORTS)/allure-results --output $(REPORTS)/allure-report >/dev/null
	$(PY) -m verdict.report_view --strip-analytics $(REPORTS)/allure-report/index.html
	$(PY) -m verdict.report_check $(REPORTS)
	@echo "Report: $(REPORTS)/allure-report/index.html"

# Procès-verbal de recette per establishment: $(REPORTS)/pv/<UAI>.pdf and .html.
pv: $(VENV)/.installed
	$(PY) -m pv --reports $(REPORTS)

# The status board: $(REPORTS)/summary.json added to the nights kept ($(REPORTS)/nights.jsonl),
# then one page, $(REPORTS)/board.html: each establishment, night after night.
board: $(VENV)/.installed
	$(PY) -m verdict board --reports $(REPORTS)

# A folder to publish (GitLab Pages): the board as its index.html, beside the report, the PVs
# and summary.json it links to (relative links), whichever of them the run wrote.
SITE ?= public
site:
	mkdir -p $(SITE)
	cp $(REPORTS)/board.html $(SITE)/index.html
	for part in allure-report pv summary.json; do \
	  if [ -e $(REPORTS)/$$part ]; then cp -R $(REPORTS)/$$part $(SITE)/; fi; \
	done

test: setup
	$(PYTEST) tests/ -n 2

# The verdicts' independence from the order journeys end in, at full length: every account of
# the lab, 5 runs one journey at a time and 5 runs sixteen at once, per fault (make test: 2+2).
test-order: setup
	FAULT_MATRIX_RUNS=5 $(PYTEST) tests/test_fault_matrix.py -k every_run

# The rentrée's faults in every other ENT login family under both wordings (make test: the
# default wording only).
test-families: setup
	FAMILY_MATRIX_WORDINGS=default,alt $(PYTEST) tests/test_family_fault_matrix.py -n 2

lab: setup
	$(PY) -m lab

# The CI recipes too: zizmor's security audit (offline: no GitHub API) and the GitHub
# Actions and GitLab CI schemas check-jsonschema ships (no download).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/zizmor --offline --no-progress .github/workflows/
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.gitlab-ci --data-transform gitlab-ci .gitlab-ci.yml

clean:
	rm -rf $(REPORTS)/allure-results $(REPORTS)/allure-report $(REPORTS)/pv $(REPORTS)/screenshots $(REPORTS)/summary.json $(REPORTS)/results.jsonl $(REPORTS)/board.html test-results
