"""Web entry point: `python app.py [--host H] [--port P]` serves the chat at /, the HTTP API under
/api and its docs at /docs, on ADVISOR_HOST:ADVISOR_PORT (default 127.0.0.1:7860). Same as
`advisor serve`."""

import sys

import advisor  # noqa: F401  - sets the offline environment before anything heavy is imported

if __name__ == "__main__":
    from advisor.cli import main

    sys.exit(main(["serve", *sys.argv[1:]]))
