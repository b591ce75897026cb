/* report.c - the run's summary as a table and as self-describing JSON. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "report.h"
#include "cli.h"
#include "fs.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* The name of a child's role: "writer", "reader" or "finalizer". */
static const char *role_name(int role)
{
    return role == ROLE_WRITER ? "writer" : role == ROLE_READER ? "reader" : "finalizer";
}

/* The seconds from time a to time b (ns), or 0 if either was never set. */
static double secs(int64_t a, int64_t b)
{
    return a && b ? (double)(b - a) / 1e9 : 0;
}

/* Writes the child's label into buf (cap bytes): "reader N" for a reader,
 * its role name otherwise. */
static void child_label(const orch_child_t *ch, char *buf, size_t cap)
{
    if (ch->role == ROLE_READER)
        snprintf(buf, cap, "reader %d", ch->index);
    else
        snprintf(buf, cap, "%s", role_name(ch->role));
}

/* The kind of a reader (reader_kind cycled; reader_mode = bare runs the
 * bare reader, reported as h5swmr's). */
static scn_reader_kind_t reader_kind(const orch_report_t *rep, const orch_child_t *ch)
{
    if (ch->role != ROLE_READER || rep->scn.reader_mode == SCN_READER_BARE)
        return SCN_KIND_H5SWMR;
    return scn_reader_kind(&rep->scn, ch->index - 1);
}

/* The kind of a reader for summary.json: "-" for other roles, "bare" for
 * bare readers. */
static const char *kind_text(const orch_report_t *rep, const orch_child_t *ch)
{
    if (ch->role != ROLE_READER)
        return "-";
    if (rep->scn.reader_mode == SCN_READER_BARE)
        return "bare";
    return scn_reader_kind_name(reader_kind(rep, ch));
}

/* The table's kind column, into buf: a reader's name (reader_name, or by
 * program: h5swmr, bare, h5py, watch, the script a cmd client runs), "-" for
 * other roles. */
static void name_text(const orch_report_t *rep, const orch_child_t *ch, char *buf, size_t cap)
{
    if (ch->role != ROLE_READER)
        snprintf(buf, cap, "-");
    else
        scn_reader_name(&rep->scn, ch->index - 1, buf, cap);
}

/* A duration in microseconds as text with a fitting unit: "850 us",
 * "4.1 ms", "450 ms", "1.02 s". */
static void dur_text(double us, char *out, size_t cap)
{
    double a = fabs(us);
    if (a < 1000)
        snprintf(out, cap, "%.0f us", us);
    else if (a < 1e6)
        snprintf(out, cap, "%.*f ms", a < 1e4 ? 1 : 0, us / 1e3);
    else
        snprintf(out, cap, "%.2f s", us / 1e6);
}

/* Whether a lag figure of r (all: over every event; before: without the
 * events of observations after STOP) is the final poll's doing: there were
 * such events and without them the figure is gone or a quarter lower. */
static bool from_final_poll(const proto_result_t *r, double all, double before)
{
    return r->lag_final > 0 && (r->lag_before_stop.n == 0 || all > 1.25 * before);
}

/* A reader's lag for the notes, each percentile with its event count:
 * "lag p50 4.1 ms, p90 9.0 ms, p99 9.8 ms, max 10 ms (n=37 flushes)", then
 * whether the final poll after STOP made p99 or max, and flushes that could
 * not be matched. Nothing when it measured no lag. */
