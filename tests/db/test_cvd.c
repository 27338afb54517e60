/* test_cvd.c - ClamAV database containers: the header parser, both RSA
 * signature schemes, the .info manifest, loading ClamAV's own signed test
 * databases (shared/clamav-testdata/cvd, read in place), and refusing every
 * tampered copy with nothing loaded. Unsigned .cud containers and .cld files
 * (a signed body, unsigned header) are built here with libarchive and zlib. */
/* cmocka.h needs these first. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "db/cvd.h"
#include "vigil/vigil.h"

#define CVD_DIR VIGIL_SHARED_DIR "/clamav-testdata/cvd"
#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIV"
                            "IRUS-TEST-FILE!$H+H*";

/* ---- helpers ----------------------------------------------------------- */

struct buf {
    uint8_t *p;
    size_t n;
};

static struct buf slurp(const char *path)
{
    struct buf b = {NULL, 0};
    struct stat sb;
    FILE *f = fopen(path, "rb");

    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &sb), 0);
    b.n = (size_t)sb.st_size;
    b.p = malloc(b.n + 1);
    assert_non_null(b.p);
    assert_int_equal(fread(b.p, 1, b.n, f), b.n);
    fclose(f);
    return b;
}

static struct buf test_cvd(int n)
{
    char path[512];

    snprintf(path, sizeof path, "%s/test-%d.cvd", CVD_DIR, n);
    return slurp(path);
}

static vigil_status load_mem(const char *name, const struct buf *b, vigil_engine **e)
{
    assert_int_equal(vigil_engine_new(e), VIGIL_OK);
    return vigil_engine_load_memory(*e, name, b->p, b->n, 0);
}

/* Compiles e and scans the EICAR bytes; returns the first name or "". */
static const char *scan_eicar(vigil_engine *e)
{
    static char name[256];
    vigil_scanner *s;
    const vigil_result *r;

    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, "x", NULL, &r), VIGIL_OK);
    name[0] = '\0';
    if (vigil_result_count(r))
        snprintf(name, sizeof name, "%s", vigil_result_detection(r, 0)->name);
    vigil_scanner_free(s);
    return name;
}

/* Asserts that loading fails with the error text holding needle, and that
 * the engine was left with no signature. */
static void assert_refused(const char *name, const struct buf *b, const char *needle)
{
    vigil_engine *e;
    vigil_status st = load_mem(name, b, &e);

    if (st == VIGIL_OK || !strstr(vigil_engine_error(e), needle))
        fail_msg("%s: status %d, error \"%s\", expected \"%s\"", name, st,
                 vigil_engine_error(e), needle);
    assert_int_equal(vigil_engine_signature_count(e), 0);
    vigil_engine_free(e);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* One file of a container being built. */
struct ent {
    const char *name;
    const char *data;
};

/* Appends the .info line of e to info. */
static void info_add(char *info, size_t cap, const struct ent *e)
{
    uint8_t sha[32];
    char h[65];

    EVP_Digest(e->data, strlen(e->data), sha, NULL, EVP_sha256(), NULL);
    hex(sha, 32, h);
    snprintf(info + strlen(info), cap - strlen(info), "%s:%zu:%s\n", e->name,
             strlen(e->data), h);
}

/* Builds a container: header (padded with spaces) + tar of v[0..n), gzip'd
 * when gz. */
static struct buf build(const char *header, const struct ent *v, size_t n, int gz)
{
    struct buf b;
    size_t cap = 4 << 20, used = 0;
    struct archive *a = archive_write_new();
    struct archive_entry *ae;

    b.p = malloc(cap);
    assert_non_null(b.p);
    memset(b.p, ' ', 512);
    memcpy(b.p, header, strlen(header));
    assert_int_equal(archive_write_set_format_ustar(a), ARCHIVE_OK);
    if (gz)
        assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, b.p + 512, cap - 512, &used),
                     ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        ae = archive_entry_new();
        archive_entry_set_pathname(ae, v[i].name);
        archive_entry_set_size(ae, (la_int64_t)strlen(v[i].data));
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, v[i].data, strlen(v[i].data)),
                         (la_ssize_t)strlen(v[i].data));
        archive_entry_free(ae);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    b.n = 512 + used;
    return b;
}

