/* exe_macho.c - the layout of a thin Mach-O (32/64-bit, either byte order)
 * for EP and section offsets, as clamscan 1.4.6 computes it (libclamav
 * macho.c cli_scanmacho in its matcher mode). Structures follow Apple's
 * <mach-o/loader.h> (mach_header, segment_command, section, thread_command);
 * the rules are ClamAV's:
 *   - the "sections" are the sections of LC_SEGMENT (32-bit files) or
 *     LC_SEGMENT_64 (64-bit files) commands, in order; the raw size is the
 *     section size rounded up to its alignment, and the headers are
 *     unusable if the exponent is 32 or more or either size needs more
 *     than 32 bits;
 *   - only LC_THREAD/LC_UNIXTHREAD of i386, PowerPC and PowerPC64 files are
 *     read, and only the PowerPC ones set the entry point (srr0); every
 *     other file, i386 included (and x86-64, ARM, LC_MAIN), has EP 0;
 *   - ClamAV steps over a segment or thread command by the size of what it
 *     read, not by cmdsize, and over any other command by cmdsize;
 *   - a non-zero entry point maps through the first section with
 *     addr <= ep < addr + size (32-bit sums); with no sections it stays a
 *     virtual address; if no section holds it, the headers are unusable;
 *   - the section count is kept to 16 bits, as ClamAV keeps it.
 * Fat (universal) binaries have no layout: clamscan scans each architecture
 * as an object of its own. Limits: 1 to 1024 load commands, at most 255
 * sections per segment (ClamAV's); every read lies inside the object. */
#include "scan/exe_int.h"

#include <string.h>

#define MACHO_MAX_CMDS 1024
#define MACHO_MAX_NSECTS 255
#define LC_SEGMENT 0x1
#define LC_THREAD 0x4
#define LC_UNIXTHREAD 0x5
#define LC_SEGMENT_64 0x19

enum macho_arch { ARCH_OTHER, ARCH_I386, ARCH_PPC, ARCH_PPC64 };

/* Bytes of each architecture's thread state as ClamAV reads it (its
 * PowerPC64 struct has padding: 312, not 304). */
static const uint32_t thread_state_size[] = {0, 64, 160, 312};

struct macho_hdr {
    int is64;
    enum macho_arch arch;
    uint32_t ncmds;
};

struct macho_sect {
    uint32_t rva, vsz, raw, rsz;
};

/* What one walk over the load commands finds. With a visitor, it is called
 * for each of the first `visit_max` sections in order. */
struct macho_walk {
    uint64_t nsect; /* sections seen */
    uint32_t ep;    /* virtual entry point of the last thread command */
    void (*visit)(struct macho_walk *w, uint32_t i, const struct macho_sect *s);
    uint32_t visit_max;
    struct exe_info *info;
    uint32_t ep_off; /* file offset the entry maps to */
    int ep_found;
};

static int macho_header(struct exe_in *in, struct macho_hdr *h)
{
    static const uint8_t magic[4][4] = {
        {0xce, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xce},
        {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf}};
    uint32_t cpu;
    int m = 0;

    if (!exe_fits(in, 0, 28))
        return -1;
    while (m < 4 && memcmp(in->buf, magic[m], 4) != 0)
        m++;
    if (m == 4)
        return -1;
    in->be = m & 1;
    h->is64 = m >= 2;
    cpu = exe_u32(in, 4);
    h->arch = cpu == 7            ? ARCH_I386
              : cpu == 18         ? ARCH_PPC
              : cpu == 0x1000012u ? ARCH_PPC64
                                  : ARCH_OTHER;
    h->ncmds = exe_u32(in, 16);
    return h->ncmds == 0 || h->ncmds > MACHO_MAX_CMDS ? -1 : 0;
}

/* One section header at at; -1 when ClamAV finds it malformed. */
static int macho_section(const struct exe_in *in, int is64, uint64_t at,
                         struct macho_sect *s)
{
    uint64_t size, unit, rsz;
    uint32_t align;

