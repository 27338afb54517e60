/* options.c - the command line of `vigil scan` (see options.h).
 *
 * The grammar is clamscan 1.4.6's, measured against the installed binary:
 * options and operands may be mixed, "--" ends the options, long names may be
 * abbreviated to a unique prefix, short flags bundle ("-rio") and take their
 * argument attached ("-dfile") or as the next word. Every flag also takes
 * "=yes/no" in its long form; string and number options keep their first
 * value, flags their last.
 */
#include "cli/options.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind {
    K_FLAG,     /* bool; optional =yes/no */
    K_STR,      /* const char *; first value wins */
    K_LIST,     /* struct strlist; repeatable */
    K_SIZE64,   /* uint64_t with K/M/G; first value wins */
    K_NUM32,    /* uint32_t, plain number; first value wins */
    K_FOLLOW,   /* enum follow, 0..2 */
    K_JOBS,     /* unsigned, 1..OPTIONS_MAX_JOBS */
    K_PROGRESS, /* enum progress_mode; optional =yes/no */
    K_IGN_FLAG, /* a clamscan flag for a feature vigil does not have yet */
    K_IGN_ARG   /* the same, taking an argument */
};

struct optdef {
    const char *name;
    char shortc;
    enum kind kind;
    size_t off; /* where the value goes in struct scan_options */
};

#define F(field) offsetof(struct scan_options, field)

