#!/usr/bin/env python3
"""clamdproto.py - raw clamd protocol client for the daemon tests.

  clamdproto.py wait SOCKET SECONDS      exit 0 once SOCKET answers PONG
  clamdproto.py req SOCKET 'BYTES'       send BYTES (a Python bytes literal
                                         body, e.g. 'zPING\\0'), print the reply
  clamdproto.py cut SOCKET 'BYTES'       send BYTES and hang up at once
  clamdproto.py flood SOCKET N           send a command line of N bytes with no end
  clamdproto.py stall SOCKET            ask for many replies and read none for 2 s
  clamdproto.py compare CLAMD VIGILD DIR run every raw case against both
                                         daemons and compare the replies

Every socket operation has a timeout, so a hung daemon fails a case rather
than the whole test run.
"""
import array
import ast
import os
import re
import socket
import struct
import sys
import time

TIMEOUT = float(os.environ.get("CLAMDPROTO_TIMEOUT", "5"))


def connect(path, timeout=TIMEOUT):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_all(s, timeout=TIMEOUT):
    """Everything the daemon sends until it closes; '<TIMEOUT>' if it does not."""
    out = b''
    s.settimeout(timeout)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except socket.timeout:
        out += b'<TIMEOUT>'
    except ConnectionResetError:
        pass
    return out


def request(path, data, fd_path=None, after=b'', timeout=TIMEOUT):
    """Sends data (then one NUL byte carrying fd_path's descriptor, then
    after), returns what comes back until the daemon closes."""
    s = connect(path, timeout)
    try:
        s.sendall(data)
        if fd_path is not None:
            fd = os.open(fd_path, os.O_RDONLY)
            try:
                s.sendmsg([b'\0'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     array.array('i', [fd]))])
            finally:
                os.close(fd)
        if after:
            s.sendall(after)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out = read_all(s, timeout)
    s.close()
    return out


def chunk(data):
    return struct.pack('>I', len(data)) + data


