/* watch.c - h5swmr watch: follows the channels of an MTH5 file while an SWMR
 * writer grows them, printing each change, until Ctrl-C or --duration. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "commands.h"
#include "mth5.h"
#include "pattern.h"
#include "proto.h"
#include "util.h"

#define MAX_NAMES 256
#define READ_CHUNK (1u << 20) /* samples read at once (--protocol) */

/* One followed channel and the length last printed (UINT64_MAX: none yet). */
typedef struct wch {
    mth5_channel_t *ch;
    uint64_t len;
    uint64_t bad; /* --protocol: the first wrong sample, UINT64_MAX if none */
} wch_t;

/* What watch follows and how: its command line, then its open state. */
typedef struct watch {
    const char *file;
    const char *names[MAX_NAMES]; /* the datasets named, or none: every channel */
    int nnames;
    double interval, duration;
    bool protocol;  /* print protocol lines (docs/external-readers.md) */
    bool no_verify; /* --protocol: no reading and verifying of the samples */
    void *buf;      /* --protocol: READ_CHUNK samples */
    int64_t t_scan; /* --protocol: when new channels were last looked for */
    mth5_t *m;
    wch_t *ch;
    size_t nch;
} watch_t;

enum { OPT_INTERVAL, OPT_DURATION, OPT_PROTOCOL, OPT_NO_VERIFY };
static const cli_opt_t watch_opts[] = {
    {"interval", 0, "S", "seconds between looks at the file (default 0.5)"},
    {"duration", 0, "S", "stop after S seconds (default 0: until Ctrl-C)"},
    {"protocol", 0, NULL,
     "print the external-reader line protocol instead of the narration: 'T_NS PATH SAMPLES ok|bad=I' per change, "
     "each new sample read and verified against h5swmr's pattern"},
    {"no-verify", 0, NULL, "with --protocol: do not read the samples; lines carry no verdict"},
    {NULL, 0, NULL, NULL},
};

/* Reads a number of seconds from 0 to 86400 (the whole argument, no leading
 * blank) for option k into *v; returns 0 or the exit status. */
static int seconds_arg(const cli_parser_t *p, int k, const char *a, double *v)
{
    if (isspace((unsigned char)a[0]) || !cli_number(a, 0, 86400, v))
        return cli_usage_error(p->cmd, "%s: '%s' is not a number of seconds from 0 to 86400", cli_spelling(p, k), a);
    return 0;
}

/* Reads argv into w; returns 0 to go on, or the exit status with *done set
 * (after --help or a usage error). */
static int parse_watch_args(int argc, char **argv, watch_t *w, bool *done)
{
    cli_parser_t p;
    const char *arg;
    int k, rc;
    *done = true;
    cli_begin(&p, &cmd_watch_def, argc, argv);
    while ((k = cli_next(&p, &arg)) != CLI_END) {
        if (k == CLI_HELP)
            return 0;
        if (k == CLI_ERROR)
            return EXIT_USAGE;
        if (k == OPT_INTERVAL || k == OPT_DURATION) {
            if ((rc = seconds_arg(&p, k, arg, k == OPT_INTERVAL ? &w->interval : &w->duration)) != 0)
                return rc;
        } else if (k == OPT_PROTOCOL) {
            w->protocol = true;
        } else if (k == OPT_NO_VERIFY) {
            w->no_verify = true;
        } else if (!w->file) {
            w->file = arg;
        } else if (w->nnames < MAX_NAMES) {
            w->names[w->nnames++] = arg;
        } else {
            return cli_usage_error(&cmd_watch_def, "too many datasets");
        }
    }
    if (!w->file)
        return cli_usage_error(&cmd_watch_def, "no file given");
    if (w->no_verify && !w->protocol)
        return cli_usage_error(&cmd_watch_def, "--no-verify goes with --protocol");
    *done = false;
    return 0;
}

/* Opens the file for SWMR reading and the datasets named on the command line.
 * Returns 0 or the exit status. */
static int watch_open(watch_t *w)
{
    h5s_err_t err;
    if (mth5_open(w->file, "r", true, &w->m, &err) < 0)
        return cmd_fail(cmd_open_exit(err.code), "%s", err.msg);
    if (mth5_is_static(w->m))
        return cmd_fail(EXIT_USAGE,
                        "'%s' has an old superblock (before version 3): no SWMR writer can write it, so there is "
                        "nothing to watch; read it with h5swmr summary",
                        w->file);
    if (!(w->ch = calloc(w->nnames ? (size_t)w->nnames : 1, sizeof *w->ch)))
        return cmd_fail(EXIT_FAIL, "out of memory");
    for (int i = 0; i < w->nnames; i++) {
        w->ch[w->nch].bad = UINT64_MAX;
        if (mth5_channel_open_path(w->m, w->names[i], &w->ch[w->nch].ch, &err) < 0)
            return cmd_fail(EXIT_USAGE, "%s", err.msg);
        w->nch++;
    }
    return 0;
}

