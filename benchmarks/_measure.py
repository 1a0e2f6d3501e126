"""Wall time and process-tree peak memory of a child process, for the benchmarks.

The tree (the child and all its descendants: ffmpeg, espeak-ng, worker
processes) is sampled every 20 ms: its RSS from /proc/<pid>/statm, cheap to read;
its PSS from /proc/<pid>/smaps_rollup (the kernel walks every mapping: read at
each sample, that kept 0.13 of a core busy beside a build) only when the RSS
reaches a new peak. A child caught between fork and exec (same command line as
its parent) is not counted: under vfork it shares its parent's memory, so /proc
would show that memory twice.
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


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_processes(pid: int) -> list[tuple[str, int, int]]:
    """(command name, RSS KB, process id) of a process and each of its descendants."""
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
            with open(f"/proc/{p}/statm") as f:
                rss = int(f.read().split()[1]) * PAGE_KB
            found.append((name, rss, p))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [(int(c), cmdline) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def pss_kb(pids: list[int]) -> int:
    """The processes' summed PSS in KB (those that have exited count 0)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += sum(int(ln.split()[1]) for ln in f if ln.startswith("Pss:"))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str  # "" unless stderr=subprocess.PIPE was passed
    wall: float  # seconds, start-up included
    rss_mb: float  # peak RSS of the process tree
    pss_mb: float  # PSS (shared pages split between processes) at the peaks of RSS
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
            rss = sum(p[1] for p in procs)
            if rss > peak[0]:
                at_peak.clear()
                for name, kb, _ in procs:
                    n, mb = at_peak.get(name, (0, 0.0))
                    at_peak[name] = n + 1, mb + kb / 1024
                peak[:] = rss, max(peak[1], pss_kb([p[2] for p in procs]))
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
    """Wall and CPU time (this process and the children it waited for) of named steps,
    and the CPU time the whole machine used meanwhile (children not yet waited for,
    such as a planner still running, count there): wrap(owner, "name") replaces a
    function so each call is logged."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        # label, start, end, cpu, MB, machine cpu
        self.log: list[tuple[str, float, float, float, float, float]] = []

    def wrap(self, owner: object, name: str, label: str | None = None) -> Callable:
        real = getattr(owner, name)

        @functools.wraps(real)
        def timed(*args, **kwargs):
            start, cpu, busy = time.perf_counter(), tree_cpu(), machine_cpu()
            try:
                return real(*args, **kwargs)
            finally:
                end, used = time.perf_counter(), tree_cpu() - cpu
                peak, machine = peak_rss_mb(), machine_cpu() - busy
                row = (label or name, start - self.t0, end - self.t0, used, peak, machine)
                self.log.append(row)

        setattr(owner, name, timed)
        return timed

    def rows(self) -> list[tuple[str, float, float, float, float, float]]:
        """(label, start, wall, cpu, this process's peak RSS MB by its end, the machine's
        CPU), by start; a step inside another is indented."""
        out, open_ends = [], []
        for label, start, end, cpu, peak, machine in sorted(self.log, key=lambda r: (r[1], -r[2])):
            open_ends = [e for e in open_ends if e > start]
            out.append(("  " * len(open_ends) + label, start, end - start, cpu, peak, machine))
            open_ends.append(end)
        return out
