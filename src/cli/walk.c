/* walk.c - command-line paths to jobs, with clamscan 1.4.6's rules.
 *
 * Measured against clamscan 1.4.6:
 * - A directory named without -r has its files scanned, not its
 *   subdirectories; with -r, everything down to --max-dir-recursion (15),
 *   the named directory being level 1.
 * - Inside a walk, FIFOs, sockets and devices are skipped silently, and so
 *   are entries that vanish before lstat. Named on the command line they are
 *   "Not supported file type" (a FIFO named there is never opened).
 * - Symlinks named on the command line are followed (policy 1, "direct");
 *   found while walking they are "Symbolic link" unless the policy is 2. A
 *   dangling one is skipped silently on the command line, and while walking
 *   when either policy is 2; a link to anything but a file or a directory is
 *   always "Symbolic link".
 * - --cross-fs=no reports entries on another device as "Excluded".
 * Beyond clamscan: a directory that is already on the current path (a
 * symlink or bind mount loop) is not entered again.
 */
#include "cli/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compile_list(struct walk_regexes *r, const struct strlist *src,
                        const char *opt, char *err, size_t errlen)
{
    char msg[256];
    size_t k;
    int rc;

    if (!src->n)
        return 0;
    r->re = calloc(src->n, sizeof *r->re);
    if (!r->re) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (k = 0; k < src->n; k++) {
        rc = regcomp(&r->re[k], src->v[k], REG_EXTENDED | REG_NOSUB);
        if (rc) {
            regerror(rc, &r->re[k], msg, sizeof msg);
            snprintf(err, errlen, "Invalid regular expression '%s' for option --%s: %s",
                     src->v[k], opt, msg);
            return -1;
        }
        r->n++;
    }
    return 0;
}

int walk_init(struct walker *w, const struct scan_options *o, walk_emit_fn emit,
              void *ctx, char *err, size_t errlen)
{
    struct stat st;

    memset(w, 0, sizeof *w);
    w->o = o;
    w->emit = emit;
    w->ctx = ctx;
    /* As clamscan: /proc is recognised by its zero size. */
    if (stat("/proc", &st) == 0 && st.st_size == 0) {
        w->have_proc = true;
        w->proc_dev = st.st_dev;
    }
    if (compile_list(&w->exclude, &o->exclude, "exclude", err, errlen) ||
        compile_list(&w->include, &o->include, "include", err, errlen) ||
        compile_list(&w->exclude_dir, &o->exclude_dir, "exclude-dir", err, errlen) ||
        compile_list(&w->include_dir, &o->include_dir, "include-dir", err, errlen))
        return -1;
    return 0;
}

static void free_list(struct walk_regexes *r)
{
    size_t k;

    for (k = 0; k < r->n; k++)
        regfree(&r->re[k]);
    free(r->re);
    r->re = NULL;
    r->n = 0;
}

void walk_free(struct walker *w)
{
    free_list(&w->exclude);
    free_list(&w->include);
    free_list(&w->exclude_dir);
    free_list(&w->include_dir);
}

static bool any_match(const struct walk_regexes *r, const char *s)
{
    size_t k;

    for (k = 0; k < r->n; k++)
        if (regexec(&r->re[k], s, 0, NULL, 0) == 0)
            return true;
    return false;
}

/* True when an exclude pattern matches or include patterns exist and none
 * matches. */
static bool filtered(const struct walk_regexes *ex, const struct walk_regexes *in,
                     const char *s)
{
    if (any_match(ex, s))
        return true;
    return in->n && !any_match(in, s);
}

static void note(struct walker *w, const char *path, enum note n, int err)
{
    struct job *j = job_new_note(path, n, err);

    if (!j) {
        w->lost++;
        return;
    }
    w->emit(w->ctx, j);
}

