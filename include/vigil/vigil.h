/*
 * vigil.h - the public API of libvigil, an open, auditable anti-malware engine.
 *
 * The life of an engine:
 *
 *   vigil_engine_new()           an empty engine
 *   vigil_engine_load*()         add signature sources (files, directories, memory)
 *   vigil_engine_compile()       build the matching structures; the engine is
 *                                immutable from here on and may be shared by any
 *                                number of threads
 *   vigil_scanner_new()          one per thread: the per-scan scratch
 *   vigil_scan_fd() / _buffer()  scan an object; the result lists detections
 *   vigil_scanner_free(), vigil_engine_free()
 *
 * Every fallible call returns an enum vigil_status. A status says whether the
 * call worked; it never says whether a file is infected. The verdict is in the
 * result: a scan that worked and found nothing returns VIGIL_OK and a result
 * with zero detections.
 *
 * The library never prints, exits or aborts. Messages go to the log callback;
 * the text of the last load error ("file:line: reason") is in
 * vigil_engine_error().
 */
#ifndef VIGIL_VIGIL_H
#define VIGIL_VIGIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VIGIL_BUILDING_LIBRARY)
#define VIGIL_API __attribute__((visibility("default")))
#else
#define VIGIL_API
#endif

#define VIGIL_VERSION_STRING "0.1.0"

/* One table of status codes; vigil_strerror() is generated from it. */
#define VIGIL_STATUS_LIST(X)                                                   \
    X(VIGIL_OK, "success")                                                     \
    X(VIGIL_ENOMEM, "out of memory")                                           \
    X(VIGIL_EINVAL, "invalid argument")                                        \
    X(VIGIL_EOPEN, "can't open file")                                          \
    X(VIGIL_EREAD, "can't read file")                                          \
    X(VIGIL_EMALFORMED, "malformed database")                                  \
    X(VIGIL_EUNSUPPORTED, "unsupported database format")                       \
    X(VIGIL_ENODB, "no supported database files found")                        \
    X(VIGIL_ESTATE, "operation not allowed in this engine state")              \
    X(VIGIL_ETOOBIG, "object larger than the library can address")             \
    X(VIGIL_ECHANGED, "file changed while it was being scanned")               \
    X(VIGIL_EWORKER, "scan worker died")

typedef enum vigil_status {
#define VIGIL_X_ENUM(code, text) code,
    VIGIL_STATUS_LIST(VIGIL_X_ENUM)
#undef VIGIL_X_ENUM
        VIGIL_STATUS_COUNT
} vigil_status;

/* Returns a static English text for a status; never NULL. */
VIGIL_API const char *vigil_strerror(vigil_status status);

/* Returns the library version, e.g. "0.1.0". */
VIGIL_API const char *vigil_version(void);

/* ---- logging ---------------------------------------------------------- */

enum vigil_log_level {
    VIGIL_LOG_ERROR = 0,
    VIGIL_LOG_WARNING = 1,
    VIGIL_LOG_INFO = 2,
    VIGIL_LOG_DEBUG = 3
};

/* A log sink. msg is valid only during the call and has no trailing newline. */
typedef void (*vigil_log_fn)(void *ctx, enum vigil_log_level level,
                             const char *msg);

/* ---- limits ----------------------------------------------------------- */

/* Limits of one scan. A limit that stops part of a scan is reported in the
 * result (vigil_result_limits), never silently passed over. Zero means "no
 * limit" for every field. */
struct vigil_limits {
    uint64_t max_filesize;  /* larger objects are not scanned (clamscan 100 MB) */
    uint64_t max_scansize;  /* bytes scanned per top-level file (400 MB) */
    uint32_t max_files;     /* objects per top-level file (10000) */
    uint32_t max_recursion; /* container depth (17) */
    uint32_t max_scantime_ms; /* wall time per top-level file (120000) */
    /* Bytes a container's child may decode to per byte of its input, once
     * it is past 8 MiB: a higher ratio is a decompression bomb and ends the
     * unpacking of the file. vigil's own limit, not ClamAV's (1000). */
    uint32_t max_ratio;
    /* Normalised views, as clamscan's options of the same names: an HTML
     * object larger than max_htmlnormalize gets none (40 MB), its text
     * without tags only up to max_htmlnotags (8 MB); a text object gets its
     * normalised view only up to max_scriptnormalize (20 MB). 0: no limit. */
    uint64_t max_htmlnormalize, max_htmlnotags, max_scriptnormalize;
};

