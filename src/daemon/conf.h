/* conf.h - vigild's configuration: clamd.conf syntax (clamd.conf(5), ClamAV
 * 1.4), so an existing /etc/clamav/clamd.conf works unchanged.
 *
 * One "Key value" per line, '#' starts a comment line, keys are matched
 * without regard to case as clamd does. Booleans are yes/no/true/false/1/0,
 * sizes take a K, M or G suffix. Keys vigild knows fill struct conf; keys it
 * does not use are warned about once each and otherwise ignored. A bad value
 * is an error naming file:line.
 */
#ifndef VIGIL_DAEMON_CONF_H
#define VIGIL_DAEMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard maxima: one line, one value, repeated keys, the whole file. */
#define CONF_LINE_MAX 1024
#define CONF_LIST_MAX 64
#define CONF_FILE_MAX (1024 * 1024)
#define CONF_ERR_MAX 512

/* A repeatable string option (ExcludePath). */
struct conf_list {
    char *v[CONF_LIST_MAX];
    size_t n;
};

struct conf {
    /* listeners */
    char *local_socket;
    char *local_socket_group;
    uint32_t local_socket_mode; /* octal in the file; 0 = leave umask's */
    bool local_socket_mode_set;
    bool fix_stale_socket;
    uint32_t tcp_port; /* 0 = no TCP listener */
    char *tcp_addr;    /* NULL = loopback */
    uint32_t max_conn_queue;
    /* workers and clients */
    uint32_t max_threads;
    uint32_t max_queue;
    uint64_t stream_max_length;
    uint64_t stream_max_total; /* vigild's own: all streams held at once */
    bool stream_follow;        /* vigild's own: workers follow INSTREAMs */
    uint32_t read_timeout;
    uint32_t command_read_timeout;
    uint32_t idle_timeout;
    uint32_t send_buf_timeout;
    /* database */
    char *database_directory;
    uint32_t self_check;
    /* logging and service */
    char *log_file;
    bool log_syslog;
    bool log_time;
    bool log_clean;
    bool log_verbose;
    bool foreground;
    bool debug;
    char *pid_file;
    char *user;
    char *virus_event;
    /* scanning */
    uint64_t max_scan_size;
    uint64_t max_file_size;
    uint32_t max_recursion;
    uint32_t max_files;
    uint32_t max_scan_time; /* milliseconds */
    uint32_t max_dir_recursion;
    bool alert_exceeds_max;
    bool scan_mail; /* ScanMail (default yes) */
    bool alert_ole2_macros, alert_encrypted_doc, scan_ole2, scan_onenote;
    bool scan_pe, scan_elf, scan_pdf, scan_html; /* ScanPE ... (default yes) */
    bool alert_broken;                           /* AlertBrokenExecutables */
    bool alert_encrypted, alert_encrypted_archive; /* AlertEncrypted[Archive] */
    bool allow_all_match_scan;
    bool follow_dir_symlinks;
    bool follow_file_symlinks;
    bool cross_filesystems;
    struct conf_list exclude_path;
};

/* Fills c with clamd 1.4's defaults (no listener, /var/lib/clamav). */
void conf_defaults(struct conf *c);

/* Frees the strings c owns and resets it to the defaults. */
void conf_free(struct conf *c);

/* A sink for warnings (unknown keys); msg has no newline. */
typedef void (*conf_warn_fn)(void *ctx, const char *msg);

/*
 * Parses len bytes of clamd.conf text named name (for messages) into c,
 * which must hold the defaults or an earlier parse. Returns 0, or -1 with
 * "name:line: reason" in err (errsz bytes). Unknown keys go to warn once
 * each. On failure c is still safe to conf_free.
 */
int conf_parse(struct conf *c, const char *name, const char *text, size_t len,
               conf_warn_fn warn, void *ctx, char *err, size_t errsz);

/* Reads file path (at most CONF_FILE_MAX bytes) and parses it as conf_parse. */
int conf_load(struct conf *c, const char *path, conf_warn_fn warn, void *ctx,
              char *err, size_t errsz);

#endif