/* File patterns see the resolved absolute path, as in clamscan. */
static bool file_filtered(struct walker *w, const char *path)
{
    char *real;
    bool hit;

    if (!w->exclude.n && !w->include.n)
        return false;
    real = realpath(path, NULL);
    hit = filtered(&w->exclude, &w->include, real ? real : path);
    free(real);
    return hit;
}

/* Opens for reading without touching the access time where the kernel
 * allows it (only the owner or root may ask for that). */
static int open_file(int dfd, const char *name, bool nofollow)
{
    int flags =
        O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (nofollow ? O_NOFOLLOW : 0);
    int fd = openat(dfd, name, flags | O_NOATIME);

    if (fd < 0 && errno == EPERM)
        fd = openat(dfd, name, flags);
    return fd;
}

/* A regular file: the checks clamscan makes in its order (/proc, patterns,
 * empty), then open and re-check that it is still a regular file. */
static void walk_file(struct walker *w, int dfd, const char *name, const char *path,
                      const struct stat *st, bool nofollow)
{
    struct stat fst;
    struct job *j;
    int fd;

    if (w->have_proc && st->st_dev == w->proc_dev) {
        note(w, path, NOTE_EXCLUDED_PROC, 0);
        return;
    }
    if (file_filtered(w, path)) {
        note(w, path, NOTE_EXCLUDED, 0);
        return;
    }
    if (st->st_size == 0) {
        note(w, path, NOTE_EMPTY, 0);
        return;
    }
    fd = open_file(dfd, name, nofollow);
    if (fd < 0) {
        note(w, path, errno == EACCES ? NOTE_ACCESS_DENIED : NOTE_CANT_OPEN_FILE, errno);
        return;
    }
    if (fstat(fd, &fst) || !S_ISREG(fst.st_mode)) {
        close(fd);
        note(w, path, NOTE_CANT_OPEN_FILE, 0);
        return;
    }
    j = job_new_scan(path, fd, &fst);
    if (!j) {
        w->lost++;
        return;
    }
    w->emit(w->ctx, j);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool slash = a && dir[a - 1] == '/';
    char *p = malloc(a + b + 2);

    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (!slash)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

static bool on_stack(const struct walker *w, const struct stat *st)
{
    size_t k;

    for (k = 0; k < w->depth; k++)
        if (w->stack[k].dev == st->st_dev && w->stack[k].ino == st->st_ino)
            return true;
    return false;
}

static void walk_entries(struct walker *w, DIR *dp, const char *path, unsigned depth);

/* A directory at the given depth (the named one is 1), opened relative to
 * dfd. Patterns and the depth limit come first, as in clamscan. */
static void walk_dir(struct walker *w, int dfd, const char *name, const char *path,
                     unsigned depth, bool nofollow)
{
    int flags =
        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0);
    struct stat st;
    DIR *dp;
    int fd;

    if (filtered(&w->exclude_dir, &w->include_dir, path)) {
        note(w, path, NOTE_EXCLUDED, 0);
        return;
    }
    if (depth > w->o->max_dir_recursion || w->depth >= WALK_MAX_DEPTH)
        return;
    fd = openat(dfd, name, flags);
    if (fd < 0) {
        note(w, path, NOTE_CANT_OPEN_DIR, errno);
        return;
    }
    if (fstat(fd, &st)) {
        note(w, path, NOTE_CANT_OPEN_DIR, errno);
        close(fd);
        return;
    }
    if (on_stack(w, &st)) {
        close(fd);
        note(w, path, NOTE_LOOP, 0);
        return;
    }
    dp = fdopendir(fd);
    if (!dp) {
        close(fd);
        note(w, path, NOTE_CANT_OPEN_DIR, errno);
        return;
    }
    w->dirs++;
    w->stack[w->depth].dev = st.st_dev;
    w->stack[w->depth].ino = st.st_ino;
    w->depth++;
    walk_entries(w, dp, path, depth);
    w->depth--;
    closedir(dp);
}

