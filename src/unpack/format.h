/* format.h - the interface between a format walker (src/unpack/<fmt>.c) and
 * the scan layer (src/scan/). A walker recognises its format from the first
 * bytes, then hands every child it can read to unpack_child() as a memory
 * buffer; the scan layer types, matches and unpacks each child in turn and
 * enforces every limit (depth, files, sizes, time, ratio). A walker never
 * recurses, never writes a file and never decides a verdict.
 *
 * Adding a format: one file exporting `const struct vigil_format
 * format_<fmt>` built with designated initializers, and one line
 * X(<fmt>) in formats.def (see docs/writing-a-parser.md). */
#ifndef VIGIL_UNPACK_FORMAT_H
#define VIGIL_UNPACK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct unpack;

struct vigil_format {
    /* ClamAV's name of the container type without "CL_TYPE_" ("ZIP",
     * "POSIX_TAR"): it prefixes member names in layer paths. */
    const char *name;
    /* Returns 1 when buf[0..len) (the object's first bytes, at least
     * FORMAT_PEEK of them when the object is that long) starts an object of
     * this format. Must read only within buf. */
    int (*detect)(const uint8_t *buf, size_t len);
    /* Walks the object u->data[0..u->len) and hands each child to
     * unpack_child(). Returns VIGIL_OK, or VIGIL_ENOMEM; a damaged object is
     * not a failure: the walker scans what it can read and reports the
     * damage with unpack_damaged(). */
    vigil_status (*walk)(struct unpack *u);
    /* Set when clamscan matches the object's own signatures before it
     * walks the children (PDF: measured, a document's own body and hash
     * signatures are reported first); otherwise the children come first. */
    int own_first;
};

/* Bytes of an object the detectors see. */
#define FORMAT_PEEK 33792 /* ISO 9660 names itself at 0x8001 */

/* What a walker sees of the object it walks. */
struct unpack {
    const uint8_t *data;
    size_t len;
    const char *type; /* container type for the children's layer names */
    struct vigil_scanner *s;
};

/*
 * Scans one child: data[0..len) (not kept after the call), named name
 * (NULL for a stream layer without names). in_bytes is how many bytes of
 * the parent the child was decoded from, when the walker knows it (0 if
 * not): the scan layer's ratio limit uses it. Returns 0 to go on, 1 when
 * the walker must stop (a detection ended the scan, or a limit that ends
 * the whole scan was hit); *st is set to an error if one occurred (then 1
 * is returned too).
 */
int unpack_child(struct unpack *u, const void *data, size_t len, const char *name,
                 uint64_t in_bytes, vigil_status *st);

/*
 * Scans a normalised view of the object: data[0..len) (not kept), derived
 * from the object (HTML without comments, a decoded script, a macro's
 * source, a PDF's JavaScript...), is matched with the body and logical
 * signatures of target type `target` (scan/filetype.h: TARGET_HTML,
 * TARGET_TEXT, ...) and of target 0. Unlike a child it is not typed,
 * unpacked, hashed or counted, and what it matches is a detection of the
 * object itself, under the object's layer path (clamscan names no layer for
 * its normalised files). Returns 1 when the walker must stop (a detection
 * without allmatch), else 0; *st as for unpack_child().
 */
int unpack_view(struct unpack *u, const void *data, size_t len, unsigned target,
                vigil_status *st);

/*
 * As unpack_child(), with the child `hidden` layers deeper than a child of
 * this object (at most UNPACK_MAX_HIDDEN): the layers between are unnamed,
 * of this object's type, and not scanned. For a child that clamscan reaches
 * through a file of its own that it does not name in layer paths (an HTML
 * data: URI is a MIME message whose part is the data: "(2)HTML:attachment").
 */
#define UNPACK_MAX_HIDDEN 4
int unpack_child_under(struct unpack *u, unsigned hidden, const void *data, size_t len,
                       const char *name, uint64_t in_bytes, vigil_status *st);

/*
 * Asks whether a child being decoded may grow to `size` bytes, decoded
 * from in_bytes bytes of input (0 if unknown). Returns the largest size the
 * walker may produce for one child (the file size limit, the scan size left,
 * a hard maximum), and sets *stop when the ratio limit or the time limit
 * says decoding must end now. Walkers that decode in steps call it after
 * each step.
 */
size_t unpack_budget(struct unpack *u, uint64_t size, uint64_t in_bytes, int *stop);

/* Records that the object is damaged or could only partly be read (the
 * result then says so); the walk goes on with what can be read. */
void unpack_damaged(struct unpack *u);

/* Reports a heuristic detection about the object (e.g.
 * "Heuristics.Zip.OverlappingFiles"), named in the layer path by its member
 * `name` (NULL: none). Held back like clamscan's heuristics: reported only
 * when no signature matches the file, or after all matches with allmatch. */
void unpack_heuristic(struct unpack *u, const char *det, const char *name);

/* What a walker knows of a member before unpacking it (db/cdb.h). */
struct cdb_member;

/* Matches the container metadata signatures (.cdb) against member m of
 * the object; a match is a detection about that member. Returns 1 when the
 * walker must stop (a detection without allmatch). */
int unpack_meta(struct unpack *u, const struct cdb_member *m, vigil_status *st);

/* Reports a heuristic detection about an unnamed child one layer below the
 * object (clamscan names Heuristics.OLE2.ContainsMacros.* there). */
void unpack_heuristic_below(struct unpack *u, const char *det);

/* The scan's VIGIL_SCAN_* flags (walkers that honour an option, e.g.
 * VIGIL_SCAN_NO_PDF). */
unsigned unpack_flags(const struct unpack *u);

/* Records that a child is encrypted and could not be read. */
void unpack_encrypted(struct unpack *u, const char *name);

/* Records that a child was larger than a walker may decode (its own hard
 * maximum, the file size limit) and was cut: a limit hit. */
void unpack_too_big(struct unpack *u, const char *name);

/* The options of the scan (flags and limits), for walkers whose work
 * depends on them (--scan-mail=no, mail's multipart nesting). */
const struct vigil_scan_options *unpack_options(const struct unpack *u);

/* Returns 1 for a tar header (ustar magic or a valid v7 checksum): ClamAV
 * types tar by this check, outside its magic table. (archive.c) */
int archive_is_tar(const uint8_t *buf, size_t len);

/* Returns 1 for a format clamscan --scan-archive=no does not look into. */
int format_is_archive(const struct vigil_format *f);

/* The walker for ClamAV's type name cltype ("CL_TYPE_ZIP"), or NULL. */
const struct vigil_format *format_for_cltype(const char *cltype);

/* Finds the format of an object from its first bytes by the built-in magic;
 * NULL when none. (The scan layer uses loaded .ftm entries instead when
 * there are any.) */
const struct vigil_format *format_find(const uint8_t *buf, size_t len);

#endif
