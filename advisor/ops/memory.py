"""Keeping the garbage collector's full passes off the request path.

A loaded server holds ~690,000 objects the collector tracks (the embedding model, the index, the content
model). A full collection walks all of them: 330 ms here, and every request in flight waits for it. Under
load one ran every ~4 s and made the FAQ load test's p99 (330 ms against a target of 150). What is loaded
lives until the next index version, so after loading it is collected once and frozen: `gc.freeze()` moves
it to a permanent generation the collector skips, and later passes only walk what requests allocate.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def settle_loaded_objects() -> float:
    """Collects once, then freezes what survives; returns the milliseconds it took.

    Called when a server has loaded (and after each switch to a new index version): the unfreeze first
    lets the previous version's objects be collected instead of staying frozen for good."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    took = (time.perf_counter() - started) * 1000
    log.info("memory: %d loaded objects frozen out of garbage collection (%.0f ms)", gc.get_freeze_count(), took)
    return took