static const struct optdef optdefs[] = {
    {"help", 'h', K_FLAG, F(help)},
    {"version", 'V', K_FLAG, F(version)},
    {"verbose", 'v', K_FLAG, F(verbose)},
    {"debug", 0, K_FLAG, F(debug)},
    {"quiet", 0, K_FLAG, F(quiet)},
    {"stdout", 0, K_FLAG, F(to_stdout)},
    {"no-summary", 0, K_FLAG, F(no_summary)},
    {"infected", 'i', K_FLAG, F(infected_only)},
    {"suppress-ok-results", 'o', K_FLAG, F(suppress_ok)},
    {"bell", 0, K_FLAG, F(bell)},
    {"database", 'd', K_LIST, F(databases)},
    {"log", 'l', K_STR, F(log_file)},
    {"recursive", 'r', K_FLAG, F(recursive)},
    {"allmatch", 'z', K_FLAG, F(allmatch)},
    {"cross-fs", 0, K_FLAG, F(cross_fs)},
    {"follow-dir-symlinks", 0, K_FOLLOW, F(follow_dir)},
    {"follow-file-symlinks", 0, K_FOLLOW, F(follow_file)},
    {"file-list", 'f', K_STR, F(file_list)},
    {"remove", 0, K_FLAG, F(remove)},
    {"move", 0, K_STR, F(move_dir)},
    {"copy", 0, K_STR, F(copy_dir)},
    {"exclude", 0, K_LIST, F(exclude)},
    {"exclude-dir", 0, K_LIST, F(exclude_dir)},
    {"include", 0, K_LIST, F(include)},
    {"include-dir", 0, K_LIST, F(include_dir)},
    {"alert-exceeds-max", 0, K_FLAG, F(alert_exceeds_max)},
    {"max-filesize", 0, K_SIZE64, F(limits.max_filesize)},
    {"max-scansize", 0, K_SIZE64, F(limits.max_scansize)},
    {"max-files", 0, K_NUM32, F(limits.max_files)},
    {"max-recursion", 0, K_NUM32, F(limits.max_recursion)},
    {"max-scantime", 0, K_NUM32, F(limits.max_scantime_ms)},
    {"archive-verbose", 'a', K_FLAG, F(archive_verbose)},
    {"max-dir-recursion", 0, K_NUM32, F(max_dir_recursion)},
    /* vigil's own. */
    {"jobs", 'j', K_JOBS, F(jobs)},
    {"json", 0, K_FLAG, F(json)},
    {"no-builtin", 0, K_FLAG, F(no_builtin)},
    {"cache-dir", 0, K_STR, F(cache_dir)},
    {"no-cache", 0, K_FLAG, F(no_cache)},
    {"yara", 0, K_LIST, F(yara)},
    {"max-ratio", 0, K_NUM32, F(limits.max_ratio)},
    {"progress", 0, K_PROGRESS, F(progress)},
    {"no-sandbox", 0, K_FLAG, F(no_sandbox)},
    {"audit-log", 0, K_STR, F(audit_log)},
    /* clamscan's, accepted with a warning until vigil has the feature. */
    {"tempdir", 0, K_IGN_ARG, 0},
    {"leave-temps", 0, K_IGN_FLAG, 0},
    {"force-to-disk", 0, K_IGN_FLAG, 0},
    {"gen-json", 0, K_IGN_FLAG, 0},
    {"official-db-only", 0, K_IGN_FLAG, 0},
    {"fail-if-cvd-older-than", 0, K_IGN_ARG, 0},
    {"bytecode", 0, K_IGN_FLAG, 0},
    {"bytecode-unsigned", 0, K_IGN_FLAG, 0},
    {"bytecode-timeout", 0, K_IGN_ARG, 0},
    {"statistics", 0, K_IGN_ARG, 0},
    {"detect-pua", 0, K_IGN_FLAG, 0},
    {"exclude-pua", 0, K_IGN_ARG, 0},
    {"include-pua", 0, K_IGN_ARG, 0},
    {"detect-structured", 0, K_IGN_FLAG, 0},
    {"structured-ssn-format", 0, K_IGN_ARG, 0},
    {"structured-ssn-count", 0, K_IGN_ARG, 0},
    {"structured-cc-count", 0, K_IGN_ARG, 0},
    {"structured-cc-mode", 0, K_IGN_ARG, 0},
    {"scan-mail", 0, K_FLAG, F(scan_mail)}, /* done: unpack/mail.c */
    {"phishing-sigs", 0, K_IGN_FLAG, 0},
    {"phishing-scan-urls", 0, K_IGN_FLAG, 0},
    {"heuristic-alerts", 0, K_IGN_FLAG, 0},
    {"heuristic-scan-precedence", 0, K_IGN_FLAG, 0},
    {"normalize", 0, K_IGN_FLAG, 0},
    {"scan-pe", 0, K_FLAG, F(scan_pe)},
    {"scan-elf", 0, K_FLAG, F(scan_elf)},
    {"scan-ole2", 0, K_FLAG, F(scan_ole2)},
    {"scan-pdf", 0, K_FLAG, F(scan_pdf)},
    {"scan-swf", 0, K_IGN_FLAG, 0},
    {"scan-xmldocs", 0, K_IGN_FLAG, 0},
    {"scan-hwp3", 0, K_IGN_FLAG, 0},
    {"scan-onenote", 0, K_FLAG, F(scan_onenote)},
    {"scan-archive", 0, K_FLAG, F(scan_archive)},
    {"scan-image", 0, K_IGN_FLAG, 0},
    {"scan-image-fuzzy-hash", 0, K_IGN_FLAG, 0},
    {"alert-broken", 0, K_FLAG, F(alert_broken)},
    {"alert-broken-media", 0, K_IGN_FLAG, 0},
    {"scan-html", 0, K_FLAG, F(scan_html)},
    {"alert-encrypted", 0, K_FLAG, F(alert_encrypted_all)},
    {"alert-encrypted-archive", 0, K_FLAG, F(alert_encrypted)},
    {"alert-encrypted-doc", 0, K_FLAG, F(alert_encrypted_doc)},
    {"alert-macros", 0, K_FLAG, F(alert_macros)},
    {"alert-phishing-ssl", 0, K_IGN_FLAG, 0},
    {"alert-phishing-cloak", 0, K_IGN_FLAG, 0},
    {"alert-partition-intersection", 0, K_IGN_FLAG, 0},
    {"nocerts", 0, K_IGN_FLAG, 0},
    {"dumpcerts", 0, K_IGN_FLAG, 0},
    {"max-embeddedpe", 0, K_IGN_ARG, 0},
    {"max-htmlnormalize", 0, K_SIZE64, F(limits.max_htmlnormalize)},
    {"max-htmlnotags", 0, K_SIZE64, F(limits.max_htmlnotags)},
    {"max-scriptnormalize", 0, K_SIZE64, F(limits.max_scriptnormalize)},
    {"max-ziptypercg", 0, K_IGN_ARG, 0},
    {"max-partitions", 0, K_IGN_ARG, 0},
    {"max-iconspe", 0, K_IGN_ARG, 0},
    {"max-rechwp3", 0, K_IGN_ARG, 0},
    {"pcre-match-limit", 0, K_IGN_ARG, 0},
    {"pcre-recmatch-limit", 0, K_IGN_ARG, 0},
    {"pcre-max-filesize", 0, K_IGN_ARG, 0},
    {"disable-cache", 0, K_IGN_FLAG, 0},
};