static void lag_notes(const proto_result_t *r, char *out, size_t cap)
{
    out[0] = '\0';
    if (!r->lag.n)
        return;
    char p50[24], p90[24], p99[24], mx[24];
    dur_text(r->lag.p50_us, p50, sizeof p50);
    dur_text(r->lag.p90_us, p90, sizeof p90);
    dur_text(r->lag.p99_us, p99, sizeof p99);
    dur_text(r->lag.max_us, mx, sizeof mx);
    size_t n = (size_t)snprintf(out, cap, "lag p50 %s, p90 %s, p99 %s, max %s (n=%llu flush%s)", p50, p90, p99, mx,
                                (unsigned long long)r->lag.n, r->lag.n == 1 ? "" : "es");
    bool p99f = from_final_poll(r, r->lag.p99_us, r->lag_before_stop.p99_us);
    bool maxf = from_final_poll(r, r->lag.max_us, r->lag_before_stop.max_us);
    if ((p99f || maxf) && n < cap && r->lag_before_stop.n == 0) {
        n += (size_t)snprintf(out + n, cap - n, ", all from the final poll after STOP");
    } else if ((p99f || maxf) && n < cap) {
        dur_text(r->lag_before_stop.p99_us, p99, sizeof p99);
        dur_text(r->lag_before_stop.max_us, mx, sizeof mx);
        n += (size_t)snprintf(out + n, cap - n,
                              ", %s from the final poll after STOP (%llu events; before STOP p99 %s, max %s, n=%llu)",
                              p99f && maxf ? "p99 and max"
                              : p99f       ? "p99"
                                           : "max",
                              (unsigned long long)r->lag_final, p99, mx, (unsigned long long)r->lag_before_stop.n);
    }
    if (r->lag_skipped && n < cap)
        snprintf(out + n, cap - n, "; %llu flushes not measured (their records were overwritten before a match)",
                 (unsigned long long)r->lag_skipped);
}

/* Whether ch (a writer or reader killed without a report) was stuck in a
 * call, as its published progress tells; if so, what it was inside into notes. */
static bool stuck_note(const orch_report_t *rep, const orch_child_t *ch, char *notes, size_t cap)
{
    if (ch->role == ROLE_FINALIZER || ch->fault_killed)
        return false;
    faults_stuck_text(&rep->fx, ch->index, rep->t_ready_ns, notes, cap);
    return notes[0] != '\0';
}

/* The notes column of a process: how it crashed, its message, or what it
 * saw, whichever says most. */
static void child_notes(const orch_report_t *rep, const orch_child_t *ch, char *notes, size_t cap)
{
    const proto_result_t *r = &ch->res;
    notes[0] = '\0';
    if (ch->role == ROLE_READER && ch->delay_s > 0) {
        /* a delayed reader: its delay first, then what it did */
        if (orch_stopped_before_delay(rep, ch)) {
            snprintf(notes, cap, "start delay %g s: stopped before its start delay ended (never opened the file)",
                     ch->delay_s);
            return;
        }
        char rest[600];
        orch_child_t plain = *ch;
        plain.delay_s = 0;
        child_notes(rep, &plain, rest, sizeof rest);
        snprintf(notes, cap, "start delay %g s%s%.560s", ch->delay_s, rest[0] ? "; " : "", rest);
        return;
    }
    if (ch->role == ROLE_FINALIZER && rep->finalizer_stalled)
        snprintf(notes, cap, "stopped: no progress for %g s (finalize_stall_s); the file is not verified",
                 rep->scn.finalize_stall_s);
    else if (ch->died_in_walk)
        snprintf(notes, cap, "crashed inside HDF5's tree walk (objects created in SWMR mode)");
    else if (ch->crash == ORCH_CRASH_OWN)
        snprintf(notes, cap, "crashed in h5swmr's own code: a failure of h5swmr, not HDF5's");
    else if (ch->crash != ORCH_CRASH_NONE)
        snprintf(notes, cap, "crashed %s", orch_crash_text(ch->crash));
    else if (!ch->has_result && stuck_note(rep, ch, notes, cap))
        ; /* stuck in a call until killed: what it was inside says most */
    else if (!ch->has_result)
        snprintf(notes, cap, "no report (the process ended before it could send one)");
    else if (r->msg[0])
        snprintf(notes, cap, "%s", r->msg);
    else if (r->observation[0] && ch->role != ROLE_READER)
        snprintf(notes, cap, "%s", r->observation);
    else if (ch->role == ROLE_READER && r->observation[0] && rep->scn.workload == SCN_APPEND)
        snprintf(notes, cap, "%s", r->observation);
    else if (ch->role == ROLE_READER && r->unread)
        snprintf(notes, cap, "stopped with %llu samples visible but not read before its deadline",
                 (unsigned long long)r->unread);
    else if (ch->role == ROLE_READER && r->lag.n && reader_kind(rep, ch) != SCN_KIND_H5SWMR) {
        char lag[400];
        lag_notes(r, lag, sizeof lag);
        snprintf(notes, cap, "%s; %llu samples %s", lag, (unsigned long long)r->samples,
                 r->updates ? "verified" : "seen (the client gave no verdicts)");
    } else if (ch->role == ROLE_READER && r->lag.n)
        lag_notes(r, notes, cap);
    else if (ch->role == ROLE_READER && reader_kind(rep, ch) != SCN_KIND_H5SWMR && ch->has_result)
        snprintf(notes, cap, "no lag measured; %llu samples %s", (unsigned long long)r->samples,
                 r->updates ? "verified" : "seen (the client gave no verdicts)");
    else if (ch->role == ROLE_FINALIZER)
        snprintf(notes, cap, "%s %llu channels, %llu samples; channel_summary rebuilt",
                 rep->scn.verify_file ? "verified" : "listed", (unsigned long long)r->channels,
                 (unsigned long long)r->samples);
}