/* A symlink found while walking, under the two --follow policies. */
static void walk_link(struct walker *w, int dfd, const char *name, const char *path,
                      unsigned depth)
{
    const struct scan_options *o = w->o;
    struct stat t;

    if (fstatat(dfd, name, &t, 0)) {
        if (o->follow_dir != FOLLOW_ALWAYS && o->follow_file != FOLLOW_ALWAYS)
            note(w, path, NOTE_SYMLINK, 0);
    } else if (S_ISDIR(t.st_mode) && o->follow_dir == FOLLOW_ALWAYS) {
        if (o->recursive)
            walk_dir(w, dfd, name, path, depth + 1, false);
    } else if (S_ISREG(t.st_mode) && o->follow_file == FOLLOW_ALWAYS) {
        walk_file(w, dfd, name, path, &t, false);
    } else {
        note(w, path, NOTE_SYMLINK, 0);
    }
}

/* One directory entry: lstat it and dispatch on its type. */
static void walk_entry(struct walker *w, int dfd, const char *name, const char *path,
                       unsigned depth)
{
    struct stat st;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
        return;
    if (!w->o->cross_fs && st.st_dev != w->top_dev) {
        note(w, path, NOTE_EXCLUDED, 0);
        return;
    }
    if (S_ISLNK(st.st_mode))
        walk_link(w, dfd, name, path, depth);
    else if (S_ISDIR(st.st_mode) && w->o->recursive)
        walk_dir(w, dfd, name, path, depth + 1, true);
    else if (S_ISREG(st.st_mode))
        walk_file(w, dfd, name, path, &st, true);
}

static void walk_entries(struct walker *w, DIR *dp, const char *path, unsigned depth)
{
    struct dirent *de;
    char *child;

    while ((de = readdir(dp))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        child = join(path, de->d_name);
        if (!child) {
            w->lost++;
            continue;
        }
        walk_entry(w, dirfd(dp), de->d_name, child, depth);
        free(child);
    }
}

static void walk_top_dir(struct walker *w, const char *path, const struct stat *st,
                         bool nofollow)
{
    w->top_dev = st->st_dev;
    w->depth = 0;
    walk_dir(w, AT_FDCWD, path, path, 1, nofollow);
}

/* A symlink named on the command line: followed under policy 1 or 2. */
static void walk_top_link(struct walker *w, const char *path)
{
    struct stat t;

    if (stat(path, &t))
        return;
    if (S_ISDIR(t.st_mode)) {
        if (w->o->follow_dir >= FOLLOW_DIRECT)
            walk_top_dir(w, path, &t, false);
        else
            note(w, path, NOTE_SYMLINK, 0);
    } else if (S_ISREG(t.st_mode)) {
        if (w->o->follow_file >= FOLLOW_DIRECT)
            walk_file(w, AT_FDCWD, path, path, &t, false);
        else
            note(w, path, NOTE_SYMLINK, 0);
    } else {
        note(w, path, NOTE_NOT_SUPPORTED, 0);
    }
}

void walk_operand(struct walker *w, const char *arg)
{
    struct stat st;
    size_t len;
    char *path = NULL;

    /* The path is checked as given ("file/" is "Not a directory"), then
     * printed without its trailing slashes, as clamscan does. */
    if (lstat(arg, &st)) {
        note(w, arg, NOTE_CANT_ACCESS, errno);
        return;
    }
    path = strdup(arg);
    if (!path) {
        w->lost++;
        return;
    }
    for (len = strlen(path); len > 1 && path[len - 1] == '/'; len--)
        path[len - 1] = '\0';
    if (S_ISLNK(st.st_mode))
        walk_top_link(w, path);
    else if (S_ISREG(st.st_mode))
        walk_file(w, AT_FDCWD, path, path, &st, true);
    else if (S_ISDIR(st.st_mode))
        /* "link/" resolves the link: lstat saw the directory it names. */
        walk_top_dir(w, path, &st, strlen(path) == strlen(arg));
    else
        note(w, path, NOTE_NOT_SUPPORTED, 0);
    free(path);
}
