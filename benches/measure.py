#!/usr/bin/env python3
"""Run a command RUNS times; print the median wall time (s) and median peak RSS (MB).

Wall time is perf_counter around fork/exec/wait; peak RSS is the child's own ru_maxrss from
os.wait4, so each run is measured alone. usage: measure.py RUNS CMD...
"""
import os
import statistics
import sys
import time

runs, cmd = int(sys.argv[1]), sys.argv[2:]
walls, rss = [], []
devnull = os.open(os.devnull, os.O_WRONLY)
for _ in range(runs):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, _, usage = os.wait4(pid, 0)
    walls.append(time.perf_counter() - start)
    rss.append(usage.ru_maxrss / 1024)  # KiB on Linux
print(f"{statistics.median(walls):.4f} {statistics.median(rss):.1f}")