/* Structure workload: what each reader saw of the runs created in SWMR mode. */
static void print_structure(FILE *out, const orch_report_t *rep)
{
    fprintf(out, "\nObjects created in SWMR mode (not supported by HDF5), as each reader saw them:\n");
    for (int i = 1; i < rep->nchildren; i++) {
        const orch_child_t *ch = &rep->children[i];
        const proto_result_t *r = &ch->res;
        const char *refresh = scn_refresh_name(scn_reader_refresh(&rep->scn, ch->index - 1));
        char how[64];
        orch_status_text(ch->status, how, sizeof how);
        if (ch->died_in_walk) {
            fprintf(out,
                    "  reader %d (%s): crashed inside HDF5 (%s) while walking the groups the writer grows in "
                    "SWMR mode\n",
                    ch->index, refresh, how);
            continue;
        }
        if (ch->crash != ORCH_CRASH_NONE) {
            fprintf(out, "  reader %d (%s): crashed %s (%s)%s\n", ch->index, refresh, orch_crash_text(ch->crash), how,
                    ch->crash == ORCH_CRASH_OWN ? ": a failure of h5swmr, not HDF5's" : "");
            continue;
        }
        if (!ch->has_result)
            continue;
        uint64_t expected = r->runs_expected;
        const char *verdict = r->runs_seen >= expected && r->walk_failures
                                  ? "saw the links of every new run, but could not open what they point to"
                              : r->runs_seen >= expected ? "saw every new run"
                              : r->runs_seen <= 1        ? "never saw a new run"
                                                         : "saw some new runs";
        fprintf(out, "  reader %d (%s): %s (%llu of %llu runs)", ch->index, r->strategy, verdict,
                (unsigned long long)r->runs_seen, (unsigned long long)expected);
        if (r->walk_failures)
            fprintf(out, "; reading them failed %llu time%s: %s", (unsigned long long)r->walk_failures,
                    r->walk_failures == 1 ? "" : "s", r->observation);
        fprintf(out, "\n");
    }
}

/* Whether a reader's MB figure is unknown: it counted samples but no bytes
 * (no verification, a client that gave no verdicts, the bare reader). */
static bool reader_bytes_unknown(const orch_child_t *ch)
{
    return ch->role == ROLE_READER && ch->res.bytes == 0 && ch->res.samples > 0;
}