/* Opens the channels the writer added since the last look (when no dataset
 * was named). Returns 0 or the exit status. */
static int watch_discover(watch_t *w)
{
    h5s_err_t err;
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    int rc = 0;
    if (mth5_channel_summary(w->m, &rows, &n, &err) < 0)
        return cmd_fail(EXIT_FAIL, "%s", err.msg);
    for (size_t i = 0; i < n && !rc; i++) {
        size_t k;
        for (k = 0; k < w->nch; k++)
            if (!strcmp(mth5_channel_path(w->ch[k].ch), rows[i].path))
                break;
        if (k < w->nch)
            continue;
        void *p = realloc(w->ch, (w->nch + 1) * sizeof *w->ch);
        if (!p) {
            rc = cmd_fail(EXIT_FAIL, "out of memory");
            break;
        }
        w->ch = p;
        memset(&w->ch[w->nch], 0, sizeof w->ch[w->nch]);
        w->ch[w->nch].len = UINT64_MAX;
        w->ch[w->nch].bad = UINT64_MAX;
        if (mth5_channel_open_path(w->m, rows[i].path, &w->ch[w->nch].ch, &err) < 0)
            rc = cmd_fail(EXIT_FAIL, "%s", err.msg);
        else
            w->nch++;
    }
    free(rows);
    return rc;
}

/* --protocol: reads and verifies the samples c gained up to len (unless
 * --no-verify) and prints its protocol line, timed when the new samples were
 * in hand. Returns 0 or the exit status. */
static int protocol_line(watch_t *w, wch_t *c, uint64_t len)
{
    h5s_err_t err;
    uint64_t from = c->len == UINT64_MAX ? 0 : c->len;
    mth5_dtype_t dt = mth5_channel_dtype(c->ch);
    const char *path = mth5_channel_path(c->ch);
    for (uint64_t at = from; !w->no_verify && at < len;) {
        size_t n = len - at > READ_CHUNK ? READ_CHUNK : (size_t)(len - at);
        if (mth5_channel_read(c->ch, at, n, w->buf, &err) < 0)
            return cmd_fail(EXIT_FAIL, "%s", err.msg);
        pat_check_t chk = {0};
        if (c->bad == UINT64_MAX && pat_verify(dt, pat_key(path), at, n, w->buf, &chk))
            c->bad = chk.first_bad;
        at += n;
    }
    int64_t t = h5s_now_ns();
    if (w->no_verify)
        printf("%lld %s %llu\n", (long long)t, path, (unsigned long long)len);
    else if (c->bad == UINT64_MAX)
        printf("%lld %s %llu ok\n", (long long)t, path, (unsigned long long)len);
    else
        printf("%lld %s %llu bad=%llu\n", (long long)t, path, (unsigned long long)len, (unsigned long long)c->bad);
    c->len = len;
    return 0;
}

/* Refreshes every followed channel and prints those whose length changed,
 * t0 being when watching began. Returns 0 or the exit status. */
static int watch_refresh(watch_t *w, int64_t t0)
{
    h5s_err_t err;
    for (size_t k = 0; k < w->nch; k++) {
        wch_t *c = &w->ch[k];
        uint64_t len;
        if (mth5_channel_refresh(c->ch, &len, &err) < 0)
            return cmd_fail(EXIT_FAIL, "%s", err.msg);
        if (len == c->len)
            continue;
        if (w->protocol) {
            int rc = len > (c->len == UINT64_MAX ? 0 : c->len) ? protocol_line(w, c, len) : 0;
            if (rc)
                return rc;
            fflush(stdout);
            continue;
        }
        double t = (double)(h5s_now_ns() - t0) / 1e9;
        if (c->len == UINT64_MAX || (w->nnames && c->len == 0 && t == 0))
            printf("%9.3f s  %s: %llu samples\n", t, mth5_channel_path(c->ch), (unsigned long long)len);
        else
            printf("%9.3f s  %s: %llu samples (%+lld)\n", t, mth5_channel_path(c->ch), (unsigned long long)len,
                   (long long)(len - c->len));
        c->len = len;
    }
    fflush(stdout);
    return 0;
}