#define NOPTS (sizeof optdefs / sizeof optdefs[0])

/* The parser's working state: where errors go and which single-valued
 * options already have their (first, winning) value. */
struct parser {
    struct scan_options *o;
    char *err;
    size_t errlen;
    bool seen[NOPTS];
    int argc;
    char **argv;
    int i; /* index of the word being parsed */
};

static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Writes "--name (-c)" or "--name", the way clamscan names an option in its
 * messages. */
static const char *display_name(const struct optdef *d, char *buf, size_t len)
{
    if (d->shortc)
        snprintf(buf, len, "--%s (-%c)", d->name, d->shortc);
    else
        snprintf(buf, len, "--%s", d->name);
    return buf;
}

static int warn(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds one warning line; running out of memory is an error, not a lost
 * warning. */
static int warn(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return fail(p, "ERROR: out of memory");
    p->o->warnings.v[p->o->warnings.n++] = s;
    return 0;
}

int options_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "1"};
    static const char *const no[] = {"no", "false", "0"};
    size_t k;

    for (k = 0; k < 3; k++) {
        if (!strcasecmp(s, yes[k])) {
            *out = true;
            return 0;
        }
        if (!strcasecmp(s, no[k])) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* Multiplies v by the suffix's power of 1024, saturating; returns 1 when it
 * saturated. */
static int apply_suffix(int64_t *v, char suffix)
{
    int shift = 0;

    switch (suffix) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return 0;
    }
    if (*v > (INT64_MAX >> shift)) {
        *v = INT64_MAX;
        return 1;
    }
    *v <<= shift;
    return 0;
}

int options_number(const char *s, bool allow_suffix, int64_t *out)
{
    size_t n = strspn(s, "0123456789");
    char suffix = s[n];
    int base = 10, over = 0;
    int64_t v = 0;
    size_t k, start = 0;

    if (n == 0 || (suffix && (!allow_suffix || s[n + 1] || !strchr("kKmMgG", suffix))))
        return -1;
    if (n > 1 && s[0] == '0') {
        base = 8;
        start = 1;
    }
    for (k = start; k < n; k++) {
        int digit = s[k] - '0';
        if (digit >= base)
            return -2;
        if (!over && v > (INT64_MAX - digit) / base)
            over = 1;
        v = over ? INT64_MAX : v * base + digit;
    }
    if (!over)
        over = apply_suffix(&v, suffix);
    *out = v;
    return over;
}

/* Finds a long option by exact name or unique prefix. Returns NULL and sets
 * *ambiguous when several options start with the given text. */
static const struct optdef *find_long(const char *name, size_t len, bool *ambiguous)
{
    const struct optdef *hit = NULL;
    size_t k;

    *ambiguous = false;
    for (k = 0; k < NOPTS; k++) {
        if (strncmp(optdefs[k].name, name, len))
            continue;
        if (optdefs[k].name[len] == '\0')
            return &optdefs[k];
        if (hit)
            *ambiguous = true;
        hit = &optdefs[k];
    }
    return *ambiguous ? NULL : hit;
}

static const struct optdef *find_short(char c)
{
    size_t k;

    for (k = 0; k < NOPTS; k++)
        if (optdefs[k].shortc == c)
            return &optdefs[k];
    return NULL;
}

static bool takes_arg(const struct optdef *d)
{
    return d->kind != K_FLAG && d->kind != K_PROGRESS && d->kind != K_IGN_FLAG;
}

/* Warns once per option that vigil accepts it but has no such feature yet. */
static int ignored(struct parser *p, const struct optdef *d)
{
    size_t k = (size_t)(d - optdefs);

    if (p->seen[k])
        return 0;
    p->seen[k] = true;
    return warn(p, "Ignoring option --%s: it has no effect in vigil yet", d->name);
}

