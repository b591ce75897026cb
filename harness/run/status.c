/* status.c - the live status line of a run (see status.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orch.h"
#include "util.h"

/* Refresh periods when report_ms is 0: a terminal's line, plain lines with
 * status = lines; and the shortest period either may have. */
#define STATUS_TTY_NS 500000000LL
#define STATUS_LINES_NS 1000000000LL
#define STATUS_MIN_NS 50000000LL

/* Readers shown one by one up to this many; more are summed up per kind. */
#define STATUS_EACH 4

/* Erase from the cursor to the end of the line (ANSI EL). */
#define STATUS_EL "\033[K"

int status_begin(status_t *st, const scn_t *s, const status_outer_t *outer, h5s_err_t *err)
{
    memset(st, 0, sizeof *st);
    st->out_r = st->out_w = -1;
    if (!outer || s->status == SCN_STATUS_OFF)
        return 0;
    st->outer = *outer;
    bool tty = isatty(STDOUT_FILENO) == 1;
    int64_t every = (int64_t)(s->report_ms * 1e6);
    if (tty && s->status == SCN_STATUS_AUTO) {
        st->mode = STATUS_TTY;
        st->period_ns = every > 0 ? every : STATUS_TTY_NS;
    } else if (!s->quiet && (s->status == SCN_STATUS_LINES || every > 0)) {
        st->mode = STATUS_LINES;
        st->period_ns = every > 0 ? every : STATUS_LINES_NS;
    } else {
        return 0;
    }
    if (st->period_ns < STATUS_MIN_NS)
        st->period_ns = STATUS_MIN_NS;
    if (st->mode == STATUS_TTY) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0)
            return h5s_seterr(err, H5S_ESYS, "pipe: %s", strerror(errno));
        fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
        st->out_r = p[0];
        st->out_w = p[1];
    }
    return 0;
}

int status_child_stdout(const status_t *st)
{
    return st->out_w >= 0 ? st->out_w : 0;
}

int status_pollfd(const status_t *st)
{
    return st->out_r;
}

/* Writes n bytes of p to stdout (through stdio, after what it holds). */
static void out(const char *p, size_t n)
{
    fwrite(p, 1, n, stdout);
}

void status_clear(status_t *st)
{
    if (st->mode != STATUS_TTY || !st->shown)
        return;
    fputs("\r" STATUS_EL, stdout);
    fflush(stdout);
    st->shown = false;
}

/* The terminal's width in columns (80 when it does not say). */
static int term_cols(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* TTY: draws st->line in place of whatever the cursor's line holds, clipped
 * to the terminal's width now (it may have been made narrower since the line
 * was formatted). */
static void draw(status_t *st)
{
    int cols = term_cols();
    size_t n = strlen(st->line);
    if ((int)n >= cols)
        n = (size_t)(cols > 1 ? cols - 1 : 0);
    fputs("\r", stdout);
    fwrite(st->line, 1, n, stdout);
    fputs(STATUS_EL, stdout);
    fflush(stdout);
    st->shown = true;
}

void status_pump(status_t *st)
{
    if (st->out_r < 0)
        return;
    bool wrote = false;
    for (;;) {
        char buf[4096];
        ssize_t r = read(st->out_r, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            st->part[st->npart++] = buf[i];
            if (buf[i] != '\n' && st->npart < sizeof st->part)
                continue;
            if (!wrote)
                status_clear(st);
            wrote = true;
            out(st->part, st->npart);
            st->npart = 0;
        }
    }
    if (wrote && st->line[0])
        draw(st);
    else if (wrote)
        fflush(stdout);
}

/* A duration as the status line shows it: "4.2 s", "12m05s", "3h07m";
 * short: without the space. */
static void dur(double s, bool short_form, char *b, size_t cap)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(b, cap, short_form ? "%.1fs" : "%.1f s", s);
    else if (s < 3600)
        snprintf(b, cap, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(b, cap, "%dh%02dm", (int)(s / 3600), (int)s % 3600 / 60);
}

/* A lag in ns as text: "850 us", "4.1 ms", "1.20 s" (short: no space). */
static void lag_text(int64_t ns, bool short_form, char *b, size_t cap)
{
    double us = (double)ns / 1e3;
    const char *sp = short_form ? "" : " ";
    if (us < 1000)
        snprintf(b, cap, "%.0f%sus", us, sp);
    else if (us < 1e6)
        snprintf(b, cap, "%.*f%sms", us < 1e4 ? 1 : 0, us / 1e3, sp);
    else
        snprintf(b, cap, "%.2f%ss", us / 1e6, sp);
}

