/* result.c - scan results and the public accessors for them. */
#include "scan/result.h"

#include <stdlib.h>
#include <string.h>

void result_init(struct vigil_result *r)
{
    r->det = NULL;
    r->layer = NULL;
    r->n = r->cap = 0;
    r->yara = NULL;
    r->yara_cap = 0;
    result_reset(r);
}

void result_free(struct vigil_result *r)
{
    result_truncate(r, 0);
    free(r->det);
    free(r->yara);
    free(r->layer);
    result_init(r);
}

void result_reset(struct vigil_result *r)
{
    result_truncate(r, 0);
    r->size = r->bytes_read = 0;
    r->limits = 0;
    r->notes = 0;
}

vigil_status result_add(struct vigil_result *r, const char *name,
                        const char *layer_path, uint32_t depth)
{
    if (r->n == RESULT_MAX_DETECTIONS) {
        r->limits |= VIGIL_LIMIT_DETECTIONS; /* reported, never silent */
        return VIGIL_OK;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct vigil_detection *d = realloc(r->det, cap * sizeof *d);
        char **l;
        if (!d)
            return VIGIL_ENOMEM;
        r->det = d;
        l = realloc(r->layer, cap * sizeof *l);
        if (!l)
            return VIGIL_ENOMEM;
        r->layer = l;
        r->cap = cap;
    }
    r->layer[r->n] = NULL;
    r->det[r->n].name = name;
    r->det[r->n].layer_path = layer_path;
    r->det[r->n].depth = depth;
    r->n++;
    return VIGIL_OK;
}

vigil_status result_add_yara(struct vigil_result *r, const char *name,
                             const char *layer_path, uint32_t depth,
                             const struct vigil_yara_match *m)
{
    size_t before = r->n;
    vigil_status st = result_add(r, name, layer_path, depth);

    if (st != VIGIL_OK || r->n == before)
        return st; /* out of memory, or past RESULT_MAX_DETECTIONS */
    if (r->nyara == r->yara_cap) {
        size_t cap = r->yara_cap ? r->yara_cap * 2 : 8;
        struct result_yara *y = realloc(r->yara, cap * sizeof *y);
        if (!y) {
            r->n = before;
            return VIGIL_ENOMEM;
        }
        r->yara = y;
        r->yara_cap = cap;
    }
    r->yara[r->nyara++] = (struct result_yara){before, m};
    return VIGIL_OK;
}

void result_truncate(struct vigil_result *r, size_t from)
{
    for (size_t i = from; i < r->n; i++) {
        free(r->layer[i]);
        r->layer[i] = NULL;
    }
    if (from < r->n)
        r->n = from;
    while (r->nyara && r->yara[r->nyara - 1].det >= r->n)
        r->nyara--;
}

vigil_status result_set_layer(struct vigil_result *r, size_t i, const char *text,
                              uint32_t depth)
{
    char *copy;

    if (i >= r->n)
        return VIGIL_EINVAL;
    copy = strdup(text);
    if (!copy)
        return VIGIL_ENOMEM;
    free(r->layer[i]);
    r->layer[i] = copy;
    r->det[i].layer_path = copy;
    r->det[i].depth = depth;
    return VIGIL_OK;
}

size_t vigil_result_count(const vigil_result *r)
{
    return r ? r->n : 0;
}

const struct vigil_detection *vigil_result_detection(const vigil_result *r,
                                                     size_t i)
{
    return r && i < r->n ? &r->det[i] : NULL;
}

uint64_t vigil_result_bytes_read(const vigil_result *r)
{
    return r ? r->bytes_read : 0;
}

uint64_t vigil_result_size(const vigil_result *r)
{
    return r ? r->size : 0;
}

unsigned vigil_result_limits(const vigil_result *r)
{
    return r ? r->limits : 0;
}

const struct vigil_yara_match *vigil_result_yara(const vigil_result *r, size_t i)
{
    size_t lo = 0, hi = r ? r->nyara : 0;

    while (lo < hi) { /* r->yara is sorted by detection index */
        size_t mid = lo + (hi - lo) / 2;
        if (r->yara[mid].det == i)
            return r->yara[mid].m;
        if (r->yara[mid].det < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

unsigned vigil_result_notes(const vigil_result *r)
{
    return r ? r->notes : 0;
}
