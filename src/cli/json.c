/* json.c - vigil scan --json lines (see json.h for the string rules). */
#include "cli/json.h"

#include <inttypes.h>
#include <string.h>

#include "vigil/vigil.h"

static bool cont(unsigned char c)
{
    return c >= 0x80 && c <= 0xBF;
}

/* Returns the length of the valid UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0 when p[0] does not
 * start one. p is NUL-terminated, and the && chains stop at the NUL. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return cont(p[1]) ? 2 : 0;
    if (c == 0xE0)
        return p[1] >= 0xA0 && p[1] <= 0xBF && cont(p[2]) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return cont(p[1]) && cont(p[2]) ? 3 : 0;
    if (c == 0xED)
        return p[1] >= 0x80 && p[1] <= 0x9F && cont(p[2]) ? 3 : 0;
    if (c == 0xF0)
        return p[1] >= 0x90 && p[1] <= 0xBF && cont(p[2]) && cont(p[3]) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return cont(p[1]) && cont(p[2]) && cont(p[3]) ? 4 : 0;
    if (c == 0xF4)
        return p[1] >= 0x80 && p[1] <= 0x8F && cont(p[2]) && cont(p[3]) ? 4 : 0;
    return 0;
}

/* Escapes one ASCII byte, or returns false when it needs no escape. */
static bool escape_ascii(struct strbuf *sb, unsigned char c)
{
    switch (c) {
    case '"':
        strbuf_adds(sb, "\\\"");
        return true;
    case '\\':
        strbuf_adds(sb, "\\\\");
        return true;
    case '\b':
        strbuf_adds(sb, "\\b");
        return true;
    case '\f':
        strbuf_adds(sb, "\\f");
        return true;
    case '\n':
        strbuf_adds(sb, "\\n");
        return true;
    case '\r':
        strbuf_adds(sb, "\\r");
        return true;
    case '\t':
        strbuf_adds(sb, "\\t");
        return true;
    default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
        strbuf_addf(sb, "\\u%04x", c);
        return true;
    }
    return false;
}

bool json_string(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    bool invalid = false;
    size_t n;

    strbuf_addc(sb, '"');
    while (*p) {
        n = utf8_len(p);
        if (n == 0) {
            strbuf_adds(sb, "\\ufffd");
            invalid = true;
            p++;
            continue;
        }
        if (n > 1 || !escape_ascii(sb, *p))
            strbuf_add(sb, p, n);
        p += n;
    }
    strbuf_addc(sb, '"');
    return invalid;
}

static void hex_string(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    strbuf_addc(sb, '"');
    for (; *p; p++)
        strbuf_addf(sb, "%02x", *p);
    strbuf_addc(sb, '"');
}

static const char *const result_names[] = {
    [JR_OK] = "OK",       [JR_FOUND] = "FOUND",     [JR_EMPTY] = "EMPTY",
    [JR_ERROR] = "ERROR", [JR_SKIPPED] = "SKIPPED",
};

static void detections(struct strbuf *sb, const struct json_file *f)
{
    size_t k;

    strbuf_adds(sb, ",\"detections\":[");
    for (k = 0; k < f->ndet; k++) {
        strbuf_adds(sb, k ? ",{\"name\":" : "{\"name\":");
        json_string(sb, f->det[k].name);
        strbuf_adds(sb, ",\"layer\":");
        json_string(sb, f->det[k].layer ? f->det[k].layer : "");
        strbuf_addf(sb, ",\"depth\":%u", (unsigned)f->det[k].depth);
        if (f->det[k].yara) {
            strbuf_adds(sb, ",\"yara\":");
            strbuf_adds(sb, f->det[k].yara);
        }
        strbuf_addc(sb, '}');
    }
    strbuf_addc(sb, ']');
}

/* "limits":["MaxFileSize",...], the names ClamAV uses for each limit. */
static void limit_names(struct strbuf *sb, unsigned bits)
{
    unsigned bit;
    const char *name;
    bool first = true;

    strbuf_adds(sb, ",\"limits\":[");
    for (bit = 1; bit && bit <= bits; bit <<= 1) {
        if (!(bits & bit) || !(name = vigil_limit_name(bit)))
            continue;
        strbuf_adds(sb, first ? "" : ",");
        json_string(sb, name);
        first = false;
    }
    strbuf_addc(sb, ']');
}

/* "notes":["damaged","encrypted"]: what could not be read inside. */
static void notes(struct strbuf *sb, unsigned bits)
{
    strbuf_adds(sb, ",\"notes\":[");
    if (bits & VIGIL_NOTE_DAMAGED)
        strbuf_adds(sb, "\"damaged\"");
    if (bits & VIGIL_NOTE_ENCRYPTED)
        strbuf_adds(sb, (bits & VIGIL_NOTE_DAMAGED) ? ",\"encrypted\"" : "\"encrypted\"");
    strbuf_addc(sb, ']');
}

