"""Web entry point: `python app.py` serves the chat at /, the HTTP API under /api and its docs at
/docs, on ADVISOR_HOST:ADVISOR_PORT (default 127.0.0.1:7860). Same as `advisor serve`."""

import advisor  # noqa: F401  - sets the offline environment before anything heavy is imported
from advisor.web.server import serve

if __name__ == "__main__":
    serve()