void report_print(FILE *out, const orch_report_t *rep)
{
    char st[64], label[32], name[SCN_STR];
    int kw = 7; /* the kind column: as wide as its longest name */
    for (int i = 0; i < rep->nchildren; i++) {
        name_text(rep, &rep->children[i], name, sizeof name);
        if ((int)strlen(name) > kw)
            kw = (int)strlen(name);
    }
    fprintf(out, "\n%-10s %-10s %-*s %-18s %8s %12s %10s %8s %7s %s\n", "process", "mode", kw, "kind", "exit", "blocks",
            "samples", "MB", "errors", "runs", "notes");
    for (int i = 0; i < rep->nchildren + rep->has_finalizer; i++) {
        const orch_child_t *ch = i < rep->nchildren ? &rep->children[i] : &rep->finalizer;
        const proto_result_t *r = &ch->res;
        child_label(ch, label, sizeof label);
        orch_status_text(ch->status, st, sizeof st);
        char runs[32] = "-";
        if (ch->role == ROLE_WRITER && rep->scn.workload == SCN_STRUCTURE)
            snprintf(runs, sizeof runs, "+%llu", (unsigned long long)r->runs_written);
        else if (ch->role == ROLE_READER && ch->has_result)
            snprintf(runs, sizeof runs, "%llu/%llu", (unsigned long long)r->runs_seen,
                     (unsigned long long)r->runs_expected);
        char notes[600], mb[32] = "-";
        child_notes(rep, ch, notes, sizeof notes);
        cli_one_line(notes); /* a client's bytes are shown as text, never as control sequences */
        name_text(rep, ch, name, sizeof name);
        if (!reader_bytes_unknown(ch))
            snprintf(mb, sizeof mb, "%.2f", (double)r->bytes / 1e6);
        fprintf(out, "%-10s %-10s %-*s %-18s %8llu %12llu %10s %8llu %7s %s\n", label,
                r->strategy[0] ? r->strategy : "-", kw, name, st, (unsigned long long)r->blocks,
                (unsigned long long)r->samples, mb,
                (unsigned long long)(r->errors + r->mismatches + r->fills + r->missing), runs, notes);
    }
    if (rep->scn.workload == SCN_STRUCTURE)
        print_structure(out, rep);
    report_print_long_run(out, rep);
    faults_print(out, rep);
    if (rep->recovery[0])
        fprintf(out, "recovery: %s\n", rep->recovery);
    if (rep->problem[0])
        fprintf(out, "problem: %s\n", rep->problem);
    const char *verdict = rep->exit_code == 0 && faults_excused_any(rep)
                              ? "OK: the failures above follow from the injected fault (expected, reported)"
                          : rep->exit_code == 0   ? "OK"
                          : rep->exit_code == 130 ? "INTERRUPTED (results so far kept)"
                          : rep->exit_code == EXIT_VERIFY
                              ? "FAILED: readers or the final check saw wrong, missing or fill-value samples"
                              : "FAILED";
    fprintf(out, "result: %s; file %s\n", verdict, rep->file);
}

/* A new JSON object with the latency summary l: its count, and its mean,
 * percentiles and max in microseconds. */
static cJSON *lat_json(const lat_summary_t *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)l->n);
    cJSON_AddNumberToObject(o, "mean_us", l->mean_us);
    cJSON_AddNumberToObject(o, "p50_us", l->p50_us);
    cJSON_AddNumberToObject(o, "p90_us", l->p90_us);
    cJSON_AddNumberToObject(o, "p99_us", l->p99_us);
    cJSON_AddNumberToObject(o, "p99_9_us", l->p999_us);
    cJSON_AddNumberToObject(o, "max_us", l->max_us);
    return o;
}

/* A new JSON object with the scenario and job names and every option of s:
 * numbers and booleans as such, anything else as its text. */
static cJSON *scenario_json(const scn_t *s)
{
    cJSON *o = cJSON_CreateObject();
    char buf[SCN_PATH];
    cJSON_AddStringToObject(o, "scenario", s->scenario);
    cJSON_AddStringToObject(o, "job", s->name);
    for (const scn_opt_t *opt = scn_options(); opt->name; opt++) {
        scn_format(s, opt, buf, sizeof buf);
        const char *p = (const char *)s + opt->offset;
        switch (opt->type) {
        case OPT_INT: cJSON_AddNumberToObject(o, opt->name, (double)*(const int64_t *)p); break;
        case OPT_DOUBLE: cJSON_AddNumberToObject(o, opt->name, *(const double *)p); break;
        case OPT_BOOL: cJSON_AddBoolToObject(o, opt->name, *(const bool *)p); break;
        default: cJSON_AddStringToObject(o, opt->name, buf); break;
        }
    }
    return o;
}

/* The value after the colon of the first line of path that starts with
 * prefix ("model name" in /proc/cpuinfo), or "" if none. */
static void read_line_of(const char *path, const char *prefix, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    char line[512];
    out[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, prefix, strlen(prefix))) {
            char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ' || *c == '\t')
                    c++;
                c[strcspn(c, "\n")] = '\0';
                snprintf(out, cap, "%s", c);
            }
            break;
        }
    fclose(f);
}

