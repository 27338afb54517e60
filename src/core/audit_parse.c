/* audit_parse.c - reads one audit log line (see audit.h).
 *
 * Follows RFC 8259 for the subset the log uses: one object, keys and values
 * that are strings (every escape checked, no raw control characters) or
 * unsigned integers without leading zeros, at most 20 digits and no larger
 * than UINT64_MAX. Nested values, floats, true/false/null are rejected.
 * Limits: AUDIT_MAX_LINE bytes, 32 keys, keys of 32 bytes.
 */
#include "core/audit.h"

#include <openssl/sha.h>
#include <string.h>

#define AP_MAX_KEYS 32
#define AP_MAX_KEY 32

struct ap {
    const char *p, *end;
};

static void skip_ws(struct ap *a)
{
    while (a->p < a->end && (*a->p == ' ' || *a->p == '\t'))
        a->p++;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at a->p; *s and *n get its raw (still escaped) bytes. */
static int parse_string(struct ap *a, const char **s, size_t *n)
{
    const char *q;

    if (a->p >= a->end || *a->p != '"')
        return -1;
    q = ++a->p;
    while (a->p < a->end && *a->p != '"') {
        if ((unsigned char)*a->p < 0x20)
            return -1;
        if (*a->p == '\\') {
            if (++a->p >= a->end)
                return -1;
            if (*a->p == 'u') {
                if (a->end - a->p < 5 || !is_hex(a->p[1]) || !is_hex(a->p[2]) ||
                    !is_hex(a->p[3]) || !is_hex(a->p[4]))
                    return -1;
                a->p += 4;
            } else if (!strchr("\"\\/bfnrt", *a->p)) {
                return -1;
            }
        }
        a->p++;
    }
    if (a->p >= a->end)
        return -1;
    *s = q;
    *n = (size_t)(a->p - q);
    a->p++;
    return 0;
}

static int parse_uint(struct ap *a, uint64_t *v)
{
    const char *q = a->p;
    uint64_t d;

    *v = 0;
    if (a->p >= a->end || *a->p < '0' || *a->p > '9')
        return -1;
    if (*a->p == '0' && a->end - a->p > 1 && a->p[1] >= '0' && a->p[1] <= '9')
        return -1;
    while (a->p < a->end && *a->p >= '0' && *a->p <= '9') {
        d = (uint64_t)(*a->p - '0');
        if (*v > (UINT64_MAX - d) / 10 || a->p - q >= 20)
            return -1;
        *v = *v * 10 + d;
        a->p++;
    }
    return 0;
}

static int is_lower_hash(const char *s, size_t n)
{
    size_t k;

    if (n != AUDIT_HASH_HEX)
        return 0;
    for (k = 0; k < n; k++)
        if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f')))
            return 0;
    return 1;
}

/* Stores a known key's value; unknown keys (from later versions) pass. */
static int store(struct audit_entry *e, const char *k, size_t kn, int is_str,
                 const char *s, size_t n, uint64_t u, unsigned *seen)
{
    static const char *const keys[] = {"seq", "prev", "time", "action", "lost"};
    unsigned i;

    for (i = 0; i < 5; i++)
        if (strlen(keys[i]) == kn && !memcmp(keys[i], k, kn))
            break;
    if (i == 5)
        return 0;
    if (*seen & (1u << i) || (i == 0) == is_str)
        return -1;
    *seen |= 1u << i;
    if (i == 0)
        e->seq = u;
    else if ((i == 1 || i == 4) && !is_lower_hash(s, n))
        return -1;
    if (i == 1)
        e->prev = s;
    else if (i == 3) {
        e->action = s;
        e->action_len = n;
    } else if (i == 4)
        e->lost = s;
    return 0;
}

/* One "key":value member. */
static int parse_member(struct ap *a, struct audit_entry *e, unsigned *seen)
{
    const char *k, *s = NULL;
    size_t kn, n = 0;
    uint64_t u = 0;
    int is_str;

    if (parse_string(a, &k, &kn) || kn == 0 || kn > AP_MAX_KEY || memchr(k, '\\', kn))
        return -1;
    skip_ws(a);
    if (a->p >= a->end || *a->p++ != ':')
        return -1;
    skip_ws(a);
    is_str = a->p < a->end && *a->p == '"';
    if (is_str ? parse_string(a, &s, &n) : parse_uint(a, &u))
        return -1;
    return store(e, k, kn, is_str, s, n, u, seen);
}

int audit_parse_line(const char *line, size_t len, struct audit_entry *e)
{
    struct ap a = {line, line + len};
    unsigned seen = 0, members = 0;

    memset(e, 0, sizeof *e);
    if (len > AUDIT_MAX_LINE)
        return -1;
    skip_ws(&a);
    if (a.p >= a.end || *a.p++ != '{')
        return -1;
    skip_ws(&a);
    while (a.p < a.end && *a.p != '}') {
        if (members && *a.p++ != ',')
            return -1;
        skip_ws(&a);
        if (++members > AP_MAX_KEYS || parse_member(&a, e, &seen))
            return -1;
        skip_ws(&a);
    }
    if (a.p >= a.end || *a.p++ != '}')
        return -1;
    skip_ws(&a);
    /* seq, prev, time and action are required. */
    if (a.p != a.end || (seen & 0xf) != 0xf || e->seq == 0 || e->action_len == 0)
        return -1;
    return 0;
}

void audit_hash(const void *p, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t k;

    SHA256(p, len, md);
    for (k = 0; k < sizeof md; k++) {
        out[2 * k] = hex[md[k] >> 4];
        out[2 * k + 1] = hex[md[k] & 15];
    }
    out[AUDIT_HASH_HEX] = '\0';
}
