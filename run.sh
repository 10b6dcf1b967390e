#!/usr/bin/env bash
# Runs Career Advisor on this machine: installs on first run, builds the index on first use,
# then serves the chat at http://127.0.0.1:7860 (ADVISOR_HOST / ADVISOR_PORT to change).
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  -h|--help|help)
    cat <<'USAGE'
Usage: ./run.sh            install on first run, build the index on first use, serve the chat
                           at http://127.0.0.1:7860 (ADVISOR_HOST / ADVISOR_PORT to change)
       ./run.sh chat       a terminal chat instead of the web app
       ./run.sh --help     this text

After the first run the `advisor` command is in .venv/bin: .venv/bin/advisor --help
(ask, chat, ingest, eval, serve, index, report). Settings: ADVISOR_* variables, see README.md.
USAGE
    exit 0 ;;
esac
scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
if [ "${1:-}" = "chat" ]; then
  exec .venv/bin/advisor chat
fi
exec .venv/bin/python app.py "$@"
