/* ldb_tdb.c - the target description block of a logical signature
 * ("Engine:51-255,Target:1,FileSize:0-4096,...") and ClamAV's file type
 * names.
 *
 * Spec: ClamAV manual "Logical signatures", readdb.c lsigattribs/init_tdb,
 * measured against clamscan 1.4.6: attributes are read in order, at most
 * ten (ClamAV tokenizes into ten and drops the rest); an unknown attribute
 * or file type skips the signature, and so do an Engine range that excludes
 * functionality level 216 and a Target of 15 or more; Engine must come
 * first; any attribute but Engine and Target needs Engine with a minimum of
 * at least 51; Target is required; IconGroup needs Target 1, EntryPoint and
 * NumberOfSections need Target 1, 6 or 9. Numbers are read as ClamAV reads
 * them (digits only, an empty number is 0, atoi's 32-bit wrap).
 * Limits: ten attributes, LDB_MAX_INTERMEDIATES intermediate types. */
#include "db/ldb.h"

#include <string.h>

#include "core/engine.h"
#include "db/lines.h"

#define TDB_MAX_ATTRS 10

/* ClamAV 1.4's ftmap (filetypes.c), as clamscan 1.4.6 accepts the names. */
static const char *const ftypes[] = {
    "CL_TYPE_ANY",          "CL_TYPE_7Z",           "CL_TYPE_7ZSFX",
    "CL_TYPE_ALZ",          "CL_TYPE_APM",          "CL_TYPE_ARJ",
    "CL_TYPE_ARJSFX",       "CL_TYPE_AUTOIT",       "CL_TYPE_BINARY_DATA",
    "CL_TYPE_BINHEX",       "CL_TYPE_BZ",           "CL_TYPE_CABSFX",
    "CL_TYPE_CPIO_CRC",     "CL_TYPE_CPIO_NEWC",    "CL_TYPE_CPIO_ODC",
    "CL_TYPE_CPIO_OLD",     "CL_TYPE_CRYPTFF",      "CL_TYPE_DMG",
    "CL_TYPE_EGG",          "CL_TYPE_EGGSFX",       "CL_TYPE_ELF",
    "CL_TYPE_GIF",          "CL_TYPE_GPT",          "CL_TYPE_GRAPHICS",
    "CL_TYPE_GZ",           "CL_TYPE_HTML",         "CL_TYPE_HTML_UTF16",
    "CL_TYPE_HWP3",         "CL_TYPE_HWPOLE2",      "CL_TYPE_IGNORED",
    "CL_TYPE_INTERNAL",     "CL_TYPE_ISHIELD_MSI",  "CL_TYPE_ISO9660",
    "CL_TYPE_JAVA",         "CL_TYPE_JPEG",         "CL_TYPE_LHA_LZH",
    "CL_TYPE_LNK",          "CL_TYPE_MACHO",        "CL_TYPE_MACHO_UNIBIN",
    "CL_TYPE_MAIL",         "CL_TYPE_MBR",          "CL_TYPE_MHTML",
    "CL_TYPE_MSCAB",        "CL_TYPE_MSCHM",        "CL_TYPE_MSEXE",
    "CL_TYPE_MSOLE2",       "CL_TYPE_MSSZDD",       "CL_TYPE_NULSFT",
    "CL_TYPE_OLD_TAR",      "CL_TYPE_ONENOTE",      "CL_TYPE_OOXML_HWP",
    "CL_TYPE_OOXML_PPT",    "CL_TYPE_OOXML_WORD",   "CL_TYPE_OOXML_XL",
    "CL_TYPE_PART_ANY",     "CL_TYPE_PART_HFSPLUS", "CL_TYPE_PDF",
    "CL_TYPE_PNG",          "CL_TYPE_POSIX_TAR",    "CL_TYPE_PS",
    "CL_TYPE_PYTHON_COMPILED", "CL_TYPE_RAR",       "CL_TYPE_RARSFX",
    "CL_TYPE_RIFF",         "CL_TYPE_RTF",          "CL_TYPE_SCRENC",
    "CL_TYPE_SCRIPT",       "CL_TYPE_SFX",          "CL_TYPE_SIS",
    "CL_TYPE_SWF",          "CL_TYPE_TEXT_ASCII",   "CL_TYPE_TEXT_UTF16BE",
    "CL_TYPE_TEXT_UTF16LE", "CL_TYPE_TEXT_UTF8",    "CL_TYPE_TIFF",
    "CL_TYPE_TNEF",         "CL_TYPE_UDF",          "CL_TYPE_UUENCODED",
    "CL_TYPE_XAR",          "CL_TYPE_XDP",          "CL_TYPE_XML_HWP",
    "CL_TYPE_XML_WORD",     "CL_TYPE_XML_XL",       "CL_TYPE_XZ",
    "CL_TYPE_ZIP",          "CL_TYPE_ZIPSFX",
};