/* Stores a number option's first value, as clamscan keeps the first. */
static int set_number(struct parser *p, const struct optdef *d, const char *val)
{
    char nm[64];
    int64_t v;
    int rc = options_number(val, d->kind == K_SIZE64, &v);
    char *field = (char *)p->o + d->off;
    size_t k = (size_t)(d - optdefs);

    if (rc == -1)
        return fail(p, "ERROR: Incorrect argument format for option %s",
                    display_name(d, nm, sizeof nm));
    if (rc == -2)
        return fail(p, "ERROR: Can't parse numerical argument for option %s",
                    display_name(d, nm, sizeof nm));
    if (rc == 1 && warn(p, "Numerical value for option %s too high, resetting to %lld",
                        d->name, (long long)INT64_MAX))
        return -1;
    if (p->seen[k])
        return 0;
    p->seen[k] = true;
    if (d->kind == K_SIZE64)
        *(uint64_t *)(void *)field = (uint64_t)v;
    else
        *(uint32_t *)(void *)field = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    return 0;
}

/* Checks the values that are numbers with a fixed range. */
static int set_ranged(struct parser *p, const struct optdef *d, const char *val)
{
    char nm[64];
    int64_t v;
    int rc = options_number(val, false, &v);
    size_t k = (size_t)(d - optdefs);
    char *field = (char *)p->o + d->off;

    if (rc < 0)
        return fail(p, "ERROR: Incorrect argument format for option %s",
                    display_name(d, nm, sizeof nm));
    if (d->kind == K_FOLLOW && (rc != 0 || v > FOLLOW_ALWAYS))
        return fail(p, "ERROR: --%s: Invalid argument", d->name);
    if (d->kind == K_JOBS && (rc != 0 || v < 1 || v > OPTIONS_MAX_JOBS))
        return fail(p, "ERROR: --%s: Invalid argument (use 1 to %d)", d->name,
                    OPTIONS_MAX_JOBS);
    if (p->seen[k])
        return 0;
    p->seen[k] = true;
    if (d->kind == K_FOLLOW)
        *(enum follow *)(void *)field = (enum follow)v;
    else
        *(unsigned *)(void *)field = (unsigned)v;
    return 0;
}

/* Applies a flag; val is NULL for the bare form. */
static int set_flag(struct parser *p, const struct optdef *d, const char *val)
{
    char nm[64];
    bool b = true;
    char *field = (char *)p->o + d->off;

    if (val && options_bool(val, &b))
        return fail(p, "ERROR: Incorrect argument format for option %s",
                    display_name(d, nm, sizeof nm));
    if (d->kind == K_IGN_FLAG)
        return ignored(p, d);
    if (d->kind == K_PROGRESS)
        *(enum progress_mode *)(void *)field = b ? PROGRESS_ON : PROGRESS_OFF;
    else
        *(bool *)(void *)field = b;
    return 0;
}

/* Applies an option that takes a value. */
static int set_value(struct parser *p, const struct optdef *d, const char *val)
{
    char nm[64];
    size_t k = (size_t)(d - optdefs);
    char *field = (char *)p->o + d->off;
    struct strlist *l;

    switch (d->kind) {
    case K_SIZE64:
    case K_NUM32:
        return set_number(p, d, val);
    case K_FOLLOW:
    case K_JOBS:
        return set_ranged(p, d, val);
    case K_IGN_ARG:
        return ignored(p, d);
    default:
        break;
    }
    if (!*val)
        return fail(p, "ERROR: Option %s requires a non-empty string argument",
                    display_name(d, nm, sizeof nm));
    if (d->kind == K_LIST) {
        l = (struct strlist *)(void *)field;
        l->v[l->n++] = val;
    } else if (!p->seen[k]) {
        p->seen[k] = true;
        *(const char **)(void *)field = val;
    }
    return 0;
}

/* Parses one "--name[=value]" word, taking the next word as the value of an
 * option that needs one. */
