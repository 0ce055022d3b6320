#!/usr/bin/env python3
# bench/rss-run.py - runs one command and reports its wall time and memory, honestly for a tree:
#   wall_s  maxrss_mb (ru_maxrss of wait4, what /usr/bin/time %M says: the largest single process)
#   tree_peak_mb (the largest sum of VmRSS over the command and all its descendants, polled)
#   anon_peak_mb file_peak_mb (RssAnon and RssFile of the command's own process at its VmRSS peak)
# Polls /proc every 10 ms (children lists: /proc/PID/task/TID/children). The command's output is discarded.
# Usage: bench/rss-run.py CMD [ARGS...]
import os, sys, time

def status(pid):
    out = {}
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                k, _, v = line.partition(':')
                if k in ('VmRSS', 'RssAnon', 'RssFile'):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out

def tree(pid):
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for t in os.listdir(f'/proc/{p}/task'):
                with open(f'/proc/{p}/task/{t}/children') as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids

devnull = os.open(os.devnull, os.O_RDWR)
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.execvp(sys.argv[1], sys.argv[1:])
tree_peak = own_peak = anon = filek = 0
while True:
    done, code, ru = os.wait4(pid, os.WNOHANG)
    if done:
        break
    total = 0
    for p in tree(pid):
        s = status(p)
        total += s.get('VmRSS', 0)
        if p == pid and s.get('VmRSS', 0) > own_peak:
            own_peak, anon, filek = s['VmRSS'], s.get('RssAnon', 0), s.get('RssFile', 0)
    tree_peak = max(tree_peak, total)
    time.sleep(0.01)
wall = time.monotonic() - t0
rc = os.waitstatus_to_exitcode(code)
print(f'{wall:.2f} {ru.ru_maxrss / 1024:.0f} {tree_peak / 1024:.0f} {anon / 1024:.0f} {filek / 1024:.0f} rc={rc}')
sys.exit(0 if rc == 0 else 1)
