/* scanner.h - the per-thread scanner and the state of one scan's walk
 * through the layers of containers; shared by scan.c (one object) and
 * container.c (children, limits, layer paths). */
#ifndef VIGIL_SCAN_SCANNER_H
#define VIGIL_SCAN_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#include "io/source.h"
#include "scan/body.h"
#include "scan/digest.h"
#include "scan/result.h"
#include "vigil/vigil.h"

struct vigil_format;

/* Body signatures and walkers need the whole object in memory: objects up
 * to this size are read into the scanner's buffer; a larger file is mapped
 * read-only instead (scan_load), so a 5 GiB file is matched without 5 GiB
 * of memory. A larger object that cannot be mapped (it is no file) is
 * hashed (streamed) but not pattern-matched or unpacked, and the result
 * says MaxScanSize. */
#define SCAN_MAX_OBJECT ((size_t)1 << 31)

/* Deepest layer vigil ever opens, whatever max_recursion says (0 = no
 * limit still stops here, and says MaxRecursion). */
#define SCAN_MAX_DEPTH 64

/* Heuristic detections (limits) held back per scan, and the longest layer
 * path text kept for each. */
#define WALK_MAX_PENDING 8
#define WALK_PENDING_TEXT 512

/* One layer on the way down: its container's type and its name in that
 * container (NULL for the unnamed output of a compressed stream). */
struct scan_layer {
    const char *ctype;
    const char *name;
};

/* The walk of one top-level object through its containers. */
struct scan_walk {
    const struct vigil_scan_options *o;
    size_t display_len;  /* length of the caller's name for the object */
    uint32_t depth;      /* of the object being scanned; 0 = top level */
    uint32_t files;      /* children scanned so far */
    uint64_t scanned;    /* bytes of children scanned so far */
    uint64_t t0_ms;      /* when the scan started (monotonic) */
    size_t node_mark;    /* first detection of the current object's subtree */
    int stop;            /* no more children: a detection, or a hard limit */
    unsigned budget_bit; /* the limit that bounded the last unpack_budget() */
    int own_done;        /* the current object's own signatures were matched */
    struct scan_layer stack[SCAN_MAX_DEPTH + 1];
    /* clamscan 1.4.6 reports a limit's Heuristics.Limits.Exceeded.* only
     * when no signature matches the file (without allmatch), or after all
     * signature matches (with it): they wait here. */
    struct {
        const char *name;
        uint32_t depth;
        char text[WALK_PENDING_TEXT];
    } pend[WALK_MAX_PENDING];
    size_t npend;
};

struct yscan;

struct vigil_scanner {
    const struct vigil_engine *e;
    uint8_t *buf;
    uint8_t *obj; /* whole-object buffer for body matching */
    size_t obj_cap;
    int obj_fd;   /* the top-level file obj holds, or -1 */
    void *map;    /* a file larger than SCAN_MAX_OBJECT, mapped */
    size_t map_len;
    struct digester dg;
    struct body_scratch body;
    struct yscan *yara; /* NULL without YARA rules */
    struct atoms_scratch *emb; /* for the engine's emb_index, or NULL */
    const char *name;   /* of the top-level object being scanned, or NULL */
    const struct vigil_digests *given; /* the top-level object's, until used */
    struct vigil_result result;
    struct scan_walk walk;
};

/* Scans one object at depth s->walk.depth: its children first (when it is
 * a container and the depth allows), then its own signatures, as clamscan
 * 1.4 orders them (its own first for a format with own_first, e.g. PDF).
 * Detections get their layer path. (scan.c) */
vigil_status scan_node(struct vigil_scanner *s, const struct source *src);

/* Matches the current object's own signatures before its children are
 * walked (a format with own_first); scan_node then does not match them
 * again. (scan.c) */
vigil_status scan_own(struct vigil_scanner *s, const struct source *src);

/* Reads the whole object into the scanner's object buffer (memory sources
 * are used in place; a file larger than SCAN_MAX_OBJECT is mapped until the
 * end of the scan). VIGIL_ETOOBIG when it can be neither. (scan.c) */
