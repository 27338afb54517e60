/* actions.c - --move, --copy and --remove (see actions.h).
 *
 * clamscan 1.4.6's messages, measured: "path: moved to 'dest'", "path:
 * copied to 'dest'", "path: Removed.", each with " (real path: 'real')"
 * after path when the resolved path differs; failures are ERROR lines such
 * as "Can't remove file 'path'" (a reason only after a failed unlink; the
 * --json object always has one).
 * A move links the file into the quarantine directory and unlinks the
 * original (as clamscan); across file systems it copies, then unlinks.
 */
#include "cli/actions.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* clamscan's ".001" ... ".999" suffixes for names already taken. */
#define ACTIONS_MAX_SUFFIX 999

int actions_setup(struct actions *a, const struct scan_options *o, char *err,
                  size_t errlen)
{
    const char *dir = o->move_dir ? o->move_dir : o->copy_dir;
    struct stat st;

    memset(a, 0, sizeof *a);
    if (o->move_dir)
        a->kind = ACTION_MOVE;
    else if (o->copy_dir)
        a->kind = ACTION_COPY;
    else if (o->remove)
        a->kind = ACTION_REMOVE;
    if (!dir)
        return 0;
    a->dir = realpath(dir, NULL);
    if (!a->dir || stat(a->dir, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "'%s' doesn't exist or is not a directory",
                 a->dir ? a->dir : dir);
        return -1;
    }
    if (access(a->dir, W_OK | X_OK)) {
        snprintf(err, errlen, "Can't write to quarantine directory '%s': %s", a->dir,
                 strerror(errno));
        return -1;
    }
    return 0;
}

void actions_free(struct actions *a)
{
    free(a->dir);
    a->dir = NULL;
}

const char *actions_verb(const struct actions *a)
{
    switch (a->kind) {
    case ACTION_MOVE:
        return "moved to";
    case ACTION_COPY:
        return "copied to";
    case ACTION_REMOVE:
        return "Removed.";
    default:
        return "";
    }
}

void action_result_free(struct action_result *r)
{
    free(r->real);
    free(r->target);
    r->real = r->target = NULL;
}

/* "'path'" or "'path' (real path: 'real')", clamscan's way to name a file
 * in an error. */
static const char *quoted(const struct action_result *r, const char *path, char *buf,
                          size_t len)
{
    if (r->real && strcmp(r->real, path))
        snprintf(buf, len, "'%s' (real path: '%s')", path, r->real);
    else
        snprintf(buf, len, "'%s'", path);
    return buf;
}

static void failed(struct action_result *r, int err, bool with_reason, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Records a failure. The ERROR line carries the reason only where clamscan's
 * does (after an unlink); --json always gets it. */
static void failed(struct action_result *r, int err, bool with_reason, const char *fmt,
                   ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    r->reason = err ? strerror(err) : "the file changed after it was scanned";
    n = strlen(r->msg);
    if (with_reason)
        snprintf(r->msg + n, sizeof r->msg - n, ": %s", r->reason);
    r->ok = false;
}

/* Whether the path still names the file that was scanned. */
static bool same_file(const char *path, const struct stat *st)
{
    struct stat now;

    return lstat(path, &now) == 0 && S_ISREG(now.st_mode) && now.st_dev == st->st_dev &&
           now.st_ino == st->st_ino;
}

/* Copies the scanned bytes from fd into a new file dest, which must not
 * exist. As clamscan, the copy is private to the scanning user (mode 0600,
 * so a quarantined program is not left executable) and keeps the original
 * times. Returns 0 or an errno. */
static int copy_out(int fd, const struct stat *st, const char *dest)
{
    char buf[65536];
    off_t off = 0;
    ssize_t n;
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    int out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    int err = 0;

    if (out < 0)
        return errno;
    while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            err = errno ? errno : EIO;
            break;
        }
        off += n;
    }
    if (n < 0)
        err = errno;
    if (!err && (fchmod(out, 0600) || futimens(out, times)))
        err = errno;
    if (close(out) && !err)
        err = errno;
    if (err)
        unlink(dest);
    return err;
}

/* Puts the file at r->real into the quarantine directory under the base
 * name of its resolved path (as clamscan: a link is filed under the name of
 * its target), adding the first free numeric suffix. */
static int place(const struct actions *a, int fd, const struct stat *st,
                 struct action_result *r, bool *linked)
{
    char *copy = strdup(r->real), *dest = NULL;
    const char *base = copy ? basename(copy) : "file";
    int n, err = EEXIST;

    for (n = 0; n <= ACTIONS_MAX_SUFFIX && err == EEXIST; n++) {
        free(dest);
        dest = NULL;
        if ((n ? asprintf(&dest, "%s/%s.%03d", a->dir, base, n)
               : asprintf(&dest, "%s/%s", a->dir, base)) < 0) {
            dest = NULL;
            err = ENOMEM;
            break;
        }
        err = 0;
        *linked =
            a->kind == ACTION_MOVE && linkat(AT_FDCWD, r->real, AT_FDCWD, dest, 0) == 0;
        if (*linked)
            break;
        if (a->kind == ACTION_MOVE && errno != EXDEV && errno != EPERM)
            err = errno;
        else
            err = copy_out(fd, st, dest);
    }
    free(copy);
    if (!err)
        r->target = dest;
    else
        free(dest);
    return err;
}

static void move_or_copy(const struct actions *a, const char *path, int fd,
                         const struct stat *st, struct action_result *r)
{
    const char *what = a->kind == ACTION_MOVE ? "move" : "copy";
    char q[2200];
    bool linked = false;
    int err = place(a, fd, st, r, &linked);

    if (err) {
        failed(r, err, false, "Can't %s file %s to '%s'", what,
               quoted(r, path, q, sizeof q), a->dir);
        return;
    }
    if (a->kind == ACTION_MOVE && unlink(r->real)) {
        failed(r, errno, true, "Can't unlink %s after %s", quoted(r, path, q, sizeof q),
               linked ? "linking into quarantine" : "copy");
        return;
    }
    r->ok = true;
}

void actions_apply(const struct actions *a, const char *path, int fd,
                   const struct stat *st, struct action_result *r)
{
    char q[2200];

    memset(r, 0, sizeof *r);
    r->real = realpath(path, NULL);
    if (!r->real || !same_file(r->real, st)) {
        failed(r, r->real ? 0 : errno, false, "Can't %s file %s",
               a->kind == ACTION_REMOVE ? "remove"
               : a->kind == ACTION_MOVE ? "move"
                                        : "copy",
               quoted(r, path, q, sizeof q));
        return;
    }
    if (a->kind != ACTION_REMOVE) {
        move_or_copy(a, path, fd, st, r);
        return;
    }
    if (unlink(r->real)) {
        failed(r, errno, false, "Can't remove file %s", quoted(r, path, q, sizeof q));
        return;
    }
    r->ok = true;
}