void report_env_fill(report_env_t *e, const char *dir)
{
    unsigned maj = 0, min = 0, rel = 0;
    struct utsname u;
    struct statfs sf;
    memset(e, 0, sizeof *e);
    H5get_libversion(&maj, &min, &rel);
    snprintf(e->hdf5_version, sizeof e->hdf5_version, "%u.%u.%u", maj, min, rel);
    if (uname(&u) == 0) {
        e->has_uname = true;
        snprintf(e->kernel, sizeof e->kernel, "%s", u.release);
        snprintf(e->machine, sizeof e->machine, "%s", u.machine);
        snprintf(e->hostname, sizeof e->hostname, "%s", u.nodename);
    }
    read_line_of("/proc/cpuinfo", "model name", e->cpu, sizeof e->cpu);
    e->cpus_online = sysconf(_SC_NPROCESSORS_ONLN);
    if (dir && statfs(dir, &sf) == 0) {
        e->has_fs = true;
        snprintf(e->data_dir, sizeof e->data_dir, "%s", dir);
        const char *fsn = h5s_fs_name_of((unsigned long)sf.f_type);
        snprintf(e->data_fs, sizeof e->data_fs, "%s", fsn ? fsn : "other");
        snprintf(e->data_fs_magic, sizeof e->data_fs_magic, "0x%lx", (unsigned long)sf.f_type);
    }
    const char *lock = getenv("HDF5_USE_FILE_LOCKING");
    snprintf(e->file_locking, sizeof e->file_locking, "%s", lock ? lock : "");
}

cJSON *report_env_json(const report_env_t *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tool", "h5swmr");
    cJSON_AddStringToObject(o, "tool_version", H5SWMR_VERSION);
    cJSON_AddStringToObject(o, "hdf5_version", e->hdf5_version);
    if (e->has_uname) {
        cJSON_AddStringToObject(o, "kernel", e->kernel);
        cJSON_AddStringToObject(o, "machine", e->machine);
        cJSON_AddStringToObject(o, "hostname", e->hostname);
    }
    cJSON_AddStringToObject(o, "cpu", e->cpu);
    cJSON_AddNumberToObject(o, "cpus_online", (double)e->cpus_online);
    if (e->has_fs) {
        cJSON_AddStringToObject(o, "data_dir", e->data_dir);
        cJSON_AddStringToObject(o, "data_fs", e->data_fs);
        cJSON_AddStringToObject(o, "data_fs_magic", e->data_fs_magic);
    }
    cJSON_AddStringToObject(o, "HDF5_USE_FILE_LOCKING", e->file_locking);
    return o;
}

/* The environment of this process and of dir, as a new JSON object. */
static cJSON *env_obj(const char *dir)
{
    report_env_t *e = malloc(sizeof *e);
    if (!e)
        return cJSON_CreateNull();
    report_env_fill(e, dir);
    cJSON *o = report_env_json(e);
    free(e);
    return o;
}

char *report_environment_json(const char *dir)
{
    cJSON *o = env_obj(dir);
    char *s = h5s_json_text(o);
    cJSON_Delete(o);
    return s;
}

/* A new JSON object describing the child: how it ended, and, if it reported
 * a result, its counts, times and the latencies and throughput of its role. */