/* Bits of vigil_result_limits(): which limit stopped part of a scan. */
#define VIGIL_LIMIT_FILESIZE (1u << 0)
#define VIGIL_LIMIT_SCANSIZE (1u << 1)
#define VIGIL_LIMIT_FILES (1u << 2)
#define VIGIL_LIMIT_RECURSION (1u << 3)
#define VIGIL_LIMIT_SCANTIME (1u << 4)
/* More detections in one object than a result keeps (allmatch on a file full
 * of matches): the rest are not listed. vigil's own limit, not ClamAV's. */
#define VIGIL_LIMIT_DETECTIONS (1u << 5)
/* A YARA string matched more often than libyara records (1,000,000 times):
 * later matches of that string are not seen, so rules on it may differ. */
#define VIGIL_LIMIT_YARA_MATCHES (1u << 6)
/* A child decoded at more than max_ratio bytes per input byte (vigil's). */
#define VIGIL_LIMIT_RATIO (1u << 7)

/* Fills *l with clamscan's defaults. */
VIGIL_API void vigil_limits_default(struct vigil_limits *l);

/* Returns ClamAV's name for one limit bit ("MaxFileSize", "MaxScanSize",
 * "MaxFiles", "MaxRecursion", "MaxScanTime"; vigil's "MaxDetections",
 * "YaraMaxStringMatches" and "MaxCompressionRatio"), or NULL for anything
 * else. */
VIGIL_API const char *vigil_limit_name(unsigned bit);

/* ---- the engine ------------------------------------------------------- */

typedef struct vigil_engine vigil_engine;

/* Creates an empty engine in *out. The caller owns it; vigil_engine_free(). */
VIGIL_API vigil_status vigil_engine_new(vigil_engine **out);

/* Frees an engine and everything it owns. NULL is allowed. All scanners made
 * from the engine must have been freed first. */
VIGIL_API void vigil_engine_free(vigil_engine *e);

/* Sets where the engine sends warnings and debug messages (default: nowhere).
 * level is the most verbose level delivered. */
VIGIL_API void vigil_engine_set_log(vigil_engine *e, vigil_log_fn fn, void *ctx,
                                    enum vigil_log_level level);

/* Load flags. */
/* Files in a directory whose format this version does not read are skipped with
 * one warning each instead of failing the load. A malformed file of a known
 * format still fails the load. */
#define VIGIL_LOAD_SKIP_UNSUPPORTED (1u << 0)
/* The file is YARA rules whatever its extension (`vigil scan --yara`).
 * Files ending in .yar or .yara are YARA rules without it. */
#define VIGIL_LOAD_YARA (1u << 1)

/*
 * Adds the signatures in path to the engine: a database file (the format is
 * chosen by its extension, as ClamAV does) or a directory of them (not
 * recursive). Ignore lists (.ign, .ign2) in a directory are read before the
 * other files of that directory. On failure the engine holds nothing of this
 * call (a failed load is all or nothing per call), the status says why and
 * vigil_engine_error() gives "file:line: reason".
 */
VIGIL_API vigil_status vigil_engine_load(vigil_engine *e, const char *path,
                                         unsigned flags);

/*
 * Adds the signatures in a memory buffer, parsed as the format that the
 * extension of name selects (e.g. "test.hdb"). name is also used in error
 * messages. The buffer is not kept.
 */
VIGIL_API vigil_status vigil_engine_load_memory(vigil_engine *e,
                                                const char *name,
                                                const void *data, size_t len,
                                                unsigned flags);

/* Adds the signatures compiled into libvigil (the EICAR test file and the
 * ClamAV test file clam.exe). */
VIGIL_API vigil_status vigil_engine_load_builtin(vigil_engine *e);

/*
 * With a cache directory set (set it before loading), loads of database
 * files and directories only record them; this call then maps the compiled
 * engine image of exactly those files if the cache holds a valid one (no
 * parsing at all), or parses them, reporting a failure as the load would
 * (vigil_engine_error() gives "file:line: reason"). The compile after a
 * parse writes the image. vigil_engine_compile() calls it if the caller did
 * not; no loads may follow it once the engine came from an image.
 */
VIGIL_API vigil_status vigil_engine_load_finish(vigil_engine *e);

