/* conf.c - clamd.conf reader (see conf.h).
 *
 * Follows clamd.conf(5) of ClamAV 1.4 and common/optparser.c's value rules:
 * booleans yes/no/true/false/1/0, numbers decimal, sizes with an optional
 * K/M/G suffix (1024-based), LocalSocketMode octal. Limits: CONF_LINE_MAX
 * bytes per line, CONF_FILE_MAX per file, CONF_LIST_MAX repeats of a list key.
 */
#include "daemon/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum conf_type { T_BOOL, T_NUM, T_SIZE, T_MODE, T_STR, T_LIST, T_IGNORE_BOOL,
                 T_IGNORE_SIZE, T_IGNORE_STR };

struct conf_key {
    const char *name;
    enum conf_type type;
    size_t off;
};

#define K(n, t, f) {n, t, offsetof(struct conf, f)}
#define IGN(n, t) {n, t, 0}

/* Keys vigild uses, then clamd keys whose meaning vigil's engine has always
 * on or does not have: they are type-checked, so a typo in a value is still
 * an error, but not warned about (Debian's stock clamd.conf sets them all). */
static const struct conf_key keys[] = {
    K("LocalSocket", T_STR, local_socket),
    K("LocalSocketGroup", T_STR, local_socket_group),
    K("LocalSocketMode", T_MODE, local_socket_mode),
    K("FixStaleSocket", T_BOOL, fix_stale_socket),
    K("TCPSocket", T_NUM, tcp_port),
    K("TCPAddr", T_STR, tcp_addr),
    K("MaxConnectionQueueLength", T_NUM, max_conn_queue),
    K("MaxThreads", T_NUM, max_threads),
    K("MaxQueue", T_NUM, max_queue),
    K("StreamMaxLength", T_SIZE, stream_max_length),
    K("StreamMaxTotal", T_SIZE, stream_max_total), /* vigild's own key */
    K("StreamFollow", T_BOOL, stream_follow),      /* vigild's own key */
    K("ReadTimeout", T_NUM, read_timeout),
    K("CommandReadTimeout", T_NUM, command_read_timeout),
    K("IdleTimeout", T_NUM, idle_timeout),
    K("SendBufTimeout", T_NUM, send_buf_timeout),
    K("DatabaseDirectory", T_STR, database_directory),
    K("SelfCheck", T_NUM, self_check),
    K("LogFile", T_STR, log_file),
    K("LogSyslog", T_BOOL, log_syslog),
    K("LogTime", T_BOOL, log_time),
    K("LogClean", T_BOOL, log_clean),
    K("LogVerbose", T_BOOL, log_verbose),
    K("Foreground", T_BOOL, foreground),
    K("Debug", T_BOOL, debug),
    K("PidFile", T_STR, pid_file),
    K("User", T_STR, user),
    K("VirusEvent", T_STR, virus_event),
    K("MaxScanSize", T_SIZE, max_scan_size),
    K("MaxFileSize", T_SIZE, max_file_size),
    K("MaxRecursion", T_NUM, max_recursion),
    K("MaxFiles", T_NUM, max_files),
    K("MaxScanTime", T_NUM, max_scan_time),
    K("MaxDirectoryRecursion", T_NUM, max_dir_recursion),
    K("AlertExceedsMax", T_BOOL, alert_exceeds_max),
    K("ScanMail", T_BOOL, scan_mail),
    K("AlertOLE2Macros", T_BOOL, alert_ole2_macros),
    K("AlertEncryptedDoc", T_BOOL, alert_encrypted_doc),
    K("ScanOLE2", T_BOOL, scan_ole2),
    K("ScanOneNote", T_BOOL, scan_onenote),
    K("ScanPE", T_BOOL, scan_pe),
    K("ScanELF", T_BOOL, scan_elf),
    K("ScanPDF", T_BOOL, scan_pdf),
    K("ScanHTML", T_BOOL, scan_html),
    K("AlertBrokenExecutables", T_BOOL, alert_broken),
    K("AlertEncrypted", T_BOOL, alert_encrypted),
    K("AlertEncryptedArchive", T_BOOL, alert_encrypted_archive),
    K("AllowAllMatchScan", T_BOOL, allow_all_match_scan),
    K("FollowDirectorySymlinks", T_BOOL, follow_dir_symlinks),
    K("FollowFileSymlinks", T_BOOL, follow_file_symlinks),
    K("CrossFilesystems", T_BOOL, cross_filesystems),
    K("ExcludePath", T_LIST, exclude_path),
    IGN("ScanSWF", T_IGNORE_BOOL), IGN("ScanXMLDOCS", T_IGNORE_BOOL),
    IGN("ScanHWP3", T_IGNORE_BOOL), IGN("ScanPartialMessages", T_IGNORE_BOOL),
    IGN("ScanArchive", T_IGNORE_BOOL),
    IGN("ScanImage", T_IGNORE_BOOL), IGN("ScanImageFuzzyHash", T_IGNORE_BOOL),
    IGN("AlertBrokenMedia", T_IGNORE_BOOL),
    IGN("AlertPhishingSSLMismatch", T_IGNORE_BOOL),
    IGN("AlertPhishingCloak", T_IGNORE_BOOL),
    IGN("AlertPartitionIntersection", T_IGNORE_BOOL),
    IGN("ArchiveBlockEncrypted", T_IGNORE_BOOL), IGN("LogRotate", T_IGNORE_BOOL),
    IGN("LogFileUnlock", T_IGNORE_BOOL), IGN("ExitOnOOM", T_IGNORE_BOOL),
    IGN("ExtendedDetectionInfo", T_IGNORE_BOOL),
    IGN("ConcurrentDatabaseReload", T_IGNORE_BOOL),
    IGN("MaxEmbeddedPE", T_IGNORE_SIZE), IGN("MaxHTMLNormalize", T_IGNORE_SIZE),
    IGN("MaxHTMLNoTags", T_IGNORE_SIZE), IGN("MaxScriptNormalize", T_IGNORE_SIZE),
    IGN("MaxZipTypeRcg", T_IGNORE_SIZE), IGN("MaxPartitions", T_IGNORE_SIZE),
    IGN("MaxIconsPE", T_IGNORE_SIZE), IGN("MaxRecHWP3", T_IGNORE_SIZE),
    IGN("PCREMatchLimit", T_IGNORE_SIZE), IGN("PCRERecMatchLimit", T_IGNORE_SIZE),
    IGN("PCREMaxFileSize", T_IGNORE_SIZE), IGN("LogFileMaxSize", T_IGNORE_SIZE),
    IGN("LogFacility", T_IGNORE_STR), IGN("TemporaryDirectory", T_IGNORE_STR),
};