vigil_status scan_load(struct vigil_scanner *s, const struct source *src,
                       const uint8_t **data);

/* Starts the walk of a top-level object. name may be NULL. (container.c) */
void walk_begin(struct vigil_scanner *s, const struct vigil_scan_options *o,
                const char *name);

/* If the object is a container, walks it: each child through
 * unpack_child(). *data is set to the object's bytes when they had to be
 * loaded (so matching need not read them again), else left alone.
 * (container.c) */
vigil_status walk_container(struct vigil_scanner *s, const struct source *src,
                            const uint8_t **data);

/* The container format of an object from its first bytes: the built-in
 * magic, or the loaded .ftm entries when there are any. (embedded.c) */
const struct vigil_format *scan_format(const struct vigil_scanner *s, const uint8_t *buf,
                                       size_t len);

/* Finds archives embedded in an object that is not a container itself
 * (self-extracting or appended archives) and walks each; *data as for
 * walk_container. (embedded.c) */
vigil_status walk_embedded(struct vigil_scanner *s, const struct source *src,
                           const uint8_t **data);

/* Walks the installers and script packers inside an executable obj[0..len)
 * (NSIS, AutoIt, InstallShield), where clamscan finds them; nothing for an
 * object not starting with "MZ". (installer.c) */
vigil_status walk_installers(struct vigil_scanner *s, const uint8_t *obj, size_t len);

/* Records a hit limit at the current depth: the bit in the result, a
 * detection Heuristics.Limits.Exceeded.<Name> under alert-exceeds-max
 * (for the child ctype/name when one was refused, else for the current
 * object), and the end of the walk for the limits that end it. */
vigil_status walk_limit(struct vigil_scanner *s, unsigned bit, const char *ctype,
                        const char *name);

/* Tells the logical signatures where the current object sits (its
 * container types). (scan.c) */
void scan_lsig_layers(struct vigil_scanner *s);

/*
 * Matches a normalised view of the current object (not its hash: see
 * scan_buffer_hashes, which unpack_view() adds): the body and logical
 * signatures of target type `target` (enum target_type) and of target 0
 * run over buf[0..len) (not kept), and their detections are the object's,
 * with its layer path, reported at once (body matches, then logical
 * signatures). Without allmatch nothing is matched once the scan has a
 * detection. Walkers reach it through unpack_view(). (view.c)
 */
vigil_status scan_view(struct vigil_scanner *s, const uint8_t *buf, size_t len,
                       unsigned target);

/* The target-7 view of a text object data[0..len) (ASCII or UTF-16):
 * its normalised text (unpack/textnorm.h), as clamscan's cli_scanscript
 * builds it. (view.c) */
vigil_status scan_text_view(struct vigil_scanner *s, const uint8_t *data, size_t len);

/* Matches the hash signatures (.hdb/.hsb) against buf[0..len), as clamscan
 * does for the files it writes of a normalised HTML view or an XLM
 * disassembly (measured; not for a text file's normalised text). Adds the
 * detections to the result. (scan.c) */
vigil_status scan_buffer_hashes(struct vigil_scanner *s, const uint8_t *buf, size_t len);

/* The target type of the object buf[0..len) (its first bytes at least):
 * filetype_target(), except that a loaded .ftm table with type-0 entries
 * replaces the built-in HTML magic (embedded.c). */
unsigned scan_target(const struct vigil_scanner *s, const uint8_t *buf, size_t len);

/* Ends the walk of a top-level object: appends the held-back heuristic
 * detections as clamscan reports them. (container.c) */
vigil_status walk_end(struct vigil_scanner *s);

/* Gives the detections [from, n) of the result the layer path of the
 * current depth (plus a refused child ctype:name when name is not NULL).
 * (container.c) */
vigil_status walk_set_layers(struct vigil_scanner *s, size_t from, const char *ctype,
                             const char *name);

#endif
