#!/usr/bin/env bash
# Runs the whole test suite: installs the project with its test extras, the model backends
# (first run builds llama-cpp-python, about 6 minutes), headless Chromium, PostgreSQL and Redis
# (Debian packages) when missing, then pytest: unit tests first (ordered in tests/conftest.py), then
# the slow suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh dev
scripts/install-models.sh   # llama.cpp (built portable once, then reused), the bundled GGUF, model clients
# Debian packages the tests start themselves: headless Chromium (browser tests), PostgreSQL and Redis
# (tests/test_shared_services.py runs throwaway servers on loopback ports).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
{ command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing ${need[*]} for the tests"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
exec .venv/bin/python -m pytest "$@"