/* Returns the text of the last error of a load or compile, "" if none. The
 * string belongs to the engine and is valid until the next call on it. */
VIGIL_API const char *vigil_engine_error(const vigil_engine *e);

/* Builds the matching structures. After this the engine can no longer be
 * loaded into, and it may be used by many threads at once. */
VIGIL_API vigil_status vigil_engine_compile(vigil_engine *e);

/* What vigil_engine_compile() did with the cache directory. */
enum vigil_cache_state {
    VIGIL_CACHE_OFF = 0,    /* no cache directory set */
    VIGIL_CACHE_SMALL,      /* too few signatures to be worth a cache file */
    VIGIL_CACHE_HIT,        /* the compiled pre-filter came from the cache */
    VIGIL_CACHE_WRITTEN,    /* compiled, and saved for the next start */
    VIGIL_CACHE_REBUILT,    /* the cache file was damaged: compiled, replaced */
    VIGIL_CACHE_UNWRITABLE  /* compiled; the cache file could not be written */
};

/*
 * Sets a directory (which must exist) where vigil_engine_compile() keeps
 * the compiled engine image (see vigil_engine_load_finish) and the compiled
 * pre-filter of large databases between runs, or NULL for none
 * (the default). Set it before the loads for the image to be used. A file there is named by a digest of exactly what it was
 * compiled from and is checked in full before use: a changed database uses
 * another file, a damaged file is rebuilt, never trusted. Before compile.
 */
VIGIL_API vigil_status vigil_engine_set_cache_dir(vigil_engine *e,
                                                  const char *dir);

/* Returns what the last compile did with the cache. */
VIGIL_API enum vigil_cache_state vigil_engine_cache_state(const vigil_engine *e);

/* Returns what loading the YARA rules did with the cache: HIT (libyara's
 * compiled form of exactly these rule files and includes, written by
 * vigil), WRITTEN, REBUILT (the file was damaged or stale), UNWRITABLE, or
 * OFF (no cache directory, or no YARA rules). */
VIGIL_API enum vigil_cache_state vigil_engine_yara_cache_state(const vigil_engine *e);

/* What the engine has to do with an image file (vigil_engine_load_finish). */
enum vigil_image_state {
    VIGIL_IMAGE_NONE = 0, /* parsed; no image written */
    VIGIL_IMAGE_MAPPED,   /* the engine is the mapped image of its sources */
    VIGIL_IMAGE_WRITTEN   /* parsed, and the image written for the next start */
};
VIGIL_API enum vigil_image_state vigil_engine_image_state(const vigil_engine *e);

/*
 * Compiles e only to write its image (with a cache directory; before the
 * loads): the hash signatures and the names, the bulk of a database, go
 * through temporary files in the cache directory straight into the image
 * file instead of being held in memory, so compiling a database of any
 * number of hash signatures takes about the same memory. Compile then
 * fails if the image cannot be written. An engine whose image was written
 * this way (VIGIL_IMAGE_WRITTEN) cannot scan: vigil_scanner_new() refuses
 * it; load the image into a new engine. If the sources cannot be imaged
 * (YARA rules), or the image was current (VIGIL_IMAGE_MAPPED), the engine
 * is an ordinary one. For vigild's compile helper and `vigil db compile`.
 */
VIGIL_API vigil_status vigil_engine_set_image_only(vigil_engine *e, int on);

/* With a mapped image: takes its pages out of the calling process's
 * resident set; they stay in the page cache and fault back in when the
 * engine is used. For a process that holds an engine it does not scan
 * with (vigild's parent, while a reload maps the next one). Otherwise
 * nothing. */
VIGIL_API void vigil_engine_image_drop_resident(const vigil_engine *e);

/* Returns how many signatures the engine holds, counted as clamscan counts its
 * "Known viruses": every loaded hash line, allow-list (.fp/.sfp) lines too;
 * ignored lines and ignore-list entries are not counted. */
VIGIL_API uint64_t vigil_engine_signature_count(const vigil_engine *e);

/* ---- scanning --------------------------------------------------------- */

typedef struct vigil_scanner vigil_scanner;
typedef struct vigil_result vigil_result;

/* Scan flags. */
#define VIGIL_SCAN_ALLMATCH (1u << 0)          /* report every detection */
#define VIGIL_SCAN_ALERT_EXCEEDS_MAX (1u << 1) /* a hit limit is a detection */
/* An encrypted member of an archive is a detection, Heuristics.Encrypted.<Type>
 * (clamscan --alert-encrypted / --alert-encrypted-archive). */