static void action(struct strbuf *sb, const struct json_file *f)
{
    strbuf_adds(sb, ",\"action\":{\"type\":");
    json_string(sb, f->action);
    strbuf_addf(sb, ",\"ok\":%s", f->action_error ? "false" : "true");
    if (f->action_target) {
        strbuf_adds(sb, ",\"target\":");
        json_string(sb, f->action_target);
    }
    if (f->action_error) {
        strbuf_adds(sb, ",\"error\":");
        json_string(sb, f->action_error);
    }
    strbuf_addc(sb, '}');
}

void json_file(struct strbuf *sb, const struct json_file *f)
{
    bool invalid;

    strbuf_adds(sb, "{\"path\":");
    invalid = json_string(sb, f->path);
    if (invalid) {
        strbuf_adds(sb, ",\"path_hex\":");
        hex_string(sb, f->path);
    }
    strbuf_addf(sb, ",\"result\":\"%s\"", result_names[f->result]);
    if (f->text) {
        strbuf_adds(sb, f->result == JR_SKIPPED ? ",\"reason\":" : ",\"error\":");
        json_string(sb, f->text);
    }
    detections(sb, f);
    if (f->scanned) {
        strbuf_addf(sb, ",\"size\":%" PRIu64 ",\"bytes_read\":%" PRIu64, f->size,
                    f->bytes_read);
        limit_names(sb, f->limits);
        notes(sb, f->notes);
    }
    if (f->action)
        action(sb, f);
    strbuf_adds(sb, "}\n");
}

static void yara_meta(struct strbuf *sb, const struct vigil_yara_match *m)
{
    strbuf_adds(sb, ",\"meta\":{");
    for (size_t i = 0; i < m->nmeta; i++) {
        const struct vigil_yara_meta *v = &m->meta[i];
        strbuf_adds(sb, i ? "," : "");
        json_string(sb, v->identifier);
        strbuf_addc(sb, ':');
        if (v->type == VIGIL_YARA_META_STRING)
            json_string(sb, v->string ? v->string : "");
        else if (v->type == VIGIL_YARA_META_BOOLEAN)
            strbuf_adds(sb, v->integer ? "true" : "false");
        else
            strbuf_addf(sb, "%" PRId64, v->integer);
    }
    strbuf_addc(sb, '}');
}

static void yara_strings(struct strbuf *sb, const struct vigil_yara_match *m)
{
    strbuf_adds(sb, ",\"strings\":[");
    for (size_t i = 0; i < m->nstrings; i++) {
        const struct vigil_yara_string *v = &m->strings[i];
        strbuf_adds(sb, i ? ",{\"identifier\":" : "{\"identifier\":");
        json_string(sb, v->identifier);
        strbuf_addf(sb, ",\"offset\":%" PRIu64 ",\"length\":%" PRIu32 ",\"data\":\"",
                    v->offset, v->length);
        for (uint32_t b = 0; b < v->data_len; b++)
            strbuf_addf(sb, "%02x", v->data[b]);
        strbuf_adds(sb, "\"}");
    }
    strbuf_addf(sb, "],\"strings_total\":%zu", m->strings_total);
}

void json_yara(struct strbuf *sb, const struct vigil_yara_match *m)
{
    strbuf_adds(sb, "{\"rule\":");
    json_string(sb, m->rule);
    strbuf_adds(sb, ",\"namespace\":");
    json_string(sb, m->ns);
    strbuf_adds(sb, ",\"tags\":[");
    for (size_t i = 0; i < m->ntags; i++) {
        strbuf_adds(sb, i ? "," : "");
        json_string(sb, m->tags[i]);
    }
    strbuf_addc(sb, ']');
    yara_meta(sb, m);
    yara_strings(sb, m);
    strbuf_addc(sb, '}');
}

static void iso_date(struct strbuf *sb, time_t t)
{
    struct tm tm;
    char buf[64];

    if (!localtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm))
        buf[0] = '\0';
    json_string(sb, buf);
}

void json_summary(struct strbuf *sb, const struct summary *s)
{
    int64_t ms = ((int64_t)s->end.tv_sec - (int64_t)s->start.tv_sec) * 1000 +
                 (s->end.tv_nsec - s->start.tv_nsec) / 1000000;

    strbuf_addf(sb, "{\"summary\":{\"known_viruses\":%" PRIu64 ",\"engine_version\":",
                s->known_viruses);
    json_string(sb, s->engine_version);
    strbuf_addf(sb,
                ",\"scanned_directories\":%" PRIu64 ",\"scanned_files\":%" PRIu64
                ",\"infected_files\":%" PRIu64 ",\"total_errors\":%" PRIu64
                ",\"limits_exceeded\":%" PRIu64 ",\"not_removed\":%" PRIu64
                ",\"not_moved\":%" PRIu64 ",\"bytes_scanned\":%" PRIu64
                ",\"bytes_in_files\":%" PRIu64 ",\"time_ms\":%" PRId64,
                s->dirs, s->files, s->infected, s->errors, s->limits, s->not_removed,
                s->not_moved, s->bytes_scanned, s->bytes_files, ms < 0 ? 0 : ms);
    strbuf_adds(sb, ",\"start_date\":");
    iso_date(sb, s->start.tv_sec);
    strbuf_adds(sb, ",\"end_date\":");
    iso_date(sb, s->end.tv_sec);
    strbuf_adds(sb, "}}\n");
}
