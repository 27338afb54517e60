/* yara.c - YARA rule files: read, compiled with libyara's compiler, kept as
 * one YR_RULES per engine.
 *
 * Follows `yara` 4.2's handling of rule files: every file goes into the
 * namespace "default" (so rule names are unique across files and global
 * rules apply to all of them, as when several files are given to `yara`),
 * and `include "x"` is resolved relative to the including file. Unlike
 * `yara`, an include must stay inside the directory of the top-level rule
 * file (checked on the real path, symbolic links resolved), and a rule file
 * or include larger than YARA_MAX_FILE is refused. Compiled rules from
 * elsewhere are never loaded: libyara's own documentation warns that they
 * can run code. vigil loads only the compiled form it wrote itself into the cache
 * directory (db/yara_cache.h), and refuses yarac's files with a message.
 *
 * The external variables filename, filepath, extension, filetype (strings)
 * and depth (integer) are declared for every rule; src/match/yara.c sets
 * them for each object. */
#include "db/yara.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <yara.h>

#include "core/engine.h"
#include "core/image_engine.h"
#include "db/yara_cache.h"
#include "db/yara_gate.h"

/* libyara's yr_initialize/yr_finalize keep a plain counter of users; engines
 * may be built and freed on different threads (a daemon's reload), so calls
 * are serialised here. */
static pthread_mutex_t yara_init_lock = PTHREAD_MUTEX_INITIALIZER;

static int yara_start(void)
{
    int rc;

    pthread_mutex_lock(&yara_init_lock);
    rc = yr_initialize();
    pthread_mutex_unlock(&yara_init_lock);
    return rc == ERROR_SUCCESS ? 0 : -1;
}

static void yara_stop(void)
{
    pthread_mutex_lock(&yara_init_lock);
    yr_finalize();
    pthread_mutex_unlock(&yara_init_lock);
}

/* libyara's compiled rules begin "YARA" and a binary version word; a rule
 * source cannot begin so (not a keyword, and no NUL in text). */
static int yara_is_compiled(const void *data, size_t len)
{
    return len >= 8 && memcmp(data, "YARA", 4) == 0 && memchr(data, '\0', 16 < len ? 16 : len);
}

enum vigil_cache_state vigil_engine_yara_cache_state(const vigil_engine *e)
{
    return e && e->yara.rules ? e->yara.cache_state : VIGIL_CACHE_OFF;
}

/* The names of all rules: "YARA." + an identifier of at most 128 bytes. */
#define YARA_MAX_NAME_BYTES ((size_t)1 << 30)

void yara_db_init(struct yara_db *y)
{
    memset(y, 0, sizeof *y);
    strtab_init(&y->names, YARA_MAX_NAME_BYTES);
}

static void yara_info_free(struct yara_db *y)
{
    for (uint32_t i = 0; y->info && i < y->nrules; i++) {
        free(y->info[i].tags);
        free(y->info[i].meta);
    }
    free(y->info);
    y->info = NULL;
    y->names.len = 0;
}

static void yara_warnings_free(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    free(w);
}

void yara_db_free(struct yara_db *y)
{
    yara_db_truncate(y, 0);
    free(y->src);
    yara_info_free(y);
    yara_gate_free(y->gate);
    yara_warnings_free(y->warnings, y->nwarnings);
    if (y->rules)
        yr_rules_destroy(y->rules);
    if (y->initialized)
        yara_stop();
    strtab_free(&y->names);
    memset(y, 0, sizeof *y);
}

void yara_db_truncate(struct yara_db *y, size_t n)
{
    while (y->n > n) {
        y->n--;
        free(y->src[y->n].path);
        free(y->src[y->n].text);
    }
}