#define CUD_HEAD "ClamAV-VDB:21 Nov 2026 20-05 +0000:7:1:216:X:X:tester:1795291553"

/* A .cud: COPYING, the manifest of v (and of nothing else), then v. */
static struct buf build_cud(const struct ent *v, size_t n, const char *extra_info)
{
    static char info[8192];
    struct ent all[16];

    snprintf(info, sizeof info, "%s\n", CUD_HEAD);
    for (size_t i = 0; i < n; i++)
        info_add(info, sizeof info, &v[i]);
    if (extra_info)
        snprintf(info + strlen(info), sizeof info - strlen(info), "%s", extra_info);
    all[0] = (struct ent){"COPYING", "GPL\n"};
    all[1] = (struct ent){"x.info", info};
    assert_true(n + 2 <= 16);
    memcpy(all + 2, v, n * sizeof *v);
    return build(CUD_HEAD, all, n + 2, 1);
}

/* test-N.cvd turned into a .cld as freshclam writes one: the .info's first
 * line as header, then the plain (decompressed) tar. */
static struct buf make_cld(int n)
{
    struct buf cvd = test_cvd(n), cld;
    z_stream z;
    size_t cap = 1 << 20;
    const char *info, *nl;

    memset(&z, 0, sizeof z);
    cld.p = malloc(cap);
    assert_non_null(cld.p);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = cvd.p + 512;
    z.avail_in = (uInt)(cvd.n - 512);
    z.next_out = cld.p + 512;
    z.avail_out = (uInt)(cap - 512);
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    cld.n = 512 + z.total_out;
    inflateEnd(&z);
    info = memmem(cld.p + 512, cld.n - 512, "ClamAV-VDB:", 11);
    assert_non_null(info);
    nl = memchr(info, '\n', 200);
    assert_non_null(nl);
    memset(cld.p, ' ', 512);
    memcpy(cld.p, info, (size_t)(nl - info));
    free(cvd.p);
    return cld;
}

/* Offset of the first occurrence of s in b, after the 512-byte header. */
static size_t find(const struct buf *b, const char *s)
{
    const uint8_t *p = memmem(b->p + 512, b->n - 512, s, strlen(s));

    assert_non_null(p);
    return (size_t)(p - b->p);
}

/* ---- the header -------------------------------------------------------- */

static void test_header_parse(void **state)
{
    struct cvd_header h;
    uint8_t block[512];
    const char *line = "ClamAV-VDB:22 Jun 2021 20-40 -0400:3:11:81:"
                       "75c84c7f1a2d37d9c2a37b2bc9b3a670:sig:raynman:1624408809";
    (void)state;
    assert_null(cvd_header_parse_line(line, strlen(line), &h));
    assert_string_equal(h.time, "22 Jun 2021 20-40 -0400");
    assert_int_equal(h.version, 3);
    assert_int_equal(h.sigs, 11);
    assert_int_equal(h.flevel, 81);
    assert_string_equal(h.md5, "75c84c7f1a2d37d9c2a37b2bc9b3a670");
    assert_string_equal(h.dsig, "sig");
    assert_string_equal(h.builder, "raynman");
    assert_int_equal(h.stime, 1624408809);

    memset(block, ' ', sizeof block);
    memcpy(block, line, strlen(line));
    assert_null(cvd_header_parse(block, &h));
    block[300] = '!'; /* padding must be spaces only */
    assert_non_null(cvd_header_parse(block, &h));
    block[300] = '\n';
    assert_non_null(cvd_header_parse(block, &h));
    memset(block, 'A', sizeof block); /* no padding at all */
    assert_non_null(cvd_header_parse(block, &h));
}

