"""The writer instruction count in CI size: a private cluster under valgrind, the head's write
paths. The counts are repeatable, so the order is asserted: the outbox floor is cheaper than our
trigger, and our trigger without its search_path pin cheaper than with it."""

from __future__ import annotations

import shutil

import pytest


def test_writer_instruction_count_in_ci_size() -> None:
    from bench import writer_instructions

    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (apt-get install valgrind)")
    figures = writer_instructions.main(["--updates", "60", "--warmup", "20"])
    found = {f.name: f.value for f in figures}
    assert set(found) == {"head: outbox", "head: ours", "head: ours, not pinned"}
    assert 0 < found["head: outbox"] < found["head: ours, not pinned"] < found["head: ours"]
