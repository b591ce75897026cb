/* stress_min.c - h5swmr stress --minimize: shrinks a failing scenario one
 * reduction at a time (fewer faults, readers, channels, blocks, a shorter run,
 * simpler options), keeping a reduction while the same class of failure still
 * occurs within a few real runs, and names the standalone reproducer when the
 * failure is one of HDF5's. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "stress.h"
#include "util.h"

#define MAX_CANDS 48
#define MAX_REJECTED 256
#define MAX_RUNS 1000
#define CAND_LEN 160

/* A minimization in progress: where it writes, what it has found. */
typedef struct minim {
    const stress_min_opts_t *o;
    const char *faildir;
    char scratch[SCN_PATH + 64]; /* faildir/minimize-scratch: every attempt's run */
    char best[SCN_PATH + 128];   /* the directory of the last run that failed alike ("" none) */
    char cls[512];               /* the failure class to keep */
    scn_t cur;                   /* the smallest scenario found failing so far */
    orch_report_t *rep;
    FILE *log;
    int64_t t0;
    long runs, steps, kept;
    bool interrupted;
    int fail_rc;
    char repro[64]; /* the reproducer of the kept class, "" none */
    char rejected[MAX_REJECTED][CAND_LEN];
    int nrejected;
} minim_t;

/* Prints a line on stdout and into the log. */
static void say(minim_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(minim_t *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    if (m->log) {
        va_start(ap, fmt);
        vfprintf(m->log, fmt, ap);
        va_end(ap);
        fflush(m->log);
    }
}

/* Whether a child of rep other than those killed on purpose had to be
 * SIGKILLed at the end (it hung). */
static bool any_hung(const orch_report_t *rep)
{
    for (int i = 0; i < rep->nchildren + rep->has_finalizer; i++) {
        const orch_child_t *ch = i < rep->nchildren ? &rep->children[i] : &rep->finalizer;
        if (!ch->fault_killed && ch->kill_stage >= 2)
            return true;
    }
    return false;
}

/* The first crash of a reader in rep (ORCH_CRASH_*). */
static int first_crash(const orch_report_t *rep)
{
    for (int i = 0; i < rep->nchildren; i++)
        if (rep->children[i].crash != ORCH_CRASH_NONE)
            return rep->children[i].crash;
    return ORCH_CRASH_NONE;
}

/* Whether a process of rep that was asked to stop was last seen sleeping
 * in the kernel as HDF5's metadata read retries do after an overwrite. */
static bool in_read_retries(const orch_report_t *rep)
{
    if (rep->fx.corrupt < 0)
        return false;
    for (int i = 0; i <= rep->nchildren && i <= SCN_MAX_READERS; i++)
        if (!strcmp(rep->fx.kernel[i], "clock_nanosleep"))
            return true;
    return false;
}

/* Whether some reader's open was refused as HDF5 1.10 refuses one in the
 * open race ("truncated file: eof < stored_eof"). */
static bool open_refused(const orch_report_t *rep)
{
    if (strstr(rep->problem, "stored_eof"))
        return true;
    for (int i = 0; i < rep->nchildren; i++)
        if (rep->children[i].has_result && strstr(rep->children[i].res.msg, "stored_eof"))
            return true;
    return false;
}

void stress_failure_class(const orch_report_t *rep, char *cls, size_t cap)
{
    char why[512];
    if (stress_judge(rep, why, sizeof why)) {
        snprintf(cls, cap, "passed");
        return;
    }
    if (!strncmp(why, "process ", 8)) {
        snprintf(cls, cap, "a process outlived the run");
        return;
    }
    size_t l = (size_t)snprintf(cls, cap, "exit %d", rep->exit_code);
    int crash = first_crash(rep);
    if (crash != ORCH_CRASH_NONE && l < cap)
        l += (size_t)snprintf(cls + l, cap - l, ", a reader crashed %s", orch_crash_text(crash));
    if (any_hung(rep) && l < cap)
        l += (size_t)snprintf(cls + l, cap - l, "%s",
                              in_read_retries(rep) ? ", a process hung in HDF5's metadata read retries"
                                                   : ", a process hung");
    if (open_refused(rep) && l < cap)
        l += (size_t)snprintf(cls + l, cap - l, ", an open refused (eof < stored_eof)");
    if (rep->file_gone && l < cap)
        l += (size_t)snprintf(cls + l, cap - l, ", the file replaced");
    if (rep->finalizer_stalled && l < cap)
        snprintf(cls + l, cap - l, ", the finalizer stalled");
}

/* The 'h5swmr repro' reproducer of a failure of scenario s with report rep,
 * when the failure is one of HDF5's that one of them shows, else NULL. */
static const char *repro_of(const scn_t *s, const orch_report_t *rep)
{
    if (first_crash(rep) == ORCH_CRASH_HDF5)
        return "h5orefresh-dense-links";
    if (open_refused(rep))
        return "reader-open-race";
    if (s->corrupt_file_after_ms > 0 && in_read_retries(rep))
        return "swmr-reader-retry-hang";
    return NULL;
}

/* Whether s is over its budget of time or runs. */
static bool out_of_budget(const minim_t *m)
{
    return (double)(h5s_now_ns() - m->t0) / 1e9 >= m->o->budget_s || m->runs >= MAX_RUNS;
}

/* Whether SIGINT or SIGTERM is pending (they are blocked while minimizing). */
static bool stop_pending(void)
{
    sigset_t pend;
    return sigpending(&pend) == 0 && (sigismember(&pend, SIGINT) || sigismember(&pend, SIGTERM));
}

/* Removes a run's directory, saying so if it cannot. */
static void drop_dir(const char *dir)
{
    if (h5s_rm_rf(dir) != 0 && errno != ENOENT)
        fprintf(stderr, "h5swmr stress: warning: cannot remove %s: %s\n", dir, strerror(errno));
}

/* Writes s as a scenario file at path (never over an existing file): 0 or -1. */
static int write_ini_new(const char *path, const scn_t *s, const char *head)
{
    FILE *f = fopen(path, "wx");
    if (!f)
        return -1;
    fprintf(f, "; %s\n", head);
    int rc = scn_write_ini(s, f);
    return fclose(f) != 0 || rc != 0 ? -1 : 0;
}

/* Writes the minimal scenario so far to faildir/minimal.ini (replacing the
 * previous one of this minimization through a temporary file). */
static void save_minimal(minim_t *m)
{
    char tmp[SCN_PATH + 64], path[SCN_PATH + 64], head[256];
    snprintf(tmp, sizeof tmp, "%s/.minimal.ini.tmp", m->faildir);
    snprintf(path, sizeof path, "%s/minimal.ini", m->faildir);
    snprintf(head, sizeof head, "the smallest scenario found still failing (%.180s): h5swmr stress --minimize", m->cls);
    unlink(tmp);
    if (write_ini_new(tmp, &m->cur, head) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "h5swmr stress: warning: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
}

/* One real run of s in a new directory under the scratch directory. Sets
 * *failed_alike when it failed with the class m->cls (taking the class first
 * when m->cls is empty); its directory is then kept as m->best (the previous
 * one removed), else removed. Returns 0, 130 when interrupted, or -1. */
static int run_once(minim_t *m, const scn_t *s, bool *failed_alike, char *seen, size_t cap)
{
    char dir[SCN_PATH + 128], file[SCN_PATH + 160], name[32], why[512];
    h5s_err_t err;
    *failed_alike = false;
    snprintf(name, sizeof name, "run-%04ld", ++m->runs);
    if (h5s_make_unique_dir(m->scratch, name, dir, sizeof dir) != 0) {
        fprintf(stderr, "h5swmr stress: cannot create a run directory in %s: %s\n", m->scratch, strerror(errno));
        return -1;
    }
    snprintf(file, sizeof file, "%s/data.mth5", dir);
    scn_t r = *s;
    r.file[0] = '\0';
    r.overwrite = false;
    if (orch_run(&r, file, dir, m->rep, &err) < 0) {
        fprintf(stderr, "h5swmr stress: %s\n", err.msg);
        drop_dir(dir);
        return -1;
    }
    if (m->rep->interrupted && m->rep->exit_code != EXIT_VERIFY) {
        drop_dir(dir);
        return 130;
    }
    if (stress_judge(m->rep, why, sizeof why)) {
        snprintf(seen, cap, "passed");
        drop_dir(dir);
        return 0;
    }
    stress_failure_class(m->rep, seen, cap);
    if (!m->cls[0]) {
        snprintf(m->cls, sizeof m->cls, "%s", seen);
        m->fail_rc = m->rep->exit_code ? m->rep->exit_code : EXIT_FAIL;
    }
    if (strcmp(seen, m->cls) != 0) {
        drop_dir(dir);
        return 0;
    }
    *failed_alike = true;
    const char *rp = repro_of(s, m->rep);
    snprintf(m->repro, sizeof m->repro, "%s", rp ? rp : "");
    char path[SCN_PATH + 160];
    snprintf(path, sizeof path, "%s/report.txt", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        report_print(f, m->rep);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/summary.json", dir);
    report_write_json(path, m->rep, dir, NULL);
    snprintf(path, sizeof path, "%s/resolved.ini", dir);
    if ((f = fopen(path, "w"))) {
        scn_write_ini(s, f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/seed.txt", dir);
    if ((f = fopen(path, "w"))) {
        fprintf(f, "found by h5swmr stress --minimize\nreplay: h5swmr stress --replay <this directory>\n");
        fclose(f);
    }
    if (m->best[0])
        drop_dir(m->best);
    snprintf(m->best, sizeof m->best, "%s", dir);
    return 0;
}

/* Runs s up to o->tries times until it fails alike. *kept = it did; *fails
 * counts its runs. Returns 0, 130 or -1. */
static int attempt(minim_t *m, const scn_t *s, bool *kept, int *fails, long *nruns, char *seen, size_t cap)
{
    *kept = false;
    *fails = 0;
    *nruns = 0;
    for (long t = 0; t < m->o->tries; t++) {
        if (stop_pending())
            return 130;
        if (t > 0 && out_of_budget(m))
            break;
        bool alike;
        int rc = run_once(m, s, &alike, seen, cap);
        if (rc)
            return rc;
        (*nruns)++;
        if (strcmp(seen, "passed") != 0)
            (*fails)++;
        if (alike) {
            *kept = true;
            return 0;
        }
    }
    return 0;
}

/* Adds the candidate reduction "key=value[ key=value]..." to list (n of them). */
static void add(char list[][CAND_LEN], int *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char list[][CAND_LEN], int *n, const char *fmt, ...)
{
    if (*n >= MAX_CANDS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(list[*n], CAND_LEN, fmt, ap);
    va_end(ap);
    (*n)++;
}

/* The first item of the comma list v into out. */
static void first_item(const char *v, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", (int)strcspn(v, ","), v);
}

/* The reductions of s, one change each, in the order tried: fewer readers,
 * fewer channels, each fault dropped, a shorter run, fewer and smaller
 * blocks, simpler options. Returns their count. */
static int candidates(const scn_t *s, char list[][CAND_LEN])
{
    int n = 0;
    char item[SCN_STR];
    /* fewer readers: none (when no fault needs one), one, half */
    if (s->readers > 0 && s->kill_reader == 0 && !s->early_reader)
        add(list, &n, "readers=0");
    if (s->readers > 1)
        add(list, &n, "readers=1%s", s->kill_reader > 1 ? " kill_reader=1" : "");
    if (s->readers > 3)
        add(list, &n, "readers=%lld%s", (long long)s->readers / 2,
            s->kill_reader > s->readers / 2 ? " kill_reader=1" : "");
    /* fewer channels */
    if (s->nchannels > 1) {
        add(list, &n, "nchannels=1");
        if (s->nchannels > 3)
            add(list, &n, "nchannels=%lld", (long long)s->nchannels / 2);
    } else if (s->nchannels == 0 && strchr(s->channels, ',')) {
        char items[SCN_MAX_CHANNELS][SCN_STR];
        int k = scn_split(s->channels, items, SCN_MAX_CHANNELS);
        add(list, &n, "channels=%.100s", items[0]);
        if (k > 3) {
            char half[CAND_LEN] = "";
            for (int i = 0; i < k / 2 && strlen(half) + strlen(items[i]) + 2 < sizeof half - 12; i++)
                snprintf(half + strlen(half), sizeof half - strlen(half), "%s%s", i ? "," : "", items[i]);
            add(list, &n, "channels=%s", half);
        }
    }
    /* each fault dropped */
    if (s->corrupt_file_after_ms > 0)
        add(list, &n, "corrupt_file_after_ms=0");
    if (s->kill_writer_after_ms > 0)
        add(list, &n, "kill_writer_after_ms=0");
    if (s->kill_reader > 0)
        add(list, &n, "kill_reader=0 kill_reader_after_ms=0");
    if (s->stall_writer_ms > 0 || s->stall_writer_after_ms > 0)
        add(list, &n, "stall_writer_after_ms=0 stall_writer_ms=0");
    if (s->writer_fsize_limit_mb > 0)
        add(list, &n, "writer_fsize_limit_mb=0");
    if (s->early_reader)
        add(list, &n, "early_reader=false");
    if (s->slow_writer_pct > 0)
        add(list, &n, "slow_writer_pct=0");
    /* a shorter run, fewer and smaller blocks */
    if (s->duration_s > 0.2)
        add(list, &n, "duration=%.3g", s->duration_s / 2);
    if (s->max_blocks > 1)
        add(list, &n, "max_blocks=%lld", (long long)s->max_blocks / 2);
    if (s->block_samples > 64)
        add(list, &n, "block_samples=%lld", (long long)(s->block_samples / 4 > 64 ? s->block_samples / 4 : 64));
    if (s->chunk_samples != 0)
        add(list, &n, "chunk_samples=0");
    /* simpler options */
    if (s->compress)
        add(list, &n, "compress=false");
    if (s->reader_wait != SCN_WAIT_POLL)
        add(list, &n, "reader_wait=poll");
    if (strchr(s->reader_refresh, ',')) {
        first_item(s->reader_refresh, item, sizeof item);
        add(list, &n, "reader_refresh=%.100s", item);
    }
    if (strcmp(s->reader_kind, "h5swmr") != 0 && s->reader_kind[0])
        add(list, &n, "reader_kind=h5swmr");
    if (s->flush_every_blocks > 1)
        add(list, &n, "flush_every_blocks=1");
    if (s->flush_every_ms > 0)
        add(list, &n, "flush_every_ms=0");
    if (s->flush_call != SCN_DFLUSH)
        add(list, &n, "flush_call=dflush");
    if (s->read_summary_table)
        add(list, &n, "read_summary_table=false");
    return n;
}

/* s with the reduction c applied into *out: 0, or -1 when a value is refused
 * or the result is not a valid scenario (msg says why). */
static int apply(const scn_t *s, const char *c, scn_t *out, char *msg, size_t cap)
{
    char buf[CAND_LEN], *save = NULL;
    *out = *s;
    size_t l = strnlen(c, sizeof buf - 1);
    memcpy(buf, c, l);
    buf[l] = '\0';
    for (char *kv = strtok_r(buf, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        if (scn_set(out, kv, eq + 1, msg, cap) < 0)
            return -1;
    }
    return scn_validate(out, msg, cap) < 0 ? -1 : 0;
}

/* Remembers the reduction c as rejected. */
static void reject(minim_t *m, const char *c)
{
    char *dst = m->rejected[m->nrejected++ % MAX_REJECTED];
    size_t l = strnlen(c, CAND_LEN - 1);
    memcpy(dst, c, l);
    dst[l] = '\0';
}

/* Whether the reduction c was rejected before. */
static bool was_rejected(const minim_t *m, const char *c)
{
    for (int i = 0; i < m->nrejected && i < MAX_REJECTED; i++)
        if (!strcmp(m->rejected[i], c))
            return true;
    return false;
}

/* Tries reductions one at a time until none is left or the budget ends;
 * returns 0, 130 or -1. */
static int reduce(minim_t *m)
{
    char list[MAX_CANDS][CAND_LEN], msg[256], seen[512];
    for (;;) {
        int n = candidates(&m->cur, list), i;
        bool progress = false;
        for (i = 0; i < n; i++) {
            if (was_rejected(m, list[i]))
                continue;
            if (out_of_budget(m)) {
                say(m, "minimize: budget reached (%.0f s, %ld runs): stopping here\n",
                    (double)(h5s_now_ns() - m->t0) / 1e9, m->runs);
                return 0;
            }
            scn_t next;
            m->steps++;
            if (apply(&m->cur, list[i], &next, msg, sizeof msg) < 0) {
                say(m, "step %ld: %s ... not a valid scenario (%s): skipped\n", m->steps, list[i], msg);
                reject(m, list[i]);
                continue;
            }
            bool kept;
            int fails, rc;
            long nr;
            int64_t t1 = h5s_now_ns();
            if ((rc = attempt(m, &next, &kept, &fails, &nr, seen, sizeof seen)) != 0)
                return rc;
            double secs = (double)(h5s_now_ns() - t1) / 1e9;
            if (kept) {
                m->kept++;
                m->cur = next;
                save_minimal(m);
                say(m, "step %ld: %s ... kept (failed alike on run %ld of at most %ld, %.1f s)\n", m->steps, list[i],
                    nr, m->o->tries, secs);
                progress = true;
                break;
            }
            reject(m, list[i]);
            if (fails)
                say(m, "step %ld: %s ... rejected (%d of %ld runs failed otherwise: %s; %.1f s)\n", m->steps, list[i],
                    fails, nr, seen, secs);
            else
                say(m, "step %ld: %s ... rejected (passed %ld of %ld runs, %.1f s)\n", m->steps, list[i], nr, nr, secs);
        }
        if (!progress)
            return 0;
    }
}

/* What changed from a to b, the keys the reductions touch, into out. */
static void describe_change(const scn_t *a, const scn_t *b, char *out, size_t cap)
{
    static const char *const keys[] = {
        "readers",        "channels",   "nchannels",   "duration",           "max_blocks",  "block_samples",
        "chunk_samples",  "compress",   "reader_wait", "reader_refresh",     "reader_kind", "flush_every_blocks",
        "flush_every_ms", "flush_call", "realtime",    "read_summary_table", NULL};
    static const char *const faults[] = {
        "corrupt_file_after_ms", "kill_writer_after_ms", "kill_reader",     "stall_writer_ms",
        "writer_fsize_limit_mb", "early_reader",         "slow_writer_pct", NULL};
    const scn_opt_t *opts = scn_options();
    size_t l = 0;
    out[0] = '\0';
    int fa = 0, fb = 0;
    char kept_faults[200] = "";
    for (const scn_opt_t *o = opts; o->name; o++) {
        char va[SCN_STR + 64], vb[SCN_STR + 64];
        bool is_key = false, is_fault = false;
        for (int i = 0; keys[i]; i++)
            is_key |= !strcmp(o->name, keys[i]);
        for (int i = 0; faults[i]; i++)
            is_fault |= !strcmp(o->name, faults[i]);
        if (!is_key && !is_fault)
            continue;
        scn_format(a, o, va, sizeof va);
        scn_format(b, o, vb, sizeof vb);
        bool on_a = strcmp(va, "0") && strcmp(va, "false"), on_b = strcmp(vb, "0") && strcmp(vb, "false");
        if (is_fault) {
            fa += on_a;
            fb += on_b;
            if (on_b)
                snprintf(kept_faults + strlen(kept_faults), sizeof kept_faults - strlen(kept_faults), "%s%s",
                         kept_faults[0] ? ", " : "", o->name);
            continue;
        }
        if (strcmp(va, vb) != 0 && l < cap)
            l += (size_t)snprintf(out + l, cap - l, "%s%s %.60s -> %.60s", l ? ", " : "", o->name, va, vb);
    }
    if (l < cap)
        snprintf(out + l, cap - l, "%sfaults %d -> %d%s%s%s", l ? ", " : "", fa, fb, fb ? " (" : "", kept_faults,
                 fb ? ")" : "");
}

/* Sets up m's scratch directory and log in faildir: 0, or -1 after a message. */
static int open_minim(minim_t *m)
{
    snprintf(m->scratch, sizeof m->scratch, "%s/minimize-scratch", m->faildir);
    if (mkdir(m->scratch, 0755) != 0) {
        fprintf(stderr, "h5swmr stress: cannot create %s: %s\n", m->scratch, strerror(errno));
        return -1;
    }
    char path[SCN_PATH + 64];
    snprintf(path, sizeof path, "%s/minimize.log", m->faildir);
    if (!(m->log = fopen(path, "wx"))) {
        fprintf(stderr, "h5swmr stress: cannot create %s: %s\n", path, strerror(errno));
        rmdir(m->scratch);
        return -1;
    }
    return 0;
}

/* Moves the last run that failed alike to faildir/minimal-run and removes the
 * scratch directory. */
static void close_minim(minim_t *m, char *best_out, size_t cap)
{
    best_out[0] = '\0';
    if (m->best[0]) {
        char dst[SCN_PATH + 64];
        snprintf(dst, sizeof dst, "%s/minimal-run", m->faildir);
        if (rename(m->best, dst) == 0)
            snprintf(best_out, cap, "%s", dst);
        else
            fprintf(stderr, "h5swmr stress: warning: cannot move %s to %s: %s\n", m->best, dst, strerror(errno));
    }
    drop_dir(m->scratch);
}

int stress_minimize(const scn_t *s, const char *cls, const char *faildir, const stress_min_opts_t *o,
                    orch_report_t *rep, int *fail_rc)
{
    minim_t *m = calloc(1, sizeof *m);
    if (!m) {
        fprintf(stderr, "h5swmr stress: out of memory\n");
        return EXIT_FAIL;
    }
    *m = (minim_t){.o = o, .faildir = faildir, .cur = *s, .rep = rep, .t0 = h5s_now_ns()};
    snprintf(m->cls, sizeof m->cls, "%s", cls ? cls : "");
    if (open_minim(m) != 0) {
        free(m);
        return EXIT_FAIL;
    }
    sigset_t stopset, oldmask;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);
    sigprocmask(SIG_BLOCK, &stopset, &oldmask);
    int rc = 0;
    char seen[512];
    if (!cls) {
        /* a replay: the failure must show itself first */
        bool kept;
        int fails;
        long nr;
        rc = attempt(m, s, &kept, &fails, &nr, seen, sizeof seen);
        if (rc == 0 && !kept) {
            say(m, "minimize: the scenario passed %ld of %ld runs: nothing failed, nothing to minimize\n", nr, nr);
            fclose(m->log);
            m->log = NULL;
            char path[SCN_PATH + 64];
            snprintf(path, sizeof path, "%s/minimize.log", faildir);
            unlink(path);
            drop_dir(m->scratch);
            sigprocmask(SIG_SETMASK, &oldmask, NULL);
            *fail_rc = 0;
            free(m);
            return 0;
        }
        if (rc == 0)
            say(m, "minimize: the replay failed (%s) on run %ld\n", m->cls, nr);
    } else {
        const char *rp = repro_of(s, rep); /* rep is still the failure's own report */
        snprintf(m->repro, sizeof m->repro, "%s", rp ? rp : "");
        m->fail_rc = EXIT_VERIFY;
    }
    if (rc == 0) {
        say(m, "minimize: shrinking while it fails alike (%s), each reduction judged on up to %ld run%s, budget %g s\n",
            m->cls, o->tries, o->tries == 1 ? "" : "s", o->budget_s);
        save_minimal(m);
        rc = reduce(m);
    }
    if (rc == 130 || stop_pending())
        rc = 130;
    struct timespec zero = {0, 0};
    while (sigtimedwait(&stopset, NULL, &zero) > 0)
        rc = 130;
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    char best[SCN_PATH + 64], change[1024];
    close_minim(m, best, sizeof best);
    describe_change(s, &m->cur, change, sizeof change);
    say(m, "minimize: %s%ld steps, %ld kept, %ld runs in %.0f s: %s; minimal scenario in %s/minimal.ini%s%s%s\n",
        rc == 130 ? "interrupted, what was found so far kept: " : "", m->steps, m->kept, m->runs,
        (double)(h5s_now_ns() - m->t0) / 1e9, change, faildir, best[0] ? " (replay: h5swmr stress --replay " : "", best,
        best[0] ? ")" : "");
    if (m->repro[0])
        say(m, "minimize: this is HDF5's defect: h5swmr repro %s --out DIR writes its standalone reproducer\n",
            m->repro);
    if (rc == -1)
        rc = EXIT_FAIL;
    *fail_rc = m->fail_rc;
    fclose(m->log);
    free(m);
    return rc;
}