static void test_header_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "ClamAV-VDB",
        "ClamAV-VDX:t:1:2:3:m:d:b:4",
        "ClamAV-VDB:t:1:2:3:m:d:b",            /* 7 fields (ClamAV's old format) */
        "ClamAV-VDB:t:1:2:3:m:d:b:4:5",        /* 9 fields */
        "ClamAV-VDB:t:1::3:m:d:b:4",           /* empty field */
        "ClamAV-VDB:t:x:2:3:m:d:b:4",          /* version not a number */
        "ClamAV-VDB:t:1:2:3:m:d:b:4x",         /* stime not a number */
        "ClamAV-VDB:t:4294967296:2:3:m:d:b:4", /* version overflows */
        "ClamAV-VDB:t:-1:2:3:m:d:b:4",
        "ClamAV-VDB:t:1:2:3:m:d:b\tx:4",  /* control character */
        "ClamAV-VDB:t:1:2:3:m:d:b\xe9:4", /* not ASCII */
    };
    struct cvd_header h;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!cvd_header_parse_line(bad[i], strlen(bad[i]), &h))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_null(cvd_header_parse_line("ClamAV-VDB:t:4294967295:0:0:m:d:b:0", 35, &h));
    assert_int_equal(h.version, 4294967295u);
}

static void test_kind(void **state)
{
    (void)state;
    assert_int_equal(cvd_kind("daily.cvd"), CVD_KIND_CVD);
    assert_int_equal(cvd_kind("/a/b/MAIN.CLD"), CVD_KIND_CLD);
    assert_int_equal(cvd_kind("x.cud"), CVD_KIND_CUD);
    assert_int_equal(cvd_kind(".cvd"), -1);
    assert_int_equal(cvd_kind("x.hdb"), -1);
    assert_int_equal(cvd_kind("cvd"), -1);
}

static void test_header_read(void **state)
{
    struct cvd_header h;
    (void)state;
    assert_null(cvd_header_read(CVD_DIR "/test-6.cvd", &h));
    assert_int_equal(h.version, 6);
    assert_int_equal(h.sigs, 14);
    assert_string_equal(h.builder, "micasnyd");
    assert_non_null(cvd_header_read(CVD_DIR "/no-such.cvd", &h));
    assert_non_null(cvd_header_read(CVD_DIR, &h)); /* a directory */
}

/* ---- the signatures ---------------------------------------------------- */

static void test_header_signature(void **state)
{
    struct cvd_header h;
    uint8_t md5[16];
    char bad[CVD_HEADER_SIZE];
    (void)state;
    for (int n = 1; n <= 6; n++) {
        char path[512];
        snprintf(path, sizeof path, "%s/test-%d.cvd", CVD_DIR, n);
        assert_null(cvd_header_read(path, &h));
        for (int i = 0; i < 16; i++)
            sscanf(h.md5 + 2 * i, "%2hhx", &md5[i]);
        assert_null(dsig_check_md5(h.dsig, md5));
        md5[15] ^= 1;
        assert_non_null(dsig_check_md5(h.dsig, md5));
        md5[15] ^= 1;
        /* One digit changed: a different number, a different MD5. */
        snprintf(bad, sizeof bad, "%s", h.dsig);
        bad[10] = bad[10] == 'a' ? 'b' : 'a';
        assert_non_null(dsig_check_md5(bad, md5));
    }
    assert_non_null(dsig_check_md5("", md5));
    assert_non_null(dsig_check_md5("abc=def", md5));
    /* 200 digits are 1200 bits: more than the 1024-bit key. */
    memset(bad, 'B', 200);
    bad[200] = '\0';
    assert_non_null(dsig_check_md5(bad, md5));
}

