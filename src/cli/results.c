/* results.c - a finished job becomes lines, counts and actions.
 *
 * clamscan 1.4.6, measured: "Access denied", "Can't open directory." and a
 * failed scan ("path: reason ERROR") count in "Total errors"; a path named on
 * the command line that cannot be stat()ed ("path: reason" from perror, then
 * "WARNING: path: Can't access file") and a special file named there
 * ("WARNING: path: Not supported file type") only make the exit code 2.
 * Empty files are not "Scanned files"; "Data read" counts whole 4096-byte
 * blocks of each scanned file.
 */
#include "cli/results.h"

#include <inttypes.h>
#include <string.h>

#include "cli/json.h"

/* How each note is printed: as a stdout line of the NOTE class (text), or
 * through a dedicated path (text NULL). */
static const struct {
    const char *text;
    bool counts_error;
    enum json_result jr;
} notes[] = {
    [NOTE_EXCLUDED] = {"Excluded", false, JR_SKIPPED},
    [NOTE_EXCLUDED_PROC] = {"Excluded (/proc)", false, JR_SKIPPED},
    [NOTE_EMPTY] = {"Empty file", false, JR_EMPTY},
    [NOTE_SYMLINK] = {"Symbolic link", false, JR_SKIPPED},
    [NOTE_ACCESS_DENIED] = {"Access denied", true, JR_ERROR},
    [NOTE_CANT_OPEN_DIR] = {"Can't open directory.", true, JR_ERROR},
    [NOTE_NOT_SUPPORTED] = {NULL, false, JR_ERROR},
    [NOTE_CANT_ACCESS] = {NULL, false, JR_ERROR},
    [NOTE_CANT_OPEN_FILE] = {NULL, true, JR_ERROR},
    [NOTE_LOOP] = {NULL, false, JR_SKIPPED},
};

/* The text of a failed scan: clamscan's words (cl_strerror) where ClamAV
 * has the same failure, so "path: Can't read file ERROR" reads the same. */
static const char *scan_error_text(vigil_status st)
{
    switch (st) {
    case VIGIL_ENOMEM:
        return "Can't allocate memory";
    case VIGIL_EOPEN:
        return "Can't open file or directory";
    case VIGIL_EREAD:
        return "Can't read file";
    case VIGIL_EWORKER:
        /* vigil's own: the sandboxed process scanning the file died or
         * misbehaved; the reason is on stderr (see wpool.c). */
        return "Scan worker died";
    default:
        return vigil_strerror(st);
    }
}

static const char *errno_text(int err, const char *fallback)
{
    return err ? strerror(err) : fallback;
}

/* Writes the JSON object for a job when --json is on and the object's class
 * is shown (-i keeps only FOUND, -o drops OK). */
static void emit_json(struct scan_run *s, const struct json_file *f, enum line_class c)
{
    if (!s->o->json || !report_wants(&s->report, c))
        return;
    strbuf_reset(&s->line);
    json_file(&s->line, f);
    report_json(&s->report, strbuf_str(&s->line));
}

/* The notes that clamscan prints on stderr rather than as a result line. */
static const char *stderr_note(struct scan_run *s, const struct job *j)
{
    switch (j->note) {
    case NOTE_NOT_SUPPORTED:
        report_warning(&s->report, "%s: Not supported file type", j->path);
        return "Not supported file type";
    case NOTE_CANT_ACCESS:
        report_perror(&s->report, j->path, j->err);
        report_warning(&s->report, "%s: Can't access file", j->path);
        return strerror(j->err);
    case NOTE_CANT_OPEN_FILE:
        report_warning(&s->report, "Can't open file %s: %s", j->path,
                       errno_text(j->err, "Not a regular file"));
        return errno_text(j->err, "Not a regular file");
    default:
        report_warning(&s->report, "%s: Directory loop, not entered again", j->path);
        return "Directory loop";
    }
}

static void note_done(struct scan_run *s, const struct job *j)
{
    struct json_file f = {.path = j->path, .result = notes[j->note].jr};

    if (notes[j->note].counts_error)
        s->sum.errors++;
    if (j->note == NOTE_NOT_SUPPORTED || j->note == NOTE_CANT_ACCESS)
        s->exit_error = true;
    if (notes[j->note].text) {
        strbuf_reset(&s->line);
        output_line(&s->line, j->path, notes[j->note].text);
        report_text(&s->report, LC_NOTE, strbuf_str(&s->line));
        f.text = j->note == NOTE_EMPTY ? NULL : notes[j->note].text;
    } else {
        f.text = stderr_note(s, j);
    }
    emit_json(s, &f, LC_NOTE);
}

/* Appends a done action to the audit log; a failure to record it is an
 * error of the scan (exit code 2), the action itself stands. */
static void record(struct scan_run *s, const struct job *j, const char *action,
                   const struct action_result *ar)
{
    struct audit_event ev = {.action = action,
                             .path = ar->real ? ar->real : j->path,
                             .target = ar->target,
                             .signature = j->ndet ? j->det[0].name : NULL};
    char err[512];

    if (!s->audit || audit_append(s->audit, &ev, err, sizeof err) == VIGIL_OK)
        return;
    report_error(&s->report, "Can't record %s of %s in the audit log: %s", action, ev.path, err);
    s->exit_error = true;
}