vigil_status yara_db_add(struct vigil_engine *e, const char *path,
                         const void *data, size_t len)
{
    struct yara_db *y = &e->yara;
    struct yara_source s = {NULL, NULL, len, (uint32_t)e->ldb.n, 0, image_yara_step(e)};

    if (len > YARA_MAX_FILE)
        return engine_fail(e, VIGIL_EMALFORMED, "%s: rule file larger than %zu bytes",
                           path, YARA_MAX_FILE);
    if (yara_is_compiled(data, len))
        return engine_fail(e, VIGIL_EMALFORMED,
                           "%s: compiled YARA rules (yarac) are not loaded: they can run "
                           "code; give the rule source (vigil keeps its own compiled "
                           "form in the cache directory)",
                           path);
    if (!y->initialized) {
        if (yara_start() != 0)
            return engine_fail(e, VIGIL_ENOMEM, "%s: libyara does not start", path);
        y->initialized = 1;
    }
    if (y->n == y->cap) {
        size_t cap = y->cap ? y->cap * 2 : 8;
        struct yara_source *v = realloc(y->src, cap * sizeof *v);
        if (!v)
            return engine_fail(e, VIGIL_ENOMEM, "%s: out of memory", path);
        y->src = v;
        y->cap = cap;
    }
    s.path = strdup(path);
    s.text = malloc(len + 1);
    if (!s.path || !s.text) {
        free(s.path);
        free(s.text);
        return engine_fail(e, VIGIL_ENOMEM, "%s: out of memory", path);
    }
    if (len)
        memcpy(s.text, data, len);
    s.text[len] = '\0';
    y->src[y->n++] = s;
    return VIGIL_OK;
}

int yara_read_file(const char *path, char **out, size_t *len)
{
    struct stat sb;
    char *buf = NULL;
    size_t got = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err = 0;

    if (fd < 0)
        return errno;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        err = fd < 0 ? errno : EINVAL;
        goto out;
    }
    if ((uint64_t)sb.st_size > YARA_MAX_FILE) {
        err = EFBIG;
        goto out;
    }
    if (!(buf = malloc((size_t)sb.st_size + 1))) {
        err = ENOMEM;
        goto out;
    }
    while (got < (size_t)sb.st_size &&
           (r = read(fd, buf + got, (size_t)sb.st_size - got)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err = errno;
            goto out;
        }
        got += (size_t)r;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return err;
}

vigil_status yara_db_add_file(struct vigil_engine *e, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    vigil_status st;
    int err = yara_read_file(path, &text, &len);

    if (err == EFBIG)
        return engine_fail(e, VIGIL_EMALFORMED, "%s: rule file larger than %zu bytes",
                           path, YARA_MAX_FILE);
    if (err)
        return engine_fail(e, err == ENOMEM ? VIGIL_ENOMEM : VIGIL_EOPEN, "%s: %s", path,
                           err == EINVAL ? "not a regular file" : strerror(err));
    st = yara_db_add(e, path, text, len);
    free(text);
    return st;
}

/* ---- compiling -------------------------------------------------------- */

/* libyara's own checks for circular includes and include depth leak the
 * lexer's buffer on their error path, so the callback refuses those first. */
#define YARA_MAX_INCLUDE_CHAIN 15

struct ycompile {
    struct vigil_engine *e;
    const struct yara_source *top; /* the source being compiled */
    char top_real[PATH_MAX];       /* its real path */
    char root[PATH_MAX];           /* includes must stay under it; "" none */
    uint32_t srci;                 /* its index */
    struct yara_inc inc[YARA_MAX_INCLUDES];
    size_t ninc;
    int failed;
    char why[PATH_MAX + 64]; /* an include refused, for the error text */
    char **warnings;
    size_t nwarnings, lost;
};

static void ycompile_callback(int level, const char *file, int line,
                              const YR_RULE *rule, const char *msg, void *ud)
{
    struct ycompile *c = ud;
    char *w = NULL;

    (void)rule;
    if (level == YARA_ERROR_LEVEL_ERROR) {
        if (!c->failed)
            engine_fail(c->e, VIGIL_EMALFORMED, "%s:%d: %s", file ? file : c->top->path,
                        line, c->why[0] ? c->why : msg);
        c->failed = 1;
        return;
    }
    if (c->nwarnings == YARA_MAX_WARNINGS ||
        asprintf(&w, "%s:%d: %s", file ? file : c->top->path, line, msg) < 0) {
        c->lost++;
        return;
    }
    c->warnings[c->nwarnings++] = w;
}

void yara_dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* The file that holds calling: -1 for the top-level source, the index of an
 * include opened earlier, or -2 when unknown. */
static int ycaller(const struct ycompile *c, const char *calling)
{
    if (!calling || strcmp(calling, c->top->path) == 0)
        return -1;
    for (size_t i = c->ninc; i-- > 0;)
        if (strcmp(c->inc[i].name, calling) == 0)
            return (int)i;
    return -2;
}