/* The manifest of a test database, from its .cld form (plain tar). */
static char *info_of(int n, size_t *len)
{
    struct buf cld = make_cld(n);
    size_t off = find(&cld, "ClamAV-VDB:");
    const uint8_t *end = memmem(cld.p + off, cld.n - off, "DSIG:", 5);
    const uint8_t *nl;
    char *out;

    assert_non_null(end);
    nl = memchr(end, '\n', cld.n - (size_t)(end - cld.p));
    assert_non_null(nl);
    *len = (size_t)(nl + 1 - (cld.p + off));
    out = malloc(*len + 1);
    memcpy(out, cld.p + off, *len);
    out[*len] = '\0';
    free(cld.p);
    return out;
}

static void test_info_signature(void **state)
{
    (void)state;
    /* test-5's signature is one that RFC 8017's PSS check refuses (its top
     * two bits are not both clear): ClamAV's variant must accept it. */
    for (int n = 1; n <= 6; n++) {
        size_t len;
        char *info = info_of(n, &len);
        struct cvd_info ci;
        unsigned long lineno;
        uint8_t sha[32];

        assert_null(cvd_info_parse(info, len, 1, &ci, &lineno));
        assert_non_null(ci.dsig);
        EVP_Digest(info, ci.signed_len, sha, NULL, EVP_sha256(), NULL);
        assert_null(dsig_check_info(ci.dsig, ci.dsig_len, sha));
        sha[0] ^= 1;
        assert_non_null(dsig_check_info(ci.dsig, ci.dsig_len, sha));
        sha[0] ^= 1;
        info[ci.signed_len + 5 + 20] ^= 0x20; /* a digit's case */
        assert_non_null(dsig_check_info(ci.dsig, ci.dsig_len, sha));
        cvd_info_free(&ci);
        free(info);
    }
}

static void test_info_parse(void **state)
{
    static const char head[] = CUD_HEAD "\n";
    static const char ent[] =
        "x.hdb:12:"
        "aaaaeddb8bf8648489ad0580fcb1ae7d09f91e55a20014c67af0b734a6496d4a\n";
    static const struct {
        const char *text;
        int is_signed;
        int ok;
    } cases[] = {
        {"%s%s", 0, 1},
        {"%s%sDSIG:abc\n", 1, 1},
        {"%s%s", 1, 0},                 /* signed: DSIG missing */
        {"%s%sDSIG:abc\n", 0, 0},       /* unsigned: DSIG present */
        {"%s%sDSIG:abc\nmore\n", 1, 0}, /* text after DSIG */
        {"%s%s%s", 0, 0},               /* listed twice */
        {"%sx.hdb:12\n", 0, 0},         /* two fields */
        {"%sx.hdb:1x:"
         "aaaa\n",
         0, 0},
        {"%sx.hdb:12:aaaa\n", 0, 0}, /* short hash */
        {"%sx/"
         "y.hdb:12:aaaaeddb8bf8648489ad0580fcb1ae7d09f91e55a20014c67af0b734a6496d4a\n",
         0, 0},
        {"%s\n", 0, 0},          /* empty line */
        {"x.hdb:1:2\n%s", 0, 0}, /* header not first */
        {"", 0, 0},
    };
    char text[1024];
    struct cvd_info ci;
    unsigned long lineno;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, cases[i].text, head, ent, ent);
        const char *why =
            cvd_info_parse(text, strlen(text), cases[i].is_signed, &ci, &lineno);
        if ((why == NULL) != cases[i].ok)
            fail_msg("case %zu: \"%s\" -> %s", i, text, why ? why : "accepted");
        if (!why) {
            assert_int_equal(ci.n, 1);
            assert_string_equal(ci.v[0].name, "x.hdb");
            assert_int_equal(ci.v[0].size, 12);
            assert_non_null(cvd_info_find(&ci, "x.hdb"));
            assert_null(cvd_info_find(&ci, "X.hdb"));
            cvd_info_free(&ci);
        }
    }
}