#define VIGIL_SCAN_ALERT_ENCRYPTED (1u << 2)
/* Mail (RFC 822, mbox, MIME, TNEF) is not unpacked (clamscan --scan-mail=no). */
#define VIGIL_SCAN_NO_MAIL (1u << 11)
/* A VBA project or an Excel 4.0 macro sheet in an OLE2 document is a
 * detection, Heuristics.OLE2.ContainsMacros.VBA/.XLM (clamscan
 * --alert-macros). */
#define VIGIL_SCAN_ALERT_MACROS (1u << 12)
/* An encrypted document that cannot be read is a detection (clamscan
 * --alert-encrypted-doc): Heuristics.Encrypted.PDF; clamscan 1.4 names
 * none for OLE2 documents (measured), nor does vigil. */
#define VIGIL_SCAN_ALERT_ENCRYPTED_DOC (1u << 13)
/* OLE2 files are not unpacked (clamscan --scan-ole2=no). */
#define VIGIL_SCAN_NO_OLE2 (1u << 14)
/* OneNote sections are not unpacked (clamscan --scan-onenote=no). */
#define VIGIL_SCAN_NO_ONENOTE (1u << 15)
/* PDF documents are not looked into (clamscan --scan-pdf=no). */
#define VIGIL_SCAN_NO_PDF (1u << 16)
/* A PE (or ELF) whose headers clamscan refuses is a detection,
 * Heuristics.Broken.Executable (clamscan --alert-broken). */
#define VIGIL_SCAN_ALERT_BROKEN (1u << 8)
/* No PE parsing: no section/import hashes, no unpacking (--scan-pe=no). */
#define VIGIL_SCAN_NO_PE (1u << 9)
/* No ELF parsing (--scan-elf=no). */
#define VIGIL_SCAN_NO_ELF (1u << 10)
/* HTML files are matched on their own bytes instead of their normalised
 * views (clamscan --scan-html=no). */
#define VIGIL_SCAN_NO_HTML (1u << 17)
/* Archives and compressed files are not looked into: zip, 7z, rar, tar,
 * cpio, gzip, bzip2, xz, cab, chm, szdd, sis, arj, BinHex, RTF, NSIS,
 * AutoIt, InstallShield MSI (clamscan --scan-archive=no, measured). */
#define VIGIL_SCAN_NO_ARCHIVE (1u << 24)

struct vigil_scan_options {
    unsigned flags;
    struct vigil_limits limits;
};

/* Fills *o with the defaults: first match only, clamscan's limits. */
VIGIL_API void vigil_scan_options_default(struct vigil_scan_options *o);

/* Creates a scanner (per-thread scratch) for a compiled engine. The engine
 * must outlive the scanner. A scanner is used by one thread at a time. */
VIGIL_API vigil_status vigil_scanner_new(const vigil_engine *e,
                                         vigil_scanner **out);

/* Frees a scanner. NULL is allowed. */
VIGIL_API void vigil_scanner_free(vigil_scanner *s);

/*
 * Scans the object readable from fd (a regular file or anything with a
 * meaningful fstat size; the fd is read with pread and not moved or closed).
 * name is the object's display name and may be NULL. opt may be NULL for the
 * defaults. On VIGIL_OK, *out is the result, owned by the scanner and valid
 * until the next scan with it or its free.
 */
VIGIL_API vigil_status vigil_scan_fd(vigil_scanner *s, int fd, const char *name,
                                     const struct vigil_scan_options *opt,
                                     const vigil_result **out);

/* Digests of a whole object computed by the caller as the object arrived
 * (vigild's INSTREAM hashes a stream while it is received), for
 * vigil_scan_fd_digests. kinds: VIGIL_DIGEST_* bits of those filled in. */
#define VIGIL_DIGEST_MD5 (1u << 0)
#define VIGIL_DIGEST_SHA1 (1u << 1)
#define VIGIL_DIGEST_SHA256 (1u << 2)
struct vigil_digests {
    unsigned kinds;
    uint64_t size; /* of the object digested */
    uint8_t md5[16], sha1[20], sha256[32];
};