def instream(data, prefix=b'z', term=b'\0', chunks=1):
    step = max(1, -(-len(data) // chunks)) if data else 1
    body = b''.join(chunk(data[i:i + step]) for i in range(0, len(data), step))
    return prefix + b'INSTREAM' + term + body + chunk(b'')


def wait(path, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if request(path, b'zPING\0', timeout=1.0) == b'PONG\0':
                return 0
        except OSError:
            pass
        time.sleep(0.1)
    return 1


def normalize(reply, files):
    """What may differ between clamd and vigild by design: the version text,
    a descriptor's number in clamd's process, STATS' thread lines, and the
    sample directory's path."""
    reply = reply.replace(files.encode(), b'$DIR')
    reply = re.sub(rb'ClamAV [^|\0\n]*', b'ClamAV <version>', reply)
    reply = re.sub(rb'fd\[\d+\]', b'fd[N]', reply)
    reply = re.sub(rb'POOLS: 1\n\nSTATE: VALID PRIMARY\nTHREADS: .*?\nEND',
                   b'<STATS>', reply, flags=re.S)
    return reply


def session_set(reply):
    """IDSESSION answers come in completion order: compare them as a set."""
    term = b'\0' if b'\0' in reply else b'\n'
    return sorted(p for p in reply.split(term) if p)


def cases(files):
    e = open(os.path.join(files, 'eicar'), 'rb').read()
    big = b'a' * (1024 * 1024)
    d = files.encode()
    c = [
        ('PING old style', b'PING', None),
        ('PING old style newline', b'PING\n', None),
        ('PING old style CRLF', b'PING\r\n', None),
        ('zPING', b'zPING\0', None),
        ('nPING', b'nPING\n', None),
        ('zVERSION', b'zVERSION\0', None),
        ('nVERSIONCOMMANDS', b'nVERSIONCOMMANDS\n', None),
        ('VERSIONCOMMANDS old style', b'VERSIONCOMMANDS', None),
        ('nSTATS', b'nSTATS\n', None),
        ('zSTATS', b'zSTATS\0', None),
        ('DETSTATS closes', b'nDETSTATS\n', None),
        ('DETSTATSCLEAR closes', b'nDETSTATSCLEAR\n', None),
        ('END outside session', b'nEND\n', None),
        ('unknown n', b'nFOO\n', None),
        ('unknown old', b'FOO', None),
        ('garbage after PING', b'nPING extra\n', None),
        ('SCAN without argument', b'nSCAN\n', None),
        ('SCAN empty argument', b'nSCAN \n', None),
        ('second command ignored', b'nPING\nnPING\n', None),
        ('old style second ignored', b'PING\nPING\n', None),
        ('SCAN infected file', b'nSCAN ' + d + b'/eicar\n', None),
        ('SCAN clean file', b'zSCAN ' + d + b'/clean\0', None),
        ('SCAN empty file', b'nSCAN ' + d + b'/empty\n', None),
        ('SCAN missing', b'nSCAN ' + d + b'/nope\n', None),
        ('SCAN relative', b'nSCAN relative/path\n', None),
        ('SCAN old style', b'SCAN ' + d + b'/clam.exe', None),
        ('SCAN dir stops at first', b'nSCAN ' + d + b'/tree\n', None),
        ('SCAN clean dir', b'nSCAN ' + d + b'/cleandir\n', None),
        ('SCAN empty dir', b'nSCAN ' + d + b'/emptydir\n', None),
        ('CONTSCAN dir', b'nCONTSCAN ' + d + b'/tree\n', None),
        ('CONTSCAN odd tree', b'nCONTSCAN ' + d + b'/odd\n', None),
        ('SCAN odd tree', b'nSCAN ' + d + b'/odd\n', None),
        ('MULTISCAN odd tree', b'nMULTISCAN ' + d + b'/odd\n', None),
        ('SCAN a symbolic link', b'nSCAN ' + d + b'/odd/link\n', None),
        ('SCAN a FIFO', b'nSCAN ' + d + b'/odd/fifo\n', None),
        ('SCAN excluded', b'nSCAN ' + d + b'/odd/excluded\n', None),
        ('SCAN trailing slash', b'nSCAN ' + d + b'/odd/deep/\n', None),
        ('SCAN infected, trailing slashes', b'nSCAN /' + d + b'/tree//\n', None),
        ('SCAN through ..', b'nSCAN ' + d + b'/odd/../eicar\n', None),
        ('CONTSCAN file', b'zCONTSCAN ' + d + b'/eicar\0', None),
        ('MULTISCAN file', b'nMULTISCAN ' + d + b'/clam.exe\n', None),
        ('ALLMATCHSCAN file', b'nALLMATCHSCAN ' + d + b'/eicar\n', None),
        ('ALLMATCHSCAN old style refused', b'ALLMATCHSCAN ' + d + b'/eicar', None),
        ('INSTREAM eicar', instream(e), None),
        ('INSTREAM eicar in chunks', instream(e, chunks=7), None),
        ('nINSTREAM clean', instream(b'hello', b'n', b'\n'), None),
        ('INSTREAM empty', instream(b''), None),
        ('INSTREAM old style refused', b'INSTREAM\n' + chunk(b'x') + chunk(b''), None),
        ('INSTREAM at the limit', instream(big), None),
        ('INSTREAM over the limit', instream(big + b'a'), None),
        ('INSTREAM over the limit in chunks', instream(big + b'a', chunks=3), None),
        ('INSTREAM huge chunk header', b'zINSTREAM\0' + struct.pack('>I', 0x7fffffff), None),
        ('INSTREAM garbage after end', instream(b'hi') + b'zPING\0', None),
        ('FILDES infected', b'nFILDES\n', files + '/eicar'),
        ('zFILDES clean', b'zFILDES\0', files + '/clean'),
        ('FILDES directory', b'nFILDES\n', files + '/tree'),
        ('FILDES without descriptor', b'nFILDES\n', None, b'x'),
        ('FILDES old style', b'FILDES\n', files + '/eicar'),
        ('IDSESSION with FILDES, then more', b'zIDSESSION\0zFILDES\0', files + '/clam.exe',
         b'zPING\0zEND\0'),
        ('IDSESSION n', b'nIDSESSION\nnPING\nnVERSION\nnSCAN ' + d + b'/eicar\nnEND\n', None),
        ('IDSESSION z', b'zIDSESSION\0zPING\0zSCAN ' + d + b'/tree\0zEND\0', None),
        ('IDSESSION INSTREAM', b'zIDSESSION\0' + instream(e) + b'zPING\0' +
         instream(b'xx') + b'zEND\0', None),
        ('IDSESSION CONTSCAN invalid', b'nIDSESSION\nnCONTSCAN ' + d + b'\nnPING\n', None),
        ('IDSESSION nested', b'nIDSESSION\nnIDSESSION\n', None),
        ('IDSESSION unknown', b'zIDSESSION\0zFOO\0', None),
        ('IDSESSION SHUTDOWN invalid', b'zIDSESSION\0zSHUTDOWN\0', None),
        ('IDSESSION STATS', b'zIDSESSION\0zSTATS\0zEND\0', None),
        ('IDSESSION oversize stream', b'zIDSESSION\0zPING\0' + instream(big + b'a'), None),
        ('IDSESSION 200 scans', b'zIDSESSION\0' + b''.join(
            b'zSCAN ' + d + (b'/eicar\0' if i % 3 else b'/clean\0') for i in range(200)) +
         b'zEND\0', None),
        # CommandReadTimeout 1 and ReadTimeout 2 (tests/lib/daemon.sh)
        ('silent client times out', b'', None),
        ('cut stream times out', b'zINSTREAM\0' + struct.pack('>I', 5) + b'ab', None),
    ]
    return c


def run_case(path, case):
    after = case[3] if len(case) > 3 else b''
    return request(path, case[1], case[2], after)


def compare(clamd, vigild, files):
    fails = 0
    for case in cases(files):
        name = case[0]
        a = normalize(run_case(clamd, case), files)
        b = normalize(run_case(vigild, case), files)
        if name.startswith('IDSESSION'):
            same = session_set(a) == session_set(b)
        else:
            same = a == b
        if same:
            print('ok: %s' % name)
        else:
            fails += 1
            print('FAIL: %s\n  clamd:  %r\n  vigild: %r' % (name, a, b))
        # After every case, both must still answer.
        for who, p in (('clamd', clamd), ('vigild', vigild)):
            if request(p, b'zPING\0') != b'PONG\0':
                fails += 1
                print('FAIL: %s no longer answers after %s' % (who, name))
    return fails


def main(argv):
    if len(argv) == 4 and argv[1] == 'wait':
        return wait(argv[2], float(argv[3]))
    if len(argv) == 4 and argv[1] == 'req':
        data = ast.literal_eval("b'" + argv[3] + "'")
        sys.stdout.write(repr(request(argv[2], data)) + '\n')
        return 0
    if len(argv) == 4 and argv[1] == 'cut':
        s = connect(argv[2])
        s.sendall(ast.literal_eval("b'" + argv[3] + "'"))
        s.close()
        return 0
    if len(argv) == 4 and argv[1] == 'flood':
        s = connect(argv[2])
        try:
            s.sendall(b'n' + b'A' * int(argv[3]))
        except OSError:
            pass
        sys.stdout.write(repr(read_all(s)) + '\n')
        return 0
    if len(argv) == 3 and argv[1] == 'stall':
        # Many replies asked for, none read for 2 s: then how many came,
        # and whether the daemon hung up.
        s = connect(argv[2])
        s.sendall(b'zIDSESSION\0' + b'zVERSIONCOMMANDS\0' * 5000)
        time.sleep(2)
        out = read_all(s, 3)
        sys.stdout.write('%s %d\n' % ('timeout' if out.endswith(b'<TIMEOUT>') else 'closed',
                                      out.count(b'COMMANDS:')))
        return 0
    if len(argv) == 5 and argv[1] == 'compare':
        return 1 if compare(argv[2], argv[3], argv[4]) else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
