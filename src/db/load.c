/* load.c - which reader handles which file, and directories of databases.
 *
 * The extension decides the format, case-insensitively, as in ClamAV's
 * CLI_DBEXT list. Formats this version reads are loaded; ClamAV formats it
 * cannot read yet are refused when named alone, and skipped with one warning
 * each inside a directory (never silently); files with any other extension in
 * a directory are not databases and are passed over, as ClamAV does. In a
 * directory the ignore lists are read first, so they apply to every file of
 * it, then daily.cld/daily.cvd (whose own ignore lists must apply to the rest,
 * ClamAV's order), then the rest in name order (deterministic, unlike readdir
 * order). Of a .cvd and a .cld with the same stem only the newer is loaded.
 * Containers (.cvd .cld .cud) are read by db/cvd.c, YARA rules (.yar .yara,
 * or any file loaded with VIGIL_LOAD_YARA) by db/yara.c. While the engine
 * image is pending (core/image_engine.h), a directory is walked twice in
 * the same order: once for its YARA files (DB_LOAD_PLAN), once for the
 * rest (DB_LOAD_NO_YARA). */
#include "db/load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/image_engine.h"
#include "db/cdb.h"
#include "db/cvd.h"
#include "db/ftm.h"
#include "db/hdb.h"
#include "db/ign.h"
#include "db/ldb.h"
#include "db/mdb.h"
#include "db/lines.h"
#include "db/ndb.h"
#include "db/yara.h"
#include "io/source.h"

enum db_role {
    DB_HASH,        /* detection hashes */
    DB_ALLOW,       /* allow list */
    DB_IGNORE,      /* ignore list */
    DB_BODY,        /* body signatures, extended format (.ndb .sdb) */
    DB_BODY_LEGACY, /* body signatures, legacy format (.db) */
    DB_LOGICAL,     /* logical signatures (.ldb) */
    DB_FILETYPE,    /* file-type magic (.ftm) */
    DB_CONTAINER_META, /* container metadata signatures (.cdb) */
    DB_SECTION_HASH, /* PE section hashes (.mdb .msb) */
    DB_IMPORT_HASH, /* PE import table hashes (.imp) */
    DB_PUA,         /* PUA database: ClamAV loads it only with --detect-pua */
    DB_CONTAINER,   /* .cvd .cld .cud: db/cvd.c */
    DB_YARA,        /* YARA rules (.yar .yara): db/yara.c */
    DB_UNSUPPORTED, /* a ClamAV format this version does not read yet */
};

static const struct {
    const char *ext;
    enum db_role role;
} db_formats[] = {
    {".hdb", DB_HASH},         {".hsb", DB_HASH},         {".fp", DB_ALLOW},
    {".sfp", DB_ALLOW},        {".ign", DB_IGNORE},       {".ign2", DB_IGNORE},
    {".hdu", DB_PUA},          {".hsu", DB_PUA},          {".mdu", DB_PUA},
    {".msu", DB_PUA},          {".ndu", DB_PUA},          {".ldu", DB_PUA},
    {".cvd", DB_CONTAINER},    {".cld", DB_CONTAINER},    {".cud", DB_CONTAINER},
    {".db", DB_BODY_LEGACY},   {".ndb", DB_BODY},         {".sdb", DB_BODY},
    {".ldb", DB_LOGICAL},      {".mdb", DB_SECTION_HASH}, {".msb", DB_SECTION_HASH},
    {".imp", DB_IMPORT_HASH},  {".cdb", DB_CONTAINER_META},  {".ftm", DB_FILETYPE},
    {".idb", DB_UNSUPPORTED},  {".cbc", DB_UNSUPPORTED},  {".crb", DB_UNSUPPORTED},
    {".cat", DB_UNSUPPORTED},  {".pdb", DB_UNSUPPORTED},  {".gdb", DB_UNSUPPORTED},
    {".wdb", DB_UNSUPPORTED},  {".zmd", DB_UNSUPPORTED},  {".rmd", DB_UNSUPPORTED},
    {".cfg", DB_UNSUPPORTED},  {".ioc", DB_UNSUPPORTED},  {".pwdb", DB_UNSUPPORTED},
    {".yar", DB_YARA},         {".yara", DB_YARA}, {".info", DB_UNSUPPORTED},
};

/* Returns the index of name's format in db_formats, or -1. */
static int db_format(const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof db_formats / sizeof db_formats[0]; i++) {
        size_t el = strlen(db_formats[i].ext);
        if (n > el && strcasecmp(name + n - el, db_formats[i].ext) == 0)
            return (int)i;
    }
    return -1;
}

