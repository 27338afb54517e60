/* result.h - the result of one scan: detections (name and layer path), bytes
 * read, and the limits that stopped part of the scan. */
#ifndef VIGIL_SCAN_RESULT_H
#define VIGIL_SCAN_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* A result holds at most this many detections (allmatch on a hostile
 * container must not grow without bound); past it, further ones are dropped
 * and the result says so with VIGIL_LIMIT_DETECTIONS. */
#define RESULT_MAX_DETECTIONS 1024

/* The YARA data of detection `det` (YARA detections only). */
struct result_yara {
    size_t det;
    const struct vigil_yara_match *m;
};

struct vigil_result {
    struct vigil_detection *det;
    char **layer; /* per detection: its layer path text, owned, or NULL */
    size_t n, cap;
    struct result_yara *yara; /* in detection order */
    size_t nyara, yara_cap;
    uint64_t size, bytes_read;
    unsigned limits;
    unsigned notes; /* VIGIL_NOTE_* */
};

void result_init(struct vigil_result *r);
void result_free(struct vigil_result *r);

/* Empties the result for a new scan (keeps its memory). */
void result_reset(struct vigil_result *r);

/* Appends a detection. name and layer_path must outlive the result's next
 * reset (engine strings and static texts do). */
vigil_status result_add(struct vigil_result *r, const char *name,
                        const char *layer_path, uint32_t depth);

/* Appends a YARA detection and its data; m must outlive the result's next
 * reset (the scanner's YARA state keeps it that long). */
vigil_status result_add_yara(struct vigil_result *r, const char *name,
                             const char *layer_path, uint32_t depth,
                             const struct vigil_yara_match *m);

/* Removes the detections from index `from` on (and their YARA data) (an allow-list match clears
 * the object and what was found inside it). */
void result_truncate(struct vigil_result *r, size_t from);

/* Sets detection i's layer path (copied) and depth. */
vigil_status result_set_layer(struct vigil_result *r, size_t i, const char *text,
                              uint32_t depth);

#endif