/* For each digest (0 MD5, 1 SHA-1, 2 SHA-256), the largest object size for
 * which a scan with this compiled engine may need it: hash signatures and
 * allow-list entries of that kind name no larger size (UINT64_MAX: an entry
 * of any size; 0: no entry of that kind). */
VIGIL_API void vigil_engine_digest_limits(const vigil_engine *e, uint64_t max[3]);

/* As vigil_scan_fd, with the object's own digests given: the scan uses
 * them for the object itself (not for what it contains) instead of reading
 * it again for them, when dg->size is the object's size and dg->kinds holds
 * every digest it needs; else it computes them as vigil_scan_fd does. The
 * verdict is the same. dg may be NULL. */
VIGIL_API vigil_status vigil_scan_fd_digests(vigil_scanner *s, int fd, const char *name,
                                             const struct vigil_scan_options *opt,
                                             const struct vigil_digests *dg,
                                             const vigil_result **out);

/* As vigil_scan_fd, for a buffer in memory. The buffer is not kept. */
VIGIL_API vigil_status vigil_scan_buffer(vigil_scanner *s, const void *data,
                                         size_t len, const char *name,
                                         const struct vigil_scan_options *opt,
                                         const vigil_result **out);

/* One detection: the signature name as clamscan would print it, and the path
 * through the layers of containers to the object that matched, as clamscan
 * -a prints it after "name!" ("" for the scanned object itself, e.g.
 * "(1)ZIP:clam.exe" inside a zip, "POSIX_TAR:a.zip!(3)ZIP:clam.exe" deeper;
 * long paths are shortened with "..." as clamscan does, counting the name
 * given to the scan call); depth is that object's depth (0 = top level). */
struct vigil_detection {
    const char *name;
    const char *layer_path;
    uint32_t depth;
};

/* Number of detections; 0 means clean. */
VIGIL_API size_t vigil_result_count(const vigil_result *r);

/* Detection i (0 <= i < count), or NULL when out of range. */
VIGIL_API const struct vigil_detection *
vigil_result_detection(const vigil_result *r, size_t i);

/* Bytes the scan read from the object (0 when no signature needed them). */
VIGIL_API uint64_t vigil_result_bytes_read(const vigil_result *r);

/* Size of the scanned object. */
VIGIL_API uint64_t vigil_result_size(const vigil_result *r);

/* VIGIL_LIMIT_* bits of the limits that stopped part of this scan. */
VIGIL_API unsigned vigil_result_limits(const vigil_result *r);

/* ---- YARA detections -------------------------------------------------- */

enum vigil_yara_meta_type {
    VIGIL_YARA_META_INTEGER = 1,
    VIGIL_YARA_META_STRING = 2,
    VIGIL_YARA_META_BOOLEAN = 3
};

/* One metadata entry of a rule; integer holds a boolean's 0/1. */
struct vigil_yara_meta {
    const char *identifier;
    enum vigil_yara_meta_type type;
    int64_t integer;
    const char *string; /* VIGIL_YARA_META_STRING, else NULL */
};

/* One match of one of the rule's strings in the object. data holds the
 * first data_len bytes of the match (at most 64). */
struct vigil_yara_string {
    const char *identifier; /* "$a" */
    uint64_t offset;
    uint32_t length;
    uint32_t data_len;
    const uint8_t *data;
};

/* What a YARA detection carries besides its name. Tags and metadata belong
 * to the engine; strings to the result (valid as the result is). At most 64
 * string matches are listed per rule; strings_total counts all of them. */
struct vigil_yara_match {
    const char *rule;
    const char *ns;
    const char *const *tags;
    size_t ntags;
    const struct vigil_yara_meta *meta;
    size_t nmeta;
    const struct vigil_yara_string *strings;
    size_t nstrings, strings_total;
};

/* The YARA data of detection i, or NULL when detection i is not a YARA rule
 * match (or i is out of range). */
VIGIL_API const struct vigil_yara_match *
vigil_result_yara(const vigil_result *r, size_t i);

/* Bits of vigil_result_notes(): what could not be read inside the object.
 * Everything readable was still scanned. */
#define VIGIL_NOTE_DAMAGED (1u << 0)   /* a container is truncated or corrupt */
#define VIGIL_NOTE_ENCRYPTED (1u << 1) /* a container holds encrypted members */

/* VIGIL_NOTE_* bits of this scan. */
VIGIL_API unsigned vigil_result_notes(const vigil_result *r);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_VIGIL_H */