/* Refuses real when it is already on the chain of includes that leads to
 * `from`, or when that chain is too long. Returns 0 or -1 with c->why. */
static int ychain_check(struct ycompile *c, int from, const char *real)
{
    int depth = 1; /* the level the new include would be at */

    if (strcmp(c->top_real, real) == 0)
        goto circular;
    for (int i = from; i >= 0; i = c->inc[i].parent, depth++)
        if (strcmp(c->inc[i].real, real) == 0)
            goto circular;
    if (depth <= YARA_MAX_INCLUDE_CHAIN)
        return 0;
    snprintf(c->why, sizeof c->why, "includes depth exceeded");
    return -1;
circular:
    snprintf(c->why, sizeof c->why, "includes circular reference");
    return -1;
}

/* Resolves an include against its includer and checks that it stays under
 * the rule directory. Returns the real path (malloc'd) or NULL with c->why. */
static char *yresolve(struct ycompile *c, const char *name, int from)
{
    char dir[PATH_MAX], path[2 * PATH_MAX + 2], *real;
    size_t rl = strlen(c->root);

    if (c->ninc == sizeof c->inc / sizeof c->inc[0]) {
        snprintf(c->why, sizeof c->why, "more than %zu includes",
                 sizeof c->inc / sizeof c->inc[0]);
        return NULL;
    }
    if (from == -2 || !c->root[0]) { /* rules from memory have no directory */
        snprintf(c->why, sizeof c->why, "include \"%s\" not allowed here", name);
        return NULL;
    }
    yara_dir_of(from < 0 ? c->top_real : c->inc[from].real, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", name[0] == '/' ? "" : dir, name);
    real = realpath(path, NULL);
    if (!real) {
        snprintf(c->why, sizeof c->why, "can't open include file: %s", name);
        return NULL;
    }
    if (strncmp(real, c->root, rl) != 0 || (real[rl] != '/' && rl > 1)) {
        snprintf(c->why, sizeof c->why,
                 "include \"%s\" is outside the rule directory %s", name, c->root);
        free(real);
        return NULL;
    }
    return real;
}

/* libyara's include callback: the text of the included file (freed by
 * yinclude_free), or NULL with the reason in c->why. */
static const char *yinclude_callback(const char *name, const char *calling,
                                     const char *ns, void *ud)
{
    struct ycompile *c = ud;
    char *real = NULL, *text = NULL, *copy = NULL;
    int from = ycaller(c, calling), err;
    size_t len;

    (void)ns;
    if (!(real = yresolve(c, name, from)))
        return NULL;
    if (ychain_check(c, from, real)) {
        free(real);
        return NULL;
    }
    if ((err = yara_read_file(real, &text, &len)) != 0 || !(copy = strdup(name))) {
        snprintf(c->why, sizeof c->why, "can't read include file %s: %s", name,
                 strerror(err ? err : ENOMEM));
        free(real);
        free(text);
        return NULL;
    }
    c->inc[c->ninc] = (struct yara_inc){copy, real, c->srci, from, {0}};
    EVP_Digest(text, len, c->inc[c->ninc].sha, NULL, EVP_sha256(), NULL);
    c->ninc++;
    return text;
}

static void yinclude_free(const char *text, void *ud)
{
    (void)ud;
    free((void *)(uintptr_t)text);
}

/* Declares the external variables the bridge sets for every object. */
static int ydefine_externals(YR_COMPILER *yc)
{
    static const char *const strs[] = {"filename", "filepath", "extension", "filetype"};

    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (yr_compiler_define_string_variable(yc, strs[i], "") != ERROR_SUCCESS)
            return -1;
    return yr_compiler_define_integer_variable(yc, "depth", 0) == ERROR_SUCCESS ? 0 : -1;
}

/* Adds one source to the compiler. Returns 0, or -1 with the error set. */
static int yadd_source(struct ycompile *c, YR_COMPILER *yc, const struct yara_source *s)
{
    FILE *f;
    int errors;
    char real[PATH_MAX];

    c->top = s;
    c->why[0] = '\0';
    c->root[0] = c->top_real[0] = '\0';
    if (realpath(s->path, real)) {
        yara_dir_of(real, c->root, sizeof c->root);
        snprintf(c->top_real, sizeof c->top_real, "%s", real);
    }
    if (s->len == 0)
        return 0; /* an empty rule file holds no rules; fmemopen refuses it */
    if (!(f = fmemopen(s->text, s->len, "r"))) {
        engine_fail(c->e, VIGIL_ENOMEM, "%s: out of memory", s->path);
        return -1;
    }
    errors = yr_compiler_add_file(yc, f, NULL, s->path);
    fclose(f);
    if (errors && !c->failed)
        engine_fail(c->e, VIGIL_EMALFORMED, "%s: does not compile", s->path);
    return errors ? -1 : 0;
}

static void ycompile_done(struct ycompile *c)
{
    for (size_t i = 0; i < c->ninc; i++) {
        free(c->inc[i].name);
        free(c->inc[i].real);
    }
    yara_warnings_free(c->warnings, c->nwarnings);
}

/* Compiles sources [0, n) into *out (rules, where each source ends, the
 * warnings). */
static vigil_status ybuild(struct ycompile *c, size_t n, struct yara_built *out)
{
    struct yara_db *y = &c->e->yara;
    YR_COMPILER *yc = NULL;
    vigil_status st = VIGIL_EMALFORMED;

    memset(out, 0, sizeof *out);
    c->warnings = calloc(YARA_MAX_WARNINGS, sizeof *c->warnings);
    out->rule_end = calloc(n ? n : 1, sizeof *out->rule_end);
    if (!c->warnings || !out->rule_end || yr_compiler_create(&yc) != ERROR_SUCCESS ||
        ydefine_externals(yc)) {
        st = engine_fail(c->e, VIGIL_ENOMEM, "YARA compiler: out of memory");
        goto out;
    }
    yr_compiler_set_callback(yc, ycompile_callback, c);
    yr_compiler_set_include_callback(yc, yinclude_callback, yinclude_free, c);
    for (size_t i = 0; i < n; i++) {
        c->srci = (uint32_t)i;
        if (yadd_source(c, yc, &y->src[i]))
            goto out;
        out->rule_end[i] = yc->next_rule_idx;
    }
    if (yr_compiler_get_rules(yc, &out->rules) != ERROR_SUCCESS) {
        out->rules = NULL;
        st = engine_fail(c->e, VIGIL_ENOMEM, "YARA compiler: out of memory");
        goto out;
    }
    out->warnings = c->warnings;
    out->nwarnings = c->nwarnings;
    out->lost = c->lost;
    c->warnings = NULL;
    c->nwarnings = 0;
    st = VIGIL_OK;
out:
    if (yc)
        yr_compiler_destroy(yc);
    if (st != VIGIL_OK)
        yara_built_free(out);
    return st;
}

/* Replaces the engine's rules with b, compiled from src[0, n) (b is
 * emptied). */
static void yadopt(struct yara_db *y, struct yara_built *b, size_t n)
{
    if (y->rules)
        yr_rules_destroy(y->rules);
    yara_warnings_free(y->warnings, y->nwarnings);
    for (size_t i = 0; i < n; i++)
        y->src[i].rule_end = b->rule_end[i];
    y->rules = b->rules;
    y->rules_n = n;
    y->nrules = b->rules->num_rules;
    y->warnings = b->warnings;
    y->nwarnings = b->nwarnings;
    y->lost_warnings = b->lost;
    b->rules = NULL;
    b->warnings = NULL;
    b->nwarnings = 0;
    yara_built_free(b);
}

/* Compiles sources [0, n), or takes them from the cache directory, which a
 * compile then fills. */
static vigil_status ycompile_cached(struct vigil_engine *e, size_t n, struct yara_built *b)
{
    struct ycompile c = {.e = e};
    int bad = 0;
    vigil_status st;

    if (e->cache_dir[0] && yara_cache_load(e, n, b, &bad)) {
        e->yara.cache_state = VIGIL_CACHE_HIT;
        return VIGIL_OK;
    }
    st = ybuild(&c, n, b);
    if (st == VIGIL_OK && e->cache_dir[0]) {
        if (yara_cache_save(e, n, b, c.inc, c.ninc) == 0)
            e->yara.cache_state = bad ? VIGIL_CACHE_REBUILT : VIGIL_CACHE_WRITTEN;
        else
            e->yara.cache_state = VIGIL_CACHE_UNWRITABLE;
    }
    ycompile_done(&c);
    return st;
}

vigil_status yara_db_check(struct vigil_engine *e)
{
    struct yara_db *y = &e->yara;
    struct yara_built b;
    uint32_t before = y->nrules;
    vigil_status st;

    if (y->n == y->rules_n)
        return VIGIL_OK;
    st = ycompile_cached(e, y->n, &b);
    if (st == VIGIL_OK) {
        yadopt(y, &b, y->n);
        e->nsigs = e->nsigs - before + y->nrules;
    }
    return st;
}

/* Fills one rule's report data: its detection name, tags and metadata (the
 * strings point into the rules, which live as long as the engine). */
static vigil_status yrule_info(struct vigil_engine *e, const YR_RULE *r,
                               struct yara_rule_info *ri)
{
    const char *tag;
    const YR_META *m;
    size_t nt = 0, nm = 0;
    char name[256];
    int n = snprintf(name, sizeof name, "YARA.%s", r->identifier);

    if (n < 0 || (size_t)n >= sizeof name ||
        strtab_add(&e->yara.names, name, (size_t)n, ".UNOFFICIAL", &ri->name) != VIGIL_OK)
        return VIGIL_ENOMEM;
    yr_rule_tags_foreach(r, tag) nt++;
    yr_rule_metas_foreach(r, m) nm++;
    ri->tags = nt ? calloc(nt, sizeof *ri->tags) : NULL;
    ri->meta = nm ? calloc(nm, sizeof *ri->meta) : NULL;
    if ((nt && !ri->tags) || (nm && !ri->meta))
        return VIGIL_ENOMEM;
    yr_rule_tags_foreach(r, tag) ri->tags[ri->ntags++] = tag;
    yr_rule_metas_foreach(r, m)
    {
        struct vigil_yara_meta *vm = &ri->meta[ri->nmeta++];
        vm->identifier = m->identifier;
        vm->type = (enum vigil_yara_meta_type)m->type;
        vm->integer = m->integer;
        vm->string = m->type == META_TYPE_STRING ? m->string : NULL;
    }
    return VIGIL_OK;
}

void yara_db_place(struct yara_db *y, const uint32_t *steps, size_t nsteps, size_t ldb_n)
{
    for (size_t i = 0; i < y->n; i++) {
        uint32_t k = y->src[i].step;
        size_t v;
        if (k == YARA_STEP_NONE)
            continue;
        v = k == 0 ? 0 : k <= nsteps ? steps[k - 1] : ldb_n;
        y->src[i].ldb_before = (uint32_t)(v < ldb_n ? v : ldb_n);
        y->src[i].step = YARA_STEP_NONE;
    }
}

vigil_status yara_db_compile(struct vigil_engine *e)
{
    struct yara_db *y = &e->yara;
    const YR_RULE *r;
    uint32_t i = 0;
    vigil_status st;

    if (y->n == 0 && !y->rules)
        return VIGIL_OK;
    if ((st = yara_db_check(e)) != VIGIL_OK)
        return st;
    yara_info_free(y);
    if (!(y->info = calloc(y->nrules ? y->nrules : 1, sizeof *y->info)))
        return engine_fail(e, VIGIL_ENOMEM, "YARA rules: out of memory");
    size_t src = 0;
    yr_rules_foreach(y->rules, r)
    {
        if (i == y->nrules || (st = yrule_info(e, r, &y->info[i])) != VIGIL_OK)
            return engine_fail(e, st == VIGIL_OK ? VIGIL_EINVAL : st,
                               "YARA rules: cannot index rule %s", r->identifier);
        while (src + 1 < y->rules_n && y->src[src].rule_end <= i)
            src++;
        y->info[i].order = y->rules_n ? y->src[src].ldb_before : 0;
        i++;
    }
    yara_gate_free(y->gate);
    y->gate = NULL;
    if ((st = yara_gate_build(e, &y->gate)) != VIGIL_OK)
        return engine_fail(e, st, "YARA rules: out of memory");
    for (size_t k = 0; k < y->nwarnings; k++)
        engine_log(e, VIGIL_LOG_INFO, "YARA: %s", y->warnings[k]);
    if (y->lost_warnings)
        engine_log(e, VIGIL_LOG_INFO, "YARA: %zu more compiler warnings",
                   y->lost_warnings);
    return VIGIL_OK;
}