void conf_defaults(struct conf *c)
{
    memset(c, 0, sizeof(*c));
    c->max_conn_queue = 200;
    c->max_threads = 10;
    c->max_queue = 100;
    c->stream_max_length = 100ull * 1024 * 1024;
    c->stream_max_total = 512ull * 1024 * 1024;
    c->stream_follow = true;
    c->read_timeout = 120;
    c->command_read_timeout = 30;
    c->idle_timeout = 30;
    c->send_buf_timeout = 500;
    c->self_check = 600;
    c->max_scan_size = 400ull * 1024 * 1024;
    c->max_file_size = 100ull * 1024 * 1024;
    c->max_recursion = 17;
    c->max_files = 10000;
    c->max_scan_time = 120000;
    c->max_dir_recursion = 15;
    c->cross_filesystems = true;
    c->scan_ole2 = true;
    c->scan_onenote = true;
    c->allow_all_match_scan = true;
    c->scan_mail = true;
    c->scan_pe = c->scan_elf = c->scan_pdf = c->scan_html = true;
}

static char **str_field(struct conf *c, size_t off)
{
    return (char **)(void *)((char *)c + off);
}

void conf_free(struct conf *c)
{
    size_t k;

    for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        if (keys[k].type == T_STR)
            free(*str_field(c, keys[k].off));
    for (k = 0; k < c->exclude_path.n; k++)
        free(c->exclude_path.v[k]);
    conf_defaults(c);
}

static const struct conf_key *find_key(const char *name)
{
    size_t k;

    for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        if (!strcasecmp(keys[k].name, name))
            return &keys[k];
    return NULL;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "1"};
    static const char *const no[] = {"no", "false", "0"};
    size_t k;

    for (k = 0; k < 3; k++) {
        if (!strcasecmp(v, yes[k]))
            return *out = true, 0;
        if (!strcasecmp(v, no[k]))
            return *out = false, 0;
    }
    return -1;
}

/* Decimal (or octal with base 8), with an optional K/M/G multiplier when
 * suffix is set; anything else in the value is an error. */
static int parse_num(const char *v, int base, bool suffix, uint64_t max, uint64_t *out)
{
    unsigned long long n;
    uint64_t mul = 1;
    char *end;

    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    n = strtoull(v, &end, base);
    if (errno)
        return -1;
    if (suffix && *end) {
        switch (*end++) {
        case 'k': case 'K': mul = 1024; break;
        case 'm': case 'M': mul = 1024 * 1024; break;
        case 'g': case 'G': mul = 1024ull * 1024 * 1024; break;
        default: return -1;
        }
    }
    if (*end || n > max / mul)
        return -1;
    *out = n * mul;
    return 0;
}

