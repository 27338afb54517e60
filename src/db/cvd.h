/* cvd.h - ClamAV's database containers: .cvd (signed), .cld (a .cvd brought
 * up to date by incremental updates) and .cud (unsigned).
 *
 * A container is a 512-byte text header followed by a tar archive, gzip-
 * compressed unless it starts with the entry "COPYING". Inside, a .info
 * manifest lists every database file with its size and SHA-256 and, for
 * .cvd and .cld, carries an RSA signature (DSIG) over itself. A .cvd's header
 * also carries the MD5 of everything after it and an RSA signature of that
 * MD5. See docs/signatures.md, "Database containers", for what is checked. */
#ifndef VIGIL_DB_CVD_H
#define VIGIL_DB_CVD_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct archive;
struct source;
struct vigil_engine;

/* Hard maximums. Real containers (2024) are at most ~170 MB, with no inner
 * file above ~400 MB unpacked and a few dozen files. */
#define CVD_HEADER_SIZE 512
#define CVD_MAX_FILE ((uint64_t)2 << 30)     /* the whole container */
#define CVD_MAX_ENTRIES 1024u                /* tar entries */
#define CVD_MAX_ENTRY ((uint64_t)1 << 30)    /* one inner file, unpacked */
#define CVD_MAX_UNPACKED ((uint64_t)8 << 30) /* all inner files, unpacked */
#define CVD_MAX_INFLATED (CVD_MAX_UNPACKED + ((uint64_t)64 << 20)) /* + tar blocks */
#define CVD_MAX_INFO ((uint64_t)1 << 20) /* the .info manifest */
#define CVD_MAX_NAME 100                 /* tar's name field */

enum cvd_kind {
    CVD_KIND_CVD, /* header MD5 + RSA signature, and the .info DSIG */
    CVD_KIND_CLD, /* the .info DSIG only: the header is not signed */
    CVD_KIND_CUD, /* nothing signed: names get ".UNOFFICIAL" */
};

/* The header's fields: ClamAV-VDB:time:version:sigs:flevel:md5:dsig:builder:stime */
struct cvd_header {
    char time[CVD_HEADER_SIZE];
    uint32_t version, sigs, flevel;
    char md5[CVD_HEADER_SIZE];
    char dsig[CVD_HEADER_SIZE];
    char builder[CVD_HEADER_SIZE];
    uint64_t stime;
};

/* One file listed in a .info manifest: name:size:sha256. */
struct cvd_info_entry {
    char name[CVD_MAX_NAME + 1];
    uint64_t size;
    uint8_t sha256[32];
    int seen; /* met in the archive (set by the loader) */
};

/* A parsed .info manifest. dsig points into the manifest's bytes. */
struct cvd_info {
    struct cvd_header head;
    struct cvd_info_entry *v;
    size_t n;
    size_t signed_len; /* bytes before the DSIG line: what DSIG signs */
    const char *dsig;  /* NULL when the manifest has no DSIG line */
    size_t dsig_len;
};

/* Returns the kind of container name's extension names (case-insensitive),
 * or -1 when it is not a container. */
int cvd_kind(const char *name);

/* Parses one header line s[0..n) (no padding, no newline), as found at the
 * top of a .info manifest. Returns NULL, or the reason it is malformed. */
const char *cvd_header_parse_line(const char *s, size_t n, struct cvd_header *h);

/* Parses a container's 512-byte header block: the line, then only spaces.
 * Returns NULL, or the reason it is malformed. */
const char *cvd_header_parse(const uint8_t block[CVD_HEADER_SIZE], struct cvd_header *h);

/* Reads and parses the header of the container at path. Returns NULL, or
 * why it could not (an errno text or a format reason). */
const char *cvd_header_read(const char *path, struct cvd_header *h);

/* Parses the manifest data[0..len): the header line, then one line per
 * file, then (signed is 1: .cvd, .cld) a DSIG line that must be the last, or
 * (signed is 0: .cud) no DSIG line at all. Returns NULL, or the reason it is
 * malformed with the line number in *lineno. On success the caller owns
 * info->v (cvd_info_free); on failure nothing is left to free. */