static cJSON *child_json(const orch_report_t *rep, const orch_child_t *ch)
{
    const proto_result_t *r = &ch->res;
    cJSON *o = cJSON_CreateObject();
    char st[64];
    orch_status_text(ch->status, st, sizeof st);
    cJSON_AddStringToObject(o, "role", role_name(ch->role));
    cJSON_AddNumberToObject(o, "index", ch->index);
    cJSON_AddNumberToObject(o, "pid", ch->pid);
    cJSON_AddStringToObject(o, "exit", st);
    cJSON_AddNumberToObject(o, "exit_code", WIFEXITED(ch->status) ? WEXITSTATUS(ch->status) : -1);
    cJSON_AddNumberToObject(o, "signal", WIFSIGNALED(ch->status) ? WTERMSIG(ch->status) : 0);
    cJSON_AddBoolToObject(o, "reported", ch->has_result);
    cJSON_AddNumberToObject(o, "escalation", ch->kill_stage);
    cJSON_AddBoolToObject(o, "fault_killed", ch->fault_killed);
    cJSON_AddBoolToObject(o, "died_inside_hdf5_walk", ch->died_in_walk);
    /* where a reader's crash was: "hdf5" (the stack inside an HDF5 call), "h5swmr" (its own code), "unknown" */
    static const char *const crash_names[] = {"none", "hdf5", "h5swmr", "unknown"};
    cJSON_AddStringToObject(o, "crash", crash_names[ch->crash >= 0 && ch->crash <= 3 ? ch->crash : 3]);
    if (ch->role == ROLE_FINALIZER) /* stopped after finalize_stall_s without progress */
        cJSON_AddBoolToObject(o, "stalled", rep->finalizer_stalled);
    if (!ch->has_result)
        return o;
    cJSON_AddStringToObject(o, "mode", r->strategy);
    if (ch->role == ROLE_READER) {
        char name[SCN_STR];
        name_text(rep, ch, name, sizeof name);
        cJSON_AddStringToObject(o, "kind", kind_text(rep, ch));
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddBoolToObject(o, "stopped_before_observing", r->stopped_before_observing);
    }
    cJSON_AddStringToObject(o, "message", r->msg);
    cJSON_AddStringToObject(o, "observation", r->observation);
    cJSON_AddNumberToObject(o, "walk_failures", (double)r->walk_failures);
    cJSON_AddNumberToObject(o, "blocks", (double)r->blocks);
    cJSON_AddNumberToObject(o, "samples", (double)r->samples);
    cJSON_AddNumberToObject(o, "bytes", (double)r->bytes);
    cJSON_AddNumberToObject(o, "flushes", (double)r->flushes);
    cJSON_AddNumberToObject(o, "channels", (double)r->channels);
    cJSON_AddNumberToObject(o, "polls", (double)r->polls);
    cJSON_AddNumberToObject(o, "updates", (double)r->updates);
    cJSON_AddNumberToObject(o, "errors", (double)r->errors);
    cJSON_AddNumberToObject(o, "mismatched_samples", (double)r->mismatches);
    cJSON_AddNumberToObject(o, "fill_value_samples", (double)r->fills);
    cJSON_AddNumberToObject(o, "missing_flushed_samples", (double)r->missing);
    cJSON_AddNumberToObject(o, "unread_visible_samples", (double)r->unread);
    cJSON_AddNumberToObject(o, "bad_samples_past_last_flush", (double)r->unflushed_bad);
    cJSON_AddNumberToObject(o, "runs_written", (double)r->runs_written);
    cJSON_AddNumberToObject(o, "runs_seen", (double)r->runs_seen);
    cJSON_AddNumberToObject(o, "runs_expected", (double)r->runs_expected);
    cJSON_AddNumberToObject(o, "summary_table_max_n_samples", (double)r->table_samples);
    double wall = secs(r->t_start_ns, r->t_end_ns);
    cJSON_AddNumberToObject(o, "wall_s", wall);
    cJSON_AddNumberToObject(o, "cpu_user_s", r->cpu_user_s);
    cJSON_AddNumberToObject(o, "cpu_sys_s", r->cpu_sys_s);
    cJSON_AddNumberToObject(o, "max_rss_kib", (double)r->maxrss_kb);
    report_long_run_json(o, r);
    if (ch->role == ROLE_READER) {
        cJSON_AddNumberToObject(o, "start_delay_s", ch->delay_s);
        cJSON_AddBoolToObject(o, "stopped_before_start_delay", orch_stopped_before_delay(rep, ch));
        /* when the orchestrator sent GO, after READY as it saw it; -1 if never */
        cJSON_AddNumberToObject(o, "go_after_ready_ms",
                                ch->go_sent_ns && rep->t_ready_ns ? (double)(ch->go_sent_ns - rep->t_ready_ns) / 1e6
                                                                  : -1);
        cJSON_AddBoolToObject(o, "opened_after_ready", r->t_open_ns && r->t_ready_ns && r->t_open_ns >= r->t_ready_ns);
        cJSON_AddNumberToObject(o, "open_after_ready_ms",
                                r->t_open_ns && r->t_ready_ns ? (double)(r->t_open_ns - r->t_ready_ns) / 1e6 : -1);
        /* one event per flushed block: from the flush returning to the reader
         * first having its data (docs/runs.md, "What is measured") */
        cJSON_AddItemToObject(o, "visibility_lag", lat_json(&r->lag));
        /* the age of the newest flush at each observation that covered one */
        cJSON_AddItemToObject(o, "visibility_lag_newest", lat_json(&r->lag_newest));
        /* the events of observations before STOP, and the count of those after it */
        cJSON_AddItemToObject(o, "visibility_lag_before_stop", lat_json(&r->lag_before_stop));
        cJSON_AddNumberToObject(o, "lag_final_poll_events", (double)r->lag_final);
        cJSON_AddBoolToObject(o, "lag_p99_from_final_poll",
                              from_final_poll(r, r->lag.p99_us, r->lag_before_stop.p99_us));
        cJSON_AddBoolToObject(o, "lag_max_from_final_poll",
                              from_final_poll(r, r->lag.max_us, r->lag_before_stop.max_us));
        cJSON_AddNumberToObject(o, "lag_skipped_flushes", (double)r->lag_skipped);
        cJSON_AddItemToObject(o, "end_to_end_lag", lat_json(&r->e2e_lag));
        cJSON_AddItemToObject(o, "idle_poll_cost", lat_json(&r->poll_cost));
        cJSON_AddNumberToObject(o, "metadata_read_retries", (double)r->retries);
        double wall_r = secs(r->t_open_ns, r->t_end_ns);
        cJSON_AddNumberToObject(o, "cpu_pct_of_core", wall_r > 0 ? 100.0 * (r->cpu_user_s + r->cpu_sys_s) / wall_r : 0);
        if (reader_bytes_unknown(ch)) /* samples counted, bytes not: no figure rather than 0 */
            cJSON_AddNullToObject(o, "throughput_MBps");
        else
            cJSON_AddNumberToObject(o, "throughput_MBps", wall_r > 0 ? (double)r->bytes / 1e6 / wall_r : 0);
    }
    if (ch->role == ROLE_WRITER) {
        cJSON_AddNumberToObject(o, "ready_after_s", secs(r->t_start_ns, r->t_ready_ns));
        double active = secs(r->t_ready_ns, r->t_end_ns);
        cJSON_AddNumberToObject(o, "throughput_MBps", active > 0 ? (double)r->bytes / 1e6 / active : 0);
        cJSON_AddNumberToObject(o, "throughput_samples_per_s", active > 0 ? (double)r->samples / active : 0);
        /* bytes over the time spent in the append and flush calls alone: what the
         * storage path sustains, without the pattern generation between calls */
        cJSON_AddNumberToObject(o, "io_MBps", r->io_ns > 0 ? (double)r->bytes * 1e3 / (double)r->io_ns : 0);
        cJSON_AddNumberToObject(o, "io_s", (double)r->io_ns / 1e9);
        cJSON_AddItemToObject(o, "append_latency", lat_json(&r->append_lat));
        cJSON_AddItemToObject(o, "flush_latency", lat_json(&r->flush_lat));
    }
    return o;
}

