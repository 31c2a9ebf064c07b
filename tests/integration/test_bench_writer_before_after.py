"""The writer before/after benchmark in CI size, this tree against itself: both databases are
installed by a subprocess running the tree's code, every path runs in both, and each figure is a
head/base ratio from adjacent runs. The ratios are printed, not asserted (a shared CI machine's
figures say little; bench/results/before-after.md holds calm runs)."""

from __future__ import annotations

from bench.common import REPO_ROOT

from tests.support import servers


def test_writer_before_after_benchmark_in_ci_size(pg_server: servers.TestServer) -> None:
    from bench import writer_ab

    figures = writer_ab.main(
        ["--base-tree", str(REPO_ROOT), "--seconds", "1", "--rounds", "1",
         "--paths", "outbox,ours_idle,ours_daemon", "--admin-dsn", pg_server.admin_dsn]
    )  # fmt: skip
    names = [f.name for f in figures]
    assert names == [
        f"{path}, {clients} client(s)"
        for clients in (1, 16)
        for path in ("outbox", "ours_idle", "ours_daemon")
    ]
    assert all(f.value > 0 and f.ratio is not None and f.ratio > 0 for f in figures)
