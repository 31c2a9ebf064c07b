"""Writer before/after: a status UPDATE's price in two trees, measured in adjacent pgbench runs.

    PYTHONPATH=. .venv/bin/python -m bench.writer_ab --base-tree PATH [--seconds 5] [--rounds 3]

``bench.compare`` runs it for its writer part (``--base-tree`` is the base revision's worktree;
the head is this tree). Each tree's migrations are installed into a scratch database of its own
by a subprocess running that tree's code; this process then drives pgbench on both databases in
turn, on the same write path and client count (base then head, head then base, alternating by
round), so each pair of runs sees the same machine. The daemon of the ``ours_daemon`` path is the
tree's own. A path's figure is the median over rounds of head tps / base tps in its pair.

The outbox path is the control: the same trigger (bench/sql/writer.sql) in both databases, so its
ratio measures the method's own noise and should be 1. (``bench.writer`` alone reports each path
relative to the outbox in one tree; two trees' such ratios differ by both trees' noise.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    ADMIN_DSN,
    REPO_ROOT,
    BenchError,
    Figure,
    median,
    print_figures,
    scratch_database,
)
from bench.writer import measure

PATHS = ("outbox", "ours_idle", "ours_listening", "ours_daemon")
CLIENTS = (1, 16)
# Runs in the tree being installed: its migrations, its bench_items table and writer schema.
INSTALL = (
    "import sys, psycopg\n"
    "from bench.common import bench_sql\n"
    "from bench.systems import install\n"
    "install('ours', sys.argv[1])\n"
    "with psycopg.connect(sys.argv[1], autocommit=True) as conn:\n"
    "    conn.execute(bench_sql('writer.sql', 'schema'))\n"
)


def tree_env(tree: Path) -> dict[str, str]:
    """The environment that runs ``tree``'s code (package and bench) first."""
    return {"PYTHONPATH": os.pathsep.join([str(tree / "src"), str(tree)])}


def install_tree(tree: Path, dsn: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", INSTALL, dsn],
        cwd=tree,
        env={**os.environ, **tree_env(tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise BenchError(f"installing {tree} failed ({done.returncode}):\n{tail}")


def measure_tree(tree: Path, dsn: str, path: str, clients: int, seconds: float) -> float:
    """One pgbench run of ``path`` on ``tree``'s database (its daemon for ours_daemon)."""
    return measure(dsn, path, clients, seconds, daemon_env=tree_env(tree))[0]


@dataclass
class Pairs:
    tps: dict[tuple[str, int, str], list[float]] = field(default_factory=dict)
    ratios: dict[tuple[str, int], list[float]] = field(default_factory=dict)

    def add(self, path: str, clients: int, base: float, head: float) -> None:
        self.tps.setdefault((path, clients, "base"), []).append(base)
        self.tps.setdefault((path, clients, "head"), []).append(head)
        if base > 0:
            self.ratios.setdefault((path, clients), []).append(head / base)

    def cells(self) -> list[Cell]:
        """One summary per measured path and client count, in run order."""
        return [
            Cell(
                path,
                clients,
                median(self.tps[(path, clients, "base")]),
                median(self.tps[(path, clients, "head")]),
                median(ratios),
                ratios,
            )
            for (path, clients), ratios in sorted(
                self.ratios.items(), key=lambda item: (item[0][1], PATHS.index(item[0][0]))
            )
        ]


@dataclass(frozen=True)
class Cell:
    """A path at a client count: median tps of each tree, median and each pair's head/base."""

    path: str
    clients: int
    base: float
    head: float
    ratio: float
    ratios: list[float]

    @property
    def label(self) -> str:
        return f"{self.path}, {self.clients} client(s)"


def run_ab(
    base_tree: Path,
    paths: Sequence[str],
    seconds: float,
    rounds: int,
    head_tree: Path = REPO_ROOT,
    admin_dsn: str = ADMIN_DSN,
) -> Pairs:
    pairs = Pairs()
    with ExitStack() as stack:
        dsns = {
            label: stack.enter_context(scratch_database(f"writer_ab_{label}", admin_dsn=admin_dsn))
            for label in ("base", "head")
        }
        trees = {"base": base_tree, "head": head_tree}
        for label in ("base", "head"):
            install_tree(trees[label], dsns[label])
        for round_no in range(rounds):
            order = ("base", "head") if round_no % 2 == 0 else ("head", "base")
            for clients in CLIENTS:
                for path in paths:
                    got = {
                        label: measure_tree(trees[label], dsns[label], path, clients, seconds)
                        for label in order
                    }
                    pairs.add(path, clients, got["base"], got["head"])
            print(f"writer_ab: round {round_no + 1}/{rounds} done", file=sys.stderr)
    return pairs


def figures(pairs: Pairs) -> list[Figure]:
    return [
        Figure(
            "writer_ab",
            cell.label,
            cell.head,
            "tps (head, median)",
            f"base's {cell.base:,.0f} tps in the adjacent runs",
            cell.ratio,
            "pair ratios "
            + ", ".join(f"{r:.3f}" for r in cell.ratios)
            + (" (control: same trigger)" if cell.path == "outbox" else ""),
        )
        for cell in pairs.cells()
    ]


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-tree", type=Path, required=True, help="the base revision's tree")
    parser.add_argument("--seconds", type=float, default=5.0, help="pgbench run length")
    parser.add_argument("--rounds", type=int, default=3, help="pairs per cell (medians reported)")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated write paths")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="a role that may create databases")
    args = parser.parse_args(argv)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        parser.error(f"unknown write path(s) {unknown}; choose among {', '.join(PATHS)}")
    pairs = run_ab(
        args.base_tree.resolve(), paths, args.seconds, args.rounds, admin_dsn=args.admin_dsn
    )
    rows = figures(pairs)
    print_figures("Writer before/after (pgbench tps, head / base in adjacent runs)", rows)
    return rows


if __name__ == "__main__":
    main()