/* ---- ClamAV's signed test databases ------------------------------------ */

static void test_load_signed_cvds(void **state)
{
    /* At least the hash signatures (.hdb .hsb .fp .sfp), at most what
     * clamscan 1.4.6 counts: the other formats inside are read as vigil
     * learns them. */
    static const uint64_t least[7] = {0, 0, 0, 5, 5, 5, 5};
    static const uint64_t most[7] = {0, 0, 0, 7, 8, 9, 10};
    (void)state;
    for (int n = 1; n <= 6; n++) {
        char path[512];
        vigil_engine *e;
        snprintf(path, sizeof path, "%s/test-%d.cvd", CVD_DIR, n);
        assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
        if (vigil_engine_load(e, path, 0) != VIGIL_OK)
            fail_msg("%s: %s", path, vigil_engine_error(e));
        assert_in_range(vigil_engine_signature_count(e), least[n], most[n]);
        /* Signatures from a verified container are official. */
        assert_string_equal(scan_eicar(e), n >= 3 ? "Eicar-Test-Signature" : "");
        vigil_engine_free(e);
    }
}

/* Flips each bit b of every byte of test-3.cvd: every copy is refused. */
static void test_every_flipped_byte_refused(void **state)
{
    struct buf b = test_cvd(3);
    int bits[] = {0, 7};
    (void)state;
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < b.n; i++) {
            vigil_engine *e;
            b.p[i] ^= (uint8_t)(1u << bits[k]);
            if (load_mem("test-3.cvd", &b, &e) == VIGIL_OK)
                fail_msg("flipping bit %d of byte %zu was not noticed", bits[k], i);
            assert_int_equal(vigil_engine_signature_count(e), 0);
            b.p[i] ^= (uint8_t)(1u << bits[k]);
            vigil_engine_free(e);
        }
    }
    free(b.p);
}

static void test_tampered_cvd_errors(void **state)
{
    struct buf b = test_cvd(3);
    struct buf cut = {b.p, 511};
    (void)state;
    b.p[20] ^= 1; /* the build time, which ClamAV itself never checks */
    assert_refused("t.cvd", &b, "build time differs from the one in test.info");
    b.p[20] ^= 1;
    b.p[44] ^= 1; /* the MD5 field, still hex */
    assert_refused("t.cvd", &b, "MD5 of the archive does not match the header");
    b.p[44] ^= 1;
    b.p[50] ^= 1; /* the MD5 field, no longer hex */
    assert_refused("t.cvd", &b, "the MD5 field is not 32 lowercase hex digits");
    b.p[50] ^= 1;
    b.p[100] ^= 1; /* the signature */
    assert_refused("t.cvd", &b, "digital signature does not verify");
    b.p[100] ^= 1;
    b.p[b.n - 1] ^= 1; /* the gzip trailer */
    assert_refused("t.cvd", &b, "MD5 of the archive does not match the header");
    b.p[b.n - 1] ^= 1;
    assert_refused("t.cvd", &cut, "shorter than the 512-byte header");
    free(b.p);
}

/* ---- .cld: signed manifest, unsigned header ---------------------------- */

static void test_cld(void **state)
{
    struct buf b = make_cld(3);
    vigil_engine *e;
    size_t info = find(&b, "test.cfg:44:"), hdb = find(&b, EICAR_MD5 ":68:");
    (void)state;
    assert_int_equal(load_mem("x.cld", &b, &e), VIGIL_OK);
    /* .hdb 2, .hsb 1, .fp 1, .sfp 1, and since .mdb/.msb load, 1 each */
    assert_int_equal(vigil_engine_signature_count(e), 7);
    assert_string_equal(scan_eicar(e), "Eicar-Test-Signature");
    vigil_engine_free(e);

    b.p[info + 3] ^= 1; /* the manifest: its DSIG fails */
    assert_refused("x.cld", &b, "test.info: DSIG does not verify");
    b.p[info + 3] ^= 1;
    b.p[hdb + 70] ^= 1; /* the signature name in test.hdb */
    assert_refused("x.cld", &b,
                   "x.cld!test.hdb: its SHA-256 differs from the signed manifest");
    b.p[hdb + 70] ^= 1;
    b.p[35] = '7'; /* the version in the (unsigned) header */
    assert_refused("x.cld", &b, "the header's version differs");
    free(b.p);
}

