#!/usr/bin/env bash
# Run the whole test suite (installs what it needs first, including chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check publisher tests benchmarks
.venv/bin/python -m pytest -q "$@"