/* The seconds left of the run itself (its writer's duration, max_blocks or
 * max_mb, whichever ends it first, at its pace so far); < 0 unknown. Sets
 * *phase to what the run is doing when that is not writing. */
static double run_left(const orch_report_t *rep, const shm_t *shm, bool finalizing, int64_t now, char *phase,
                       size_t cap)
{
    const scn_t *s = &rep->scn;
    const orch_child_t *w = &rep->children[0];
    phase[0] = '\0';
    if (finalizing) {
        uint64_t b = atomic_load(&shm->finalize_bytes), t = atomic_load(&shm->finalize_total);
        if (t)
            snprintf(phase, cap, "finalizing %.0f %%", 100.0 * (double)b / (double)t);
        else
            snprintf(phase, cap, "finalizing");
        return -1;
    }
    if (!rep->writer_ready) {
        snprintf(phase, cap, "starting");
        return s->duration_s > 0 ? s->duration_s : -1;
    }
    if (w->reaped || w->stop_sent_ns) {
        snprintf(phase, cap, "stopping");
        return 0;
    }
    double ran = (double)(now - rep->t_ready_ns) / 1e9, left = -1;
    if (s->duration_s > 0) /* past it (a stalled writer): it is due to stop any moment */
        left = s->duration_s > ran ? s->duration_s - ran : 0;
    const proto_progress_t *p = &shm->progress[0];
    double blocks = (double)atomic_load(&p->blocks), bytes = (double)atomic_load(&p->bytes);
    if (s->max_blocks > 0 && blocks > 0 && ran > 0) {
        double l = blocks < (double)s->max_blocks ? ((double)s->max_blocks - blocks) * ran / blocks : 0;
        if (left < 0 || l < left)
            left = l;
    }
    if (s->max_mb > 0 && bytes > 0 && ran > 0) {
        double l = bytes < s->max_mb * 1e6 ? (s->max_mb * 1e6 - bytes) * ran / bytes : 0;
        if (left < 0 || l < left)
            left = l;
    }
    return left;
}

/* Errors so far: processes that published an error, and those that ended
 * with a failure (not killed on purpose) without publishing one. */
static unsigned errors_so_far(const orch_report_t *rep, const shm_t *shm)
{
    unsigned n = 0;
    for (int i = 0; i < rep->nchildren; i++) {
        const orch_child_t *ch = &rep->children[i];
        int slot = ch->role == ROLE_WRITER ? 0 : ch->index;
        bool failed = ch->reaped && !ch->fault_killed && !(WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == 0);
        n += atomic_load(&shm->progress[slot].t_error_ns) != 0 || failed;
    }
    return n;
}

/* One field of the line in its full and its short form. */
typedef struct field {
    char full[320], brief[160];
} field_t;

/* The writer's field: MB/s since READY (until it ended) and flushes. */
static void writer_field(field_t *f, const orch_report_t *rep, const shm_t *shm, int64_t now)
{
    const orch_child_t *w = &rep->children[0];
    const proto_progress_t *p = &shm->progress[0];
    if (!rep->writer_ready) {
        snprintf(f->full, sizeof f->full, "writer starting");
        snprintf(f->brief, sizeof f->brief, "W starting");
        return;
    }
    int64_t end = w->has_result && w->res.t_end_ns > rep->t_ready_ns ? w->res.t_end_ns : now;
    double el = (double)(end - rep->t_ready_ns) / 1e9;
    double mbs = el > 0 ? (double)atomic_load(&p->bytes) / 1e6 / el : 0;
    unsigned long long fl = (unsigned long long)atomic_load(&p->flushes);
    int dec = mbs >= 100 ? 0 : mbs >= 10 ? 1 : 2;
    snprintf(f->full, sizeof f->full, "writer %.*f MB/s, %llu flushes", dec, mbs, fl);
    snprintf(f->brief, sizeof f->brief, "W %.*fMB/s %llu flushes", dec, mbs, fl);
}

/* A count as the short forms show it: "950", "12.3k", "4.56M", "1.20G". */
static void count_text(uint64_t n, char *b, size_t cap)
{
    if (n < 10000)
        snprintf(b, cap, "%llu", (unsigned long long)n);
    else if (n < 1000000)
        snprintf(b, cap, "%.1fk", (double)n / 1e3);
    else if (n < 1000000000)
        snprintf(b, cap, "%.2fM", (double)n / 1e6);
    else
        snprintf(b, cap, "%.2fG", (double)n / 1e9);
}

