"""Running as a production service: one call from `create_app` installs, each from its own module,

- the index watcher: follows `advisor ingest` / `advisor index rollback` without a restart, and an
  unreachable Chroma server becomes a clear 503 (advisor/watcher.py);
- the question log for `advisor report` (advisor/questionlog.py);
- Prometheus metrics at /metrics (advisor/metrics.py);
- the JSON access log, one line per request (advisor/logging_json.py).

See docs/deploy.md.
"""

from __future__ import annotations

from advisor.ops.access_log import install_access_log
from advisor.ops.metrics import install_metrics
from advisor.ops.question_log import QuestionLog
from advisor.ops.watcher import install_index_watcher


def install_operations(app, get_advisor, feedback, settings) -> None:
    advisor = get_advisor()
    watcher = install_index_watcher(app, advisor, settings)
    question_log = QuestionLog.for_settings(settings)
    if question_log.enabled:
        advisor.observers.append(question_log.observe)
        app.router.add_event_handler("shutdown", question_log.flush)  # rows still queued are written
    app.state.question_log = question_log
    install_metrics(app, get_advisor, feedback, watcher)
    install_access_log(app, advisor, settings.access_log)