#define NFTYPES (sizeof ftypes / sizeof ftypes[0])

int ldb_ftype_code(const char *s, size_t n)
{
    for (size_t i = 0; i < NFTYPES; i++)
        if (strlen(ftypes[i]) == n && memcmp(ftypes[i], s, n) == 0)
            return (int)i;
    return -1;
}

const char *ldb_ftype_name(unsigned code)
{
    return code < NFTYPES ? ftypes[code] : "";
}

enum tdb_kind { TDB_UINT, TDB_RANGE, TDB_FTYPE, TDB_FTYPES, TDB_STR };

enum tdb_attr {
    A_TARGET, A_ENGINE, A_FILESIZE, A_EP, A_NOS, A_ICON1, A_ICON2,
    A_CONTAINER, A_HANDLER, A_INTER,
};

static const struct {
    const char *name;
    enum tdb_kind kind;
} attrs[] = {
    [A_TARGET] = {"Target", TDB_UINT},
    [A_ENGINE] = {"Engine", TDB_RANGE},
    [A_FILESIZE] = {"FileSize", TDB_RANGE},
    [A_EP] = {"EntryPoint", TDB_RANGE},
    [A_NOS] = {"NumberOfSections", TDB_RANGE},
    [A_ICON1] = {"IconGroup1", TDB_STR},
    [A_ICON2] = {"IconGroup2", TDB_STR},
    [A_CONTAINER] = {"Container", TDB_FTYPE},
    [A_HANDLER] = {"HandlerType", TDB_FTYPE},
    [A_INTER] = {"Intermediates", TDB_FTYPES},
};

/* What the attributes read so far said. */
struct tdb_state {
    int have_target, have_engine, newext;
    uint32_t target, engine[2];
};

/* cli_isnumber: digits only, and an empty string counts as a number. */
static int is_number(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* atoi of a digit string: strtol's saturation, then int truncation. */
static uint32_t atoi32(const char *s, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > INT64_MAX / 10) {
            v = INT64_MAX;
            break;
        }
    }
    return (uint32_t)v;
}

/* cli_strtokenize: at most max fields; the last is cut at its delimiter
 * and anything after it dropped. */
static size_t tokenize(const char *s, size_t n, char delim, struct field *f,
                       size_t max)
{
    size_t count = 0;
    const char *end = s + n;

    while (count < max) {
        const char *d = memchr(s, delim, (size_t)(end - s));
        f[count].s = s;
        f[count].n = d ? (size_t)(d - s) : (size_t)(end - s);
        count++;
        if (!d)
            break;
        s = d + 1;
    }
    return count;
}

static const char *tdb_range(struct field v, uint32_t *out)
{
    const char *dash = memchr(v.s, '-', v.n);
    size_t a;

    if (!dash)
        return "incorrect range in the target description block (want min-max)";
    a = (size_t)(dash - v.s);
    if (!is_number(v.s, a) || !is_number(dash + 1, v.n - a - 1))
        return "invalid number in the target description block";
    out[0] = atoi32(v.s, a);
    out[1] = atoi32(dash + 1, v.n - a - 1);
    return NULL;
}

static const char *tdb_ftypes(struct field v, struct ldb_tdb *tdb)
{
    struct field f[LDB_MAX_INTERMEDIATES];
    size_t n = tokenize(v.s, v.n, '>', f, LDB_MAX_INTERMEDIATES);

    for (size_t i = 0; i < n; i++) {
        int c = ldb_ftype_code(f[i].s, f[i].n);
        if (c < 0)
            return ""; /* ClamAV skips unknown file types */
        tdb->inter[i] = (uint16_t)c;
    }
    tdb->ninter = (uint8_t)n;
    tdb->have |= LDB_TDB_INTERMEDIATES;
    return NULL;
}

