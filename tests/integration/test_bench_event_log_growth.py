"""The event-log growth benchmark in CI size: it runs, claims every event it writes in every
phase (it raises otherwise) and reports each phase against the small-log baseline of the same
run. The ratios are printed, not asserted (a shared CI machine's figures say little;
bench/results/event-log-growth.md holds a full-size run)."""

from __future__ import annotations

from tests.support import servers


def test_event_log_growth_benchmark_in_ci_size(pg_server: servers.TestServer) -> None:
    from bench import event_log_growth

    figures = event_log_growth.main(
        ["--baseline", "1000", "--sizes", "3000,6000", "--cycles", "20", "--batches", "1,10",
         "--admin-dsn", pg_server.admin_dsn]
    )  # fmt: skip
    assert len(figures) == 3 * 2 * 2  # baseline + two sizes, two batch sizes, median and p95
    assert all(f.value > 0 and f.ratio is not None for f in figures)
    last = figures[-1]
    assert last.name == "route+claim of 10, p95 @ 6,000 events"
    events, rest = last.note.split(" ", 1)
    assert int(events.replace(",", "")) >= 6000  # the loaded log plus the events written
    assert rest == "events in 19 partitions"
