# Dudao: `make demo` serves the demo county (PORT=8000, HOST=127.0.0.1 by default); `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's signboard QR codes and e-mail links open the address it serves on, and that address
# is an allowed host, unless PUBLIC_BASE_URL / ALLOWED_HOSTS are set (environment or command line).
comma := ,
DEMO_PUBLIC_BASE_URL = $(or $(PUBLIC_BASE_URL),http://$(HOST):$(PORT))
DEMO_ALLOWED_HOSTS = $(or $(ALLOWED_HOSTS),127.0.0.1$(comma)localhost$(addprefix $(comma),$(filter-out 127.0.0.1 localhost,$(HOST))))
DEMO_ENV = DUDAO_DEMO=1 TASKS_BACKEND=db PUBLIC_BASE_URL='$(DEMO_PUBLIC_BASE_URL)' \
  ALLOWED_HOSTS='$(DEMO_ALLOWED_HOSTS)'

.PHONY: install demo serve seed test test-fast test-browser lint format messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Dudao needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py check_system
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo --schools 150 --seed 1 --if-empty
	@echo "Starting the task worker, the daily scheduler and the web server on http://$(HOST):$(PORT)/ (Ctrl-C stops all)"
	@echo "Signboard QR codes open $(DEMO_PUBLIC_BASE_URL) (PUBLIC_BASE_URL)"
	@$(DEMO_ENV) $(BIN)/python manage.py db_worker --interval 1 > var/worker.log 2>&1 & \
	  worker=$$!; \
	  $(DEMO_ENV) $(BIN)/python manage.py run_schedule > var/schedule.log 2>&1 & \
	  scheduler=$$!; trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	  $(DEMO_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: install
	$(BIN)/python -m pytest -m "not browser" -x

test-browser: install
	$(BIN)/python -m pytest -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \
	  --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

bench: install
	$(BIN)/python bench/import_schools.py --schools 20000

.PHONY: echarts
# Rebuilds dudao/static/vendor/echarts-*-dudao.min.js (tools/echarts/README.md); needs Node and npm.
echarts:
	cd tools/echarts && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) var