/* Reads one attribute's value into tdb / st. */
static const char *tdb_value(enum tdb_attr a, struct field v, struct ldb_tdb *tdb,
                             struct tdb_state *st)
{
    int c;

    switch (attrs[a].kind) {
    case TDB_UINT:
        if (!is_number(v.s, v.n))
            return "invalid Target in the target description block";
        st->target = atoi32(v.s, v.n);
        st->have_target = 1;
        return NULL;
    case TDB_RANGE:
        if (a == A_ENGINE) {
            st->have_engine = 1;
            return tdb_range(v, st->engine);
        }
        tdb->have |= a == A_FILESIZE ? LDB_TDB_FILESIZE
                     : a == A_EP     ? LDB_TDB_EP
                                     : LDB_TDB_NOS;
        return tdb_range(v, a == A_FILESIZE ? tdb->filesize
                            : a == A_EP     ? tdb->ep
                                            : tdb->nos);
    case TDB_FTYPE:
        if ((c = ldb_ftype_code(v.s, v.n)) < 0)
            return "";
        if (a == A_CONTAINER)
            tdb->container = (uint16_t)c;
        else
            tdb->handler = (uint16_t)c;
        tdb->have |= a == A_CONTAINER ? LDB_TDB_CONTAINER : LDB_TDB_HANDLER;
        return NULL;
    case TDB_FTYPES:
        return tdb_ftypes(v, tdb);
    default:
        tdb->have |= LDB_TDB_ICON;
        return NULL;
    }
}

static const char *tdb_attr(size_t pos, struct field f, struct ldb_tdb *tdb,
                            struct tdb_state *st)
{
    const char *colon = memchr(f.s, ':', f.n);
    struct field name, v;

    if (!colon)
        return "incorrect attribute in the target description block "
               "(want Name:Value)";
    name.s = f.s;
    name.n = (size_t)(colon - f.s);
    v.s = colon + 1;
    v.n = f.n - name.n - 1;
    for (size_t a = 0; a < sizeof attrs / sizeof attrs[0]; a++) {
        if (strlen(attrs[a].name) != name.n || memcmp(attrs[a].name, name.s, name.n))
            continue;
        if (a == A_ENGINE && pos != 0)
            return "the Engine attribute must come first";
        if (a != A_ENGINE && a != A_TARGET)
            st->newext = 1;
        return tdb_value((enum tdb_attr)a, v, tdb, st);
    }
    return ""; /* an attribute ClamAV 1.4 does not know: skipped */
}

/* init_tdb's checks once every attribute is read. */
static const char *tdb_check(const struct ldb_tdb *tdb, const struct tdb_state *st)
{
    if (st->newext && (!st->have_engine || st->engine[0] < 51))
        return "attributes other than Target need Engine with a minimum of at "
               "least 51";
    if (st->have_engine &&
        (st->engine[0] > VIGIL_CLAMAV_FLEVEL || st->engine[1] < VIGIL_CLAMAV_FLEVEL))
        return "";
    if (!st->have_target)
        return "no Target in the target description block";
    if (st->target >= 15)
        return "";
    if ((tdb->have & LDB_TDB_ICON) && st->target != 1)
        return "IconGroup needs Target 1";
    if ((tdb->have & (LDB_TDB_EP | LDB_TDB_NOS)) && st->target != 1 &&
        st->target != 6 && st->target != 9)
        return "EntryPoint and NumberOfSections need Target 1, 6 or 9";
    return NULL;
}

const char *ldb_tdb_parse(const char *s, size_t n, struct ldb_tdb *tdb,
                          unsigned *target)
{
    struct field f[TDB_MAX_ATTRS];
    struct tdb_state st;
    size_t nf = tokenize(s, n, ',', f, TDB_MAX_ATTRS);
    const char *bad;

    memset(tdb, 0, sizeof *tdb);
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < nf; i++)
        if ((bad = tdb_attr(i, f[i], tdb, &st)) != NULL)
            return bad;
    bad = tdb_check(tdb, &st);
    *target = st.target;
    return bad;
}
