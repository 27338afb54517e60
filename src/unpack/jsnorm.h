/* jsnorm.h - a JavaScript normaliser after ClamAV's (libclamav
 * jsparse/js-norm.c): the text target-3/7 signatures see of a script. */
#ifndef VIGIL_UNPACK_JSNORM_H
#define VIGIL_UNPACK_JSNORM_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/outbuf.h"
#include "vigil/vigil.h"

/* Tokens kept per script; the rest of a longer script is dropped. */
#define JSNORM_MAX_TOKENS 65536

/*
 * Appends to out the normalised form of the script src[0..len), as ClamAV
 * writes it to its file "javascript": "<script>", the tokens, "</script>"
 * (a newline before it when out is not empty). Tokens are lower-cased and
 * joined with a space only between two alphanumeric ones; declared
 * variables, functions and parameters become n000, n001, ...; strings are
 * written between double quotes with their escapes decoded; "a" + "b" is
 * joined into "ab"; integers are written in decimal. Output past out's
 * maximum is cut. Returns VIGIL_OK or VIGIL_ENOMEM.
 */
vigil_status jsnorm_script(const uint8_t *src, size_t len, struct outbuf *out);

#endif
