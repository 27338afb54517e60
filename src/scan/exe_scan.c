/* exe_scan.c - what clamscan's cli_scanpe does for a PE after its body
 * and hash signatures: the broken-executable heuristic, the section and
 * import hashes (.mdb/.msb/.imp), then the PE unpackers (pe_unpackers[]:
 * MEW, Upack, UPX, Petite, PESpin, yC, WWPack, ASPack, NsPack), whose
 * rebuilt image is scanned as an unnamed child. clamscan 1.4.6 stops there for a
 * PE32+ after the section hashes; vigil also matches import hashes of
 * PE32+ files (which clamscan never does) and does not unpack them. For
 * an ELF file only the broken-executable heuristic (elf_broken.c).
 * Limits: objects up to SCAN_MAX_OBJECT; the child is bounded by the scan
 * layer's budget (unpack_budget) and each unpacker's own maximum. */
#include "scan/exe_scan.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "scan/elf_broken.h"
#include "scan/pe.h"
#include "scan/pe_hash.h"
#include "scan/scanner.h"
#include "unpack/format.h"
#include "unpack/aspack.h"
#include "unpack/pespin.h"
#include "unpack/petite.h"
#include "unpack/mew.h"
#include "unpack/nspack.h"
#include "unpack/upack.h"
#include "unpack/upx.h"
#include "unpack/wwpack.h"
#include "unpack/yc.h"

/* Whether the object starts as a PE clamscan would hand to cli_scanpe. */
static int exe_is_mz(const struct source *src)
{
    uint8_t mz[2];
    size_t got = 0;

    if (src->mem)
        return src->size >= 2 && src->mem[0] == 'M' && src->mem[1] == 'Z';
    return source_read(src, 0, mz, 2, &got) == VIGIL_OK && got == 2 && mz[0] == 'M' &&
           mz[1] == 'Z';
}

static int exe_wanted(const struct vigil_scanner *s, const struct source *src)
{
    const struct vigil_scan_options *o = s->walk.o;

    if (o->flags & VIGIL_SCAN_NO_PE)
        return 0;
    if (s->result.n && !(o->flags & VIGIL_SCAN_ALLMATCH))
        return 0;
    return src->size <= SCAN_MAX_OBJECT && exe_is_mz(src);
}

/* Heuristics.Broken.Executable for an ELF file, under --alert-broken. */
static vigil_status exe_scan_elf(struct vigil_scanner *s, const struct source *src)
{
    const struct vigil_scan_options *o = s->walk.o;
    uint8_t magic[4];
    size_t got = 0;
    const uint8_t *data = NULL;
    struct unpack u;
    vigil_status st;

    if (!(o->flags & VIGIL_SCAN_ALERT_BROKEN) || (o->flags & VIGIL_SCAN_NO_ELF) ||
        src->size > SCAN_MAX_OBJECT || (s->result.n && !(o->flags & VIGIL_SCAN_ALLMATCH)))
        return VIGIL_OK;
    if (source_read(src, 0, magic, 4, &got) != VIGIL_OK || got != 4 ||
        memcmp(magic,
               "\x7f"
               "ELF",
               4) != 0)
        return VIGIL_OK;
    if ((st = scan_load(s, src, &data)) != VIGIL_OK)
        return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
    if (elf_broken(data, (size_t)src->size)) {
        u = (struct unpack){data, (size_t)src->size, NULL, s};
        unpack_heuristic(&u, "Heuristics.Broken.Executable", NULL);
    }
    return VIGIL_OK;
}

vigil_status exe_scan_pe(struct vigil_scanner *s, const struct source *src)
{
    const struct vigil_scan_options *o;
    int all, strict;
    const uint8_t *data = NULL;
    struct pe_info pe;
    struct unpack u;
    enum pe_parse_result r;
    vigil_status st;

    if (!exe_wanted(s, src))
        return exe_scan_elf(s, src);
    o = s->walk.o;
    all = (o->flags & VIGIL_SCAN_ALLMATCH) != 0;
    strict = (o->flags & VIGIL_SCAN_ALERT_BROKEN) != 0;
    if ((st = scan_load(s, src, &data)) != VIGIL_OK)
        return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
    r = pe_parse_scan(data, (size_t)src->size, &pe, strict);
    if (r == PE_NOMEM)
        return VIGIL_ENOMEM;
    if (r == PE_BROKEN && strict) {
        u = (struct unpack){data, (size_t)src->size, NULL, s};
        unpack_heuristic(&u, "Heuristics.Broken.Executable", NULL);
    }
    if (r != PE_OK)
        return VIGIL_OK;
    st = pe_hash_sections(s->e, data, (size_t)src->size, &pe, all, &s->result);
    if (st == VIGIL_OK && (all || s->result.n == 0))
        st = pe_hash_imports(s->e, data, (size_t)src->size, &pe, all, &s->result);
    pe_free(&pe);
    return st;
}

/* The PE unpackers, tried in this order on every PE (cli_scanpe's order):
 * each returns 1 with the rebuilt image, 0 when the file is not its
 * packer's (or it gives up), -1 when out of memory. One line per packer. */
typedef int (*pe_unpacker)(const uint8_t *buf, size_t len, const struct pe_info *pe,
                           size_t max, uint8_t **out, size_t *outlen);
static const pe_unpacker pe_unpackers[] = {
    mew_unpack,
    upack_unpack,
    upx_unpack,
    petite_unpack,
    pespin_unpack,
    yc_unpack,
    wwpack_unpack,
    aspack_unpack,
    nspack_unpack,
};

vigil_status exe_unpack_pe(struct vigil_scanner *s, const struct source *src)
{
    const uint8_t *data = NULL;
    uint8_t *img = NULL;
    size_t n = 0, max, i;
    struct pe_info pe;
    struct unpack u;
    vigil_status st = VIGIL_OK;
    int rc = 0, stop = 0;

    if (!exe_wanted(s, src) || s->walk.stop)
        return VIGIL_OK;
    if ((st = scan_load(s, src, &data)) != VIGIL_OK)
        return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
    if (pe_parse_scan(data, (size_t)src->size, &pe, 0) != PE_OK)
        return VIGIL_OK;
    u = (struct unpack){data, (size_t)src->size, "MSEXE", s};
    max = unpack_budget(&u, 0, 0, &stop);
    for (i = 0; !stop && rc == 0 && i < sizeof pe_unpackers / sizeof pe_unpackers[0]; i++)
        rc = pe_unpackers[i](data, (size_t)src->size, &pe, max, &img, &n);
    pe_free(&pe);
    if (rc < 0)
        return VIGIL_ENOMEM;
    if (rc == 1)
        unpack_child(&u, img, n, NULL, 0, &st);
    free(img);
    return st;
}
