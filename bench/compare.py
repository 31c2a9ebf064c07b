"""Before and after: the writer, drain and latency benchmarks of two revisions, in one run.

    PYTHONPATH=. .venv/bin/python -m bench.compare --base 29f7c55 [--rounds 2] [--quick]

The base revision is checked out into a temporary git worktree. Drain and latency then run for
the base and for this tree (the head) in alternating order (base-head, head-base, ...), each as a
subprocess whose code, migrations and daemon come from that tree (same virtualenv, same
PostgreSQL); figures are compared head/base per round and the median is reported. The writer part
installs each tree's migrations into a database of its own and drives both with pgbench in
adjacent runs (bench/writer_ab.py: 2 x rounds pairs of 5 s runs per path and client count, the
daemon of ours_daemon from its tree), with the outbox trigger as the control.

- writer: tps, head / base in adjacent runs (higher is better; the control should be ~1);
- drain: events/s (higher is better);
- latency: p99 commit-to-start in ms (lower is better);
- instructions (opt-in, needs valgrind): the writer's CPU instructions per status change in both
  trees, counted in a private cluster (bench/writer_instructions.py; lower is better).

A figure is "within 5%" when head is no worse than base by more than 5%.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import writer_ab, writer_instructions
from bench.common import REPO_ROOT, BenchError

TOLERANCE = 0.05
MARKER = "BENCH-JSON "
# Runs one part's main() in the tree it is started in and prints its figures as one JSON line.
RUNNER = (
    "import dataclasses, importlib, json, sys\n"
    "part = importlib.import_module('bench.' + sys.argv[1])\n"
    "figures = part.main(sys.argv[2:])\n"
    f"print({MARKER!r} + json.dumps([dataclasses.asdict(f) for f in figures]))\n"
)
# The writer part runs both trees' write paths in adjacent pgbench runs (writer_rows), not each
# tree's bench.writer apart: two trees' ratios to their own outbox differed by more than 5% from
# run to run on an unchanged write path.
WRITER_SECONDS = 5.0
PARTS: dict[str, tuple[list[str], list[str]]] = {
    # part: (full-size arguments, quick arguments)
    "writer": ([], []),
    "drain": (
        ["--events", "20000", "--sample", "4000", "--stale-sample", "0"],
        ["--events", "3000", "--sample", "500", "--stale-sample", "0"],
    ),
    "latency": ([], ["--seconds", "3", "--settle", "3"]),
    # Counted by valgrind in a private cluster (instruction_rows); opt-in: --parts ...,instructions
    "instructions": ([], []),
}


@dataclass(frozen=True)
class Measure:
    part: str
    name: str
    value: float
    higher_is_better: bool


def measures(part: str, figures: list[dict[str, object]]) -> dict[str, Measure]:
    """The figures of ours that are compared, by name."""
    found: dict[str, Measure] = {}
    for figure in figures:
        name = str(figure["name"])
        if part == "writer" and name.startswith("ours") and figure["ratio"] is not None:
            found[name] = Measure(part, name, float(str(figure["ratio"])), True)
        elif part == "drain" and figure["section"] == "drain" and name.startswith("ours"):
            if "vs" not in name:
                found[name] = Measure(part, name, float(str(figure["value"])), True)
        elif part == "latency" and name.startswith("ours") and name.endswith("p99"):
            found[name] = Measure(part, name, float(str(figure["value"])), False)
    return found


def run_part(tree: Path, part: str, args: Sequence[str]) -> dict[str, Measure]:
    env = {**os.environ, **writer_ab.tree_env(tree)}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, part, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise BenchError(f"{part} in {tree} failed ({done.returncode}):\n{tail}")
    return measures(part, json.loads(lines[-1][len(MARKER) :]))


def checkout(base: str, into: Path) -> Path:
    tree = into / "base"
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", str(tree), base],
        check=True,
        capture_output=True,
    )
    return tree


def remove(tree: Path) -> None:
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(tree)],
        check=False,
        capture_output=True,
    )


def ratio(head: Measure, base: Measure) -> float:
    """head relative to base, > 1 when head is better."""
    if head.higher_is_better:
        return head.value / base.value if base.value else float("nan")
    return base.value / head.value if head.value else float("nan")


def compare(base_tree: Path, rounds: int, quick: bool, parts: Sequence[str]) -> list[str]:
    rows = [
        "| part | figure | base (median) | head (median) | head vs base | within 5% |",
        "|---|---|---:|---:|---:|---|",
    ]
    for part in parts:
        if part == "writer":
            rows.extend(writer_rows(base_tree, rounds, quick))
            continue
        if part == "instructions":
            rows.extend(instruction_rows(base_tree, quick))
            continue
        args = PARTS[part][1 if quick else 0]
        ratios: dict[str, list[float]] = {}
        values: dict[str, tuple[list[float], list[float]]] = {}
        for round_no in range(rounds):
            order = [("base", base_tree), ("head", REPO_ROOT)]
            if round_no % 2:
                order.reverse()
            got = {label: run_part(tree, part, args) for label, tree in order}
            for name, head in got["head"].items():
                base = got["base"].get(name)
                if base is None:
                    continue
                ratios.setdefault(name, []).append(ratio(head, base))
                values.setdefault(name, ([], []))
                values[name][0].append(base.value)
                values[name][1].append(head.value)
            print(f"{part}: round {round_no + 1}/{rounds} done", file=sys.stderr)
        for name, found in ratios.items():
            median = statistics.median(found)
            base_values, head_values = values[name]
            ok = "yes" if median >= 1 - TOLERANCE else "**no**"
            rows.append(
                f"| {part} | {name} | {statistics.median(base_values):,.2f} | "
                f"{statistics.median(head_values):,.2f} | {median:.3f}x | {ok} |"
            )
    return rows


def writer_rows(base_tree: Path, rounds: int, quick: bool) -> list[str]:
    """The writer part: both trees' write paths in adjacent pgbench runs (bench.writer_ab), the
    outbox path as the control; ``rounds`` compare rounds make twice as many pairs."""
    seconds, pairs = (1.0, 1) if quick else (WRITER_SECONDS, 2 * rounds)
    rows: list[str] = []
    for cell in writer_ab.run_ab(base_tree, writer_ab.PATHS, seconds, pairs).cells():
        label = cell.label + (" (control)" if cell.path == "outbox" else "")
        ok = "yes" if cell.ratio >= 1 - TOLERANCE else "**no**"
        rows.append(
            f"| writer | {label} | {cell.base:,.0f} | {cell.head:,.0f} | {cell.ratio:.3f}x | {ok} |"
        )
    return rows


def instruction_rows(base_tree: Path, quick: bool) -> list[str]:
    """The writer's instructions per status change in both trees (bench.writer_instructions:
    counted by valgrind, the same in every run); lower is better, the outbox is the control."""
    found = writer_instructions.count(base_tree, 100 if quick else 500, 100)
    rows: list[str] = []
    for variant in writer_instructions.VARIANTS:
        base, head = found.get(("base", variant)), found.get(("head", variant))
        if base is None or head is None:
            continue
        label = f"{variant} per status change" + (" (control)" if variant == "outbox" else "")
        ok = "yes" if base / head >= 1 - TOLERANCE else "**no**"
        rows.append(
            f"| instructions | {label} | {base:,.0f} | {head:,.0f} | {base / head:.3f}x | {ok} |"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the revision to compare against")
    parser.add_argument("--rounds", type=int, default=2, help="alternating pairs per part")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--parts", default="writer,drain,latency", help="comma-separated")
    parser.add_argument("--output", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    parts = [part for part in args.parts.split(",") if part]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch:
        tree = checkout(args.base, Path(scratch))
        try:
            rows = compare(tree, args.rounds, args.quick, parts)
        finally:
            remove(tree)
    text = "\n".join([f"# Before/after: base {args.base} vs head", "", *rows])
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return rows


if __name__ == "__main__":
    main()