static int set_value(struct conf *c, const struct conf_key *k, const char *v)
{
    void *field = (char *)c + k->off;
    uint64_t n;
    bool b;
    char *s;

    switch (k->type) {
    case T_BOOL:
    case T_IGNORE_BOOL:
        if (parse_bool(v, &b) != 0)
            return -1;
        if (k->type == T_BOOL)
            *(bool *)field = b;
        return 0;
    case T_NUM:
    case T_SIZE:
    case T_IGNORE_SIZE:
        if (parse_num(v, 10, k->type != T_NUM, k->type == T_NUM ? UINT32_MAX : UINT64_MAX,
                      &n) != 0)
            return -1;
        if (k->type == T_NUM)
            *(uint32_t *)field = (uint32_t)n;
        else if (k->type == T_SIZE)
            *(uint64_t *)field = n;
        return 0;
    case T_MODE:
        if (parse_num(v, 8, false, 07777, &n) != 0)
            return -1;
        c->local_socket_mode = (uint32_t)n;
        c->local_socket_mode_set = true;
        return 0;
    case T_IGNORE_STR:
        return 0;
    case T_STR:
        if (!(s = strdup(v)))
            return -1;
        free(*(char **)field);
        *(char **)field = s;
        return 0;
    case T_LIST:
        if (c->exclude_path.n >= CONF_LIST_MAX || !(s = strdup(v)))
            return -1;
        c->exclude_path.v[c->exclude_path.n++] = s;
        return 0;
    }
    return -1;
}

struct parse_state {
    const char *name;
    unsigned line;
    char *err;
    size_t errsz;
    conf_warn_fn warn;
    void *ctx;
    char warned[CONF_LIST_MAX][64]; /* unknown keys already warned about */
    size_t nwarned;
};

static int failf(struct parse_state *ps, const char *fmt, ...)
{
    char msg[CONF_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errsz, "%s:%u: %s", ps->name, ps->line, msg);
    return -1;
}

static void warn_unknown(struct parse_state *ps, const char *key)
{
    char msg[CONF_ERR_MAX];
    size_t k;

    for (k = 0; k < ps->nwarned; k++)
        if (!strcasecmp(ps->warned[k], key))
            return;
    if (ps->nwarned < CONF_LIST_MAX)
        snprintf(ps->warned[ps->nwarned++], sizeof(ps->warned[0]), "%s", key);
    if (ps->warn) {
        snprintf(msg, sizeof(msg), "%s:%u: ignoring %.64s: not an option vigild uses", ps->name,
                 ps->line, key);
        ps->warn(ps->ctx, msg);
    }
}

/* One line, NUL-terminated, without its newline. */
static int parse_line(struct conf *c, struct parse_state *ps, char *line)
{
    const struct conf_key *k;
    char *key, *val, *end;

    key = line + strspn(line, " \t\r");
    if (!*key || *key == '#')
        return 0;
    end = key + strlen(key);
    while (end > key && isspace((unsigned char)end[-1]))
        *--end = '\0';
    val = key + strcspn(key, " \t");
    if (*val)
        *val++ = '\0';
    val += strspn(val, " \t");
    if (!strcasecmp(key, "Example"))
        return failf(ps, "the configuration file still has its Example line; edit it first");
    if (!(k = find_key(key))) {
        warn_unknown(ps, key);
        return 0;
    }
    if (!*val)
        return failf(ps, "option %s needs a value", k->name);
    if (set_value(c, k, val) != 0)
        return failf(ps, "invalid value for %s: %.200s", k->name, val);
    return 0;
}

int conf_parse(struct conf *c, const char *name, const char *text, size_t len,
               conf_warn_fn warn, void *ctx, char *err, size_t errsz)
{
    struct parse_state *ps = NULL;
    char line[CONF_LINE_MAX + 1];
    size_t pos = 0, n;
    const char *nl;
    int rc = -1;

    if (!(ps = calloc(1, sizeof(*ps)))) {
        snprintf(err, errsz, "%s: out of memory", name);
        goto out;
    }
    *ps = (struct parse_state){.name = name, .err = err, .errsz = errsz, .warn = warn,
                               .ctx = ctx};
    while (pos < len) {
        ps->line++;
        nl = memchr(text + pos, '\n', len - pos);
        n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (n > CONF_LINE_MAX) {
            failf(ps, "line longer than %d bytes", CONF_LINE_MAX);
            goto out;
        }
        if (memchr(text + pos, '\0', n)) {
            failf(ps, "NUL byte in line");
            goto out;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        if (parse_line(c, ps, line) != 0)
            goto out;
        pos += n + (nl ? 1 : 0);
    }
    rc = 0;
out:
    free(ps);
    return rc;
}

int conf_load(struct conf *c, const char *path, conf_warn_fn warn, void *ctx,
              char *err, size_t errsz)
{
    char *buf = NULL;
    size_t len = 0;
    ssize_t r;
    int fd, rc = -1;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!(buf = malloc(CONF_FILE_MAX + 1))) {
        snprintf(err, errsz, "%s: out of memory", path);
        goto out;
    }
    while ((r = read(fd, buf + len, CONF_FILE_MAX + 1 - len)) > 0)
        len += (size_t)r;
    if (r < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (len > CONF_FILE_MAX) {
        snprintf(err, errsz, "%s: larger than %d bytes", path, CONF_FILE_MAX);
        goto out;
    }
    rc = conf_parse(c, path, buf, len, warn, ctx, err, errsz);
out:
    free(buf);
    close(fd);
    return rc;
}