/* ---- .cud: nothing signed, hashes still checked ------------------------ */

static void test_cud(void **state)
{
    const struct ent db[] = {{"x.hdb", EICAR_MD5 ":68:Cud.Eicar\n"}};
    struct buf b = build_cud(db, 1, NULL);
    vigil_engine *e;
    (void)state;
    assert_int_equal(load_mem("x.cud", &b, &e), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 1);
    assert_string_equal(scan_eicar(e), "Cud.Eicar.UNOFFICIAL");
    vigil_engine_free(e);
    free(b.p);
}

static void test_cud_refusals(void **state)
{
    const struct ent one[] = {{"x.hdb", EICAR_MD5 ":68:Cud.Eicar\n"}};
    const struct ent nested[] = {{"y.cvd", "ClamAV-VDB:"}};
    const struct ent slash[] = {{"COPYING", "GPL\n"},
                                {"x.info", CUD_HEAD "\n"},
                                {"a/x.hdb", EICAR_MD5 ":68:Cud.Eicar\n"}};
    const struct ent bad[] = {{"a.hdb", EICAR_MD5 ":68:Good\n"},
                              {"b.hdb", "zz:68:Bad\n"}};
    struct buf b;
    (void)state;
    b = build_cud(one, 1,
                  "y.hdb:1:"
                  "aaaaeddb8bf8648489ad0580fcb1ae7d09f91e55a20014c67af0b734a6496d4a\n");
    assert_refused("x.cud", &b, "lists y.hdb, which is missing from the archive");
    free(b.p);
    b = build_cud(one, 1, "DSIG:abc\n");
    assert_refused("x.cud", &b, "must not have a DSIG line");
    free(b.p);
    b = build_cud(nested, 1, NULL);
    assert_refused("x.cud", &b, "a container inside a container");
    free(b.p);
    b = build(CUD_HEAD, slash, 3, 1);
    assert_refused("x.cud", &b, "slash");
    free(b.p);
    /* All or nothing: a.hdb loaded, then b.hdb fails: nothing stays. */
    b = build_cud(bad, 2, NULL);
    assert_refused("x.cud", &b, "x.cud!b.hdb:1:");
    free(b.p);
}

static void test_cud_archive_rules(void **state)
{
    const struct ent unlisted[] = {{"COPYING", "GPL\n"},
                                   {"x.info", CUD_HEAD "\n"},
                                   {"x.hdb", EICAR_MD5 ":68:Cud.Eicar\n"}};
    const struct ent noinfo[] = {{"COPYING", "GPL\n"}, {"README", "hi\n"}};
    const struct ent twoinfo[] = {
        {"COPYING", "GPL\n"}, {"x.info", CUD_HEAD "\n"}, {"y.info", CUD_HEAD "\n"}};
    const struct ent other[] = {{"COPYING", "GPL\n"},
                                {"x.info", CUD_HEAD "\n"},
                                {"README.txt", "not a database\n"}};
    const struct ent plain[] = {{"README", "x\n"}, {"x.info", CUD_HEAD "\n"}};
    struct buf b;
    vigil_engine *e;
    (void)state;
    b = build(CUD_HEAD, unlisted, 3, 1);
    assert_refused("x.cud", &b, "x.cud!x.hdb: not listed in the signed manifest x.info");
    free(b.p);
    b = build(CUD_HEAD, noinfo, 2, 1);
    assert_refused("x.cud", &b, "no .info manifest");
    free(b.p);
    b = build(CUD_HEAD, twoinfo, 3, 1);
    assert_refused("x.cud", &b, "more than one .info manifest");
    free(b.p);
    /* A plain tar must start with COPYING, as ClamAV decides by it. */
    b = build(CUD_HEAD, plain, 2, 0);
    assert_refused("x.cud", &b, "neither gzip-compressed nor a tar archive");
    free(b.p);
    /* Files that are not databases (COPYING, README.txt) are passed over. */
    b = build(CUD_HEAD, other, 3, 0);
    assert_int_equal(load_mem("x.cud", &b, &e), VIGIL_OK);
    vigil_engine_free(e);
    free(b.p);
}

