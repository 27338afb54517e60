/* walk.c - directory walk for the SCAN family (see walk.h).
 *
 * Follows clamav's common cli_ftw() as clamd 1.4 uses it: symbolic links are
 * skipped unless FollowFileSymlinks/FollowDirectorySymlinks, special files
 * are skipped silently below the top, directories deeper than
 * MaxDirectoryRecursion are skipped, ExcludePath (POSIX extended regular
 * expressions) is matched against each path. Files are opened here, in the
 * parent, and only their descriptors go to the workers.
 */
#include "daemon/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
    char *name;
    ino_t ino;
    bool is_dir;
};

struct level {
    char *path;
    struct entry *ents;
    size_t n, i;
};

struct walk {
    const struct conf *conf;
    struct level st[WALK_DEPTH_MAX];
    unsigned depth;
    char *cur; /* the path last returned */
    char err[512];
};

bool walk_excluded(const struct conf *c, const char *path)
{
    regex_t re;
    size_t k;
    bool hit = false;

    for (k = 0; k < c->exclude_path.n && !hit; k++) {
        if (regcomp(&re, c->exclude_path.v[k], REG_EXTENDED | REG_NOSUB) != 0)
            continue;
        hit = regexec(&re, path, 0, NULL, 0) == 0;
        regfree(&re);
    }
    return hit;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->is_dir != y->is_dir)
        return x->is_dir ? 1 : -1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void level_free(struct level *l)
{
    size_t k;

    for (k = 0; k < l->n; k++)
        free(l->ents[k].name);
    free(l->ents);
    free(l->path);
    memset(l, 0, sizeof(*l));
}

/* Reads a directory's entries and sorts them as cli_ftw does. */
static int level_read(struct level *l, const char *path)
{
    struct dirent *de;
    struct entry *e;
    size_t cap = 0;
    DIR *d;

    memset(l, 0, sizeof(*l));
    if (!(l->path = strdup(path)) || !(d = opendir(path)))
        return -1;
    while ((de = readdir(d)) && l->n < WALK_DIR_ENTRIES_MAX) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (l->n == cap) {
            cap = cap ? cap * 2 : 32;
            if (!(e = realloc(l->ents, cap * sizeof(*e))))
                break;
            l->ents = e;
        }
        e = &l->ents[l->n];
        if (!(e->name = strdup(de->d_name)))
            break;
        e->ino = de->d_ino;
        e->is_dir = de->d_type == DT_DIR;
        l->n++;
    }
    closedir(d);
    if (l->n)
        qsort(l->ents, l->n, sizeof(*l->ents), entry_cmp);
    return 0;
}

struct walk *walk_new(const struct conf *c, const char *dir)
{
    struct walk *w = calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->conf = c;
    if (level_read(&w->st[0], dir) != 0)
        level_free(&w->st[0]); /* an unreadable top is an empty walk */
    w->depth = 1;
    return w;
}

void walk_free(struct walk *w)
{
    if (!w)
        return;
    while (w->depth)
        level_free(&w->st[--w->depth]);
    free(w->cur);
    free(w);
}

/* What to do with one path: regular file, directory to enter, or skip. */
static enum walk_item visit(struct walk *w, const char *path, int *fd, const char **err)
{
    bool follow_dir = w->conf->follow_dir_symlinks, follow_file = w->conf->follow_file_symlinks;
    struct stat st;

    if (lstat(path, &st) != 0)
        return WALK_END;
    if (S_ISLNK(st.st_mode)) {
        if ((!follow_dir && !follow_file) || stat(path, &st) != 0)
            return WALK_END;
        if ((S_ISDIR(st.st_mode) && !follow_dir) || (S_ISREG(st.st_mode) && !follow_file))
            return WALK_END;
    }
    if (S_ISDIR(st.st_mode)) {
        if (w->depth >= WALK_DEPTH_MAX || w->depth > w->conf->max_dir_recursion)
            return WALK_END;
        if (level_read(&w->st[w->depth], path) != 0) {
            level_free(&w->st[w->depth]);
            return WALK_END;
        }
        w->depth++;
        return WALK_END;
    }
    if (!S_ISREG(st.st_mode))
        return WALK_END;
    if (st.st_size == 0)
        return WALK_EMPTY;
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (*fd < 0) {
        snprintf(w->err, sizeof(w->err), "%s",
                 errno == EACCES ? "Access denied. ERROR" : strerror(errno));
        if (errno != EACCES)
            strncat(w->err, ". ERROR", sizeof(w->err) - strlen(w->err) - 1);
        *err = w->err;
        return WALK_ERROR;
    }
    return WALK_FILE;
}

enum walk_item walk_next(struct walk *w, const char **path, int *fd, const char **err)
{
    enum walk_item it;
    struct level *l;
    char *p;

    *fd = -1;
    while (w->depth) {
        l = &w->st[w->depth - 1];
        if (l->i >= l->n) {
            level_free(l);
            w->depth--;
            continue;
        }
        if (asprintf(&p, "%s/%s", l->path, l->ents[l->i++].name) < 0)
            return WALK_END;
        free(w->cur);
        w->cur = p;
        *path = p;
        if (walk_excluded(w->conf, p)) {
            *err = "Excluded";
            return WALK_EXCLUDED;
        }
        it = visit(w, p, fd, err);
        if (it != WALK_END)
            return it;
    }
    return WALK_END;
}
