"""Run a function in n real threads released together, each with its own database connection."""

import threading

from django.db import connection


def run_concurrently(n, fn):
    """Return [("ok", result) | ("error", exception)], one per thread, in completion order."""
    barrier = threading.Barrier(n)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(("ok", fn()))
        except Exception as e:  # noqa: BLE001 - every outcome is collected and asserted on by the caller
            results.append(("error", e))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
