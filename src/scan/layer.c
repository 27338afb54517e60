/* layer.c - layer paths as clamscan 1.4.6 prints them after "path!" with
 * -a (--archive-verbose), measured on nested tars:
 *   - each named layer is "TYPE:name", TYPE its container's ClamAV type;
 *     unnamed layers (a compressed stream's output) are not listed;
 *   - the deepest named layer comes last, after "(depth)", where depth is
 *     that of the object the detection is about;
 *   - the named layers above it follow the path, '!'-separated, while the
 *     text so far (the path included) stays within LAYER_WIDTH characters;
 *     the first one that does not fit and all after it become "...".
 *   e.g. "clam_cache_emax.tgz!POSIX_TAR:clam01.tgz!...!(16)POSIX_TAR:clam.exe"
 * Limits: the text is cut at the caller's buffer size. */
#include "scan/layer.h"

#include <stdio.h>
#include <string.h>

/* clamscan lists an ancestor while path + "!" + the ancestors so far stay
 * within 126 characters (measured: a 3-character file name fits seven
 * 16-character ancestors, a 4-character one six). */
#define LAYER_WIDTH 126

struct layer_text {
    char *out;
    size_t cap, len;
};

static void put(struct layer_text *t, const char *s, size_t n)
{
    if (t->len + 1 >= t->cap)
        return;
    if (n > t->cap - 1 - t->len)
        n = t->cap - 1 - t->len;
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
}

static void put_layer(struct layer_text *t, const struct scan_layer *l)
{
    put(t, l->ctype, strlen(l->ctype));
    put(t, ":", 1);
    put(t, l->name, strlen(l->name));
}

void layer_path(char *out, size_t cap, size_t display_len, const struct scan_layer *v,
                size_t n, uint32_t depth)
{
    struct layer_text t = {out, cap, 0};
    size_t named[SCAN_MAX_DEPTH + 2], k = 0, width = display_len;
    char num[16];
    int len;

    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < n && k < sizeof named / sizeof named[0]; i++)
        if (v[i].name && v[i].ctype)
            named[k++] = i;
    for (size_t i = 0; i + 1 < k; i++) {
        const struct scan_layer *l = &v[named[i]];
        size_t w = strlen(l->ctype) + 1 + strlen(l->name);
        if (width + 1 + w > LAYER_WIDTH) {
            put(&t, "...!", 4);
            break;
        }
        width += 1 + w;
        put_layer(&t, l);
        put(&t, "!", 1);
    }
    len = snprintf(num, sizeof num, "(%u)", (unsigned)depth);
    put(&t, num, (size_t)len);
    if (k > 0)
        put_layer(&t, &v[named[k - 1]]);
}