/* Moves, copies or removes an infected file, and prints what happened. */
static void act(struct scan_run *s, const struct job *j, struct json_file *f,
                struct action_result *ar)
{
    static const char *const names[] = {
        [ACTION_MOVE] = "move", [ACTION_COPY] = "copy", [ACTION_REMOVE] = "remove"};

    actions_apply(&s->actions, j->path, j->fd, &j->st, ar);
    f->action = names[s->actions.kind];
    if (!ar->ok) {
        report_error(&s->report, "%s", ar->msg);
        f->action_error = ar->reason;
        if (s->actions.kind == ACTION_REMOVE)
            s->sum.not_removed++;
        else
            s->sum.not_moved++;
        return;
    }
    f->action_target = ar->target;
    strbuf_reset(&s->line);
    output_action(&s->line, j->path, ar->real, actions_verb(&s->actions), ar->target);
    report_text(&s->report, LC_ACTION, strbuf_str(&s->line));
    record(s, j, names[s->actions.kind], ar);
}

/* clamscan 1.4.6 -a: after the FOUND lines of a file, one more line
 * "path!layers: Name FOUND" (measured: one line per file even with
 * --allmatch, about a signature's detection rather than a limit's; "(0)"
 * for the file itself). With --allmatch clamscan's choice of detection for
 * that line varies; vigil takes the last signature detection. */
static void archive_line(struct strbuf *sb, const struct job *j)
{
    const struct job_detection *d = &j->det[j->ndet - 1];

    /* A signature's detection rather than a limit's, when there is one. */
    for (size_t k = j->ndet; k-- > 0;)
        if (strncmp(j->det[k].name, "Heuristics.", 11) != 0) {
            d = &j->det[k];
            break;
        }

    /* A file refused whole by a size limit was never scanned: clamscan
     * prints no layer line for it (measured). */
    if (!d->layer[0] && strncmp(d->name, "Heuristics.Limits.", 18) == 0)
        return;
    strbuf_adds(sb, j->path);
    strbuf_addc(sb, '!');
    strbuf_adds(sb, d->layer[0] ? d->layer : "(0)");
    strbuf_adds(sb, ": ");
    strbuf_adds(sb, d->name);
    strbuf_adds(sb, " FOUND\n");
}

static void found(struct scan_run *s, const struct job *j, struct json_file *f)
{
    struct json_detection det[JOBS_MAX_DETECTIONS];
    struct action_result ar = {0};
    size_t k, n = s->o->allmatch ? j->ndet : 1;

    s->sum.infected++;
    if (s->o->bell)
        report_bell(&s->report);
    strbuf_reset(&s->line);
    for (k = 0; k < n; k++) {
        output_found(&s->line, j->path, j->det[k].name);
        det[k].name = j->det[k].name;
        det[k].layer = j->det[k].layer;
        det[k].yara = j->det[k].yara;
        det[k].depth = j->det[k].depth;
    }
    if (s->o->archive_verbose)
        archive_line(&s->line, j);
    report_text(&s->report, LC_FOUND, strbuf_str(&s->line));
    if (s->o->allmatch && j->ndet_total > j->ndet)
        report_warning(&s->report, "%s: %zu more detections not shown", j->path,
                       j->ndet_total - j->ndet);
    f->result = JR_FOUND;
    f->det = det;
    f->ndet = n;
    if (s->actions.kind != ACTION_NONE && !j->is_stdin)
        act(s, j, f, &ar);
    emit_json(s, f, LC_FOUND);
    action_result_free(&ar);
}

static void scan_done(struct scan_run *s, const struct job *j)
{
    struct json_file f = {.path = j->path,
                          .scanned = true,
                          .size = j->size,
                          .bytes_read = j->bytes_read,
                          .limits = j->limits,
                          .notes = j->notes};

    s->sum.files++;
    s->sum.bytes_files += (uint64_t)j->st.st_size;
    s->sum.read_blocks += (uint64_t)j->st.st_size / OUTPUT_BLOCK;
    strbuf_reset(&s->line);
    strbuf_addf(&s->line, "Scanning %s\n", j->path);
    report_text(&s->report, LC_VERBOSE, strbuf_str(&s->line));
    if (j->status != VIGIL_OK) {
        s->sum.errors++;
        strbuf_reset(&s->line);
        output_scan_error(&s->line, j->path, scan_error_text(j->status));
        report_text(&s->report, LC_NOTE, strbuf_str(&s->line));
        f.result = JR_ERROR;
        f.text = scan_error_text(j->status);
        f.scanned = false;
        emit_json(s, &f, LC_NOTE);
        return;
    }
    s->sum.bytes_scanned += j->bytes_read;
    if (j->limits)
        s->sum.limits++;
    if (j->ndet_total && j->ndet) {
        found(s, j, &f);
        return;
    }
    strbuf_reset(&s->line);
    output_line(&s->line, j->path, "OK");
    report_text(&s->report, LC_OK, strbuf_str(&s->line));
    emit_json(s, &f, LC_OK);
}

void results_done(void *ctx, struct job *j)
{
    struct scan_run *s = ctx;

    if (j->type == JOB_NOTE)
        note_done(s, j);
    else
        scan_done(s, j);
    report_progress(&s->report, s->sum.files, s->sum.bytes_scanned, j->path);
}

void results_tick(void *ctx, const struct job *head)
{
    struct scan_run *s = ctx;

    report_progress(&s->report, s->sum.files, s->sum.bytes_scanned, head->path);
}
