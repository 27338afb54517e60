#!/usr/bin/env bash
# daemon/instream: INSTREAM data followed by a worker as it arrives
# (src/daemon/instream.c: the digests of hash signatures computed while the
# stream is received) gives clamd's replies whatever the chunking: streams
# of 1-byte chunks, odd sizes (4099, 65537) and one big chunk, of files
# detected by MD5 (.hdb), SHA-256 with a size and SHA-1 of any size (.hsb),
# a body signature (.ndb), a file of a signature's size but other bytes,
# files larger than every sized signature, clean and empty ones; the same
# requests go to clamd and vigild and the replies are compared byte for
# byte. Then vigild alone (MaxThreads 1): a slow stream followed by the one
# worker gives the worker back when a scan waits, and is still answered
# right; a client that hangs up mid-stream costs no worker.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"
python3 - "$F" <<'PY'
import os, random, sys
d = sys.argv[1]
r = random.Random(8)
def put(name, n, at=None, insert=b''):
    b = bytearray(r.getrandbits(8) for _ in range(n))
    if at is not None:
        b[at:at + len(insert)] = insert
    open(os.path.join(d, name), 'wb').write(bytes(b))
put('md5', 900 * 1024)
put('md5-samesize', 900 * 1024)      # the size of md5's signature, other bytes
put('sha256', 700 * 1024)
put('sha1any', 800 * 1024 + 3)
put('body', 1000 * 1024, 600 * 1024 + 7, bytes.fromhex('6a81d2c3b4a5968778695a4b3c2d1e0f'))
put('big-clean', 1000 * 1024 + 1)   # larger than every sized signature
put('odd', 257 * 1024 + 13)
PY
hdb_line "$F/md5" Test.BigMd5 >> "$T/db/test.hdb"
python3 - "$F" "$T/db" <<'PY'
import hashlib, os, sys
f, db = sys.argv[1], sys.argv[2]
b = lambda n: open(os.path.join(f, n), 'rb').read()
with open(os.path.join(db, 'test.hsb'), 'w') as o:
    x = b('sha256')
    o.write('%s:%d:Test.BigSha256\n' % (hashlib.sha256(x).hexdigest(), len(x)))
    o.write('%s:*:Test.AnySha1:73\n' % hashlib.sha1(b('sha1any')).hexdigest())
with open(os.path.join(db, 'test.ndb'), 'w') as o:
    o.write('Test.BodySig:0:*:6a81d2c3b4a5968778695a4b3c2d1e0f\n')
PY
start_clamd
start_vigild "Debug yes"

cat > "$T/cases.py" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import clamdproto as cp
sock, files = sys.argv[2], sys.argv[3]
names = ['md5', 'md5-samesize', 'sha256', 'sha1any', 'body', 'big-clean', 'odd',
         'eicar', 'clean', 'empty', 'clam.exe']
def stream(data, step):
    body = b''.join(cp.chunk(data[i:i + step]) for i in range(0, len(data), step))
    return b'zINSTREAM\0' + body + cp.chunk(b'')
for n in names:
    data = open(os.path.join(files, n), 'rb').read()
    steps = [len(data) or 1, 4099, 65537]
    if len(data) < 100000 or n == 'sha256':
        steps.append(1)
    for st in steps:
        r = cp.request(sock, stream(data, st), timeout=60)
        print('%s/%d: %r' % (n, st, r))
PY
run python3 "$T/cases.py" "$DAEMON_PY" "$CLAMD_SOCK" "$F"
clamd_out=$OUT
run python3 "$T/cases.py" "$DAEMON_PY" "$VIGILD_SOCK" "$F"
assert_eq "INSTREAM replies as clamd's, every file and chunking" "$clamd_out" "$OUT"
assert_contains "clamd finds the MD5 one (the comparison means something)" "$clamd_out" \
    "md5/4099: b'stream: Test.BigMd5.UNOFFICIAL FOUND\\x00'"
assert_contains "and the any-size SHA-1 one" "$clamd_out" \
    "sha1any/65537: b'stream: Test.AnySha1.UNOFFICIAL FOUND\\x00'"
assert_contains "and the SHA-256 one in 1-byte chunks" "$clamd_out" \
    "sha256/1: b'stream: Test.BigSha256.UNOFFICIAL FOUND\\x00'"
assert_contains "streams were followed by workers" "$(cat "$T/vigild.log")" \
    "INSTREAM: worker"
stop_both

# ---- vigild alone, one worker ----------------------------------------------
start_vigild "MaxThreads 1
Debug yes
ReadTimeout 20"
cat > "$T/slow.py" <<'PY'
import os, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import clamdproto as cp
sock, files = sys.argv[2], sys.argv[3]
data = open(os.path.join(files, 'md5'), 'rb').read()
# A slow stream: half of it, then a wait while another client scans.
s = cp.connect(sock, 30)
s.sendall(b'zINSTREAM\0' + cp.chunk(data[:500000]))
time.sleep(0.5)
t0 = time.time()
r = cp.request(sock, b'zSCAN %s\0' % os.path.join(files, 'eicar').encode(), timeout=10)
print('scan while a stream is followed: %r (%s)' % (r, 'prompt' if time.time() - t0 < 5 else 'late'))
s.sendall(cp.chunk(data[500000:]) + cp.chunk(b''))
print('the slow stream: %r' % cp.read_all(s, 30))
# A client that hangs up mid-stream.
s = cp.connect(sock, 30)
s.sendall(b'zINSTREAM\0' + cp.chunk(data[:400000]))
time.sleep(0.3)
s.close()
time.sleep(0.3)
print('after a hang-up: %r' % cp.request(sock, cp.instream(data, chunks=7), timeout=30))
PY
workers_before=$(vigild_workers)
run python3 "$T/slow.py" "$DAEMON_PY" "$VIGILD_SOCK" "$F"
assert_contains "a waiting scan takes the worker back from a slow stream" "$OUT" \
    "scan while a stream is followed: b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00' (prompt)"
assert_contains "the slow stream is still answered right" "$OUT" \
    "the slow stream: b'stream: Test.BigMd5.UNOFFICIAL FOUND\\x00'"
assert_contains "a hang-up mid-stream costs nothing" "$OUT" \
    "after a hang-up: b'stream: Test.BigMd5.UNOFFICIAL FOUND\\x00'"
assert_contains "the worker was taken back" "$(cat "$T/vigild.log")" \
    "drops the stream it follows"
assert_eq "no worker died" "$workers_before" "$(vigild_workers)"
finish
