/* autoitdec.c - the decoders of compiled AutoIt v3 scripts (EA05, EA06),
 * written from the description of the formats in ClamAV's
 * libclamav/autoit.c (MT_decrypt, LAME_decrypt, the "JB" decompressor of
 * ea05()/ea06()), which decodes what AutoIt's Aut2Exe writes.
 *  - EA05 keystream: MT19937 (Matsumoto & Nishimura 1998) with its usual
 *    seeding, each output word tempered and shifted right by one; a byte
 *    of keystream is the low byte of that.
 *  - EA06 keystream: 17 words seeded by seed = 1 - seed * 0x53a9b4fb; each
 *    step replaces word c0 with rol(w[c0], 9) + rol(w[c1], 13) and moves
 *    both indices down (mod 17); nine steps are discarded, then each byte
 *    takes two steps and is the top byte of the second word. (AutoIt turns
 *    the word into a double in [0, 1) and multiplies by 256: the same.)
 *  - "JB" compression: LZSS over a big-endian 16-bit bit reader; a flag bit
 *    (1 = match in EA05, 0 = match in EA06), then a literal byte (8 bits)
 *    or a 15-bit distance and a length coded 2/3/5/8 bits, each all-ones
 *    value extending to the next, 8-bit 255s adding 255 each, plus 3.
 * Limits: every read and copy is bounded by the buffers given; a distance
 * before the start of the output or a length past its end is damage; the
 * loops end when the output is full or the input is exhausted. */
#include "unpack/autoitdec.h"

#define MT_N 624
#define MT_M 397

struct mt {
    uint32_t v[MT_N];
    size_t next;
};

static void mt_seed(struct mt *m, uint32_t seed)
{
    m->v[0] = seed;
    for (uint32_t i = 1; i < MT_N; i++)
        m->v[i] = i + 0x6c078965u * (m->v[i - 1] ^ (m->v[i - 1] >> 30));
    m->next = MT_N;
}

/* One MT19937 twist: the upper bit of v[i], the lower 31 of v[i+1]. */
static uint32_t mt_mix(uint32_t a, uint32_t b, uint32_t far)
{
    uint32_t y = (a & 0x80000000u) | (b & 0x7fffffffu);

    return far ^ (y >> 1) ^ ((b & 1) ? 0x9908b0dfu : 0);
}

static uint8_t mt_byte(struct mt *m)
{
    uint32_t r;

    if (m->next == MT_N) {
        for (size_t i = 0; i < MT_N; i++)
            m->v[i] = mt_mix(m->v[i], m->v[(i + 1) % MT_N], m->v[(i + MT_M) % MT_N]);
        m->next = 0;
    }
    r = m->v[m->next++];
    r ^= r >> 11;
    r ^= (r << 7) & 0x9d2c5680u;
    r ^= (r << 15) & 0xefc60000u;
    r ^= r >> 18;
    return (uint8_t)(r >> 1);
}

void autoit_mt_decrypt(uint8_t *buf, size_t len, uint32_t seed)
{
    struct mt m;

    mt_seed(&m, seed);
    for (size_t i = 0; i < len; i++)
        buf[i] ^= mt_byte(&m);
}

struct lame {
    uint32_t w[17];
    unsigned c0, c1;
};

static uint32_t rol32(uint32_t v, unsigned n)
{
    return v << n | v >> (32 - n);
}

static uint32_t lame_step(struct lame *l)
{
    uint32_t v = rol32(l->w[l->c0], 9) + rol32(l->w[l->c1], 13);

    l->w[l->c0] = v;
    l->c0 = l->c0 ? l->c0 - 1 : 16;
    l->c1 = l->c1 ? l->c1 - 1 : 16;
    return v;
}

void autoit_lame_decrypt(uint8_t *buf, size_t len, uint32_t seed)
{
    struct lame l;

    for (int i = 0; i < 17; i++) {
        seed = 1 - seed * 0x53a9b4fbu;
        l.w[i] = seed;
    }
    l.c0 = 0;
    l.c1 = 10;
    for (int i = 0; i < 9; i++)
        (void)lame_step(&l);
    for (size_t i = 0; i < len; i++) {
        (void)lame_step(&l);
        buf[i] ^= (uint8_t)(lame_step(&l) >> 24);
    }
}

/* The bit reader: 16-bit big-endian words, most significant bit first. */
struct jb_bits {
    const uint8_t *in;
    size_t len, pos;
    uint32_t word;
    unsigned avail;
    int error;
};

static uint32_t jb_get(struct jb_bits *b, unsigned n)
{
    uint32_t v = 0;

    for (; n > 0; n--) {
        if (b->avail == 0) {
            if (b->len - b->pos < 2) {
                b->error = 1;
                return 0;
            }
            b->word = (uint32_t)b->in[b->pos] << 8 | b->in[b->pos + 1];
            b->pos += 2;
            b->avail = 16;
        }
        b->avail--;
        v = v << 1 | ((b->word >> b->avail) & 1);
    }
    return v;
}

/* A match length: 2, 3, 5 and 8-bit fields, each all-ones extending. */
static uint64_t jb_length(struct jb_bits *b)
{
    static const struct {
        unsigned bits;
        uint32_t add;
    } step[] = {{2, 0}, {3, 3}, {5, 10}, {8, 41}};
    uint64_t add = 0;
    uint32_t v = 0;

    for (size_t i = 0; i < sizeof step / sizeof step[0]; i++) {
        add = step[i].add;
        v = jb_get(b, step[i].bits);
        if (v != (1u << step[i].bits) - 1)
            return v + 3 + add;
    }
    add = 296;
    while ((v = jb_get(b, 8)) == 255 && !b->error)
        add += 255;
    return v + 3 + add;
}

int autoit_jb_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
                     int ea06, size_t *made)
{
    struct jb_bits b = {in, in_len, 0, 0, 0, 0};
    size_t n = 0;

    while (n < out_len) {
        uint32_t flag = jb_get(&b, 1);
        if (b.error)
            break;
        if ((flag != 0) != (ea06 != 0)) {
            size_t dist = jb_get(&b, 15);
            uint64_t len = jb_length(&b);
            if (b.error || dist > n || len > out_len - n) {
                b.error = 1;
                break;
            }
            for (size_t i = 0; i < len; i++, n++)
                out[n] = out[n - dist];
        } else {
            uint8_t c = (uint8_t)jb_get(&b, 8);
            if (b.error)
                break;
            out[n++] = c;
        }
    }
    *made = n;
    return b.error ? -1 : 0;
}
