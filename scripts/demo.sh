#!/usr/bin/env bash
# Build the demo podcast from the bundled seed into public/, with stand-in
# audio (speech synthesised from the captions: this machine can't reach YouTube).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/publisher build --standin-audio "$@"
echo
echo "Feeds are in $(pwd)/public/ — serve them with: .venv/bin/publisher serve public"
