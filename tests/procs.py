"""Child processes of a process under test, read from Linux's /proc."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def children(pid: int) -> list[tuple[int, str]]:
    """Direct children of `pid` with their command names."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                name = Path(f"/proc/{child}/comm").read_text().strip()
            except FileNotFoundError:
                continue  # it ended while we looked
            found.append((int(child), name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


def kill_left(processes: list[tuple[int, str]]) -> None:
    """Whatever a failed test left running, end it."""
    for pid, _ in processes:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