static int parse_long(struct parser *p, const char *word)
{
    const char *body = word + 2;
    const char *eq = strchr(body, '=');
    size_t len = eq ? (size_t)(eq - body) : strlen(body);
    bool ambiguous;
    const struct optdef *d = find_long(body, len, &ambiguous);

    if (ambiguous)
        return fail(p, "vigil: option `%.*s' is ambiguous\nERROR: Unknown option passed",
                    (int)(len + 2), word);
    if (!d)
        return fail(p, "vigil: unrecognized option `%s'\nERROR: Unknown option passed",
                    word);
    if (!takes_arg(d))
        return set_flag(p, d, eq ? eq + 1 : NULL);
    if (eq)
        return set_value(p, d, eq + 1);
    if (p->i + 1 >= p->argc)
        return fail(p,
                    "vigil: option `--%s' requires an argument\n"
                    "ERROR: Incomplete option passed (missing argument)",
                    d->name);
    return set_value(p, d, p->argv[++p->i]);
}

/* Parses one cluster of short options such as "-rio" or "-dfile". */
static int parse_short(struct parser *p, const char *word)
{
    const char *c;
    const struct optdef *d;

    for (c = word + 1; *c; c++) {
        d = find_short(*c);
        if (!d)
            return fail(p, "vigil: illegal option -- %c\nERROR: Unknown option passed",
                        *c);
        if (!takes_arg(d)) {
            if (set_flag(p, d, NULL))
                return -1;
            continue;
        }
        if (c[1])
            return set_value(p, d, c + 1);
        if (p->i + 1 >= p->argc)
            return fail(p,
                        "vigil: option requires an argument -- %c\n"
                        "ERROR: Incomplete option passed (missing argument)",
                        *c);
        return set_value(p, d, p->argv[++p->i]);
    }
    return 0;
}

/* Sets clamscan's defaults and sizes every list for argc entries. */
static int init_defaults(struct scan_options *o, int argc)
{
    struct strlist *lists[] = {&o->databases, &o->exclude,     &o->exclude_dir,
                               &o->include,   &o->include_dir, &o->paths,
                               &o->yara};
    size_t k, slots = (size_t)(argc > 0 ? argc : 1) + 1;

    memset(o, 0, sizeof *o);
    o->cross_fs = true;
    o->scan_mail = true;
    o->scan_ole2 = true;
    o->scan_onenote = true;
    o->scan_pe = true;
    o->scan_elf = true;
    o->scan_html = true;
    o->scan_archive = true;
    o->progress = PROGRESS_AUTO;
    o->follow_dir = FOLLOW_DIRECT;
    o->follow_file = FOLLOW_DIRECT;
    o->max_dir_recursion = 15;
    o->scan_pdf = true;
    vigil_limits_default(&o->limits);
    for (k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        lists[k]->v = calloc(slots, sizeof(char *));
        if (!lists[k]->v)
            return -1;
    }
    /* Each word adds at most one warning. */
    o->warnings.v = calloc(slots, sizeof(char *));
    return o->warnings.v ? 0 : -1;
}

int options_parse(struct scan_options *o, int argc, char **argv, char *err, size_t errlen)
{
    struct parser p = {.o = o, .err = err, .errlen = errlen, .argc = argc, .argv = argv};
    bool ended = false;
    const char *w;
    int rc = 0;

    if (errlen)
        err[0] = '\0';
    if (init_defaults(o, argc))
        return fail(&p, "ERROR: out of memory");
    for (p.i = 1; p.i < argc && rc == 0; p.i++) {
        w = argv[p.i];
        if (!ended && !strcmp(w, "--"))
            ended = true;
        else if (ended || w[0] != '-' || w[1] == '\0')
            o->paths.v[o->paths.n++] = w;
        else if (w[1] == '-')
            rc = parse_long(&p, w);
        else
            rc = parse_short(&p, w);
    }
    return rc;
}

void options_free(struct scan_options *o)
{
    size_t k;

    if (o->warnings.v)
        for (k = 0; k < o->warnings.n; k++)
            free(o->warnings.v[k]);
    free(o->warnings.v);
    free(o->databases.v);
    free(o->exclude.v);
    free(o->exclude_dir.v);
    free(o->include.v);
    free(o->include_dir.v);
    free(o->paths.v);
    free(o->yara.v);
    memset(o, 0, sizeof *o);
}
