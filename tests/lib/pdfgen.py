#!/usr/bin/env python3
"""pdfgen.py - tiny PDF and RTF samples for the PDF/RTF tests, built at test
time around a payload file (clam.exe from the clamav-testfiles package, or
EICAR assembled by the test), so no sample lives in the repository.

  pdfgen.py pdf MODE PAYLOAD OUT   MODE: raw flate ahex a85 lzw rl predictor
                                   chain objstm embedded js brokenxref noxref
                                   rc4-40 rc4-128 aes128 aes256 userpw
                                   truncated
  pdfgen.py rtf MODE PAYLOAD OUT   MODE: package bin raw

Encryption follows ISO 32000-1 7.6.3 (algorithms 1-5) and ISO 32000-2
7.6.4.3.3 (revision 6) with an empty user password (userpw: "secret");
RC4 is written here in Python, AES comes from python3-cryptography."""
import base64
import hashlib
import struct
import sys
import zlib

PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
ID0 = bytes.fromhex("802AD3F69501CD4AE7FD110971031F33")


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for c in data:
        i = (i + 1) & 255
        j = (j + s[i]) & 255
        s[i], s[j] = s[j], s[i]
        out.append(c ^ s[(s[i] + s[j]) & 255])
    return bytes(out)


def aes_cbc(key, iv, data, encrypt=True):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    c = Cipher(algorithms.AES(key), modes.CBC(iv))
    x = c.encryptor() if encrypt else c.decryptor()
    return x.update(data) + x.finalize()


def pkcs7(data):
    n = 16 - len(data) % 16
    return data + bytes([n]) * n


def lzw(data, early=1):
    """LZW with a clear code first and EOD last, code widths as a decoder
    with EarlyChange=early reads them."""
    bits, nbits, out = 0, 0, bytearray()
    width, dnext = 9, 258

    def emit(code):
        nonlocal bits, nbits
        bits = (bits << width) | code
        nbits += width
        while nbits >= 8:
            out.append((bits >> (nbits - 8)) & 255)
            nbits -= 8
    emit(256)
    table = {bytes([i]): i for i in range(256)}
    nxt, w, first = 258, b"", True
    for c in data:
        wc = w + bytes([c])
        if wc in table:
            w = wc
            continue
        emit(table[w])
        if not first:
            dnext += 1
        first = False
        if dnext + early >= (1 << width) and width < 12:
            width += 1
        table[wc] = nxt
        nxt += 1
        w = bytes([c])
    if w:
        emit(table[w])
        if not first:
            dnext += 1
        if dnext + early >= (1 << width) and width < 12:
            width += 1
    emit(257)
    if nbits:
        out.append((bits << (8 - nbits)) & 255)
    assert nxt < 4000, "payload too large for this simple encoder"
    return bytes(out)


def runlength(data):
    out = bytearray()
    for i in range(0, len(data), 100):
        chunk = data[i:i + 100]
        out.append(len(chunk) - 1)
        out += chunk
    out.append(128)
    return bytes(out)


def png_predict(data, columns):
    out, prev = bytearray(), bytes(columns)
    for r, i in enumerate(range(0, len(data), columns)):
        row = data[i:i + columns]
        t = r % 5
        enc = bytearray()
        for j, x in enumerate(row):
            a = row[j - 1] if j >= 1 else 0
            b = prev[j] if j < len(prev) else 0
            c = prev[j - 1] if j >= 1 else 0
            if t == 0:
                p = 0
            elif t == 1:
                p = a
            elif t == 2:
                p = b
            elif t == 3:
                p = (a + b) >> 1
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            enc.append((x - p) & 255)
        out.append(t)
        out += enc
        prev = row
    return bytes(out)


def pdf_string(b):
    """A literal string holding any bytes."""
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") \
        .replace(b"\r", b"\\r") + b")"


