#!/usr/bin/env python3
"""bench/daemon_load.py - load and memory probes for bench/daemon.sh.

daemon_load.py mem PID
    resident memory of PID and all its descendants: "rss_kib pss_kib" (PSS
    counts a page shared by n processes as 1/n, so forked workers sharing an
    engine are not counted n times; RSS sums them as `ps` would).
daemon_load.py maps PID PATTERN
    the mappings of files whose path contains PATTERN, over PID and its
    descendants: "rss_kib pss_kib clean_kib dirty_kib" (clean: file pages
    never written, shared or not: the kernel may drop and re-read them).
daemon_load.py load SOCKET LIST CLIENTS TOTAL PID
    CLIENTS threads send TOTAL INSTREAM scans of the files in LIST (round
    robin), one connection per scan; prints "scans/s p50_ms p99_ms found
    errors peak_rss_kib peak_pss_kib", memory sampled every 50 ms meanwhile.
daemon_load.py reload SOCKET LOG PID COUNT
    sends RELOAD and samples memory every 20 ms until LOG holds COUNT lines
    "Database correctly reloaded"; prints "seconds peak_rss_kib peak_pss_kib".
"""
import os
import socket
import struct
import sys
import threading
import time


def tree(pid):
    kids = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def mem(pid):
    rss = pss = 0
    for p in tree(pid):
        try:
            with open('/proc/%d/smaps_rollup' % p) as f:
                for line in f:
                    if line.startswith('Rss:'):
                        rss += int(line.split()[1])
                    elif line.startswith('Pss:'):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


def maps(pid, pattern):
    tot = {'Rss': 0, 'Pss': 0, 'Shared_Clean': 0, 'Private_Clean': 0, 'Shared_Dirty': 0,
           'Private_Dirty': 0}
    for p in tree(pid):
        try:
            with open('/proc/%d/smaps' % p) as f:
                mine = False
                for line in f:
                    fields = line.split()
                    if fields and '-' in fields[0] and not fields[0].endswith(':'):
                        mine = len(fields) >= 6 and pattern in fields[-1]
                    elif mine and fields[0].rstrip(':') in tot:
                        tot[fields[0].rstrip(':')] += int(fields[1])
        except OSError:
            pass
    return (tot['Rss'], tot['Pss'], tot['Shared_Clean'] + tot['Private_Clean'],
            tot['Shared_Dirty'] + tot['Private_Dirty'])


class Sampler(threading.Thread):
    def __init__(self, pid, every):
        super().__init__(daemon=True)
        self.pid, self.every, self.stop, self.peak = pid, every, False, (0, 0)

    def run(self):
        while not self.stop:
            r, p = mem(self.pid)
            self.peak = (max(self.peak[0], r), max(self.peak[1], p))
            time.sleep(self.every)


def scan(path, data):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(120)
    s.connect(path)
    s.sendall(b'zINSTREAM\0' + struct.pack('>I', len(data)) + data + struct.pack('>I', 0))
    out = b''
    while not out.endswith(b'\0'):
        d = s.recv(4096)
        if not d:
            break
        out += d
    s.close()
    return out


def load(path, listfile, clients, total, pid):
    files = [open(l.strip(), 'rb').read() for l in open(listfile) if l.strip()]
    lat, res, lock = [], {'found': 0, 'errors': 0}, threading.Lock()
    counter = iter(range(total))

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = time.perf_counter()
            r = scan(path, files[i % len(files)])
            dt = time.perf_counter() - t
            with lock:
                lat.append(dt)
                if r.endswith(b'FOUND\0'):
                    res['found'] += 1
                elif not r.endswith(b'OK\0'):
                    res['errors'] += 1

    sampler = Sampler(pid, 0.05)
    sampler.start()
    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    sampler.stop = True
    sampler.join()
    lat.sort()
    print('%.0f %.2f %.2f %d %d %d %d' % (
        total / wall, lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000,
        res['found'], res['errors'], sampler.peak[0], sampler.peak[1]))


def cpu_ticks(pid):
    """utime + stime of the daemon and its processes, in clock ticks."""
    t = 0
    for p in tree(pid):
        try:
            with open('/proc/%d/stat' % p) as f:
                v = f.read().rsplit(')', 1)[1].split()
            t += int(v[11]) + int(v[12])
        except (OSError, IndexError, ValueError):
            pass
    return t


def large(path, mib, count, rate, pid):
    """count INSTREAM scans, one at a time, of mib MiB of random bytes sent
    in 64 KiB chunks at rate MB/s (a client behind a network): the time from
    the last chunk to the reply (the scan left after the data is in), the
    whole request, the daemon's CPU seconds per scan, and those it spent
    after the last chunk (ticks of 10 ms, summed over all scans)."""
    data = os.urandom(mib << 20)
    step, tail, whole, tail_ticks = 65536, [], [], 0
    t0 = cpu_ticks(pid)
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(120)
        s.connect(path)
        start = time.perf_counter()
        s.sendall(b'zINSTREAM\0')
        for i in range(0, len(data), step):
            s.sendall(struct.pack('>I', len(data[i:i + step])) + data[i:i + step])
            due = start + (i + step) / (rate * 1e6)
            if due > time.perf_counter():
                time.sleep(due - time.perf_counter())
        c0 = cpu_ticks(pid)
        end = time.perf_counter()
        s.sendall(struct.pack('>I', 0))
        out = b''
        while not out.endswith(b'\0'):
            d = s.recv(4096)
            if not d:
                break
            out += d
        done = time.perf_counter()
        tail_ticks += cpu_ticks(pid) - c0
        s.close()
        tail.append(done - end)
        whole.append(done - start)
    cpu = (cpu_ticks(pid) - t0) / os.sysconf('SC_CLK_TCK')
    tail.sort()
    whole.sort()
    pick = lambda v, q: v[min(len(v) - 1, int(len(v) * q))] * 1000
    print('%.2f %.2f %.2f %.2f %.4f %.4f %s' % (
        pick(tail, 0.5), pick(tail, 0.99), pick(whole, 0.5), pick(whole, 0.99), cpu / count,
        tail_ticks / os.sysconf('SC_CLK_TCK') / count, out[:-1].decode()))


def reload(path, log, pid, count):
    sampler = Sampler(pid, 0.02)
    sampler.start()
    start = time.perf_counter()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b'zRELOAD\0')
    s.recv(100)
    s.close()
    while time.perf_counter() - start < 600:
        with open(log, errors='replace') as f:
            if f.read().count('Database correctly reloaded') >= count:
                break
        time.sleep(0.02)
    time.sleep(0.5)  # the swap happens after the log line
    sampler.stop = True
    sampler.join()
    print('%.2f %d %d' % (time.perf_counter() - start, sampler.peak[0], sampler.peak[1]))


def main(a):
    if a[1] == 'mem':
        print('%d %d' % mem(int(a[2])))
    elif a[1] == 'maps':
        print('%d %d %d %d' % maps(int(a[2]), a[3]))
    elif a[1] == 'load':
        load(a[2], a[3], int(a[4]), int(a[5]), int(a[6]))
    elif a[1] == 'reload':
        reload(a[2], a[3], int(a[4]), int(a[5]))
    elif a[1] == 'large':
        large(a[2], int(a[3]), int(a[4]), float(a[5]), int(a[6]))


if __name__ == '__main__':
    main(sys.argv)
