#!/usr/bin/env bash
# daemon/streamcap: StreamMaxTotal, vigild's cap on the INSTREAM data of all
# clients together (see docs/vigild.conf.5 and src/daemon/streams.c), with
# StreamMaxLength 1M and StreamMaxTotal 1000K:
#  - over the cap a new stream waits, unread and unanswered, and is scanned
#    once the stream that held the bytes is scanned;
#  - a stream under way whose next chunk does not fit is refused with
#    clamd's words for a stream past StreamMaxLength (the same bytes clamd
#    sends, compared here), and what it held is released;
#  - a client that hangs up mid-stream releases what it held;
#  - streams under the cap are answered as by clamd.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
start_clamd
start_vigild "StreamMaxTotal 1000K"

cat > "$T/cap.py" <<'PY'
import os, socket, struct, sys, time

K = 1024

def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s

def chunk(data):
    return struct.pack('>I', len(data)) + data

def reply(s, timeout=5.0):
    """What the daemon sends until it closes, or what came within timeout
    followed by '<WAITING>'."""
    out = b''
    s.settimeout(timeout)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return out
            out += d
    except socket.timeout:
        return out + b'<WAITING>'
    except ConnectionResetError:
        return out

def stream(path, size):
    s = conn(path)
    s.sendall(b'zINSTREAM\0' + chunk(b'\0' * size) + chunk(b''))
    return reply(s)

def main(case, path):
    if case == 'wait':
        a = conn(path)
        a.sendall(b'zINSTREAM\0' + chunk(b'\0' * (1000 * K)))  # the cap, held
        time.sleep(0.3)
        b = conn(path)
        b.sendall(b'zINSTREAM\0' + chunk(b'b' * 10) + chunk(b''))
        print('B while A holds the cap:', reply(b, 1.0))
        a.sendall(chunk(b''))
        print('A:', reply(a))
        print('B after A:', reply(b))
    elif case == 'refuse':
        a = conn(path)
        a.sendall(b'zINSTREAM\0' + chunk(b'\0' * (600 * K)))
        time.sleep(0.3)
        b = conn(path)
        try:
            b.sendall(b'zINSTREAM\0' + chunk(b'\0' * (600 * K)) + chunk(b''))
        except (BrokenPipeError, ConnectionResetError):
            pass
        print('B past the cap:', reply(b))
        a.sendall(chunk(b''))
        print('A:', reply(a))
        print('C after both:', stream(path, 900 * K))
    elif case == 'cut':
        a = conn(path)
        a.sendall(b'zINSTREAM\0' + chunk(b'\0' * (900 * K)))
        time.sleep(0.3)
        a.close()
        time.sleep(0.3)
        print('C after a cut stream:', stream(path, 900 * K))
    elif case == 'toolong':
        s = conn(path)
        try:
            s.sendall(b'zINSTREAM\0' + chunk(b'\0' * (1100 * K)) + chunk(b''))
        except (BrokenPipeError, ConnectionResetError):
            pass
        print(reply(s))
    elif case == 'one':
        print(stream(path, int(sys.argv[3])))

main(sys.argv[1], sys.argv[2])
PY
cap() { run python3 "$T/cap.py" "$@"; }

cap wait "$VIGILD_SOCK"
assert_has_line "over the cap a new stream waits, unanswered" "$OUT" \
    "B while A holds the cap: b'<WAITING>'"
assert_has_line "the stream that held the cap is scanned" "$OUT" "A: b'stream: OK\\x00'"
assert_has_line "then the waiting stream is scanned" "$OUT" "B after A: b'stream: OK\\x00'"

cap refuse "$VIGILD_SOCK"
refused=$(sed -n "s/^B past the cap: //p" <<<"$OUT")
assert_eq "a chunk past the cap ends its stream with clamd's words" \
    "b'INSTREAM size limit exceeded. ERROR\\x00'" "$refused"
assert_has_line "the stream under the cap goes on" "$OUT" "A: b'stream: OK\\x00'"
assert_has_line "everything was released: 900K fits again" "$OUT" \
    "C after both: b'stream: OK\\x00'"
assert_contains "the refusal is logged with its reason" "$(cat "$T/vigild.log")" \
    "INSTREAM: StreamMaxTotal reached"

# clamd says the same bytes for a stream past StreamMaxLength.
cap toolong "$CLAMD_SOCK"
assert_eq "clamd's reply to a stream past its limit is the same" "$refused" "$OUT"
cap toolong "$VIGILD_SOCK"
assert_eq "vigild's reply to a stream past StreamMaxLength too" "$refused" "$OUT"

cap cut "$VIGILD_SOCK"
assert_has_line "a client that hangs up releases what it held" "$OUT" \
    "C after a cut stream: b'stream: OK\\x00'"

# Under the cap, the same answers as clamd.
for n in 10 1000; do
    cap one "$CLAMD_SOCK" $((n * 1024))
    want=$OUT
    cap one "$VIGILD_SOCK" $((n * 1024))
    assert_eq "a stream of ${n}K: the same reply as clamd" "$want" "$OUT"
done

run python3 "$DAEMON_PY" req "$VIGILD_SOCK" 'zPING\0'
assert_eq "vigild still answers" "b'PONG\\x00'" "$OUT"
finish