    if (!exe_fits(in, at, is64 ? 80 : 68))
        return -1;
    s->rva = is64 ? (uint32_t)exe_u64(in, at + 32) : exe_u32(in, at + 32);
    size = is64 ? exe_u64(in, at + 40) : exe_u32(in, at + 36);
    s->raw = exe_u32(in, at + (is64 ? 48 : 40));
    align = exe_u32(in, at + (is64 ? 52 : 44));
    if (align >= 32 || size > UINT32_MAX)
        return -1;
    unit = (uint64_t)1 << align;
    rsz = size + (unit - size % unit) % unit; /* below 2^33: no overflow */
    if (rsz > UINT32_MAX)
        return -1;
    s->vsz = (uint32_t)size;
    s->rsz = (uint32_t)rsz;
    return 0;
}

/* A segment command whose body starts at *at; advances *at past what ClamAV
 * reads of it. */
static int macho_segment(const struct exe_in *in, const struct macho_hdr *h,
                         uint64_t *at, struct macho_walk *w)
{
    uint32_t seg = h->is64 ? 64 : 48, sect = h->is64 ? 80 : 68, nsects;
    struct macho_sect s;

    if (!exe_fits(in, *at, seg))
        return -1;
    nsects = exe_u32(in, *at + seg - 8);
    *at += seg;
    if (nsects > MACHO_MAX_NSECTS)
        return -1;
    for (uint32_t j = 0; j < nsects; j++, *at += sect, w->nsect++) {
        if (macho_section(in, h->is64, *at, &s) != 0)
            return -1;
        if (w->visit && w->nsect < w->visit_max)
            w->visit(w, (uint32_t)w->nsect, &s);
    }
    return 0;
}

/* A thread command whose flavor and count start at *at. */
static int macho_thread(const struct exe_in *in, const struct macho_hdr *h,
                        uint64_t *at, struct macho_walk *w)
{
    uint32_t size = thread_state_size[h->arch];

    *at += 8;
    if (!exe_fits(in, *at, size))
        return -1;
    if (h->arch == ARCH_PPC)
        w->ep = exe_u32(in, *at);
    else if (h->arch == ARCH_PPC64)
        w->ep = (uint32_t)exe_u64(in, *at);
    *at += size;
    return 0;
}

static int macho_walk(const struct exe_in *in, const struct macho_hdr *h,
                      struct macho_walk *w)
{
    uint64_t at = h->is64 ? 32 : 28;

    for (uint32_t i = 0; i < h->ncmds; i++) {
        uint32_t cmd, cmdsize;
        int rc = 0;

        if (!exe_fits(in, at, 8))
            return -1;
        cmd = exe_u32(in, at);
        cmdsize = exe_u32(in, at + 4);
        at += 8;
        if (cmd == (h->is64 ? LC_SEGMENT_64 : LC_SEGMENT))
            rc = macho_segment(in, h, &at, w);
        else if (h->arch != ARCH_OTHER && (cmd == LC_THREAD || cmd == LC_UNIXTHREAD))
            rc = macho_thread(in, h, &at, w);
        else if (cmdsize > 8)
            at += cmdsize - 8;
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Second walk: record each section and find the first holding the entry. */
static void macho_visit(struct macho_walk *w, uint32_t i, const struct macho_sect *s)
{
    exe_sect_put(w->info, i, w->visit_max, s->raw, s->rsz);
    if (!w->ep_found && s->rva <= w->ep && (uint32_t)(s->rva + s->vsz) > w->ep) {
        w->ep_off = w->ep - s->rva + s->raw;
        w->ep_found = 1;
    }
}

int exe_macho_read(const struct exe_in *in, struct exe_info *info)
{
    struct exe_in m = *in;
    struct macho_hdr h;
    struct macho_walk w;

    memset(&w, 0, sizeof w);
    if (macho_header(&m, &h) != 0 || macho_walk(&m, &h, &w) != 0)
        return -1;
    w.visit = macho_visit;
    w.visit_max = (uint16_t)w.nsect; /* ClamAV counts sections in 16 bits */
    w.info = info;
    w.nsect = 0;
    macho_walk(&m, &h, &w);
    info->layout.ep = w.ep;
    if (w.ep != 0 && w.nsect > 0) {
        if (!w.ep_found)
            return -1;
        info->layout.ep = w.ep_off;
    }
    return 0;
}