class Crypt:
    """The standard security handler for one document."""

    def __init__(self, mode, user=b""):
        self.mode = mode
        o_pw = b"owner"
        if mode in ("rc4-40", "rc4-128", "aes128", "userpw"):
            r = 2 if mode == "rc4-40" else (4 if mode == "aes128" else 3)
            n = 5 if r == 2 else 16
            self.r, self.n = r, n
            okey = hashlib.md5((o_pw + PAD)[:32]).digest()
            if r >= 3:
                for _ in range(50):
                    okey = hashlib.md5(okey[:n]).digest()
            okey = okey[:n]
            O = rc4(okey, (user + PAD)[:32])
            if r >= 3:
                for i in range(1, 20):
                    O = rc4(bytes(k ^ i for k in okey), O)
            self.P = -3904
            h = hashlib.md5((user + PAD)[:32] + O + struct.pack("<i", self.P) + ID0).digest()
            if r >= 3:
                for _ in range(50):
                    h = hashlib.md5(h[:n]).digest()
            self.key = h[:n]
            if r == 2:
                U = rc4(self.key, PAD)
            else:
                x = hashlib.md5(PAD + ID0).digest()
                for i in range(20):
                    x = rc4(bytes(k ^ i for k in self.key), x)
                U = x + bytes(16)
            self.O, self.U = O, U
        else:  # aes256, revision 6
            self.r = 6
            self.key = bytes(range(32))
            vs, ks = b"\x11" * 8, b"\x22" * 8
            self.U = self.hash6(b"", vs) + vs + ks
            self.UE = aes_cbc(self.hash6(b"", ks), bytes(16), self.key)
            ovs, oks = b"\x33" * 8, b"\x44" * 8
            self.O = self.hash6(o_pw, ovs, self.U) + ovs + oks
            self.OE = aes_cbc(self.hash6(o_pw, oks, self.U), bytes(16), self.key)
            self.P = -3904
            perms = struct.pack("<i", self.P) + b"\xff\xff\xff\xffTadb" + b"\0" * 4
            self.Perms = aes_cbc(self.key, bytes(16), perms)  # ECB of one block

    @staticmethod
    def hash6(pw, salt, udata=b""):
        k = hashlib.sha256(pw + salt + udata).digest()
        i = 0
        while True:
            k1 = (pw + k + udata) * 64
            e = aes_cbc(k[:16], k[16:32], k1)
            m = sum(e[:16]) % 3
            k = [hashlib.sha256, hashlib.sha384, hashlib.sha512][m](e).digest()
            i += 1
            if i >= 64 and e[-1] <= i - 32:
                break
        return k[:32]

    def objkey(self, num, gen):
        if self.r == 6:
            return self.key
        salt = b"sAlT" if self.mode == "aes128" else b""
        h = hashlib.md5(self.key + struct.pack("<I", num)[:3] + struct.pack("<H", gen) +
                        salt).digest()
        return h[:min(len(self.key) + 5, 16)]

    def enc(self, num, gen, data):
        k = self.objkey(num, gen)
        if self.mode in ("aes128", "aes256"):
            iv = bytes(range(16, 32))
            return iv + aes_cbc(k, iv, pkcs7(data))
        return rc4(k, data)

    def dict(self):
        h = lambda b: b"<" + b.hex().encode() + b">"
        if self.r == 6:
            return (b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P %d /O %s /U %s /OE %s "
                    b"/UE %s /Perms %s /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen "
                    b"/Length 32 >> >> /StmF /StdCF /StrF /StdCF >>" %
                    (self.P, h(self.O), h(self.U), h(self.OE), h(self.UE), h(self.Perms)))
        if self.r == 4:
            return (b"<< /Filter /Standard /V 4 /R 4 /Length 128 /P %d /O %s /U %s "
                    b"/CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> "
                    b"/StmF /StdCF /StrF /StdCF >>" % (self.P, h(self.O), h(self.U)))
        v = 1 if self.r == 2 else 2
        return (b"<< /Filter /Standard /V %d /R %d /Length %d /P %d /O %s /U %s >>" %
                (v, self.r, self.n * 8, self.P, h(self.O), h(self.U)))