const char *cvd_info_parse(const char *data, size_t len, int is_signed,
                           struct cvd_info *info, unsigned long *lineno);

void cvd_info_free(struct cvd_info *info);

/* Returns the entry for name (compared exactly, as ClamAV does), or NULL. */
struct cvd_info_entry *cvd_info_find(const struct cvd_info *info, const char *name);

/* The tar archive after a container's header, read through libarchive:
 * gzip-compressed unless it starts with the entry "COPYING", as ClamAV's
 * cli_tgzload decides. Counts entries and unpacked bytes against the
 * CVD_MAX_* limits. */
struct cvd_tar {
    struct archive *a;
    const struct source *src;
    uint64_t off;         /* next byte of src to read */
    uint8_t *in, *out;    /* read buffer; inflated bytes for libarchive */
    struct z_stream_s *z; /* NULL for a plain tar */
    int z_done;           /* the gzip stream ended (its CRC checked) */
    uint64_t inflated;
    unsigned entries;
    uint64_t unpacked;
    char err[256];
};

/* Opens the archive that follows the header in src. Returns NULL, or why it
 * cannot be read; cvd_tar_close is due either way. */
const char *cvd_tar_open(struct cvd_tar *t, const struct source *src);

/* Moves to the next entry: returns 1 with its name (valid until the next
 * call) and size, 0 at the end of the archive, -1 with *why on an error or
 * an entry that is not a plain file with a simple name. */
int cvd_tar_next(struct cvd_tar *t, const char **name, uint64_t *size, const char **why);

/* Reads the current entry, of size bytes (at most max), into a new buffer
 * *data that the caller frees. Returns NULL, or why it could not. */
const char *cvd_tar_read(struct cvd_tar *t, uint64_t size, uint64_t max, uint8_t **data);

/* Passes over the current entry. Returns NULL, or why it could not. */
const char *cvd_tar_skip(struct cvd_tar *t);

/* After the last entry: decompresses the rest of a gzip body, so that its
 * CRC and length are checked as ClamAV's gzread checks them, and refuses
 * anything after the gzip stream. Returns NULL, or why the body is bad. */
const char *cvd_tar_finish(struct cvd_tar *t);

/* Frees the reader; a reason it returned stays readable until t goes. */
void cvd_tar_close(struct cvd_tar *t);

/* Checks a .cvd header's digital signature: dsig, decoded from ClamAV's
 * base64 variant and raised to ClamAV's public exponent, must give md5.
 * Returns NULL, or why it does not verify. */
const char *dsig_check_md5(const char *dsig, const uint8_t md5[16]);

/* Checks a .info DSIG (dsig[0..n)): EMSA-PSS with SHA-256 (ClamAV's variant)
 * over the bytes of the manifest before the DSIG line, whose SHA-256 is
 * sha256, with ClamAV's 2047-bit key. Returns NULL, or why it does not
 * verify. */
const char *dsig_check_info(const char *dsig, size_t n, const uint8_t sha256[32]);

/* Loads the container readable from src, named name (its extension gives the
 * kind), into the engine. Everything is verified before any inner file is
 * parsed; inner database files are loaded in archive order through
 * db_load_buffer. Not transactional by itself: the caller rolls back. */
vigil_status cvd_load(struct vigil_engine *e, const char *name, const struct source *src);

/* As cvd_load, for the file at path (a regular file). */
vigil_status cvd_load_file(struct vigil_engine *e, const char *path);

/* Decides whether dir/name, a .cvd or .cld, is to be passed over because its
 * twin (same stem, the other extension) in dir is newer, as ClamAV 1.4 does:
 * the higher version wins and the .cld on a tie. Sets *skip. A twin whose
 * header cannot be read is an error. */
vigil_status cvd_twin_skip(struct vigil_engine *e, const char *dir, const char *name,
                           int *skip);

#endif