static void test_cud_gzip_damage(void **state)
{
    const struct ent one[] = {{"x.hdb", EICAR_MD5 ":68:Cud.Eicar\n"}};
    struct buf b = build_cud(one, 1, NULL);
    uint8_t *p = realloc(b.p, b.n + 16);
    (void)state;
    b.p = p;
    b.p[b.n - 6] ^= 1; /* the CRC, checked only at the end of the stream */
    assert_refused("x.cud", &b, "gzip stream is damaged");
    b.p[b.n - 6] ^= 1;
    memcpy(b.p + b.n, "trailing garbage", 16);
    b.n += 16;
    assert_refused("x.cud", &b, "gzip stream is damaged");
    b.n -= 16;
    b.n -= 4; /* cut into the trailer */
    assert_refused("x.cud", &b, "truncated");
    free(b.p);
}

/* A ustar header for name, declaring size bytes of data. */
static void tar_header(uint8_t *h, const char *name, uint64_t size)
{
    unsigned sum = 0;

    memset(h, 0, 512);
    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000644", 7);
    memcpy(h + 108, "0000000", 7);
    memcpy(h + 116, "0000000", 7);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    memcpy(h + 136, "00000000000", 11);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

static void test_limits(void **state)
{
    struct buf b;
    struct ent many[1030];
    char names[1030][8];
    (void)state;
    /* An entry declaring 2 GiB is refused before anything is read. */
    b.n = 512 + 3 * 512;
    b.p = calloc(1, b.n);
    memset(b.p, ' ', 512);
    memcpy(b.p, CUD_HEAD, strlen(CUD_HEAD));
    tar_header(b.p + 512, "COPYING", 0);
    tar_header(b.p + 1024, "big.hdb", (uint64_t)2 << 30);
    assert_refused("x.cud", &b, "larger than the limit");
    free(b.p);
    /* More entries than CVD_MAX_ENTRIES. */
    for (int i = 0; i < 1030; i++) {
        snprintf(names[i], sizeof names[i], "f%04d", i);
        many[i] = (struct ent){names[i], "x"};
    }
    many[0].name = "COPYING";
    b = build(CUD_HEAD, many, 1030, 1);
    assert_refused("x.cud", &b, "too many entries");
    free(b.p);
}

/* An ignore list inside a container applies to the files after it. */
static void test_cud_ignore_list_in_order(void **state)
{
    const struct ent v[] = {{"a.hdb", EICAR_MD5 ":68:Before\n"},
                            {"x.ign2", "Before\nAfter\n"},
                            {"z.hdb", EICAR_MD5 ":68:After\n"}};
    struct buf b = build_cud(v, 3, NULL);
    vigil_engine *e;
    (void)state;
    assert_int_equal(load_mem("x.cud", &b, &e), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 1);
    assert_string_equal(scan_eicar(e), "Before.UNOFFICIAL");
    vigil_engine_free(e);
    free(b.p);
}

/* ---- directories: .cvd/.cld twins -------------------------------------- */

static char dir[64];

static void put(const char *name, const struct buf *b)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->p, 1, b->n, f), b->n);
    fclose(f);
}