def build_pdf(objs, crypt=None, xref="good", trailer_extra=b""):
    """objs: list of (num, dict_bytes, stream_bytes or None)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offs = {}
    for num, d, s in objs:
        offs[num] = len(out)
        out += b"%d 0 obj\n" % num
        if s is None:
            out += d + b"\nendobj\n"
        else:
            if crypt:
                s = crypt.enc(num, 0, s)
            out += d.replace(b"/LEN", b"/Length %d\n" % len(s)) + b"\nstream\n" + s + \
                b"\nendstream\nendobj\n"
    size = max(offs) + 1
    enc_ref = b""
    if crypt:
        enc_num = size
        offs[enc_num] = len(out)
        out += b"%d 0 obj\n" % enc_num + crypt.dict() + b"\nendobj\n"
        size += 1
        enc_ref = b" /Encrypt %d 0 R" % enc_num
    xpos = len(out)
    if xref != "none":
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for n in range(1, size):
            off = offs.get(n, 0)
            if xref == "broken":
                off = (off * 7 + 13) % 100000  # every entry points elsewhere
            out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R%s /ID [<%s> <%s>]%s >>\n" % (
        size, enc_ref, ID0.hex().encode(), ID0.hex().encode(), trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % (xpos if xref == "good" else 99999)
    return bytes(out)


def catalog():
    return [(1, b"<< /Type /Catalog /Pages 2 0 R >>", None),
            (2, b"<< /Type /Pages /Kids [] /Count 0 >>", None)]


def make_pdf(mode, payload):
    objs = catalog()
    crypt = None
    xref = "good"
    stream = lambda d, s: objs.append((3, d, s))
    if mode in ("raw", "brokenxref", "noxref", "truncated"):
        stream(b"<< /LEN /Subtype /Data >>", payload)
        xref = {"brokenxref": "broken", "noxref": "none"}.get(mode, "good")
    elif mode == "flate":
        stream(b"<< /LEN /Filter /FlateDecode >>", zlib.compress(payload))
    elif mode == "ahex":
        stream(b"<< /LEN /Filter /ASCIIHexDecode >>", payload.hex().encode() + b">")
    elif mode == "a85":
        stream(b"<< /LEN /Filter /ASCII85Decode >>", base64.a85encode(payload) + b"~>")
    elif mode == "lzw":
        stream(b"<< /LEN /Filter /LZWDecode >>", lzw(payload))
    elif mode == "rl":
        stream(b"<< /LEN /Filter /RunLengthDecode >>", runlength(payload))
    elif mode == "predictor":
        cols = 16 if len(payload) % 16 == 0 else (17 if len(payload) % 17 == 0 else 1)
        stream(b"<< /LEN /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns %d >> >>"
               % cols, zlib.compress(png_predict(payload, cols)))
    elif mode == "chain":
        stream(b"<< /LEN /Filter [/ASCII85Decode /FlateDecode] >>",
               base64.a85encode(zlib.compress(payload)) + b"~>")
    elif mode == "embedded":
        objs.append((3, b"<< /Type /Filespec /F (a.bin) /EF << /F 4 0 R >> >>", None))
        objs.append((4, b"<< /Type /EmbeddedFile /LEN /Filter /FlateDecode >>",
                     zlib.compress(payload)))
    elif mode == "js":
        objs.append((3, b"<< /Type /Action /S /JavaScript /JS " + pdf_string(payload) + b" >>",
                     None))
    elif mode == "objstm":
        inner = [b"<< /Type /Action /S /JavaScript /JS " + pdf_string(payload) + b" >>",
                 b"<< /Type /Annot /Subtype /Text >>"]
        head, body = b"", b""
        for i, o in enumerate(inner):
            head += b"%d %d " % (5 + i, len(body))
            body += o + b"\n"
        objs.append((3, b"<< /Type /ObjStm /N %d /First %d /LEN /Filter /FlateDecode >>" %
                     (len(inner), len(head)), zlib.compress(head + body)))
    elif mode in ("rc4-40", "rc4-128", "aes128", "aes256", "userpw"):
        crypt = Crypt(mode, b"secret" if mode == "userpw" else b"")
        stream(b"<< /LEN /Filter /FlateDecode >>", zlib.compress(payload))
    else:
        raise SystemExit("unknown pdf mode " + mode)
    data = build_pdf(objs, crypt, xref)
    if mode == "truncated":
        data = data[:data.index(payload) + len(payload) // 2]
    return data


def ole1(payload, native):
    cls = b"Package\0"
    hdr = struct.pack("<II", 0x0501, 2) + struct.pack("<I", len(cls)) + cls + \
        struct.pack("<II", 0, 0)
    return hdr + struct.pack("<I", len(native)) + native


def package(payload, name=b"eicar.com"):
    path = b"C:\\tmp\\" + name + b"\0"
    return b"\x02\x00" + name + b"\0" + path + b"\x00\x00\x03\x00" + \
        struct.pack("<I", len(path)) + path + struct.pack("<I", len(payload)) + payload + \
        b"\x00\x00"


def make_rtf(mode, payload):
    head = b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}\\pard Hello\\par\n"
    obj = ole1(payload, package(payload))
    if mode == "package":
        hx = obj.hex().encode()
        body = b"\n".join(hx[i:i + 128] for i in range(0, len(hx), 128))
        data = b"{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata " + body + b"}}"
    elif mode == "bin":
        data = b"{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata \\bin%d " % len(obj) + \
            obj + b"}}"
    elif mode == "raw":
        data = b"{\\object{\\*\\objdata " + payload.hex().encode() + b"}}"
    else:
        raise SystemExit("unknown rtf mode " + mode)
    return head + data + b"\n}\n"


def main():
    kind, mode, src, dst = sys.argv[1:5]
    payload = open(src, "rb").read()
    data = make_pdf(mode, payload) if kind == "pdf" else make_rtf(mode, payload)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
