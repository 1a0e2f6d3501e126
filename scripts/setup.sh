#!/usr/bin/env bash
# Install what publisher needs on Debian (as root, or with sudo): ffmpeg,
# espeak-ng and fonts; chromium and node too with "test"; then a virtualenv in .venv
# with the package installed. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: publisher needs Python 3.11 or newer as '$python'" >&2
  exit 1
fi

pkgs=(ffmpeg espeak-ng fonts-dejavu-core)
if [ "$mode" = test ]; then
  pkgs+=(chromium)
  pkgs+=(pocketsphinx-testdata)  # real speech for tests/test_speech*.py: LibriVox clips + text
  # more real voices for tests/test_voices.py (speech/panel.py): Asterisk's prompts, linphone's hello
  pkgs+=(asterisk-core-sounds-en-wav linphone-common)
  # node runs podcast-partytime in tests/test_consistency.py: Debian's, unless one is on PATH
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)
fi
"$python" -c 'import ensurepip, venv' 2>/dev/null || pkgs+=(python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

extras=""
[ "$mode" = test ] && extras="[test]"
stamp=".venv/.installed$extras"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing publisher$extras into .venv" >&2
  pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
  "${pip[@]}" --upgrade pip >/dev/null 2>&1 || true
  "${pip[@]}" -e ".$extras" 2> >(grep -v -e "^WARNING: Location" -e "BuildBackendWarning" >&2)
  echo "$want" > "$stamp"
fi

# Wheels whose declared dependencies (torch, multi-GB) must not come: --no-deps, pinned.
# resemblyzer: the voice encoder's weights (speech/encoder.py reads them with numpy);
# pyannote-audio and moonshine-voice: real speech for tests/test_voices.py (speech/panel.py).
if [ "$mode" = test ]; then
  nodeps=(resemblyzer==0.1.4 pyannote-audio==4.0.7 moonshine-voice==0.1.5)
  if [ "$(cat .venv/.installed-nodeps 2>/dev/null)" != "${nodeps[*]}" ]; then
    echo "setup: installing ${nodeps[*]} (without their dependencies) into .venv" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "${nodeps[@]}" \
      2> >(grep -v -e "^WARNING: Location" >&2)
    echo "${nodeps[*]}" > .venv/.installed-nodeps
  fi
fi

# the node feed readers the tests run (tests/node, versions pinned in its package-lock.json)
if [ "$mode" = test ]; then
  node_stamp=tests/node/node_modules/.installed
  node_want="$(cat tests/node/package.json tests/node/package-lock.json | sha256sum | cut -c1-16)"
  if [ "$(cat "$node_stamp" 2>/dev/null)" != "$node_want" ]; then
    echo "setup: installing the node feed readers into tests/node" >&2
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$node_want" > "$node_stamp"
  fi
fi
