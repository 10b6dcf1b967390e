#!/usr/bin/env bash
# Creates .venv and installs the project into it (idempotent: reinstalls only when pyproject.toml changes).
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extras:-base}"
if [ ! -f "$stamp" ]; then
  echo "==> installing (first run takes a few minutes)"
  .venv/bin/pip install --quiet --upgrade pip
  # torch first and pinned: an open requirement can pull a multi-GB CUDA build.
  .venv/bin/pip install --quiet "torch==2.13.0"
  spec="."; [ -n "$extras" ] && spec=".[$extras]"
  .venv/bin/pip install --quiet -e "$spec"
  touch "$stamp"
fi
