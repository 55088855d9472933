# Tunescope. `make run` starts the app on the demo library; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1

.PHONY: setup run test test-slow bench train evaluate screenshots clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m streamlit run dashboard/server.py --server.address 127.0.0.1 --server.port 8501

test: setup
	$(PY) -m pytest -q

test-slow: setup
	$(PY) -m pytest -q -m slow

train: setup
	$(PY) -m engine train

evaluate: setup
	$(PY) -m engine evaluate

bench: setup
	$(PY) bench/predict_speed.py
	$(PY) bench/recommend_speed.py
	$(PY) bench/map_speed.py
	$(PY) bench/page_switch.py
	$(PY) bench/listening_speed.py

screenshots: setup
	TUNESCOPE_HOME=$$(mktemp -d) TUNESCOPE_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/dashboard/test_e2e_browser.py

clean:
	rm -rf $(VENV) .pytest_cache
