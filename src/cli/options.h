/* options.h - the command line of `vigil scan`, parsed into one struct.
 *
 * Parsing has no side effects: it neither prints nor opens anything. Errors
 * come back as text, warnings as a list of lines, both worded as clamscan
 * 1.4.6 words them so that scripts which read clamscan's stderr keep working.
 */
#ifndef VIGIL_CLI_OPTIONS_H
#define VIGIL_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Symlink policies of --follow-dir-symlinks / --follow-file-symlinks. */
enum follow {
    FOLLOW_NEVER = 0,  /* report "Symbolic link" */
    FOLLOW_DIRECT = 1, /* follow links named on the command line only */
    FOLLOW_ALWAYS = 2  /* follow links found while walking too */
};

/* --progress: shown when stderr is a terminal, or forced on or off. */
enum progress_mode { PROGRESS_AUTO = -1, PROGRESS_OFF = 0, PROGRESS_ON = 1 };

/* The most worker threads -j accepts. */
#define OPTIONS_MAX_JOBS 256

/* A list of strings that point into argv; sized for argc entries, so it never
 * needs to grow. */
struct strlist {
    const char **v;
    size_t n;
};

struct scan_options {
    bool help, version;
    bool recursive, infected_only, suppress_ok, no_summary, allmatch;
    bool alert_exceeds_max, remove, to_stdout, quiet, verbose, debug;
    bool json, no_builtin, cross_fs, bell, no_cache, archive_verbose, alert_encrypted;
    bool no_sandbox; /* scan on in-process threads (debugging only) */
    bool scan_mail;  /* --scan-mail (default yes) */
    bool alert_macros, scan_ole2, scan_onenote;
    bool scan_pdf;   /* --scan-pdf, yes by default */
    bool alert_encrypted_doc, alert_encrypted_all; /* -doc; plain --alert-encrypted */
    bool scan_pe, scan_elf, alert_broken; /* clamscan's; PE/ELF on by default */
    bool scan_html;  /* --scan-html (default yes): HTML through its views */
    bool scan_archive; /* --scan-archive (default yes): archives looked into */
    enum progress_mode progress;
    enum follow follow_dir, follow_file;
    unsigned jobs;              /* 0: one per online CPU */
    uint32_t max_dir_recursion; /* clamscan's default 15 */
    struct vigil_limits limits; /* clamscan's defaults, then the options */
    const char *log_file, *file_list, *move_dir, *copy_dir, *cache_dir;
    const char *audit_log; /* --audit-log FILE, or NULL for the default */
    struct strlist databases, exclude, exclude_dir, include, include_dir;
    struct strlist paths; /* operands; "-" is stdin */
    struct strlist yara;  /* --yara rule files, loaded after the databases */
    struct {
        char **v; /* heap strings, one line each, without "WARNING: " */
        size_t n;
    } warnings;
};

/*
 * Parses the arguments of `vigil scan` (argv[0] is the subcommand name and is
 * skipped). Fills *o, which the caller later frees with options_free() whether
 * or not parsing worked. Returns 0 on success; on failure returns -1 and puts
 * the lines to print on stderr into err (NUL-terminated, no final newline;
 * the caller adds clamscan's closing "ERROR: Can't parse command line
 * options"). Strings in *o point into argv, except the warnings.
 */
int options_parse(struct scan_options *o, int argc, char **argv, char *err,
                  size_t errlen);

/* Frees what options_parse allocated. */
void options_free(struct scan_options *o);

/*
 * Parses a clamscan number: decimal digits (a leading 0 means octal, as
 * clamscan's strtoll with base 0 does), with a K, M or G suffix (any case,
 * powers of 1024) when allow_suffix. Returns 0 and *out on success, 1 when
 * the value was too high and *out was set to INT64_MAX (clamscan's warning
 * case), -1 when the text has the wrong shape ("Incorrect argument format")
 * and -2 when the digits do not parse (e.g. "09": "Can't parse numerical
 * argument").
 */
int options_number(const char *s, bool allow_suffix, int64_t *out);

/* Parses clamscan's boolean values yes/no/true/false/1/0 in any case into
 * *out. Returns 0, or -1 for anything else. */
int options_bool(const char *s, bool *out);

#endif