static int dir_setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/vigil-cvd-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* The signature count of b loaded alone as name. */
static uint64_t count_of(const char *name, const struct buf *b)
{
    vigil_engine *e;
    uint64_t n;

    assert_int_equal(load_mem(name, b, &e), VIGIL_OK);
    n = vigil_engine_signature_count(e);
    vigil_engine_free(e);
    return n;
}

/* The signature count of the directory. */
static uint64_t count_dir(void)
{
    vigil_engine *e;
    uint64_t n;

    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    if (vigil_engine_load(e, dir, 0) != VIGIL_OK)
        fail_msg("%s", vigil_engine_error(e));
    n = vigil_engine_signature_count(e);
    vigil_engine_free(e);
    return n;
}

/* The loser of a twin pair is not read at all: made unloadable here, it
 * proves which one loaded. */
static void test_dir_twins(void **state)
{
    struct buf cvd = test_cvd(3), cld = make_cld(6), junk = {(uint8_t *)"x", 1};
    uint64_t n3 = count_of("x.cvd", &cvd), n6 = count_of("x.cld", &cld);
    vigil_engine *e;
    (void)state;
    /* x.cvd version 3 (damaged), x.cld version 6: the newer .cld loads. */
    cvd.p[3000] ^= 1;
    put("x.cvd", &cvd);
    put("x.cld", &cld);
    assert_int_equal(count_dir(), n6);
    /* Same version: the .cld wins, as in ClamAV. */
    free(cld.p);
    cld = make_cld(3);
    put("x.cld", &cld);
    assert_int_equal(count_dir(), n3);
    /* x.cvd version 6, x.cld version 3 (damaged): the newer .cvd loads. */
    free(cvd.p);
    cvd = test_cvd(6);
    put("x.cvd", &cvd);
    cld.p[find(&cld, EICAR_MD5) + 70] ^= 1;
    put("x.cld", &cld);
    assert_int_equal(count_dir(), n6);
    /* A twin whose header is unreadable is an error, not a silent choice. */
    put("x.cld", &junk);
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load(e, dir, 0), VIGIL_EMALFORMED);
    assert_int_equal(vigil_engine_signature_count(e), 0);
    vigil_engine_free(e);
    free(cvd.p);
    free(cld.p);
}

/* daily.cld loads before the other files: with the last-loaded duplicate
 * hash winning, a.hdb's name shows that it came after daily. */
static void test_dir_daily_first(void **state)
{
    struct buf d = make_cld(3);
    struct buf a = {(uint8_t *)EICAR_MD5 ":68:A.Eicar\n", 43};
    vigil_engine *e;
    (void)state;
    put("daily.cld", &d);
    put("a.hdb", &a);
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load(e, dir, 0), VIGIL_OK);
    assert_string_equal(scan_eicar(e), "A.Eicar.UNOFFICIAL");
    vigil_engine_free(e);
    free(d.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_parse),
        cmocka_unit_test(test_header_malformed),
        cmocka_unit_test(test_kind),
        cmocka_unit_test(test_header_read),
        cmocka_unit_test(test_header_signature),
        cmocka_unit_test(test_info_signature),
        cmocka_unit_test(test_info_parse),
        cmocka_unit_test(test_load_signed_cvds),
        cmocka_unit_test(test_every_flipped_byte_refused),
        cmocka_unit_test(test_tampered_cvd_errors),
        cmocka_unit_test(test_cld),
        cmocka_unit_test(test_cud),
        cmocka_unit_test(test_cud_refusals),
        cmocka_unit_test(test_cud_archive_rules),
        cmocka_unit_test(test_cud_gzip_damage),
        cmocka_unit_test(test_cud_ignore_list_in_order),
        cmocka_unit_test(test_limits),
        cmocka_unit_test_setup_teardown(test_dir_twins, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_dir_daily_first, dir_setup, dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
