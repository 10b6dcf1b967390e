"""`python -m ingest [PATH...] [--rebuild]`: the same as `advisor ingest`."""

import sys

from advisor.cli import main

sys.exit(main(["ingest", *sys.argv[1:]]))
