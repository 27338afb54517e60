/* mspack.h - libmspack's I/O over memory: the object being walked as its
 * input "file", a bounded outbuf as the output "file" of one extraction.
 * libmspack takes file names as opaque pointers and hands them to our
 * open(); we pass pointers to struct msp_name. Nothing touches the disk. */
#ifndef VIGIL_UNPACK_MSPACK_H
#define VIGIL_UNPACK_MSPACK_H

#include <mspack.h>

#include "unpack/format.h"
#include "unpack/outbuf.h"

/* What a "file name" given to libmspack stands for. */
struct msp_name {
    int output;      /* 0: the object (read-only); 1: out */
    struct outbuf *out;
};

struct msp_sys {
    struct mspack_system sys; /* first: libmspack sees only this */
    struct unpack *u;
    struct msp_name in;
    uint64_t in_read; /* bytes read from the object, all opens together */
    uint64_t out_read_mark; /* in_read when the current extraction began */
    int cut;  /* the current extraction stopped at the budget */
    int stop; /* the scan layer said to stop decoding */
};

/* Sets up m for walker u. */
void msp_sys_init(struct msp_sys *m, struct unpack *u);

/* The name to open the object with. */
const char *msp_in_name(struct msp_sys *m);

/* Extracts with extract(out_name) into a fresh bounded buffer, then scans
 * it as child `name` (NULL: unnamed). Returns 1 when the walk must end. */
int msp_child(struct msp_sys *m, const char *name,
              int (*extract)(void *ctx, const char *out_name), void *ctx,
              vigil_status *st);

#endif
