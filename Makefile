# The two commands of the README: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# make test module=letzshop     one app's tests (its marker)
# make test frontend=admin      the admin's browser tests (frontend=store: the store portal's)
# make test args="-k import"    anything else pytest takes
ifdef frontend
  MARKERS := -m "frontend and $(frontend)_ui"
else ifdef module
  MARKERS := -m "$(module) and not frontend"
endif

.PHONY: install chromium run test lint format messages screenshots bench-import bench-queue bench-catalog bench-admin bench-metrics bench-scale clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	./scripts/run.sh

test: install chromium
	$(BIN)/pytest $(MARKERS) $(args)

# Debian's Chromium for the browser tests, installed when missing.
chromium:
	./scripts/chromium.sh

screenshots: install chromium
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest -m frontend $(args)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l fr -l de --ignore=.venv --ignore=var
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l fr -l de --ignore=.venv --ignore=var
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

bench-import: install
	$(BIN)/python bench/import_orders.py $(args)

bench-queue: install
	$(BIN)/python bench/fulfillment_queue.py $(args)

bench-catalog: install
	$(BIN)/python bench/catalog_import.py $(args)

bench-admin: install
	$(BIN)/python bench/admin_changelist.py $(args)

bench-metrics: install
	$(BIN)/python bench/metrics_scrape.py $(args)

# K workers and M stores over PostgreSQL and Redis (docs/scaling.md); args=--quick: under 2 minutes.
bench-scale: install
	$(BIN)/python bench/scale.py $(args)

clean:
	rm -rf var/broker var/test-db.sqlite3*
