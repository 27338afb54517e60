#!/usr/bin/env python3
"""tests/lib/mailgen.py - hand-made mail around an attachment, for
tests/compat/mail.sh: each file shows one thing real mailers and attackers
do. Usage: mailgen.py PAYLOAD [TEXT] (PAYLOAD a file: clam.exe from the
clamav-testfiles package at test time; TEXT a line of text, EICAR made at
test time, for the text-part cases). Writes the cases into the current
directory."""
import base64
import binascii
import sys

exe = open(sys.argv[1], 'rb').read()
b64 = base64.encodebytes(exe).decode()
H = 'From: a@b\nTo: c@d\nSubject: t\nMIME-Version: 1.0\n'


def uu(data, name):
    out = ['begin 644 %s' % name]
    out += [binascii.b2a_uu(data[i:i + 45]).decode().rstrip('\n')
            for i in range(0, len(data), 45)]
    return '\n'.join(out + ['`', 'end']) + '\n'


def qp(data):
    """Quoted-printable with soft line breaks only (every byte survives)."""
    out, line = [], ''
    for b in data:
        t = chr(b) if 33 <= b <= 126 and b != 61 else '=%02X' % b
        if len(line) + len(t) > 72:
            out.append(line + '=')
            line = ''
        line += t
    return '\n'.join(out + [line])


def part(name, body, cte='base64', extra=''):
    return ('Content-Type: application/octet-stream; name="%s"\n%s'
            'Content-Transfer-Encoding: %s\n\n%s' % (name, extra, cte, body))


def mixed(parts, boundary='A', ct_extra=''):
    s = H + 'Content-Type: multipart/mixed; boundary="%s"%s\n\n' % (boundary, ct_extra)
    for p in parts:
        s += '--%s\n%s\n' % (boundary, p)
    return s + '--%s--\n' % boundary


def nest(n):
    s = H + 'Content-Type: multipart/mixed; boundary="b0"\n\n'
    for i in range(n):
        s += '--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i, i + 1)
    s += '--b%d\n%s' % (n, part('deep.exe', b64))
    for i in range(n, -1, -1):
        s += '--b%d--\n' % i
    return s


