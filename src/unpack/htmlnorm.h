/* htmlnorm.h - ClamAV's HTML normaliser: the views of an HTML object that
 * target-type 3 signatures match, and the data of its data: URIs. */
#ifndef VIGIL_UNPACK_HTMLNORM_H
#define VIGIL_UNPACK_HTMLNORM_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/outbuf.h"
#include "vigil/vigil.h"

/* data: URIs kept per object. */
#define HTMLNORM_MAX_DATA 64

/* One data: URI (RFC 2397) as ClamAV hands it on: its media type (lower
 * case) and its data, %XX escapes decoded; base64 says ";base64" was in
 * the type. */
struct htmlnorm_data {
    struct outbuf type, data;
    int base64;
};

struct htmlnorm {
    struct outbuf nocomment; /* ClamAV's nocomment.html */
    struct outbuf notags;    /* notags.html */
    struct outbuf js;        /* the file "javascript": normalised scripts */
    struct htmlnorm_data data[HTMLNORM_MAX_DATA];
    size_t ndata;
    int damaged; /* an encoded script or a data: URI ended early */
};

/*
 * Normalises the HTML in[0..len) into h (initialised here; free it with
 * htmlnorm_free() whatever the result). Each output holds at most max
 * bytes (cut there). Returns VIGIL_OK or VIGIL_ENOMEM.
 */
vigil_status htmlnorm_run(const uint8_t *in, size_t len, size_t max, struct htmlnorm *h);

void htmlnorm_free(struct htmlnorm *h);

#endif
