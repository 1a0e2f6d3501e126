"""Wall time and process-tree peak memory of a child process, for the benchmarks.

The tree (the child and all its descendants: ffmpeg, espeak-ng, worker
processes) is sampled from /proc/<pid>/smaps_rollup every 20 ms. A child caught
between fork and exec (same command line as its parent) is not counted: under
vfork it shares its parent's memory, so /proc would show that memory twice.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

INTERVAL = 0.02  # seconds between samples


def tree_processes(pid: int) -> list[tuple[str, int, int]]:
    """(command name, RSS KB, PSS KB) of a process and each of its descendants."""
    found = []
    todo = [(pid, b"")]
    while todo:
        p, parent_cmdline = todo.pop()
        try:
            with open(f"/proc/{p}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmdline = f.read()
            if cmdline == parent_cmdline:
                continue  # not yet exec'd: its parent's memory
            rss = pss = 0
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith(("Rss:", "Pss:")):
                        value = int(line.split()[1])
                        rss, pss = (rss + value, pss) if line[0:3] == "Rss" else (rss, pss + value)
            found.append((name, rss, pss))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [(int(c), cmdline) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KB of a process and all its descendants."""
    procs = tree_processes(pid)
    return sum(p[1] for p in procs), sum(p[2] for p in procs)


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str  # "" unless stderr=subprocess.PIPE was passed
    wall: float  # seconds, start-up included
    rss_mb: float  # peak RSS of the process tree
    pss_mb: float  # peak PSS (shared pages split between processes)
    at_peak: dict[str, tuple[int, float]]  # at peak RSS: command -> (processes, RSS MB)
    cpu: float = 0.0  # user + system seconds of the tree (every descendant waited for)
    others: float = 0.0  # CPU seconds every other process on the machine used meanwhile

    def per_core(self, cores: int = 2) -> float:
        """How busy the tree kept `cores` cores on average: CPU time / wall / cores."""
        return self.cpu / self.wall / cores

    def peak_summary(self) -> str:
        """E.g. "2 python3 410 MB, 3 espeak-ng 40 MB": the tree at its peak RSS."""
        top = sorted(self.at_peak.items(), key=lambda item: -item[1][1])
        return ", ".join(f"{n} {name} {mb:.0f} MB" for name, (n, mb) in top)


def run_measured(cmd: list[str], **popen) -> Measured:
    """Run `cmd` to the end, capturing stdout as text; time it and sample its tree's memory."""
    start, cpu, busy = time.perf_counter(), tree_cpu(children=True), machine_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **popen)
    peak = [0, 0]
    at_peak: dict[str, tuple[int, float]] = {}

    def sample() -> None:
        while proc.poll() is None:
            procs = tree_processes(proc.pid)
            rss, pss = sum(p[1] for p in procs), sum(p[2] for p in procs)
            if rss > peak[0]:
                at_peak.clear()
                for name, kb, _ in procs:
                    n, mb = at_peak.get(name, (0, 0.0))
                    at_peak[name] = n + 1, mb + kb / 1024
            peak[:] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(INTERVAL)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - start
    mb = peak[0] / 1024, peak[1] / 1024
    cpu = tree_cpu(children=True) - cpu
    others = max(0.0, machine_cpu() - busy - cpu)  # (this sampler's own CPU included)
    return Measured(proc.returncode, out, err or "", wall, *mb, at_peak, cpu, others)


def peak_rss_mb() -> float:
    """This process's peak RSS in MB since it started its program (VmHWM; getrusage's
    ru_maxrss also counts the parent's memory a fork copied before the exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def machine_cpu() -> float:
    """CPU seconds all processes on the machine have used since boot (/proc/stat), to
    tell how loaded a shared machine was during a measurement."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:8]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def tree_cpu(children: bool = False) -> float:
    """User + system CPU seconds of this process and the children it has waited for
    (with `children`: of those children only)."""
    t = os.times()
    own = 0.0 if children else t.user + t.system
    return own + t.children_user + t.children_system


class Stages:
    """Wall and CPU time (this process and the children it waited for) of named steps:
    wrap(owner, "name") replaces a function so each call is logged."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.log: list[tuple[str, float, float, float, float]] = []  # label, start, end, cpu, MB

    def wrap(self, owner: object, name: str, label: str | None = None) -> Callable:
        real = getattr(owner, name)

        @functools.wraps(real)
        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), tree_cpu()
            try:
                return real(*args, **kwargs)
            finally:
                end, used = time.perf_counter(), tree_cpu() - cpu
                peak = peak_rss_mb()
                self.log.append((label or name, start - self.t0, end - self.t0, used, peak))

        setattr(owner, name, timed)
        return timed

    def rows(self) -> list[tuple[str, float, float, float, float]]:
        """(label, start, wall, cpu, this process's peak RSS MB by its end), by start; a
        step inside another is indented."""
        out, open_ends = [], []
        for label, start, end, cpu, peak in sorted(self.log, key=lambda r: (r[1], -r[2])):
            open_ends = [e for e in open_ends if e > start]
            out.append(("  " * len(open_ends) + label, start, end - start, cpu, peak))
            open_ends.append(end)
        return out