cases = {
    'nested.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: text/plain\n\nhi\n--A\n'
    'Content-Type: multipart/alternative; boundary="B"\n\n--B\n'
    + part('x.exe', b64) + '--B--\n--A--\n',
    'base64.eml': mixed([part('b.exe', b64)]),
    'qp.eml': mixed([part('q.exe', qp(exe), 'quoted-printable')]),
    'uubody.eml': H + 'Content-Type: text/plain\n\nsee attached\n\n' + uu(exe, 'u.exe'),
    'xuu.eml': H + 'Content-Type: application/octet-stream; name="y.exe"\n'
    'Content-Transfer-Encoding: x-uuencode\n\n' + uu(exe, 'y.exe'),
    'rfc2231.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: application/octet-stream\n'
    "Content-Disposition: attachment; filename*=UTF-8''r%20x.exe\n"
    'Content-Transfer-Encoding: base64\n\n' + b64 + '--A--\n',
    'rfc2231cont.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: application/octet-stream\n'
    "Content-Disposition: attachment; filename*0*=UTF-8''lo%6Eg; filename*1=\"name.exe\"\n"
    'Content-Transfer-Encoding: base64\n\n' + b64 + '--A--\n',
    'quoted.eml': mixed([part('s.exe', b64)], '=_quoted boundary_='),
    'unquoted.eml': (H + 'Content-Type: multipart/mixed; boundary=XyZ\n\n--XyZ\n'
                     + part('s.exe', b64) + '--XyZ--\n'),
    'semicolon.eml': mixed([part('s.exe', b64)], 'A;B;C'),
    'cdisp.eml': H + 'Content-Type: multipart/mixed\n'
    'Content-Disposition: inline; boundary="A"\n\n--A\n' + part('d.exe', b64) + '--A--\n',
    'dupct.eml': H + 'Content-Type: text/plain\n'
    'Content-Type: multipart/mixed; boundary="A"\n\n--A\n' + part('p.exe', b64) + '--A--\n',
    'dupct2.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n'
    'Content-Type: text/plain\n\n--A\n' + part('p.exe', b64) + '--A--\n',
    'comment.eml': H + 'Content-Type(comment): multipart/mixed; boundary="A"\n\n--A\n'
    + part('c.exe', b64) + '--A--\n',
    'nofinal.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: text/plain\n\nhi\n--A\n' + part('n.exe', b64),
    'mbox': 'From a@b Thu Jul 31 13:51:21 2008\n' + H + 'Content-Type: text/plain\n\n'
    'hello\n\nFrom x@y Thu Jul 31 13:51:21 2008\n' + mixed([part('m.exe', b64)]),
    'rfc822.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: message/rfc822\n\n' + mixed([part('i.exe', b64)], 'B') + '--A--\n',
    'noname.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'
    + b64 + '--A--\n',
    'crlf.eml': mixed([part('w.exe', b64)]).replace('\n', '\r\n'),
    'single.eml': H + part('t.exe', b64),
    'after-text.txt': 'hello\n' + mixed([part('z.exe', b64)]),
    'xheader.eml': 'X-Foo: bar\n' + mixed([part('z.exe', b64)]),
    'file.uu': uu(exe, 'f.exe'),
    'toprfc822.eml': H + 'Content-Type: message/rfc822\n\n' + mixed([part('i.exe', b64)], 'B'),
    'fwd.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: text/plain\n\nfwd\n--A\nContent-Type: message/rfc822; name="fw.eml"\n'
    'Content-Disposition: attachment; filename="fw.eml"\n\n'
    + mixed([part('i.exe', b64)], 'B') + '\n--A--\n',
    'fwd64.eml': H + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
    'Content-Type: message/rfc822\nContent-Disposition: attachment; filename="x.eml"\n'
    'Content-Transfer-Encoding: base64\n\n'
    + base64.encodebytes(mixed([part('i.exe', b64)], 'B').encode()).decode() + '--A--\n',
    'uustart.eml': 'From: a\nContent-Type: text/plain\n\n' + uu(exe, 'v.exe'),
    'uunoct.eml': 'From: a\nSubject: x\n\nhello\n' + uu(exe, 'v.exe'),
    'nest17.eml': nest(17),
    'nest18.eml': nest(18),
}
P = part
for n, s in {
    'blank-after-boundary.eml': H + 'Content-Type: multipart/mixed; boundary=A\n\n--A  \n'
    + P('o1.exe', b64) + '--A--  \n',
    'uppercase.eml': H + 'CONTENT-TYPE: MULTIPART/MIXED; BOUNDARY=A\n\n--A\n'
    + P('o2.exe', b64) + '--A--\n',
    'b64-garbage.eml': mixed([P('o4.exe', b64.replace('\n', '!!\n'), 'BASE64')]),
    'b64-one-line.eml': mixed([P('o5.exe', b64.replace('\n', '') + '\n')]),
    'prefix-boundary.eml': H + 'Content-Type: multipart/mixed; boundary=AB\n\n--AB\n'
    'Content-Type: multipart/mixed; boundary=A\n\n--A\n' + P('o6.exe', b64)
    + '--A--\n--AB--\n',
    'folded-ct.eml': H + 'Content-Type: multipart/mixed;\n\tboundary="A"\n\n--A\n'
    + P('o7.exe', b64) + '--A--\n',
    'preamble.eml': H + 'Content-Type: multipart/mixed; boundary=A\n\npreamble\n--A\n\n'
    'plain text no headers\n--A\n' + P('o8.exe', b64) + '--A--\nepilogue\n',
    'space-colon.eml': H + 'Content-Type : multipart/mixed; boundary=A\n\n--A\n'
    + P('o3.exe', b64) + '--A--\n',
    'no-blank.eml': H + 'Content-Type: multipart/mixed; boundary=A\n\n--A\n'
    'Content-Type: application/octet-stream; name="o9.exe"\n'
    'Content-Transfer-Encoding: base64\n' + b64 + '--A--\n',
    'rfc2231-nocs.eml': H + 'Content-Type: multipart/mixed; boundary=A\n\n--A\n'
    'Content-Type: application/octet-stream; name*="o10.exe"\n'
    'Content-Transfer-Encoding: base64\n\n' + b64 + '--A--\n',
}.items():
    cases[n] = s
for i, nm in enumerate(['=?utf-8?B?bzExLmV4ZQ==?=', '=?utf-8?Q?w1_x=2Eexe?=',
                        '=?utf-8?B?dzI=?= =?utf-8?B?LmV4ZQ==?=',
                        'pre =?iso-8859-1?q?w3?= post.exe', '=?utf-8?B?dzI']):
    cases['rfc2047-%d.eml' % i] = mixed([P(nm, b64)])
if len(sys.argv) > 2:
    E = open(sys.argv[2]).read()
    cases.update({
        'text-body.eml': H + 'Content-Type: text/plain\n\n' + E + '\n',
        'text-part.eml': mixed(['Content-Type: text/plain\n\n' + E]),
        'text-b64.eml': mixed(['Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n'
                               + base64.encodebytes(E.encode()).decode()]),
        'text-qp.eml': mixed(['Content-Type: text/plain\nContent-Transfer-Encoding: '
                              'quoted-printable\n\n' + qp(E.encode())]),
        'text-nohdr.eml': 'Subject: t\n\n' + E + '\n',
        'html-part.eml': mixed(['Content-Type: text/html\n\n<p>' + E + '</p>']),
    })
for name, text in cases.items():
    with open(name, 'w', newline='') as f:
        f.write(text)
