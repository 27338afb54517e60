#!/usr/bin/python3
"""clients.py SOCKET DIR - the python3-pyclamd calls the daemon tests compare
between clamd and vigild; prints one normalized line per call."""
import re
import sys

import pyclamd


def show(name, fn):
    try:
        r = fn()
        if isinstance(r, dict):  # MULTISCAN answers in completion order
            r = sorted(r.items())
    except Exception as e:  # the client's own error is part of the answer
        r = '%s: %s' % (type(e).__name__, e)
    r = re.sub(r'ClamAV [^|\n]*', 'ClamAV <version>', str(r))
    r = re.sub(r'THREADS: .*END', '<threads>END', r, flags=re.S)
    print('%s -> %s' % (name, r.replace(sys.argv[2], '$DIR')))


def main():
    c = pyclamd.ClamdUnixSocket(filename=sys.argv[1], timeout=10)
    d = sys.argv[2]
    show('ping', c.ping)
    show('version', lambda: c.version().split('/')[0])
    show('stats', lambda: c.stats().split('\n')[0])
    for f in ('eicar', 'clean', 'clam.exe', 'empty', 'nope', 'tree'):
        show('scan_file ' + f, lambda: c.scan_file(d + '/' + f))
        show('contscan_file ' + f, lambda: c.contscan_file(d + '/' + f))
        show('multiscan_file ' + f, lambda: c.multiscan_file(d + '/' + f))
        show('allmatchscan ' + f, lambda: c.allmatchscan(d + '/' + f))
    show('scan_stream eicar', lambda: c.scan_stream(open(d + '/eicar', 'rb').read()))
    show('scan_stream clean', lambda: c.scan_stream(b'hello world'))
    show('scan_stream EICAR', lambda: c.scan_stream(c.EICAR()))
    show('scan_stream big', lambda: c.scan_stream(b'a' * (1024 * 1024 + 10)))
    show('reload', c.reload)


main()