/* The kind of reader i as the status line groups them. */
static const char *kind_of(const orch_report_t *rep, int i)
{
    if (rep->scn.reader_mode == SCN_READER_BARE)
        return "bare";
    return scn_reader_kind_name(scn_reader_kind(&rep->scn, i - 1));
}

/* Appends to b (of cap, holding *n) what printf makes of fmt. */
__attribute__((format(printf, 4, 5))) static void add(char *b, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(b + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (r > 0)
        *n = *n + (size_t)r < cap ? *n + (size_t)r : cap - 1;
}

/* The readers' field: each reader's samples of the first channel and lag
 * p99 so far, or with more than STATUS_EACH readers the range of both over
 * the readers of each kind. */
static void readers_field(field_t *f, const orch_report_t *rep, const shm_t *shm)
{
    size_t nf = 0, nb = 0;
    char a[24], b[24];
    f->full[0] = f->brief[0] = '\0';
    int nr = rep->nchildren - 1;
    if (nr <= STATUS_EACH) {
        for (int i = 1; i <= nr; i++) {
            const proto_progress_t *p = &shm->progress[i];
            uint64_t seen = atomic_load(&p->seen), ln = atomic_load(&p->lag_n);
            char c[24];
            count_text(seen, c, sizeof c);
            lag_text(atomic_load(&p->lag_p99_ns), false, a, sizeof a);
            lag_text(atomic_load(&p->lag_p99_ns), true, b, sizeof b);
            add(f->full, sizeof f->full, &nf, "%sreader %d: %llu samples, lag p99 %s", i > 1 ? "; " : "", i,
                (unsigned long long)seen, ln ? a : "-");
            add(f->brief, sizeof f->brief, &nb, "%sr%d %s p99 %s", i > 1 ? " " : "", i, c, ln ? b : "-");
        }
        return;
    }
    /* per kind, in the order the kinds first appear */
    bool done[1 + SCN_MAX_READERS] = {false};
    for (int i = 1; i <= nr; i++) {
        if (done[i])
            continue;
        const char *kind = kind_of(rep, i);
        int count = 0;
        uint64_t smin = UINT64_MAX, smax = 0;
        int64_t pmin = INT64_MAX, pmax = 0;
        for (int k = i; k <= nr; k++) {
            if (done[k] || strcmp(kind_of(rep, k), kind) != 0)
                continue;
            done[k] = true;
            count++;
            const proto_progress_t *p = &shm->progress[k];
            uint64_t seen = atomic_load(&p->seen);
            smin = seen < smin ? seen : smin;
            smax = seen > smax ? seen : smax;
            if (atomic_load(&p->lag_n)) {
                int64_t p99 = atomic_load(&p->lag_p99_ns);
                pmin = p99 < pmin ? p99 : pmin;
                pmax = p99 > pmax ? p99 : pmax;
            }
        }
        char lo[24], hi[24], slo[24], shi[24], cmin[24], cmax[24];
        count_text(smin, cmin, sizeof cmin);
        count_text(smax, cmax, sizeof cmax);
        lag_text(pmin, false, lo, sizeof lo);
        lag_text(pmax, false, hi, sizeof hi);
        lag_text(pmin, true, slo, sizeof slo);
        lag_text(pmax, true, shi, sizeof shi);
        bool lag = pmin != INT64_MAX;
        add(f->full, sizeof f->full, &nf, "%s%d %s readers: %llu..%llu samples, lag p99 %s..%s", nf ? "; " : "", count,
            kind, (unsigned long long)smin, (unsigned long long)smax, lag ? lo : "-", lag ? hi : "-");
        add(f->brief, sizeof f->brief, &nb, "%s%s x%d %s..%s p99 %s..%s", nb ? " " : "", kind, count, cmin, cmax,
            lag ? slo : "-", lag ? shi : "-");
    }
}

size_t status_format(char *buf, size_t cap, int cols, const orch_report_t *rep, const shm_t *shm,
                     const status_outer_t *outer, bool finalizing, bool final, int64_t now)
{
    /* in the order shown: what varies in length (the readers) last, where clipping takes it */
    enum { F_OUTER, F_TIME, F_WRITER, F_ERRORS, F_READERS, NF };
    field_t f[NF];
    memset(f, 0, sizeof f);
    bool in_outer = outer && outer->label[0];
    if (in_outer) {
        snprintf(f[F_OUTER].full, sizeof f[F_OUTER].full, "%s", outer->label);
        snprintf(f[F_OUTER].brief, sizeof f[F_OUTER].brief, "%lld/%lld", outer->index, outer->count);
    }
    int64_t t0 = outer && outer->t0_ns ? outer->t0_ns : rep->t_begin_ns;
    char phase[48], e[24], es[24], l[24], ls[24];
    double left = run_left(rep, shm, finalizing, now, phase, sizeof phase);
    if (left >= 0 && in_outer)
        left = outer->eta_after_s >= 0 ? left + outer->eta_after_s : -1;
    dur((double)(now - t0) / 1e9, false, e, sizeof e);
    dur((double)(now - t0) / 1e9, true, es, sizeof es);
    dur(left, false, l, sizeof l);
    dur(left, true, ls, sizeof ls);
    if (final) {
        snprintf(f[F_TIME].full, sizeof f[F_TIME].full, "elapsed %s, done", e);
        snprintf(f[F_TIME].brief, sizeof f[F_TIME].brief, "elapsed %s done", es);
    } else {
        snprintf(f[F_TIME].full, sizeof f[F_TIME].full, "elapsed %s, ETA %s%s%s", e, left >= 0 ? l : "-",
                 phase[0] ? ", " : "", phase);
        snprintf(f[F_TIME].brief, sizeof f[F_TIME].brief, "elapsed %s ETA %s%s%s", es, left >= 0 ? ls : "-",
                 phase[0] ? " " : "", phase);
    }
    writer_field(&f[F_WRITER], rep, shm, now);
    if (rep->nchildren > 1)
        readers_field(&f[F_READERS], rep, shm);
    unsigned err = errors_so_far(rep, shm);
    snprintf(f[F_ERRORS].full, sizeof f[F_ERRORS].full, "%u error%s", err, err == 1 ? "" : "s");
    snprintf(f[F_ERRORS].brief, sizeof f[F_ERRORS].brief, "%u err", err);
    /* the full forms where they fit; the short ones from the readers' on */
    static const int shorten[] = {F_READERS, F_WRITER, F_TIME, F_OUTER, F_ERRORS};
    bool brief[NF] = {false};
    size_t n = 0;
    for (int step = 0;; step++) {
        n = 0;
        buf[0] = '\0';
        for (int k = 0; k < NF; k++) {
            const char *t = brief[k] ? f[k].brief : f[k].full;
            if (t[0])
                add(buf, cap, &n, "%s%s", n ? " | " : "", t);
        }
        if (cols <= 0 || (int)n < cols || step == NF)
            break;
        brief[shorten[step]] = true;
    }
    if (cols > 0 && (int)n >= cols && cap > 0) {
        n = (size_t)(cols > 1 ? cols - 1 : 0);
        buf[n < cap ? n : cap - 1] = '\0';
    }
    return n;
}

void status_tick(status_t *st, const orch_report_t *rep, const shm_t *shm, bool finalizing, int64_t now, int64_t *wake)
{
    if (st->mode == STATUS_NONE)
        return;
    if (now >= st->next_ns) {
        if (st->mode == STATUS_TTY) {
            status_format(st->line, sizeof st->line, term_cols(), rep, shm, &st->outer, finalizing, false, now);
            draw(st);
        } else {
            status_format(st->line, sizeof st->line, 0, rep, shm, &st->outer, finalizing, false, now);
            printf("status: %s\n", st->line);
            fflush(stdout);
        }
        st->next_ns = now + st->period_ns;
    }
    if (st->next_ns < *wake)
        *wake = st->next_ns;
}

void status_end(status_t *st, const orch_report_t *rep, const shm_t *shm)
{
    if (st->mode == STATUS_TTY) {
        if (st->out_w >= 0)
            close(st->out_w);
        st->out_w = -1;
        status_pump(st);
        if (st->npart) { /* a last line without its newline */
            status_clear(st);
            out(st->part, st->npart);
            fputs("\n", stdout);
            st->npart = 0;
        }
        if (st->outer.label[0] || !shm || !st->line[0]) {
            status_clear(st); /* in a sweep or stress, or never drawn: nothing left on screen */
        } else {
            status_format(st->line, sizeof st->line, term_cols(), rep, shm, &st->outer, false, true, h5s_now_ns());
            draw(st);
            fputs("\n", stdout);
            st->shown = false;
        }
        fflush(stdout);
    }
    if (st->out_r >= 0)
        close(st->out_r);
    if (st->out_w >= 0)
        close(st->out_w);
    st->out_r = st->out_w = -1;
    st->mode = STATUS_NONE;
}
