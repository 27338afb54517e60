/* upacklzma.c - Upack's LZMA decoder (libclamav upack.c unupack399 and
 * mew.c lzma_upack_esi_*, 1.4), register for register: 32-bit
 * probabilities (updated without the clamping of real LZMA), a range coder
 * that reads its low end as a big-endian word, the state, distances and
 * tables all in the image being unpacked, so that they are part of the PE
 * ClamAV rebuilds. liblzma cannot reproduce that, so the decoder is
 * written here. As in ClamAV, a failed bit read yields 0xffffffff, which
 * some callers take as a bit 1 (their arithmetic is kept).
 * Limits: every access is checked against the buffer with 64-bit offsets;
 * every pass of the main loop writes at least one byte inside it; every
 * inner loop is bounded (a tree walk that would never end in ClamAV
 * fails). */
#include "unpack/upacklzma.h"

#define BAD 0xffffffffu

struct dec {
    uint8_t *b;
    int64_t size;
    int64_t p0;      /* next input */
    uint32_t p1, p2; /* range, low */
};

static int ok(const struct dec *d, int64_t off, int64_t n)
{
    return n > 0 && n <= d->size && off >= 0 && off <= d->size - n;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One bit with the probability at pr (lzma_upack_esi_00): 0, 1, or BAD. */
static uint32_t bit(struct dec *d, int64_t pr)
{
    uint32_t bound = d->p1 >> 11, prob, code;

    if (!ok(d, pr, 4) || !ok(d, d->p0, 4))
        return BAD;
    prob = rd32(d->b + pr);
    bound *= prob;
    code = be32(d->b + d->p0) - d->p2;
    if (code < bound) {
        d->p1 = bound;
        wr32(d->b + pr, prob + ((0x800u - prob) >> 5));
        prob = 0;
    } else {
        d->p2 += bound;
        d->p1 -= bound;
        wr32(d->b + pr, prob - (prob >> 5));
        prob = 1;
    }
    if (!(d->p1 & 0xff000000u)) {
        d->p2 <<= 8;
        d->p1 <<= 8;
        d->p0++;
    }
    return prob;
}

/* A bit tree from eax up to limit over the probabilities at base
 * (lzma_upack_esi_50); *edx is left at the last one. -1 on failure. */
static int tree(struct dec *d, uint32_t eax, uint32_t limit, int64_t *edx, int64_t base,
                uint32_t *out)
{
    uint32_t r;

    for (int n = 0;; n++) {
        if (n >= 64)
            return -1; /* eax 0: ClamAV would loop for ever */
        *edx = base + (int64_t)(uint32_t)(eax << 2);
        if ((r = bit(d, *edx)) == BAD)
            return -1;
        eax = eax + eax + r;
        if (eax >= limit)
            break;
    }
    *out = eax - limit;
    return 0;
}

/* A length (lzma_upack_esi_54) from the coder at *edx. */
static int length(struct dec *d, uint32_t eax, uint32_t *ecx, int64_t *edx, uint32_t *out)
{
    uint32_t r, v;

    *ecx = (*ecx & 0xffffff00u) | 8;
    r = bit(d, *edx);
    *edx += 4;
    eax = (eax & 0xffffff00u) | 1;
    if (r) {
        r = bit(d, *edx);
        eax |= 8;
        if (r) {
            *ecx <<= 5;
            eax = 0x11;
        }
    }
    if (tree(d, 1, *ecx, edx, *edx + (int64_t)(uint32_t)(eax << 2), &v) < 0)
        return -1;
    *out = eax + v;
    return 0;
}

/* The registers of the main loop. */
struct regs {
    uint32_t eax, ecx, ebp, eax_copy, st[6];
    int64_t edi, edx;
};

/* A match's distance (loc_483927's "match" half): ebp = distance. */
static int distance(struct dec *d, const struct upack_lz *z, struct regs *r, uint32_t len)
{
    uint32_t eax = len - 1, ecx, t, v;
    int64_t base;

    if (eax >= 3)
        eax = 3;
    eax <<= 6;
    if (tree(d, 1, 0x40, &r->edx, z->ebx + (int64_t)(uint32_t)((eax << 2) + 0x378),
             &eax) < 0)
        return -1;
    r->ebp = eax;
    if ((eax & 0xff) >= 4) {
        r->ebp = 2 + (eax & 1);
        ecx = (eax >> 1) - 1;
        r->ebp <<= (ecx & 0xff) & 31;
        r->edx = z->ebx + (int64_t)(uint32_t)(r->ebp << 2) + 0x178;
        if ((ecx & 0xff) > 5) {
            ecx = (ecx & 0xffffff00u) | (((ecx & 0xff) - 4) & 0xff);
            eax = 0;
            for (uint32_t n = ecx; n; n--) {
                if (!ok(d, d->p0, 4))
                    return -1;
                t = be32(d->b + d->p0);
                d->p1 >>= 1;
                t -= d->p2;
                eax <<= 1;
                if (t >= d->p1) {
                    eax++;
                    d->p2 += d->p1;
                }
                if (!(d->p1 & 0xff000000u)) {
                    d->p2 <<= 8;
                    d->p1 <<= 8;
                    d->p0++;
                }
            }
            ecx = 4;
            r->ebp += eax << 4;
            r->edx = z->ebx + 0x18;
        }
        base = r->edx;
        if (tree(d, 1, 1u << ((ecx & 0xff) & 31), &r->edx, base, &v) < 0)
            return -1;
        t = (uint32_t)((int32_t)v >> 31);
        for (uint32_t n = ecx; n; n--) {
            t += t + (v & 1);
            v >>= 1;
        }
        r->ebp += t;
    }
    r->ebp++;
    return 0;
}

/* A literal (loc_4838d8): plain, or matched against the byte at the last
 * distance while ecx says so. The byte is left in eax. */
static int literal(struct dec *d, const struct upack_lz *z, struct regs *r)
{
    uint32_t al, ret, ebp = 0;
    int64_t base, src;

    do {
        al = r->eax & 0xff;
        al = al >= 3 ? al - 3 : 0;
        r->eax = (r->eax & 0xffffff00u) | al;
    } while (al >= 7);
    r->eax_copy = r->eax;
    if (r->edi > z->edi && r->edi < z->size && r->edi >= 1)
        ebp = (uint32_t)(d->b[r->edi - 1] >> (z->lc & 31));
    ebp *= 0x300;
    base = z->ebx + (int64_t)(uint32_t)((ebp << 2) + 0x1008);
    r->eax = (r->eax & 0xffffff00u) | 1;
    if (!r->ecx) {
        r->ecx = (r->ecx & 0xffff00ffu) | 0x100;
        if (tree(d, r->eax, r->ecx, &r->edx, base, &r->eax) < 0)
            return -1;
        r->ecx = 0;
        return 0;
    }
    src = r->edi - (int64_t)r->st[2];
    if (!ok(d, src, 1))
        return -1;
    for (uint8_t cl = (uint8_t)r->ecx;;) {
        r->eax = (r->eax & 0xffff00ffu) | ((d->b[src] & cl) ? 0x200u : 0x100u);
        r->edx = base + (int64_t)(uint32_t)(r->eax << 2);
        ret = bit(d, r->edx);
        al = ((r->eax & 0xff) * 2 + ret) & 0xff;
        r->eax = (r->eax & 0xffffff00u) | al;
        cl >>= 1;
        if (!cl)
            break;
        if (!((((r->eax >> 8) & 0xff) - al) & 1)) {
            r->eax = (r->eax & 0xffff0000u) | al;
            if (tree(d, r->eax, 0x100, &r->edx, base, &r->eax) < 0)
                return -1;
            break;
        }
    }
    r->ecx = 0;
    return 0;
}

/* A match or a repeat (loc_483927); 1 when a short repeat already wrote
 * its byte, 0 when the byte to write is in eax, -1 on failure. */
static int match(struct dec *d, const struct upack_lz *z, struct regs *r)
{
    uint32_t al = r->eax & 0xff, t, len;

    r->eax = (r->eax & 0xffffff00u) | (al >= 7 ? 11u : 8u);
    r->ebp = r->st[2];
    r->ecx = (r->ecx & 0xffffff00u) | 0x30;
    r->edx += r->ecx;
    if (!bit(d, r->edx)) { /* a new distance */
        r->eax--;
        t = r->ebp;
        r->ebp = r->st[4];
        r->st[4] = r->st[3];
        r->st[3] = t;
        r->eax_copy = r->eax;
        r->edx = z->ebx + 0xbc0;
        r->st[5] = r->ebp;
        if (length(d, r->eax, &r->ecx, &r->edx, &len) < 0 || distance(d, z, r, len) < 0)
            return -1;
        r->ecx = len;
    } else {
        r->edx += r->ecx;
        if (bit(d, r->edx)) {
            r->edx += 0x60;
            if (bit(d, r->edx)) {
                r->edx += r->ecx;
                t = bit(d, r->edx);
                uint32_t s = r->ebp;
                r->ebp = r->st[4];
                r->st[4] = r->st[3];
                r->st[3] = s;
                if (t) {
                    s = r->ebp;
                    r->ebp = r->st[5];
                    r->st[5] = s;
                }
            } else {
                t = r->ebp;
                r->ebp = r->st[3];
                r->st[3] = t;
            }
        } else {
            r->edx += r->ecx;
            if (!bit(d, r->edx)) { /* a short repeat: one byte */
                int64_t src = r->edi - (int64_t)r->st[2];
                r->eax |= 1;
                r->eax_copy = r->eax;
                r->ecx = (r->ecx & 0xffffff00u) | 0x80;
                if (!ok(d, src, 1) || !ok(d, r->edi, 1))
                    return -1;
                d->b[r->edi] = d->b[src];
                r->edi++;
                return 1;
            }
        }
        r->eax_copy = r->eax;
        r->edx = z->ebx + 0x778;
        if (length(d, r->eax, &r->ecx, &r->edx, &t) < 0)
            return -1;
        r->eax = r->ecx;
        r->ecx = t;
    }
    if (!ok(d, r->edi, r->ecx) || !ok(d, r->edi - (int64_t)r->ebp, (int64_t)r->ecx + 1))
        return -1;
    r->st[2] = r->ebp;
    for (uint32_t i = 0; i < r->ecx; i++, r->edi++)
        d->b[r->edi] = d->b[r->edi - (int64_t)r->ebp];
    r->eax = (r->eax & 0xffffff00u) | d->b[r->edi - (int64_t)r->ebp];
    r->ecx = 0x80;
    return 0;
}

int upack_lzma(const struct upack_lz *z)
{
    struct dec d = {z->b, z->size, z->in, 0, 0};
    struct regs r = {0};
    int rc;

    if (!ok(&d, z->ebx, 24))
        return -1;
    d.p1 = rd32(z->b + z->ebx);
    d.p2 = rd32(z->b + z->ebx + 4);
    for (int i = 0; i < 6; i++)
        r.st[i] = rd32(z->b + z->ebx + 4 * i);
    r.eax_copy = z->eax;
    r.ecx = z->ecx;
    r.edi = z->edi;
    do {
        r.eax = r.eax_copy;
        r.edx = z->ebx + (int64_t)(uint32_t)(r.eax << 2) + 0x58;
        rc = bit(&d, r.edx) ? match(&d, z, &r) : literal(&d, z, &r);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (!ok(&d, r.edi, 1))
                return -1;
            d.b[r.edi++] = (uint8_t)r.eax;
        }
    } while (r.edi < z->end);
    return 0;
}
