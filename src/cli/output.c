/* output.c - clamscan's report lines and SCAN SUMMARY (see output.h).
 *
 * Every string here was checked against clamscan 1.4.6: the summary's field
 * names, their order, which lines appear only when non-zero, the two
 * decimals of the MB figures computed from 4096-byte blocks, the time as
 * "s.mmm sec (m m s s)" and the dates as "YYYY:MM:DD hh:mm:ss", with three
 * spaces after "End Date:" so that the two dates line up.
 */
#include "cli/output.h"

#include <inttypes.h>
#include <string.h>

void output_line(struct strbuf *sb, const char *path, const char *what)
{
    strbuf_adds(sb, path);
    strbuf_adds(sb, ": ");
    strbuf_adds(sb, what);
    strbuf_addc(sb, '\n');
}

void output_found(struct strbuf *sb, const char *path, const char *name)
{
    strbuf_adds(sb, path);
    strbuf_adds(sb, ": ");
    strbuf_adds(sb, name);
    strbuf_adds(sb, " FOUND\n");
}

void output_scan_error(struct strbuf *sb, const char *path, const char *text)
{
    strbuf_adds(sb, path);
    strbuf_adds(sb, ": ");
    strbuf_adds(sb, text);
    strbuf_adds(sb, " ERROR\n");
}

void output_action(struct strbuf *sb, const char *path, const char *real,
                   const char *verb, const char *dest)
{
    strbuf_adds(sb, path);
    if (real && strcmp(real, path))
        strbuf_addf(sb, " (real path: '%s')", real);
    strbuf_adds(sb, ": ");
    strbuf_adds(sb, verb);
    if (dest)
        strbuf_addf(sb, " '%s'", dest);
    strbuf_addc(sb, '\n');
}

void output_mb(struct strbuf *sb, uint64_t bytes)
{
    strbuf_addf(sb, "%2.2lf MB", (double)bytes / (1024.0 * 1024.0));
}

void output_time(struct strbuf *sb, const struct timespec *start,
                 const struct timespec *end)
{
    long long ds = (long long)end->tv_sec - (long long)start->tv_sec;
    long dus = (end->tv_nsec / 1000) - (start->tv_nsec / 1000);
    unsigned s, ms;

    if (dus < 0) {
        ds -= 1;
        dus += 1000000;
    }
    /* A clock stepped backwards must not print a huge unsigned time. */
    if (ds < 0) {
        ds = 0;
        dus = 0;
    }
    s = ds > UINT32_MAX ? UINT32_MAX : (unsigned)ds;
    ms = (unsigned)(dus / 1000);
    strbuf_addf(sb, "Time: %u.%3.3u sec (%u m %u s)\n", s, ms, s / 60, s % 60);
}

void output_date(struct strbuf *sb, time_t t)
{
    struct tm tm;
    char buf[64];

    if (!localtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y:%m:%d %H:%M:%S", &tm))
        strbuf_adds(sb, "(unknown)");
    else
        strbuf_adds(sb, buf);
}

/* The lines clamscan prints only when their count is not zero. */
static void optional_counts(struct strbuf *sb, const struct summary *s)
{
    if (s->errors)
        strbuf_addf(sb, "Total errors: %" PRIu64 "\n", s->errors);
    if (s->limits)
        strbuf_addf(sb, "Limits exceeded: %" PRIu64 "\n", s->limits);
    if (s->not_removed)
        strbuf_addf(sb, "Not removed: %" PRIu64 "\n", s->not_removed);
    if (s->not_moved)
        strbuf_addf(sb, "Not %s: %" PRIu64 "\n", s->copy_mode ? "copied" : "moved",
                    s->not_moved);
}

/* "Data scanned" and "Data read", both in clamscan's 4096-byte blocks, and
 * their ratio. */
static void data_lines(struct strbuf *sb, const struct summary *s)
{
    uint64_t scanned_blocks = s->bytes_scanned / OUTPUT_BLOCK;
    double ratio = 0;

    if (s->read_blocks)
        ratio = (double)scanned_blocks / (double)s->read_blocks;
    strbuf_adds(sb, "Data scanned: ");
    output_mb(sb, scanned_blocks * OUTPUT_BLOCK);
    strbuf_adds(sb, "\nData read: ");
    output_mb(sb, s->read_blocks * OUTPUT_BLOCK);
    strbuf_addf(sb, " (ratio %.2f:1)\n", ratio);
}

void output_summary(struct strbuf *sb, const struct summary *s)
{
    strbuf_adds(sb, "\n----------- SCAN SUMMARY -----------\n");
    strbuf_addf(sb, "Known viruses: %" PRIu64 "\n", s->known_viruses);
    strbuf_addf(sb, "Engine version: %s\n", s->engine_version);
    strbuf_addf(sb, "Scanned directories: %" PRIu64 "\n", s->dirs);
    strbuf_addf(sb, "Scanned files: %" PRIu64 "\n", s->files);
    strbuf_addf(sb, "Infected files: %" PRIu64 "\n", s->infected);
    optional_counts(sb, s);
    data_lines(sb, s);
    output_time(sb, &s->start, &s->end);
    strbuf_adds(sb, "Start Date: ");
    output_date(sb, s->start.tv_sec);
    strbuf_adds(sb, "\nEnd Date:   ");
    output_date(sb, s->end.tv_sec);
    strbuf_addc(sb, '\n');
}