/* Looks at the file every interval until the duration is over or a signal
 * arrives on sfd (with --protocol, after one last look). Returns 0 (the
 * duration is over, or SIGTERM: how a run stops it as a reader), 130 after
 * SIGINT, or the exit status of a failure. */
static int watch_loop(watch_t *w, int sfd)
{
    int rc;
    printf("%swatching %s every %g s (Ctrl-C to stop)\n", w->protocol ? "# " : "", w->file, w->interval);
    fflush(stdout);
    int64_t t0 = h5s_now_ns(), next = t0;
    int64_t t_end = w->duration > 0 ? t0 + (int64_t)(w->duration * 1e9) : INT64_MAX;
    for (;;) {
        /* --protocol looks for new channels every 0.5 s, not in every
         * poll: a tree walk before the reads would add to every lag */
        bool scan = !w->protocol || h5s_now_ns() - w->t_scan >= 500000000LL || w->nch == 0;
        if (!w->nnames && scan) {
            w->t_scan = h5s_now_ns();
            if ((rc = watch_discover(w)) != 0)
                return rc;
        }
        if ((rc = watch_refresh(w, t0)) != 0)
            return rc;
        next += (int64_t)(w->interval * 1e9);
        if (next > t_end)
            next = t_end;
        if (h5s_now_ns() >= t_end)
            break;
        if (h5s_wait_readable(sfd, next) != 0) {
            /* Ctrl-C is an interruption; SIGTERM the end a run asks of a
             * reader. With --protocol a last look at once either way, so
             * that what was flushed until now is reported, as the external
             * reader protocol asks */
            struct signalfd_siginfo si;
            bool intr = read(sfd, &si, sizeof si) == (ssize_t)sizeof si && si.ssi_signo == SIGINT;
            if (w->protocol && (rc = watch_refresh(w, t0)) != 0)
                return rc;
            if (intr) {
                printf("%swatch interrupted\n", w->protocol ? "# " : "");
                return 130;
            }
            break;
        }
    }
    printf("%swatch ended\n", w->protocol ? "# " : "");
    return 0;
}

/* Closes what watch opened, and the signal descriptor after consuming the
 * Ctrl-C it stopped on (so that unblocking does not deliver it). */
static void watch_close(watch_t *w, int sfd)
{
    for (size_t k = 0; k < w->nch; k++)
        mth5_channel_close(w->ch[k].ch);
    free(w->ch);
    free(w->buf);
    if (w->m)
        mth5_close(w->m, NULL);
    if (sfd >= 0) {
        struct signalfd_siginfo si;
        struct pollfd pf = {.fd = sfd, .events = POLLIN};
        while (poll(&pf, 1, 0) == 1 && read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
            ;
        close(sfd);
    }
}

/* h5swmr watch: blocks SIGINT and SIGTERM so that they arrive on a signalfd,
 * opens the file and follows it until the duration is over or one of them
 * arrives, then restores the signal mask. Returns 0 or the exit status. */
static int cmd_watch(int argc, char **argv)
{
    watch_t w = {.interval = 0.5};
    bool done;
    int rc = parse_watch_args(argc, argv, &w, &done);
    if (done)
        return rc;
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0)
        rc = cmd_fail(EXIT_FAIL, "signalfd: %s", strerror(errno));
    else if (w.protocol && !w.no_verify && !(w.buf = malloc((size_t)READ_CHUNK * 8)))
        rc = cmd_fail(EXIT_FAIL, "out of memory");
    else if ((rc = watch_open(&w)) == 0)
        rc = watch_loop(&w, sfd);
    watch_close(&w, sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

const cli_cmd_t cmd_watch_def = {
    .name = "watch",
    .synopsis = "FILE [DATASET]... [--interval S] [--duration S] [--protocol [--no-verify]]",
    .summary = "follow every channel (or the named datasets) of a file being written",
    .help = "Follows the channels of an MTH5 file while an SWMR writer grows them, printing\n"
            "each change; new runs and channels are picked up. Ends on Ctrl-C or after --duration.\n"
            "With --protocol it prints the external-reader line protocol instead\n"
            "(docs/external-readers.md): 'T_NS PATH SAMPLES ok|bad=I' whenever a channel grew,\n"
            "its new samples read and verified; reader_kind = watch runs it as a reader of h5swmr run.\n",
    .opts = watch_opts,
    .handler = cmd_watch,
    .needs_hdf5 = true,
    .own_stop_signals = true, /* read from a signalfd */
};
