#!/usr/bin/env bash
# Install what publisher needs on Debian (as root, or with sudo): ffmpeg,
# espeak-ng and fonts; chromium too with "test"; then a virtualenv in .venv
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
[ "$mode" = test ] && pkgs+=(chromium)
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
