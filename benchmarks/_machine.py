"""What the machine is doing, for the benchmark scripts beside this file."""

import os


def machine_busy_s():
    """CPU seconds all processes have used since boot (/proc/stat), or NaN."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