int db_is_database_name(const char *name)
{
    return db_format(name) >= 0;
}

int db_is_yara_name(const char *name)
{
    int f = db_format(name);

    return f >= 0 && db_formats[f].role == DB_YARA;
}

int db_image_ok(const char *name)
{
    int f = db_format(name);

    /* YARA rules are compiled by libyara and not imaged; the warnings of
     * formats vigil cannot read are kept in the image (engine notes). */
    return f >= 0 && db_formats[f].role != DB_YARA;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static vigil_status db_parse(struct vigil_engine *e, const char *name,
                             enum db_role role, struct lines *it, int official)
{
    switch (role) {
    case DB_HASH:
        return hdb_parse(e, name, it, HDB_DETECT, official);
    case DB_ALLOW:
        return hdb_parse(e, name, it, HDB_ALLOW, official);
    case DB_IGNORE:
        return ign_parse(e, name, it);
    case DB_BODY:
        return ndb_parse(e, name, it, official);
    case DB_BODY_LEGACY:
        return ndb_parse_legacy(e, name, it, official);
    case DB_LOGICAL:
        return ldb_parse(e, name, it, official);
    case DB_FILETYPE:
        return ftm_parse(e, name, it);
    case DB_CONTAINER_META:
        return cdb_parse(e, name, it, official);
    case DB_SECTION_HASH:
        return mdb_parse(e, name, it, MDB_SECTION, official);
    case DB_IMPORT_HASH:
        return mdb_parse(e, name, it, MDB_IMPORT, official);
    default:
        return VIGIL_EUNSUPPORTED;
    }
}

/* Handles a format db_parse cannot: PUA databases and formats not read yet. */
static vigil_status db_skip(struct vigil_engine *e, const char *name,
                            enum db_role role, unsigned flags, int in_dir)
{
    if (role == DB_PUA) {
        engine_log(e, VIGIL_LOG_DEBUG, "%s: PUA database, not loaded", name);
        return VIGIL_OK;
    }
    if (in_dir || (flags & VIGIL_LOAD_SKIP_UNSUPPORTED)) {
        engine_load_warning(e, "%s: this database format is not supported yet; skipped",
                            name);
        return VIGIL_OK;
    }
    return engine_fail(e, VIGIL_EUNSUPPORTED,
                       "%s: this database format is not supported yet", name);
}

vigil_status db_load_buffer(struct vigil_engine *e, const char *name,
                            const void *data, size_t len, unsigned flags,
                            int official)
{
    int f = db_format(base_name(name));

    if (f < 0)
        return engine_fail(e, VIGIL_EUNSUPPORTED,
                           "%s: not a known database type (by its extension)", name);
    struct lines it;
    struct source src;

    if (db_formats[f].role == DB_CONTAINER) {
        source_from_memory(&src, data, len);
        return cvd_load(e, name, &src);
    }
    if (db_formats[f].role == DB_PUA || db_formats[f].role == DB_UNSUPPORTED)
        return db_skip(e, name, db_formats[f].role, flags, 0);
    if (db_formats[f].role == DB_YARA)
        return yara_db_add(e, name, data, len);
    lines_init_mem(&it, data, len);
    return db_parse(e, name, db_formats[f].role, &it, official);
}

/* Opens a database file for reading; it must be a regular file. */
static int db_open(struct vigil_engine *e, const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0) {
        engine_fail(e, VIGIL_EOPEN, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        engine_fail(e, VIGIL_EOPEN, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Loads one database file, streamed through a fixed buffer. */
static vigil_status db_load_file(struct vigil_engine *e, const char *path,
                                 unsigned flags, int in_dir)
{
    int f = db_format(base_name(path)), fd = -1;
    char *buf = NULL;
    struct lines it;
    vigil_status st;

    if (f < 0)
        return engine_fail(e, VIGIL_EUNSUPPORTED,
                           "%s: not a known database type (by its extension)", path);
    if (db_formats[f].role == DB_CONTAINER)
        return cvd_load_file(e, path);
    if (db_formats[f].role == DB_PUA || db_formats[f].role == DB_UNSUPPORTED)
        return db_skip(e, path, db_formats[f].role, flags, in_dir);
    if (db_formats[f].role == DB_YARA)
        return yara_db_add_file(e, path);
    fd = db_open(e, path);
    if (fd < 0)
        return VIGIL_EOPEN;
    buf = malloc(DB_READ_BUFSIZE);
    if (!buf) {
        st = engine_fail(e, VIGIL_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    lines_init_fd(&it, fd, buf, DB_READ_BUFSIZE);
    st = db_parse(e, path, db_formats[f].role, &it, 0);
out:
    free(buf);
    close(fd);
    return st;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the names in dir that have a known database extension, sorted.
 * The caller frees each name and the array. */
static vigil_status db_list_dir(struct vigil_engine *e, const char *dir,
                                char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **v = NULL;
    size_t n = 0, cap = 0;
    vigil_status st = VIGIL_OK;

    if (!d)
        return engine_fail(e, VIGIL_EOPEN, "%s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || db_format(de->d_name) < 0)
            continue;
        if (n == cap) {
            char **nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof *v);
            if (!nv) {
                st = VIGIL_ENOMEM;
                break;
            }
            v = nv;
        }
        if (!(v[n] = strdup(de->d_name))) {
            st = VIGIL_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, name_cmp);
    *names = v;
    *count = n;
    if (st != VIGIL_OK)
        engine_fail(e, st, "%s: out of memory", dir);
    return st;
}

/* The round in which a directory's file loads: ignore lists, then the daily
 * database (ClamAV's cli_loaddbdir priorities), then everything else. */
static int db_round(const char *name, enum db_role role)
{
    if (role == DB_IGNORE)
        return 0;
    if (strcmp(name, "daily.cld") == 0 || strcmp(name, "daily.cvd") == 0)
        return 1;
    return 2;
}

/* Loads one file of a directory (of a .cvd and a .cld with the same stem,
 * the newer only); *loaded counts the files that hold signatures. */
static vigil_status db_dir_entry(struct vigil_engine *e, const char *dir,
                                 const char *name, enum db_role role, unsigned flags,
                                 int *loaded)
{
    char path[4096];
    int skip = 0;
    vigil_status st;

    if (role == DB_CONTAINER &&
        ((st = cvd_twin_skip(e, dir, name, &skip)) != VIGIL_OK || skip))
        return st;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return engine_fail(e, VIGIL_EOPEN, "%s/%s: path too long", dir, name);
    st = db_load_file(e, path, flags, 1);
    *loaded += role != DB_PUA && role != DB_UNSUPPORTED;
    return st;
}

/* Loads the files of one directory in db_round order; with DB_LOAD_PLAN
 * only the YARA rule files, with DB_LOAD_NO_YARA all but those (see
 * load.h). Either way each ClamAV file is one step of the deferred load,
 * so that a YARA file is placed after the same files both times. */
static vigil_status db_load_dir(struct vigil_engine *e, const char *dir,
                                unsigned flags)
{
    char **names = NULL;
    size_t n = 0;
    uint64_t before = e->nsigs;
    int loaded = 0;
    vigil_status st = db_list_dir(e, dir, &names, &n);

    for (int round = 0; round < 3 && st == VIGIL_OK; round++) {
        for (size_t i = 0; i < n && st == VIGIL_OK; i++) {
            enum db_role role = db_formats[db_format(names[i])].role;
            if (db_round(names[i], role) != round)
                continue;
            if (role == DB_YARA && (flags & DB_LOAD_NO_YARA)) {
                loaded++; /* loaded already */
            } else if (role != DB_YARA && (flags & DB_LOAD_PLAN)) {
                image_plan_step(e);
            } else {
                st = db_dir_entry(e, dir, names[i], role, flags, &loaded);
                if (role != DB_YARA)
                    image_record_step(e);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (st == VIGIL_OK && !(flags & DB_LOAD_PLAN) && !loaded && e->nsigs == before)
        st = engine_fail(e, VIGIL_ENODB, "%s: no supported database files found", dir);
    return st;
}

vigil_status db_load_path(struct vigil_engine *e, const char *path,
                          unsigned flags)
{
    struct stat sb;
    vigil_status st;

    if (stat(path, &sb) != 0)
        return engine_fail(e, VIGIL_EOPEN, "%s: %s", path, strerror(errno));
    if (flags & VIGIL_LOAD_YARA)
        return yara_db_add_file(e, path); /* any extension; not a directory */
    if (S_ISDIR(sb.st_mode))
        return db_load_dir(e, path, flags);
    if (flags & DB_LOAD_PLAN) { /* a deferred ClamAV file */
        image_plan_step(e);
        return VIGIL_OK;
    }
    st = db_load_file(e, path, flags, 0);
    image_record_step(e);
    return st;
}
