/* result.c - scan results and the public accessors for them. */
#include "scan/result.h"

#include <stdlib.h>
#include <string.h>

void result_init(struct vigil_result *r)
{
    r->det = NULL;
    r->layer = NULL;
    r->n = r->cap = 0;
    result_reset(r);
}

void result_free(struct vigil_result *r)
{
    result_truncate(r, 0);
    free(r->det);
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

void result_truncate(struct vigil_result *r, size_t from)
{
    for (size_t i = from; i < r->n; i++) {
        free(r->layer[i]);
        r->layer[i] = NULL;
    }
    if (from < r->n)
        r->n = from;
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

unsigned vigil_result_notes(const vigil_result *r)
{
    return r ? r->notes : 0;
}