int report_write_json(const char *path, const orch_report_t *rep, const char *run_dir, h5s_err_t *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema_version", REPORT_SCHEMA_VERSION);
    cJSON_AddItemToObject(root, "environment", env_obj(run_dir));
    cJSON_AddItemToObject(root, "scenario", scenario_json(&rep->scn));
    cJSON *run = cJSON_AddObjectToObject(root, "run");
    cJSON_AddStringToObject(run, "file", rep->file);
    cJSON_AddStringToObject(run, "results_dir", run_dir ? run_dir : "");
    cJSON_AddNumberToObject(run, "exit_code", rep->exit_code);
    cJSON_AddBoolToObject(run, "interrupted", rep->interrupted);
    cJSON_AddBoolToObject(run, "writer_ready", rep->writer_ready);
    cJSON_AddNumberToObject(run, "ready_after_s", rep->writer_ready ? secs(rep->t_begin_ns, rep->t_ready_ns) : -1);
    cJSON_AddNumberToObject(run, "wall_s", secs(rep->t_begin_ns, rep->t_end_ns));
    cJSON_AddStringToObject(run, "problem", rep->problem);
    cJSON_AddItemToObject(run, "faults", faults_json(rep));
    cJSON_AddStringToObject(run, "recovery", rep->recovery);
    cJSON *procs = cJSON_AddArrayToObject(root, "processes");
    for (int i = 0; i < rep->nchildren; i++)
        cJSON_AddItemToArray(procs, child_json(rep, &rep->children[i]));
    if (rep->has_finalizer)
        cJSON_AddItemToObject(root, "finalize", child_json(rep, &rep->finalizer));
    char *text = h5s_json_text(root);
    cJSON_Delete(root);
    if (!text)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    int rc = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        rc = h5s_seterr(err, H5S_ESYS, "%s: %s", path, strerror(errno));
    else {
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
            rc = h5s_seterr(err, H5S_ESYS, "%s: %s", path, strerror(errno));
        if (close(fd) != 0 && rc == 0)
            rc = h5s_seterr(err, H5S_ESYS, "%s: %s", path, strerror(errno));
    }
    free(text);
    return rc;
}
