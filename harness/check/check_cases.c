/* check_cases.c - the cases of `h5swmr check`.
 *
 * Each case function runs in its own case process (forked by check.c, with no
 * HDF5 file open) on a fresh directory. Cases that need a second party fork
 * helper processes: a helper initialises HDF5 itself after fork, talks over two
 * pipes in fixed-size records with bounded waits, dies with the case process
 * (PR_SET_PDEATHSIG) and is always reaped. The case process never forks while
 * it holds an HDF5 file open. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "mth5.h"
#include "orch.h"
#include "pattern.h"
#include "util.h"

#define SURVEY "S"
#define STATION "ST01"
#define RUN "run_001"
#define STATION_PATH "/Experiment/Surveys/" SURVEY "/Stations/" STATION
#define EX_PATH STATION_PATH "/" RUN "/ex"
#define RATE 100.0
#define CHUNK 1024

#define REPLY_MS 10000               /* a helper answers a command within this */
#define HELPER_IDLE_NS 60000000000LL /* a helper without commands for this long gives up */

/* ---- outcomes ---------------------------------------------------------------- */

static void out_set(chk_outcome_t *o, const char *token, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void out_set(chk_outcome_t *o, const char *token, const char *fmt, ...)
{
    va_list ap;
    snprintf(o->token, sizeof o->token, "%s", token);
    va_start(ap, fmt);
    vsnprintf(o->detail, sizeof o->detail, fmt, ap);
    va_end(ap);
}

/* The case could not run (setup failed): error:<code>, with the message. */
static void out_error(chk_outcome_t *o, const char *what, const h5s_err_t *err)
{
    snprintf(o->token, sizeof o->token, "error:%s", h5s_errname(err->code));
    snprintf(o->detail, sizeof o->detail, "%.100s: %.900s", what, err->msg);
}

static void out_why(chk_outcome_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_why(chk_outcome_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
}

static const char *case_file(const chk_env_t *env, const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", env->dir, name);
    return buf;
}

/* ---- files --------------------------------------------------------------------- */

/* Creates the MTH5 file every case uses: one survey, station, run and an empty
 * float32 channel ex (chunked, unlimited), closed again. */
static int make_file(const char *path, h5s_err_t *err)
{
    mth5_t *m = NULL;
    mth5_station_meta_t loc = {40.0, -120.0, 1200.0};
    mth5_channel_opts_t o = {.name = "ex", .type = MTH5_ELECTRIC, .dtype = MTH5_FLOAT32, .chunk = CHUNK};
    int rc = mth5_open(path, "x", false, &m, err);
    if (rc < 0)
        return rc;
    if ((rc = mth5_add_survey(m, SURVEY, err)) < 0 || (rc = mth5_add_station(m, SURVEY, STATION, &loc, err)) < 0 ||
        (rc = mth5_add_run(m, SURVEY, STATION, RUN, RATE, NULL, err)) < 0 ||
        (rc = mth5_add_channel(m, SURVEY, STATION, RUN, &o, NULL, err)) < 0) {
        mth5_close(m, NULL);
        return rc;
    }
    return mth5_close(m, err);
}

/* Appends count blocks of n pattern samples to ch (float32), flushing each
 * block when asked. */
static int append_blocks(mth5_channel_t *ch, int64_t n, int64_t count, bool cork, bool flush, h5s_err_t *err)
{
    float *buf = malloc((size_t)n * sizeof *buf);
    int rc = 0;
    if (!buf)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    uint64_t key = pat_key(EX_PATH);
    for (int64_t i = 0; i < count && rc == 0; i++) {
        pat_fill(MTH5_FLOAT32, key, mth5_channel_length(ch), (size_t)n, buf);
        rc = mth5_channel_append(ch, buf, (size_t)n, cork, err);
        if (rc == 0 && flush)
            rc = mth5_channel_flush(ch, err);
    }
    free(buf);
    return rc;
}

/* Reads samples [from, to) of ch and checks them against the pattern into *pc. */
static int verify_range(mth5_channel_t *ch, uint64_t from, uint64_t to, pat_check_t *pc, h5s_err_t *err)
{
    enum { STEP = 65536 };
    float *buf = malloc(STEP * sizeof *buf);
    int rc = 0;
    if (!buf)
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    uint64_t key = pat_key(EX_PATH);
    for (uint64_t at = from; at < to && rc == 0; at += STEP) {
        size_t n = to - at > STEP ? STEP : (size_t)(to - at);
        if ((rc = mth5_channel_read(ch, at, n, buf, err)) == 0)
            pat_verify(MTH5_FLOAT32, key, at, n, buf, pc);
    }
    free(buf);
    return rc;
}

/* The length a held dataset handle reports without a refresh. */
static uint64_t held_length(mth5_channel_t *ch)
{
    hsize_t d[1] = {0};
    hid_t sp = H5Dget_space(mth5_channel_did(ch));
    if (sp >= 0) {
        H5Sget_simple_extent_dims(sp, d, NULL);
        H5Sclose(sp);
    }
    H5Eclear2(H5E_DEFAULT);
    return d[0];
}

/* Opens path as an SWMR reader with channel ex. */
static int reader_open(const char *path, mth5_t **m, mth5_channel_t **ch, h5s_err_t *err)
{
    int rc = mth5_open(path, "r", true, m, err);
    if (rc == 0 && (rc = mth5_channel_open_path(*m, EX_PATH, ch, err)) < 0) {
        mth5_close(*m, NULL);
        *m = NULL;
    }
    return rc;
}

/* HDF5 files and objects this process has open. H5Inmembers starts no HDF5
 * package (a type not yet in use counts 0), so that asking does not start the
 * file package, which would make a child ignore HDF5_USE_FILE_LOCKING. */
static long open_hdf5_ids(void)
{
    static const H5I_type_t types[] = {H5I_FILE, H5I_GROUP, H5I_DATASET, H5I_ATTR};
    long total = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        hsize_t n = 0;
        if (H5Inmembers(types[i], &n) >= 0)
            total += (long)n;
    }
    H5Eclear2(H5E_DEFAULT);
    return total;
}

/* ---- helper processes ------------------------------------------------------------ */

/* A command to a helper, and a helper's answer; fixed size, under PIPE_BUF. */
typedef struct hcmd {
    char op;          /* 'A' append, 'F' flush, 'G' add runs, 'P' probe an open */
    bool cork, flush; /* for 'A' */
    bool close_after; /* close the file right after the command, answer, end */
    int kind;         /* for 'P' */
    int64_t n, count; /* 'A': count blocks of n samples; 'G': n runs */
} hcmd_t;

typedef struct hmsg {
    char code;      /* 'R' ready, 'k' done, 'e' failed */
    int err;        /* H5S_E* when 'e' */
    uint64_t value; /* the channel length after an 'A' (writer's view) */
    char text[700];
} hmsg_t;

typedef int (*helper_fn)(void *arg, int in, int out);

typedef struct helper {
    pid_t pid;
    int pidfd;    /* -1 if the kernel has no pidfd_open */
    int to, from; /* our ends: commands, answers */
} helper_t;

#define HELPER_NONE                                                                                                    \
    {                                                                                                                  \
        .pid = -1, .pidfd = -1, .to = -1, .from = -1                                                                   \
    }

static void send_msg(int fd, char code, int err, uint64_t value, const char *text)
{
    hmsg_t m = {.code = code, .err = err, .value = value};
    snprintf(m.text, sizeof m.text, "%.699s", text ? text : "");
    if (h5s_write_full(fd, &m, sizeof m) != 0) {
        /* the case process is gone; the helper ends on its next read */
    }
}

/* Receives one answer within ms. Returns 1, 0 on EOF, -1 on timeout or error. */
static int recv_msg(const helper_t *h, hmsg_t *m, int ms)
{
    ssize_t r = h5s_read_full(h->from, m, sizeof *m, h5s_now_ns() + (int64_t)ms * 1000000);
    return r == (ssize_t)sizeof *m ? 1 : r == 0 ? 0 : -1;
}

/* Forks a helper that runs fn(arg, in, out), or, when exec_argv is not NULL,
 * executes this program again with exec_argv (a fresh process whose HDF5
 * starts from nothing; in 1.14 even H5open reads HDF5_USE_FILE_LOCKING, and a
 * forked child keeps what its parent read). The helper reads commands on fd 3
 * and answers on fd 4. env ("NAME=VALUE", may be NULL) is put in its
 * environment before anything else runs there. */
static int helper_spawn(helper_t *h, helper_fn fn, void *arg, char *const *exec_argv, const char *env, h5s_err_t *err)
{
    if (open_hdf5_ids() > 0)
        return h5s_seterr(err, H5S_EINVAL, "internal error: fork while HDF5 ids are open");
    pid_t pid = h5s_fork_piped(SIGKILL, &h->to, &h->from, err); /* SIGKILL: kept across execv */
    if (pid < 0)
        return err->code;
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        if (env && putenv((char *)env) != 0)
            _exit(1);
        if (exec_argv) {
            execv("/proc/self/exe", exec_argv);
            dprintf(2, "helper: exec /proc/self/exe: %s\n", strerror(errno));
            _exit(127);
        }
        int rc = fn(arg, 3, 4);
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    h->pid = pid;
    h->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    return 0;
}

static int helper_start(helper_t *h, helper_fn fn, void *arg, const char *env, h5s_err_t *err)
{
    return helper_spawn(h, fn, arg, NULL, env, err);
}

/* Waits until the helper has exited, at most ms. 1 exited, 0 not yet. */
static int helper_wait_exit(const helper_t *h, int ms)
{
    int64_t deadline = h5s_now_ns() + (int64_t)ms * 1000000;
    if (h->pidfd >= 0)
        return h5s_wait_readable(h->pidfd, deadline) > 0;
    /* no pidfd: the answer pipe reaches EOF when the helper has exited */
    char b[sizeof(hmsg_t)];
    for (;;) {
        if (h5s_wait_readable(h->from, deadline) <= 0)
            return 0;
        ssize_t r = read(h->from, b, sizeof b);
        if (r == 0)
            return 1;
        if (r < 0 && errno != EINTR && errno != EAGAIN)
            return 1;
    }
}

/* Closes the command pipe (EOF = finish), waits up to ms for the helper to end,
 * kills it (SIGKILL) if it does not, and reaps it. Returns 0 when it ended by
 * itself with status 0, -1 otherwise; *status (may be NULL) gets the status. */
static int helper_finish(helper_t *h, int ms, int *status)
{
    int st = 0, rc = 0;
    if (h->pid <= 0)
        return 0;
    if (h->to >= 0)
        close(h->to);
    h->to = -1;
    if (!helper_wait_exit(h, ms)) {
        kill(h->pid, SIGKILL);
        helper_wait_exit(h, 5000);
        rc = -1;
    }
    while (waitpid(h->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        rc = -1;
    if (status)
        *status = st;
    if (h->from >= 0)
        close(h->from);
    if (h->pidfd >= 0)
        close(h->pidfd);
    *h = (helper_t)HELPER_NONE;
    return rc;
}

/* Sends a command and waits for its answer ('k' or 'e'). Returns 0 on 'k', or
 * a negative code with the helper's message in err. */
static int helper_call(helper_t *h, const hcmd_t *c, hmsg_t *m, int ms, h5s_err_t *err)
{
    if (h5s_write_full(h->to, c, sizeof *c) != 0)
        return h5s_seterr(err, H5S_ECHILD, "the helper is gone (%s)", strerror(errno));
    int r = recv_msg(h, m, ms);
    if (r == 0)
        return h5s_seterr(err, H5S_ECHILD, "the helper ended without answering '%c'", c->op);
    if (r < 0)
        return h5s_seterr(err, H5S_ETIMEOUT, "the helper did not answer '%c' within %d ms", c->op, ms);
    if (m->code != 'k')
        return h5s_seterr(err, m->err ? m->err : H5S_ECHILD, "%s", m->text);
    return 0;
}

/* Waits for a helper's READY. Returns 0 or a negative code (its message in err). */
static int helper_ready(helper_t *h, h5s_err_t *err)
{
    hmsg_t m;
    int r = recv_msg(h, &m, REPLY_MS);
    if (r == 0)
        return h5s_seterr(err, H5S_ECHILD, "the helper ended before it was ready");
    if (r < 0)
        return h5s_seterr(err, H5S_ETIMEOUT, "the helper was not ready within %d ms", REPLY_MS);
    if (m.code != 'R')
        return h5s_seterr(err, m.err ? m.err : H5S_ECHILD, "%s", m.text);
    return 0;
}

/* ---- the writer helper ----------------------------------------------------------- */

typedef struct wargs {
    const char *path;
    const char *mode; /* "a" or "r+" */
    bool swmr;        /* false: hold the file as a plain (non-SWMR) writer */
    bool create;      /* create the file first (make_file) */
} wargs_t;

static int writer_command(mth5_t *m, mth5_channel_t *ch, const hcmd_t *c, h5s_err_t *err)
{
    char run[32];
    int rc = 0;
    switch (c->op) {
    case 'A': return append_blocks(ch, c->n, c->count, c->cork, c->flush, err);
    case 'F': return mth5_channel_flush(ch, err);
    case 'G':
        /* object creation in SWMR-write mode: not refused by HDF5, not supported */
        for (int64_t i = 0; i < c->n && rc == 0; i++) {
            snprintf(run, sizeof run, "run_%03d", (int)i + 2);
            rc = mth5_add_run(m, SURVEY, STATION, run, RATE, NULL, err);
        }
        return rc < 0 ? rc : mth5_flush(m, err);
    default: return h5s_seterr(err, H5S_EINVAL, "unknown command '%c'", c->op);
    }
}

/* Opens the file as a writer, reports READY, then runs commands until EOF. */
static int writer_helper(void *arg, int in, int out)
{
    const wargs_t *a = arg;
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    hcmd_t c;
    int rc;
    h5s_err_clear(&err);
    if ((rc = h5s_hdf5_quiet()) < 0) {
        h5s_seterr(&err, rc, "cannot initialise HDF5");
        goto out;
    }
    if (a->create && (rc = make_file(a->path, &err)) < 0)
        goto out;
    if ((rc = mth5_open(a->path, a->mode, a->swmr, &m, &err)) < 0 ||
        (rc = mth5_channel_open_path(m, EX_PATH, &ch, &err)) < 0)
        goto out;
    send_msg(out, 'R', 0, 0, "ready");
    for (;;) {
        ssize_t r = h5s_read_full(in, &c, sizeof c, h5s_now_ns() + HELPER_IDLE_NS);
        if (r == 0)
            break;
        if (r < 0) {
            rc = h5s_seterr(&err, H5S_ETIMEOUT, "writer helper: no command for 60 s");
            goto out;
        }
        if ((rc = writer_command(m, ch, &c, &err)) < 0)
            goto out;
        uint64_t len = mth5_channel_length(ch);
        if (c.close_after) {
            mth5_channel_close(ch);
            ch = NULL;
            rc = mth5_close(m, &err);
            m = NULL;
            if (rc < 0)
                goto out;
        }
        send_msg(out, 'k', 0, len, "");
        if (c.close_after)
            break;
    }
out:
    mth5_channel_close(ch);
    if (m) {
        h5s_err_t cerr;
        if (mth5_close(m, &cerr) < 0 && rc == 0) {
            rc = cerr.code;
            err = cerr;
        }
    }
    if (rc < 0)
        send_msg(out, 'e', rc, 0, err.msg);
    return rc < 0 ? 1 : 0;
}

/* Starts a writer helper on path and waits for its READY. */
static int start_writer(helper_t *h, const wargs_t *a, h5s_err_t *err)
{
    int rc = helper_start(h, writer_helper, (void *)a, NULL, err);
    if (rc == 0 && (rc = helper_ready(h, err)) < 0)
        helper_finish(h, REPLY_MS, NULL);
    return rc;
}

/* ---- the probe helper (raw HDF5 opens, for HDF5_USE_FILE_LOCKING) ---------------- */

enum { PROBE_PLAIN_READER, PROBE_SWMR_READER, PROBE_SWMR_WRITER };

static const char *const probe_names[] = {"plain-reader", "swmr-reader", "writer2"};

/* Tries one kind of open with raw HDF5 calls and closes again. */
static int probe_open(const char *path, int kind, h5s_err_t *err)
{
    unsigned flags = kind == PROBE_PLAIN_READER  ? H5F_ACC_RDONLY
                     : kind == PROBE_SWMR_READER ? H5F_ACC_RDONLY | H5F_ACC_SWMR_READ
                                                 : H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0) {
        if (fapl >= 0)
            H5Pclose(fapl);
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot make a file access property list");
    }
    hid_t f = H5Fopen(path, flags, fapl);
    int rc = 0;
    if (f < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "%s open refused", probe_names[kind]);
    else if (H5Fclose(f) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "%s close failed", probe_names[kind]);
    H5Pclose(fapl);
    return rc;
}

/* The prober: answers 'P' commands until EOF. It runs in a fresh process
 * (h5swmr check --probe-helper FILE, see chk_probe_main). */
static int probe_helper(void *arg, int in, int out)
{
    const char *path = arg;
    h5s_err_t err;
    hcmd_t c;
    if (h5s_hdf5_quiet() < 0)
        return 1;
    send_msg(out, 'R', 0, 0, "ready");
    for (;;) {
        ssize_t r = h5s_read_full(in, &c, sizeof c, h5s_now_ns() + HELPER_IDLE_NS);
        if (r <= 0)
            return r == 0 ? 0 : 1;
        h5s_err_clear(&err);
        if (c.op != 'P' || c.kind < 0 || c.kind > PROBE_SWMR_WRITER)
            send_msg(out, 'e', H5S_EINVAL, 0, "bad probe");
        else if (probe_open(path, c.kind, &err) == 0)
            send_msg(out, 'k', 0, 0, "opened");
        else
            send_msg(out, 'e', err.code, 0, err.msg);
    }
}

int chk_probe_main(const char *path)
{
    if (fcntl(3, F_GETFD) < 0 || fcntl(4, F_GETFD) < 0) {
        fprintf(stderr, "h5swmr check: --probe-helper is internal (run by the file_locking_env case)\n");
        return 2;
    }
    return probe_helper((void *)path, 3, 4);
}

/* ---- refusal cases ------------------------------------------------------------------ */

/* Opens path with each mode (SWMR or not); the outcome is refused:<expect>
 * when every open is refused with expect and, if path did not exist, nothing
 * was created; otherwise the first open that behaved differently. */
static void refusals(const char *path, const char *const *modes, size_t n, bool swmr, int expect, chk_outcome_t *out)
{
    bool existed = access(path, F_OK) == 0;
    char list[256] = "";
    h5s_err_t err, first;
    size_t len = 0;
    h5s_err_clear(&first);
    for (size_t i = 0; i < n; i++) {
        mth5_t *m = NULL;
        h5s_err_clear(&err);
        int rc = mth5_open(path, modes[i], swmr, &m, &err);
        if (rc == 0) {
            mth5_close(m, NULL);
            out_set(out, "accepted", "mode '%s'%s opened the file", modes[i], swmr ? " with SWMR" : "");
            return;
        }
        if (!existed && access(path, F_OK) == 0) {
            out_set(out, "fail:file-created", "mode '%s' was refused (%s) but created %s", modes[i], h5s_errname(rc),
                    path);
            return;
        }
        if (rc != expect) {
            snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
            snprintf(out->detail, sizeof out->detail, "mode '%s': %.900s", modes[i], err.msg);
            return;
        }
        len += (size_t)snprintf(list + len, sizeof list - len, "%s'%s'", i ? ", " : "", modes[i]);
        if (len >= sizeof list)
            len = sizeof list - 1;
        if (!first.msg[0])
            first = err;
    }
    snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(expect));
    snprintf(out->detail, sizeof out->detail, "%s%s: %.700s", list, swmr ? " with SWMR" : "", first.msg);
}

static void case_swmr_with_w_refused(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"w", "w-", "x"};
    char path[1200];
    refusals(case_file(env, "new.mth5", path, sizeof path), modes, 3, true, H5S_EMODE, out);
}

static void case_swmr_missing_file_refused(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"a", "r+", "r"};
    char path[1200];
    refusals(case_file(env, "missing.mth5", path, sizeof path), modes, 3, true, H5S_ENOENT, out);
}

/* The SWMR writer opens with mode, appends and flushes; a later plain open
 * reads back exactly what it wrote. */
static void writer_with(const chk_env_t *env, const char *mode, chk_outcome_t *out)
{
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    unsigned intent = 0;
    pat_check_t pc = {0};
    int rc;
    case_file(env, "writer.mth5", path, sizeof path);
    if ((rc = make_file(path, &err)) < 0) {
        out_error(out, "creating the file", &err);
        return;
    }
    if ((rc = mth5_open(path, mode, true, &m, &err)) < 0) {
        snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
        snprintf(out->detail, sizeof out->detail, "%s", err.msg);
        return;
    }
    if (H5Fget_intent(mth5_fid(m), &intent) < 0 || !(intent & H5F_ACC_SWMR_WRITE)) {
        out_set(out, "fail:not-swmr-write", "opened with '%s', but the file's intent is 0x%x (no SWMR_WRITE)", mode,
                intent);
        goto done;
    }
    if ((rc = mth5_channel_open_path(m, EX_PATH, &ch, &err)) < 0 ||
        (rc = append_blocks(ch, 1000, 3, true, true, &err)) < 0) {
        out_error(out, "appending in SWMR-write mode", &err);
        goto done;
    }
    mth5_channel_close(ch);
    ch = NULL;
    if ((rc = mth5_close(m, &err)) < 0) {
        m = NULL;
        out_error(out, "closing the SWMR writer", &err);
        goto done;
    }
    m = NULL;
    if ((rc = mth5_open(path, "r", false, &m, &err)) < 0 || (rc = mth5_channel_open_path(m, EX_PATH, &ch, &err)) < 0 ||
        (rc = verify_range(ch, 0, mth5_channel_length(ch), &pc, &err)) < 0) {
        out_error(out, "reading back", &err);
        goto done;
    }
    if (mth5_channel_length(ch) != 3000 || pc.mismatches || pc.fills)
        out_set(out, "fail:data-lost", "read back %llu samples (%llu wrong, %llu fill), wrote 3000",
                (unsigned long long)mth5_channel_length(ch), (unsigned long long)pc.mismatches,
                (unsigned long long)pc.fills);
    else
        out_set(out, "pass", "'%s' + SWMR: intent RDWR|SWMR_WRITE (0x%x); 3 appends + H5Dflush, read back intact", mode,
                intent);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
}

static void case_writer_with_a(const chk_env_t *env, chk_outcome_t *out)
{
    writer_with(env, "a", out);
}

static void case_writer_with_r_plus(const chk_env_t *env, chk_outcome_t *out)
{
    writer_with(env, "r+", out);
}

/* Starts an SWMR (or plain) writer helper on a fresh file; on failure sets
 * out and returns -1. */
static int writer_setup(const chk_env_t *env, bool swmr, helper_t *w, wargs_t *a, char *path, size_t cap,
                        chk_outcome_t *out)
{
    h5s_err_t err;
    *a = (wargs_t){.path = case_file(env, "live.mth5", path, cap), .mode = "a", .swmr = swmr};
    if (make_file(path, &err) < 0) {
        out_error(out, "creating the file", &err);
        return -1;
    }
    if (start_writer(w, a, &err) < 0) {
        out_error(out, swmr ? "starting the SWMR writer" : "starting the plain writer", &err);
        return -1;
    }
    return 0;
}

/* Ends a writer helper. A writer that failed makes the outcome an error (what
 * was seen stays in the detail): the case did not run as designed. */
static void writer_end(helper_t *w, chk_outcome_t *out)
{
    int st = 0;
    hmsg_t m = {0};
    char status[48], seen[CHK_TOKEN_MAX + 600];
    if (w->pid <= 0)
        return;
    if (h5s_wait_readable(w->from, h5s_now_ns()) > 0 && recv_msg(w, &m, 0) != 1)
        m.code = 0; /* its last word, if it left one ('e' + why) */
    if (helper_finish(w, REPLY_MS, &st) == 0 || !strncmp(out->token, "error:", 6))
        return;
    if (WIFEXITED(st))
        snprintf(status, sizeof status, "exit %d", WEXITSTATUS(st));
    else
        snprintf(status, sizeof status, "signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    snprintf(seen, sizeof seen, "%s: %.500s", out->token, out->detail);
    snprintf(out->token, sizeof out->token, "error:H5S_ECHILD");
    snprintf(out->detail, sizeof out->detail, "the writer helper ended with %s%s%.300s (the case saw %.600s)", status,
             m.code == 'e' ? ": " : "", m.code == 'e' ? m.text : "", seen);
}

static void case_reader_with_r(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    h5s_err_t err;
    mth5_summary_row_t *rows = NULL;
    size_t n = 0;
    unsigned intent = 0;
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    int rc = mth5_open(path, "r", true, &m, &err);
    if (rc < 0) {
        snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
        snprintf(out->detail, sizeof out->detail, "%s", err.msg);
    } else if (H5Fget_intent(mth5_fid(m), &intent) < 0 || !(intent & H5F_ACC_SWMR_READ)) {
        out_set(out, "fail:not-swmr-read", "opened, but the intent is 0x%x (no SWMR_READ)", intent);
    } else if (mth5_channel_summary(m, &rows, &n, &err) < 0 || n != 1) {
        out_set(out, "fail:tree-unreadable", "the reader cannot walk the tree (%zu channels): %s", n, err.msg);
    } else {
        out_set(out, "pass", "'r' + SWMR opened (intent 0x%x) while the writer is in SWMR mode, and walked %zu channel",
                intent, n);
    }
    free(rows);
    mth5_close(m, NULL);
    writer_end(&w, out);
}

static void case_single_writer(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"a", "r+"};
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    refusals(path, modes, 2, true, H5S_ELOCKED, out);
    writer_end(&w, out);
}

static void case_remove_refused_in_swmr(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200];
    mth5_t *m = NULL;
    h5s_err_t err, rerr;
    int rc;
    case_file(env, "remove.mth5", path, sizeof path);
    if ((rc = make_file(path, &err)) < 0 || (rc = mth5_open(path, "a", true, &m, &err)) < 0) {
        out_error(out, "opening an SWMR writer", &err);
        return;
    }
    h5s_err_clear(&rerr);
    rc = mth5_remove(m, EX_PATH, &rerr);
    htri_t during = H5Lexists(mth5_fid(m), EX_PATH, H5P_DEFAULT);
    mth5_close(m, NULL);
    m = NULL;
    htri_t after = -1;
    if (mth5_open(path, "r", false, &m, &err) == 0) {
        after = H5Lexists(mth5_fid(m), EX_PATH, H5P_DEFAULT);
        mth5_close(m, NULL);
    }
    H5Eclear2(H5E_DEFAULT);
    if (rc == 0)
        out_set(out, "accepted", "mth5_remove(%s) succeeded in SWMR-write mode", EX_PATH);
    else if (during <= 0 || after <= 0)
        out_set(out, "fail:removed-anyway", "refused (%s) but the channel is gone", h5s_errname(rc));
    else {
        snprintf(out->token, sizeof out->token, "refused:%s", h5s_errname(rc));
        snprintf(out->detail, sizeof out->detail, "%.900s; the channel still exists after the writer closed", rerr.msg);
    }
}

/* ---- the same questions asked of HDF5 itself ------------------------------------------- */

/* A file access property list with the bounds h5swmr writes with (1.10 format). */
static hid_t fapl_v110(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0) {
        H5Pclose(fapl);
        fapl = H5I_INVALID_HID;
    }
    return fapl;
}

/* H5Fcreate(flags) with fapl; text gets what happened. 1 created in SWMR-write
 * mode, 0 created without it, -1 refused. */
static int raw_create(const char *path, unsigned flags, hid_t fapl, char *text, size_t cap)
{
    h5s_err_t err;
    unsigned intent = 0;
    H5F_info2_t info = {0};
    hid_t f = H5Fcreate(path, flags, H5P_DEFAULT, fapl);
    if (f < 0) {
        h5s_seterr_h5(&err, H5S_EHDF5, "refused");
        snprintf(text, cap, "%.300s", err.msg);
        return -1;
    }
    H5Fget_intent(f, &intent);
    H5Fget_info2(f, &info);
    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    snprintf(text, cap, "created, intent 0x%x%s, superblock version %u", intent,
             intent & H5F_ACC_SWMR_WRITE ? " (SWMR_WRITE)" : "", info.super.version);
    return intent & H5F_ACC_SWMR_WRITE ? 1 : 0;
}

/* HDF5's own answer to swmr_with_w_refused: H5Fcreate with
 * H5F_ACC_TRUNC|H5F_ACC_SWMR_WRITE (what 'w' with SWMR would ask for). */
static void case_hdf5_swmr_create(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200], dpath[1200], t110[400], tdef[400];
    hid_t fapl = fapl_v110();
    if (fapl < 0) {
        out_set(out, "error:H5S_EHDF5", "cannot make a file access property list");
        return;
    }
    case_file(env, "create-v110.h5", path, sizeof path);
    case_file(env, "create-default.h5", dpath, sizeof dpath);
    int r110 = raw_create(path, H5F_ACC_TRUNC | H5F_ACC_SWMR_WRITE, fapl, t110, sizeof t110);
    raw_create(dpath, H5F_ACC_TRUNC | H5F_ACC_SWMR_WRITE, H5P_DEFAULT, tdef, sizeof tdef);
    H5Pclose(fapl);
    out_set(out,
            r110 > 0    ? "observed:creates-in-swmr-write-mode"
            : r110 == 0 ? "observed:creates-without-swmr"
                        : "observed:create-refused",
            "H5Fcreate(H5F_ACC_TRUNC|H5F_ACC_SWMR_WRITE) with libver bounds v110: %s; with default bounds: %s", t110,
            tdef);
    if (r110 > 0)
        out_why(out, "HDF5 itself creates a file directly in SWMR-write mode; refusing 'w' with SWMR "
                     "(swmr_with_w_refused) is h5swmr's rule, after MTH5's guide and h5py, not HDF5's.");
}

/* HDF5's own answer to swmr_missing_file_refused: SWMR opens of a missing path. */
static void case_hdf5_swmr_open_missing(const chk_env_t *env, chk_outcome_t *out)
{
    const unsigned flags[2] = {H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ};
    static const char *const names[2] = {"RDWR|SWMR_WRITE", "RDONLY|SWMR_READ"};
    char path[1200], text[2][400];
    int opened = 0, created = 0;
    hid_t fapl = fapl_v110();
    if (fapl < 0) {
        out_set(out, "error:H5S_EHDF5", "cannot make a file access property list");
        return;
    }
    case_file(env, "missing.h5", path, sizeof path);
    for (int i = 0; i < 2; i++) {
        h5s_err_t err;
        hid_t f = H5Fopen(path, flags[i], fapl);
        if (f >= 0) {
            opened++;
            H5Fclose(f);
            snprintf(text[i], sizeof text[i], "opened");
        } else {
            h5s_seterr_h5(&err, H5S_EHDF5, "refused");
            snprintf(text[i], sizeof text[i], "%.390s", err.msg);
        }
        created += access(path, F_OK) == 0;
    }
    H5Pclose(fapl);
    out_set(out,
            opened    ? "observed:opened"
            : created ? "observed:refused-file-created"
                      : "observed:refused-nothing-created",
            "H5Fopen of a missing path, %s: %s; %s: %s; the path %s afterwards", names[0], text[0], names[1], text[1],
            created ? "exists" : "does not exist");
}

/* HDF5's own answer to remove_refused_in_swmr: H5Ldelete in SWMR-write mode. */
static void case_hdf5_swmr_delete(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200];
    h5s_err_t err, derr;
    case_file(env, "delete.mth5", path, sizeof path);
    if (make_file(path, &err) < 0) {
        out_error(out, "creating the file", &err);
        return;
    }
    hid_t fapl = fapl_v110();
    hid_t f = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDWR, fapl) : H5I_INVALID_HID;
    if (f < 0 || H5Fstart_swmr_write(f) < 0) {
        h5s_seterr_h5(&err, H5S_EHDF5, "opening in SWMR-write mode");
        out_error(out, "H5Fopen + H5Fstart_swmr_write", &err);
        if (f >= 0)
            H5Fclose(f);
        if (fapl >= 0)
            H5Pclose(fapl);
        return;
    }
    h5s_err_clear(&derr);
    herr_t d = H5Ldelete(f, EX_PATH, H5P_DEFAULT);
    if (d < 0)
        h5s_seterr_h5(&derr, H5S_EHDF5, "H5Ldelete refused");
    H5Fclose(f);
    htri_t after = -1;
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, fapl)) >= 0) {
        after = H5Lexists(f, EX_PATH, H5P_DEFAULT);
        H5Fclose(f);
    }
    H5Pclose(fapl);
    H5Eclear2(H5E_DEFAULT);
    if (d < 0)
        out_set(out, "observed:delete-refused", "H5Ldelete(%s) in SWMR-write mode: %.700s", EX_PATH, derr.msg);
    else
        out_set(out, after == 0 ? "observed:delete-accepted" : "observed:delete-accepted-link-kept",
                "H5Ldelete(%s) in SWMR-write mode returned success; after the writer closed, the link %s", EX_PATH,
                after == 0  ? "is gone"
                : after > 0 ? "still exists"
                            : "could not be checked");
    if (d >= 0)
        out_why(out, "HDF5 does not refuse deleting an object in SWMR-write mode, although readers may hold it "
                     "(SWMR does not support it); refusing it (remove_refused_in_swmr) is h5swmr's rule.");
}

/* ---- data visibility ------------------------------------------------------------------ */

static void case_flushed_data_visible(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    hmsg_t msg;
    pat_check_t pc = {0};
    uint64_t len = 0, read = 0, stale = 0;
    enum { ROUNDS = 5, BLOCK = 1000 };
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (reader_open(path, &m, &ch, &err) < 0) {
        out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    for (int i = 0; i < ROUNDS; i++) {
        hcmd_t c = {.op = 'A', .n = BLOCK, .count = 1, .cork = true, .flush = true};
        if (helper_call(&w, &c, &msg, REPLY_MS, &err) < 0) {
            out_error(out, "the writer's append", &err);
            goto done;
        }
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            out_error(out, "H5Drefresh", &err);
            goto done;
        }
        if (len != msg.value)
            stale++;
        if (len > read && verify_range(ch, read, len, &pc, &err) < 0) {
            out_error(out, "reading", &err);
            goto done;
        }
        if (len > read)
            read = len;
    }
    if (stale)
        out_set(out, "fail:not-visible",
                "%llu of %d flushes were not visible after H5Drefresh (last: %llu of %llu samples)",
                (unsigned long long)stale, ROUNDS, (unsigned long long)len, (unsigned long long)msg.value);
    else if (pc.fills)
        out_set(out, "fail:fill-values", "%llu flushed samples read as fill values (first at %llu)",
                (unsigned long long)pc.fills, (unsigned long long)pc.first_bad);
    else if (pc.mismatches)
        out_set(out, "fail:wrong-values", "%llu samples differ (first at %llu: %g, expected %d)",
                (unsigned long long)pc.mismatches, (unsigned long long)pc.first_bad, pc.first_value, pc.first_expected);
    else
        out_set(out, "pass",
                "%d x (append %d samples + H5Dflush): after each, H5Drefresh showed exactly the flushed "
                "length and all %llu samples verified",
                ROUNDS, BLOCK, (unsigned long long)read);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    writer_end(&w, out);
}

static void case_unflushed_not_promised(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    hmsg_t msg;
    pat_check_t pc = {0};
    uint64_t len = 0, seen = 0;
    int polls = 0;
    enum { BLOCKS = 4, BLOCK = 1000, WINDOW_MS = 200 };
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (reader_open(path, &m, &ch, &err) < 0) {
        out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    hcmd_t c = {.op = 'A', .n = BLOCK, .count = BLOCKS, .cork = true, .flush = false};
    if (helper_call(&w, &c, &msg, REPLY_MS, &err) < 0) {
        out_error(out, "the writer's append", &err);
        goto done;
    }
    /* look for the unflushed data for a while: every millisecond for WINDOW_MS */
    int64_t end = h5s_now_ns() + (int64_t)WINDOW_MS * 1000000;
    while (h5s_now_ns() < end) {
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            out_error(out, "H5Drefresh", &err);
            goto done;
        }
        polls++;
        if (len > seen) {
            if (verify_range(ch, seen, len, &pc, &err) < 0) {
                out_error(out, "reading", &err);
                goto done;
            }
            seen = len;
        }
        h5s_wait_readable(w.from, h5s_now_ns() + 1000000); /* the writer says nothing now: a 1 ms pace */
    }
    uint64_t unflushed_seen = seen;
    uint64_t written = msg.value;
    /* now the writer flushes: that is what publishes the data */
    hcmd_t f = {.op = 'F'};
    if (helper_call(&w, &f, &msg, REPLY_MS, &err) < 0) {
        out_error(out, "the writer's flush", &err);
        goto done;
    }
    if (mth5_channel_refresh(ch, &len, &err) < 0 || (len > seen && verify_range(ch, seen, len, &pc, &err) < 0)) {
        out_error(out, "reading after the flush", &err);
        goto done;
    }
    if (len != written)
        out_set(out, "fail:flushed-not-visible", "after the flush the reader sees %llu of %llu samples",
                (unsigned long long)len, (unsigned long long)written);
    else if (pc.mismatches)
        out_set(out, "fail:wrong-values", "%llu samples differ", (unsigned long long)pc.mismatches);
    else if (unflushed_seen == 0)
        out_set(out, "observed:not-visible",
                "%llu samples appended (corked) without a flush: %d refreshes over %d ms "
                "saw length 0; after H5Dflush all %llu were visible and verified",
                (unsigned long long)written, polls, WINDOW_MS, (unsigned long long)written);
    else if (pc.fills)
        out_set(out, "observed:extent-without-data",
                "unflushed: the reader saw %llu of %llu samples, %llu of them fill values",
                (unsigned long long)unflushed_seen, (unsigned long long)written, (unsigned long long)pc.fills);
    else
        out_set(out, "observed:visible", "unflushed: the reader saw %llu of %llu samples, all correct",
                (unsigned long long)unflushed_seen, (unsigned long long)written);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    writer_end(&w, out);
}

/* ---- HDF5's rules ---------------------------------------------------------------------- */

/* An MTH5 root (file.type as a variable-length string) in a default-format file. */
static int make_old_format_file(const char *path, unsigned *super, h5s_err_t *err)
{
    hid_t f = H5I_INVALID_HID, t = H5I_INVALID_HID, s = H5I_INVALID_HID, at = H5I_INVALID_HID;
    const char *val = "MTH5";
    H5F_info2_t info;
    int rc = 0;
    if ((f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT)) < 0 || (t = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0 || (s = H5Screate(H5S_SCALAR)) < 0 ||
        (at = H5Acreate2(f, "file.type", t, s, H5P_DEFAULT, H5P_DEFAULT)) < 0 || H5Awrite(at, t, &val) < 0 ||
        H5Fget_info2(f, &info) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot create a default-format file");
    else
        *super = info.super.version;
    if (at >= 0)
        H5Aclose(at);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    if (f >= 0 && H5Fclose(f) < 0 && rc == 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot close the default-format file");
    return rc;
}

static void case_superblock_v3_required(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"a", "r+"};
    char path[1200];
    unsigned super = 99;
    h5s_err_t err;
    case_file(env, "old.mth5", path, sizeof path);
    if (make_old_format_file(path, &super, &err) < 0) {
        out_error(out, "creating the file", &err);
        return;
    }
    refusals(path, modes, 2, true, H5S_EFORMAT, out);
    size_t l = strlen(out->detail);
    snprintf(out->detail + l, sizeof out->detail - l, " [superblock version %u]", super);
}

static void case_writer_before_readers(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"r"};
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    if (writer_setup(env, false, &w, &a, path, sizeof path, out) < 0)
        return;
    refusals(path, modes, 1, true, H5S_ELOCKED, out);
    writer_end(&w, out);
}

static void case_plain_reader_refused(const chk_env_t *env, chk_outcome_t *out)
{
    static const char *const modes[] = {"r"};
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    refusals(path, modes, 1, false, H5S_ELOCKED, out);
    writer_end(&w, out);
}

/* One word for how an open went: opened, lock (the file lock), flags (the
 * superblock's open-for-write flags), or refused (anything else). */
static const char *probe_word(int rc, const char *msg)
{
    if (rc == 0)
        return "opened";
    if (strstr(msg, "unable to lock file"))
        return "lock";
    if (strstr(msg, "already open for") || strstr(msg, "not already open for SWMR") ||
        strstr(msg, "file is already open"))
        return "flags";
    return "refused";
}

/* Asks a prober for one kind of open; *word and text get what happened.
 * Returns 0, or a negative code when the prober itself failed. */
static int probe(helper_t *p, int kind, const char **word, char *text, size_t cap, h5s_err_t *err)
{
    hcmd_t c = {.op = 'P', .kind = kind};
    hmsg_t m;
    h5s_err_t perr;
    h5s_err_clear(&perr);
    int rc = helper_call(p, &c, &m, REPLY_MS, &perr);
    if (rc == H5S_ECHILD || rc == H5S_ETIMEOUT) {
        *err = perr;
        return rc;
    }
    *word = probe_word(rc, perr.msg);
    const char *h5 = strstr(perr.msg, "(HDF5:");
    if (rc == 0)
        snprintf(text, cap, "%s", *word);
    else
        snprintf(text, cap, "%s %.200s", *word, h5 ? h5 : perr.msg);
    return 0;
}

static void case_file_locking_env(const chk_env_t *env, chk_outcome_t *out)
{
    /* kinds probed, in order: against the SWMR writer, then against a plain writer */
    static const int kinds[4] = {PROBE_PLAIN_READER, PROBE_SWMR_READER, PROBE_SWMR_WRITER, PROBE_SWMR_READER};
    static const char *const names[4] = {"plain-reader", "swmr-reader", "writer2", "early-reader"};
    helper_t p[2] = {HELPER_NONE, HELPER_NONE}, w = HELPER_NONE; /* p[0] without the variable, p[1] with it */
    wargs_t a;
    char path[1200], text[2][4][240];
    const char *word[2][4];
    h5s_err_t err;
    int st = 0;
    /* HDF5 reads HDF5_USE_FILE_LOCKING when it starts (1.10.8: its file
     * package; 1.14: H5open), and a forked child keeps what its parent read:
     * the probers are fresh processes (this program again), and the writer
     * helper creates the file. */
    case_file(env, "live.mth5", path, sizeof path);
    char *probe_argv[] = {"h5swmr", "check", "--probe-helper", path, NULL};
    for (int i = 0; i < 2; i++)
        if (helper_spawn(&p[i], NULL, NULL, probe_argv, i ? "HDF5_USE_FILE_LOCKING=FALSE" : NULL, &err) < 0 ||
            helper_ready(&p[i], &err) < 0) {
            out_error(out, "starting a prober", &err);
            goto done;
        }
    a = (wargs_t){.path = path, .mode = "a", .swmr = true, .create = true};
    if (start_writer(&w, &a, &err) < 0) {
        out_error(out, "starting the SWMR writer", &err);
        goto done;
    }
    /* against the SWMR writer; the second writers go last (one that got in
     * would change the superblock when it closes), the one with locks first */
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 2; i++)
            if (probe(&p[i], kinds[k], &word[i][k], text[i][k], sizeof text[i][k], &err) < 0) {
                out_error(out, "a prober", &err);
                goto done;
            }
    if (helper_finish(&w, REPLY_MS, &st) < 0) {
        out_set(out, "error:H5S_ECHILD", "the SWMR writer ended badly (status 0x%x) after the probes", st);
        goto done;
    }
    /* against a plain (non-SWMR) writer: an SWMR reader that comes too early */
    a = (wargs_t){.path = path, .mode = "a", .swmr = false};
    if (start_writer(&w, &a, &err) < 0) {
        out_error(out, "starting the plain writer", &err);
        goto done;
    }
    for (int i = 0; i < 2; i++)
        if (probe(&p[i], kinds[3], &word[i][3], text[i][3], sizeof text[i][3], &err) < 0) {
            out_error(out, "a prober", &err);
            goto done;
        }
    snprintf(out->token, sizeof out->token, "observed:plain-reader-%s,writer2-%s,early-reader-%s", word[1][0],
             word[1][2], word[1][3]);
    if (strcmp(word[1][1], "opened") || strcmp(word[0][1], "opened"))
        snprintf(out->token, sizeof out->token, "fail:swmr-reader-%s",
                 strcmp(word[1][1], "opened") ? word[1][1] : word[0][1]);
    int l = snprintf(out->detail, sizeof out->detail, "with HDF5_USE_FILE_LOCKING=FALSE (without it):");
    for (int k = 0; k < 4 && l > 0 && (size_t)l < sizeof out->detail; k++)
        l += snprintf(out->detail + l, sizeof out->detail - (size_t)l, "%s %s: %s (%s)", k ? ";" : "", names[k],
                      text[1][k], word[0][k]);
    if (!strcmp(word[1][3], "lock"))
        snprintf(out->token, sizeof out->token, "fail:variable-ignored"); /* still refused by the lock */
done:
    writer_end(&w, out);
    for (int i = 0; i < 2; i++)
        helper_finish(&p[i], REPLY_MS, NULL);
}

static void case_refresh_needed(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    hmsg_t msg;
    uint64_t before = 0, after = 0, seen_early = 0, missed = 0;
    enum { ROUNDS = 3 };
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (reader_open(path, &m, &ch, &err) < 0) {
        out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    for (int i = 0; i < ROUNDS; i++) {
        hcmd_t c = {.op = 'A', .n = 1000, .count = 1, .cork = true, .flush = true};
        if (helper_call(&w, &c, &msg, REPLY_MS, &err) < 0) {
            out_error(out, "the writer's append", &err);
            goto done;
        }
        before = held_length(ch);
        if (mth5_channel_refresh(ch, &after, &err) < 0) {
            out_error(out, "H5Drefresh", &err);
            goto done;
        }
        seen_early += before == msg.value;
        missed += after != msg.value;
    }
    if (missed)
        out_set(out, "fail:invisible-after-refresh", "%llu of %d flushed appends not visible even after H5Drefresh",
                (unsigned long long)missed, ROUNDS);
    else if (seen_early)
        out_set(out, "observed:visible-without-refresh",
                "%llu of %d flushed appends were visible to the held handle "
                "before H5Drefresh",
                (unsigned long long)seen_early, ROUNDS);
    else
        out_set(out, "observed:invisible-without-refresh",
                "%d flushed appends: the held handle kept length %llu "
                "until H5Drefresh, which showed %llu",
                ROUNDS, (unsigned long long)before, (unsigned long long)after);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    writer_end(&w, out);
}

static void case_drefresh_vs_reopen(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    hmsg_t msg;
    int refresh_ok = 0, reopen_ok = 0;
    int64_t t_refresh = 0, t_reopen = 0;
    enum { ROUNDS = 5 };
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (reader_open(path, &m, &ch, &err) < 0) {
        out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t len = 0;
        hcmd_t c = {.op = 'A', .n = 1000, .count = 1, .cork = true, .flush = true};
        if (helper_call(&w, &c, &msg, REPLY_MS, &err) < 0) {
            out_error(out, "the writer's append", &err);
            goto done;
        }
        int64_t t0 = h5s_now_ns();
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            out_error(out, "H5Drefresh", &err);
            goto done;
        }
        t_refresh += h5s_now_ns() - t0;
        refresh_ok += len == msg.value;
        /* the same growth seen by a reader that closes and reopens the file */
        hcmd_t c2 = c;
        if (helper_call(&w, &c2, &msg, REPLY_MS, &err) < 0) {
            out_error(out, "the writer's append", &err);
            goto done;
        }
        mth5_channel_close(ch);
        ch = NULL;
        mth5_close(m, NULL);
        m = NULL;
        t0 = h5s_now_ns();
        if (reader_open(path, &m, &ch, &err) < 0) {
            out_error(out, "reopening", &err);
            goto done;
        }
        len = held_length(ch);
        t_reopen += h5s_now_ns() - t0;
        reopen_ok += len == msg.value;
    }
    const char *tok = refresh_ok == ROUNDS && reopen_ok == ROUNDS ? "observed:both-see-growth"
                      : refresh_ok == ROUNDS                      ? "observed:refresh-only"
                      : reopen_ok == ROUNDS                       ? "observed:reopen-only"
                                                                  : "fail:neither-sees-growth";
    out_set(out, tok,
            "H5Drefresh on a held handle saw %d of %d flushes (%.0f us each); closing and reopening the file "
            "saw %d of %d (%.0f us each)",
            refresh_ok, ROUNDS, (double)t_refresh / ROUNDS / 1e3, reopen_ok, ROUNDS, (double)t_reopen / ROUNDS / 1e3);
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    writer_end(&w, out);
}

/* Links in a group as this handle sees it, -1 on error. */
static long group_links(hid_t g)
{
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return -1;
    }
    return (long)info.nlinks;
}

/* Opens a new run group and reads one of its attributes: 0 or an error. */
static int open_new_run(hid_t loc, const char *name, h5s_err_t *err)
{
    hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
    if (g < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "opening %s", name);
    int rc = 0;
    htri_t e = H5Aexists(g, "sample_rate");
    if (e <= 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "reading %s", name);
    H5Gclose(g);
    return rc;
}

static void case_objects_under_swmr(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    hid_t g = H5I_INVALID_HID, g2 = H5I_INVALID_HID;
    h5s_err_t err, oerr, rerr;
    hmsg_t msg;
    enum { NEW_RUNS = 12 }; /* past the compact-to-dense link storage switch (8) */
    const char *newrun = "run_013";
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    if (mth5_open(path, "r", true, &m, &err) < 0) {
        out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    if ((g = H5Gopen2(mth5_fid(m), STATION_PATH, H5P_DEFAULT)) < 0) {
        h5s_seterr_h5(&err, H5S_EHDF5, "opening the station group");
        out_error(out, "the reader", &err);
        goto done;
    }
    long n0 = group_links(g);
    hcmd_t c = {.op = 'G', .n = NEW_RUNS};
    if (helper_call(&w, &c, &msg, REPLY_MS, &err) < 0) {
        out_error(out, "the writer's new runs", &err);
        goto done;
    }
    long held = group_links(g);
    g2 = H5Gopen2(mth5_fid(m), STATION_PATH, H5P_DEFAULT);
    long second = g2 >= 0 ? group_links(g2) : -1;
    if (g2 >= 0)
        H5Gclose(g2);
    g2 = H5I_INVALID_HID;
    H5Eclear2(H5E_DEFAULT);
    long refreshed = H5Orefresh(g) >= 0 ? group_links(g) : -1;
    H5Eclear2(H5E_DEFAULT);
    h5s_err_clear(&oerr);
    int open_rc = open_new_run(g, newrun, &oerr);
    H5Gclose(g);
    g = H5I_INVALID_HID;
    mth5_close(m, NULL);
    m = NULL;
    /* a reader that reopens the file */
    long reopened = -1;
    h5s_err_clear(&rerr);
    int reopen_rc = mth5_open(path, "r", true, &m, &rerr);
    if (reopen_rc == 0) {
        if ((g = H5Gopen2(mth5_fid(m), STATION_PATH, H5P_DEFAULT)) >= 0) {
            reopened = group_links(g);
            reopen_rc = open_new_run(g, newrun, &rerr);
        } else {
            reopen_rc = h5s_seterr_h5(&rerr, H5S_EHDF5, "opening the station group");
        }
    }
    const char *links = held > n0 ? "links-without-refresh" : refreshed > n0 ? "links-after-refresh" : "links-never";
    snprintf(out->token, sizeof out->token, "observed:%s,open-%s,reopen-%s", links, open_rc == 0 ? "ok" : "fails",
             reopen_rc == 0 && reopened > n0 ? "ok" : "fails");
    snprintf(out->detail, sizeof out->detail,
             "writer added %d runs in SWMR mode; reader's station links: %ld before, held handle %ld, new handle %ld, "
             "after H5Orefresh %ld; opening %s after the refresh: %.300s; after a reopen: %ld links, %s %s%.200s",
             NEW_RUNS, n0, held, second, refreshed, newrun, open_rc == 0 ? "ok" : oerr.msg, reopened, newrun,
             reopen_rc == 0 ? "opened" : "failed: ", reopen_rc == 0 ? "" : rerr.msg);
done:
    if (g >= 0)
        H5Gclose(g);
    mth5_close(m, NULL);
    H5Eclear2(H5E_DEFAULT);
    writer_end(&w, out);
}

/* The writer appends many small flushed blocks while this process polls as
 * fast as it can, reading and checking every new sample. */
static int extend_race(const chk_env_t *env, bool cork, pat_check_t *pc, uint64_t *polls, uint64_t *total,
                       chk_outcome_t *out, helper_t *w)
{
    wargs_t a;
    char path[1200];
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    hmsg_t msg;
    uint64_t read = 0, len = 0;
    int rc = -1;
    enum { BLOCKS = 10000, BLOCK = 700 }; /* 700: appends straddle the 1024-sample chunks */
    if (writer_setup(env, true, w, &a, path, sizeof path, out) < 0)
        return -1;
    if (reader_open(path, &m, &ch, &err) < 0) {
        out_error(out, "opening the SWMR reader", &err);
        goto done;
    }
    hcmd_t c = {.op = 'A', .n = BLOCK, .count = BLOCKS, .cork = cork, .flush = true};
    if (h5s_write_full(w->to, &c, sizeof c) != 0) {
        out_set(out, "error:H5S_ECHILD", "the writer helper is gone");
        goto done;
    }
    int64_t deadline = h5s_now_ns() + 20000000000LL;
    bool done = false;
    while (!done) {
        if (h5s_now_ns() > deadline) {
            out_set(out, "error:H5S_ETIMEOUT", "the writer did not finish %d appends in 20 s", BLOCKS);
            goto done;
        }
        done = h5s_wait_readable(w->from, h5s_now_ns()) > 0; /* the writer has answered: one last poll */
        if (mth5_channel_refresh(ch, &len, &err) < 0) {
            out_error(out, "H5Drefresh", &err);
            goto done;
        }
        (*polls)++;
        if (len > read) {
            if (verify_range(ch, read, len, pc, &err) < 0) {
                out_error(out, "reading", &err);
                goto done;
            }
            read = len;
        }
    }
    if (recv_msg(w, &msg, REPLY_MS) != 1 || msg.code != 'k') {
        out_set(out, "error:H5S_ECHILD", "the writer failed: %s", msg.code == 'e' ? msg.text : "no answer");
        goto done;
    }
    *total = msg.value;
    if (read != msg.value) {
        out_set(out, "fail:missing", "the reader saw %llu of %llu flushed samples", (unsigned long long)read,
                (unsigned long long)msg.value);
        goto done;
    }
    rc = 0;
done:
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    return rc;
}

static void case_corked_extend(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    pat_check_t pc = {0};
    uint64_t polls = 0, total = 0;
    if (extend_race(env, true, &pc, &polls, &total, out, &w) == 0) {
        if (pc.fills)
            out_set(out, "fail:fill-values",
                    "corked appends: %llu fill values seen in %llu polls (first at sample %llu)",
                    (unsigned long long)pc.fills, (unsigned long long)polls, (unsigned long long)pc.first_bad);
        else if (pc.mismatches)
            out_set(out, "fail:wrong-values", "%llu samples differ (first at %llu)", (unsigned long long)pc.mismatches,
                    (unsigned long long)pc.first_bad);
        else
            out_set(out, "pass",
                    "10000 corked appends of 700 samples, each flushed: %llu reader polls, all %llu "
                    "samples verified, no fill value seen",
                    (unsigned long long)polls, (unsigned long long)total);
    }
    writer_end(&w, out);
}

static void case_uncorked_extend(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    pat_check_t pc = {0};
    uint64_t polls = 0, total = 0;
    if (extend_race(env, false, &pc, &polls, &total, out, &w) == 0) {
        snprintf(out->frequency, sizeof out->frequency, "fill values in %llu of %llu samples read (%llu polls)",
                 (unsigned long long)pc.fills, (unsigned long long)total, (unsigned long long)polls);
        if (pc.mismatches)
            out_set(out, "fail:wrong-values", "%llu samples differ (first at %llu)", (unsigned long long)pc.mismatches,
                    (unsigned long long)pc.first_bad);
        else if (pc.fills)
            out_set(out, "observed:fill-values-seen",
                    "uncorked appends: %llu fill values seen in %llu polls (first at "
                    "sample %llu); the file itself is intact",
                    (unsigned long long)pc.fills, (unsigned long long)polls, (unsigned long long)pc.first_bad);
        else
            out_set(out, "observed:no-fill-values-seen",
                    "10000 uncorked appends of 700 samples, each flushed: %llu "
                    "reader polls saw no fill value (%llu samples verified)",
                    (unsigned long long)polls, (unsigned long long)total);
    }
    writer_end(&w, out);
}

/* One iteration of the open race: a fresh file, a writer that makes 60
 * flushed appends and closes the file at once, and this process opening and
 * closing the file as an SWMR reader all the while. Returns 0 (counts
 * updated) or -1 (out set). */
static int open_race_once(const chk_env_t *env, int it, long *opens, long *refused, h5s_err_t *first,
                          chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    char path[1200], name[64];
    h5s_err_t err;
    hmsg_t msg;
    int rc = -1;
    snprintf(name, sizeof name, "race-%d.mth5", it);
    wargs_t a = {.path = case_file(env, name, path, sizeof path), .mode = "a", .swmr = true, .create = true};
    if (start_writer(&w, &a, &err) < 0) {
        out_error(out, "starting the SWMR writer", &err);
        return -1;
    }
    hcmd_t c = {.op = 'A', .n = CHUNK, .count = 60, .cork = true, .flush = true, .close_after = true};
    if (h5s_write_full(w.to, &c, sizeof c) != 0) {
        out_set(out, "error:H5S_ECHILD", "the writer helper is gone");
        goto done;
    }
    int64_t deadline = h5s_now_ns() + (int64_t)REPLY_MS * 1000000;
    for (bool last = false; !last;) {
        if (h5s_now_ns() > deadline) {
            out_set(out, "error:H5S_ETIMEOUT", "the writer did not append and close in %d ms", REPLY_MS);
            goto done;
        }
        last = h5s_wait_readable(w.from, h5s_now_ns()) > 0; /* it answers once the file is closed */
        /* HDF5's own open, not mth5_open (which retries this race away) */
        h5s_err_clear(&err);
        (*opens)++;
        hid_t fid = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
        if (fid < 0)
            h5s_seterr_h5(&err, H5S_EHDF5, "H5Fopen(RDONLY|SWMR_READ) of '%s' failed", path);
        if (fid >= 0) {
            H5Fclose(fid);
        } else if (strstr(err.msg, "truncated file")) {
            if (!(*refused)++)
                *first = err;
        } else {
            out_error(out, "an SWMR reader's open", &err);
            goto done;
        }
    }
    if (recv_msg(&w, &msg, REPLY_MS) != 1 || msg.code != 'k') {
        out_set(out, "error:H5S_ECHILD", "the writer failed: %.900s", msg.code == 'e' ? msg.text : "no answer");
        goto done;
    }
    rc = 0;
done:
    writer_end(&w, out);
    if (rc == 0)
        unlink(path); /* kept when the case cannot go on: a look at it may help */
    return rc;
}

static void case_reader_open_race(const chk_env_t *env, chk_outcome_t *out)
{
    /* a fixed budget rather than "until the first refusal", so that the
     * frequency reported is a frequency; the outcome is a race: expected as a
     * set (a quiet machine may never see a refusal where 1.10.8 allows one) */
    enum { MAX_RUNS = 1000 };
    const int64_t budget_ns = 4000000000LL;
    long opens = 0, refused = 0;
    int it;
    h5s_err_t first;
    h5s_err_clear(&first);
    int64_t t0 = h5s_now_ns();
    for (it = 0; it < MAX_RUNS && h5s_now_ns() - t0 < budget_ns; it++)
        if (open_race_once(env, it, &opens, &refused, &first, out) < 0)
            return;
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    snprintf(out->frequency, sizeof out->frequency, "refused in %ld of %ld opens (%d short runs, %.1f s)", refused,
             opens, it, secs);
    if (refused) {
        const char *h = strstr(first.msg, "(HDF5:");
        out_set(out, "observed:open-refused-truncated",
                "%ld of %ld SWMR-reader opens made while a writer appended and "
                "closed the file were refused (%d short runs): %.700s",
                refused, opens, it, h ? h : first.msg);
    } else {
        out_set(out, "observed:opens-ok",
                "%ld SWMR-reader opens made while a writer appended and closed the "
                "file (%d short runs): none refused",
                opens, it);
        out_why(out, "No SWMR open was refused, not even those that overlapped the writer's close (HDF5 1.10.8 "
                     "refuses some of those: 'truncated file'); readers that may start at any time still do well to "
                     "retry a failed open (mth5_open retries for 100 ms).");
    }
}

/* A byte-for-byte copy of src into dst. 0 or -1. */
static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC), out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[1 << 16];
    ssize_t r;
    while (rc == 0 && (r = read(in, buf, sizeof buf)) != 0)
        if (r < 0 || h5s_write_full(out, buf, (size_t)r) != 0)
            rc = -1;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

/* After h5clear with these options, how much of ex reads back right: the
 * verified length, or -1 (text says why) when the file or the data is unreadable. */
static int64_t cleared_length(const char *path, const char *const *opts, char *text, size_t cap)
{
    const char *argv[6] = {"h5clear"};
    int k = 1;
    for (; opts[k - 1]; k++)
        argv[k] = opts[k - 1];
    argv[k++] = path;
    argv[k] = NULL;
    int hc = h5s_run_quiet(argv, REPLY_MS);
    if (hc != 0) {
        snprintf(text, cap, "h5clear exited %d%s", hc, hc == 127 ? " (not installed: hdf5-tools)" : "");
        return -1;
    }
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    pat_check_t pc = {0};
    int64_t len = -1;
    if (mth5_open(path, "r", false, &m, &err) < 0 || mth5_channel_open_path(m, EX_PATH, &ch, &err) < 0)
        snprintf(text, cap, "%.300s", err.msg);
    else if (verify_range(ch, 0, mth5_channel_length(ch), &pc, &err) < 0)
        snprintf(text, cap, "%llu samples listed, reading them fails: %.300s",
                 (unsigned long long)mth5_channel_length(ch), err.msg);
    else if (pc.mismatches + pc.fills)
        snprintf(text, cap, "%llu of %llu samples wrong", (unsigned long long)(pc.mismatches + pc.fills),
                 (unsigned long long)mth5_channel_length(ch));
    else
        len = (int64_t)mth5_channel_length(ch);
    mth5_channel_close(ch);
    mth5_close(m, NULL);
    return len;
}

/* A writer dies (SIGKILL) in SWMR mode after flushing: how is the file brought
 * back? Plain "h5clear -s" against "h5clear -s --increment=0", on copies. */
static void case_crash_recovery(const chk_env_t *env, chk_outcome_t *out)
{
    helper_t w = HELPER_NONE;
    wargs_t a;
    char path[1200], plain[1200], inc[1200];
    h5s_err_t err;
    hmsg_t msg;
    if (writer_setup(env, true, &w, &a, path, sizeof path, out) < 0)
        return;
    hcmd_t c = {.op = 'A', .n = CHUNK, .count = 50, .cork = true, .flush = true};
    if (helper_call(&w, &c, &msg, REPLY_MS, &err) < 0) {
        out_error(out, "appending", &err);
        helper_finish(&w, REPLY_MS, NULL);
        return;
    }
    uint64_t flushed = msg.value;
    kill(w.pid, SIGKILL);
    helper_finish(&w, REPLY_MS, NULL);
    case_file(env, "plain.mth5", plain, sizeof plain);
    case_file(env, "increment.mth5", inc, sizeof inc);
    if (copy_file(path, plain) < 0 || copy_file(path, inc) < 0) {
        out_set(out, "error:H5S_ESYS", "copying the crashed file: %s", strerror(errno));
        return;
    }
    char tp[400] = "", ti[400] = "";
    static const char *const o_plain[] = {"-s", NULL}, *const o_inc[] = {"-s", "--increment=0", NULL};
    int64_t lp = cleared_length(plain, o_plain, tp, sizeof tp);
    int64_t li = cleared_length(inc, o_inc, ti, sizeof ti);
    bool plain_ok = lp == (int64_t)flushed, inc_ok = li == (int64_t)flushed;
    snprintf(out->token, sizeof out->token, "observed:%s,%s",
             plain_ok ? "plain-clear-keeps-data" : "plain-clear-loses-data",
             inc_ok ? "increment-recovers" : "increment-loses-data");
    snprintf(out->detail, sizeof out->detail,
             "writer SIGKILLed after %llu samples flushed in SWMR mode; 'h5clear -s': %s; "
             "'h5clear -s --increment=0': %s",
             (unsigned long long)flushed,
             plain_ok ? "all samples intact"
             : tp[0]  ? tp
                      : "data lost",
             inc_ok  ? "all samples intact"
             : ti[0] ? ti
                     : "data lost");
}

/* ---- integrity ------------------------------------------------------------------------- */

/* What went wrong in one orchestrated run, into why (empty: every reader
 * verified every sample). Returns true when the only problem is readers
 * refused at open with "truncated file" (see reader_open_race). */
static bool integrity_judge(const orch_report_t *rep, uint64_t *wrote, uint64_t *verified, char *why, size_t cap)
{
    const orch_child_t *wr = &rep->children[0];
    int open_race = 0;
    *wrote = wr->has_result ? wr->res.samples : 0;
    *verified = 0;
    why[0] = '\0';
    if (!wr->has_result || wr->res.exit_code != 0) {
        snprintf(why, cap, "writer: %.300s", wr->has_result ? wr->res.msg : "no result");
        return false;
    }
    if (rep->nchildren != 5) {
        snprintf(why, cap, "%d readers started, not 4", rep->nchildren - 1);
        return false;
    }
    for (int i = 1; i < rep->nchildren; i++) {
        const proto_result_t *r = &rep->children[i].res;
        if (!rep->children[i].has_result) {
            snprintf(why, cap, "reader %d: no result", i);
            return false;
        }
        if (r->mismatches || r->fills || r->missing) {
            snprintf(why, cap, "reader %d: %llu wrong, %llu fill, %llu missing: %.200s", i,
                     (unsigned long long)r->mismatches, (unsigned long long)r->fills, (unsigned long long)r->missing,
                     r->msg);
            return false;
        }
        if (r->samples == 0 && r->exit_code != 0 && strstr(r->msg, "truncated file")) {
            open_race++;
            if (!why[0])
                snprintf(why, cap, "reader %d could not open: %.300s", i, r->msg);
            continue;
        }
        if (r->samples != *wrote || r->exit_code != 0) {
            snprintf(why, cap, "reader %d verified %llu of %llu samples (exit %d%s%.200s)", i,
                     (unsigned long long)r->samples, (unsigned long long)*wrote, r->exit_code, r->msg[0] ? ": " : "",
                     r->msg);
            return false;
        }
        *verified += r->samples;
    }
    if (!open_race && rep->exit_code != 0) {
        snprintf(why, cap, "run exit %d: %.300s", rep->exit_code, rep->problem);
        return false;
    }
    return open_race > 0;
}

static void case_integrity_matrix(const chk_env_t *env, chk_outcome_t *out)
{
    static const struct {
        const char *block, *max_blocks;
    } sizes[] = {{"1", "1500"}, {"4096", "120"}, {"65536", "16"}};
    static const char *const dtypes[] = {"float32", "float64", "int32"};
    static const char *const compress[] = {"false", "true"};
    enum { ATTEMPTS = 3 };
    int runs = 0, bad = 0, retried = 0;
    uint64_t samples = 0, verified = 0;
    char first_bad[600] = "", first_retry[400] = "";
    orch_report_t *rep = calloc(1, sizeof *rep);
    if (!rep) {
        out_set(out, "error:H5S_ENOMEM", "out of memory");
        return;
    }
    for (size_t b = 0; b < 3; b++)
        for (size_t d = 0; d < 3; d++)
            for (size_t z = 0; z < 2; z++) {
                char o_block[64], o_max[64], o_dtype[64], o_comp[64], file[1200], why[400] = "";
                uint64_t wrote = 0, got = 0;
                snprintf(o_block, sizeof o_block, "block_samples=%s", sizes[b].block);
                snprintf(o_max, sizeof o_max, "max_blocks=%s", sizes[b].max_blocks);
                snprintf(o_dtype, sizeof o_dtype, "dtype=%s", dtypes[d]);
                snprintf(o_comp, sizeof o_comp, "compress=%s", compress[z]);
                const char *ov[] = {o_block,
                                    o_max,
                                    o_dtype,
                                    o_comp,
                                    "readers=4",
                                    "realtime=false",
                                    "quiet=true",
                                    "duration=30",
                                    "channels=ex,hy",
                                    "poll_ms=0",
                                    "rescan_ms=0",
                                    "summary_upkeep=false",
                                    "read_summary_table=false",
                                    "finalize=false",
                                    "stop_timeout=5",
                                    "ready_timeout=10"};
                snprintf(file, sizeof file, "%s/integrity-%s-%s-%s.mth5", env->dir, sizes[b].block, dtypes[d],
                         z ? "deflate" : "plain");
                for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                    scn_file_t sf = {0};
                    h5s_err_t err;
                    char msg[256] = "";
                    h5s_err_clear(&err);
                    if (scn_load_overrides("integrity", ov, sizeof ov / sizeof ov[0], &sf, &err) < 0 ||
                        scn_validate(&sf.jobs[0], msg, sizeof msg) < 0) {
                        out_set(out, "error:H5S_ESCENARIO", "%.900s", err.code ? err.msg : msg);
                        scn_file_free(&sf);
                        free(rep);
                        return;
                    }
                    unlink(file);
                    int rc = orch_run(&sf.jobs[0], file, NULL, rep, &err);
                    scn_file_free(&sf);
                    if (rc < 0) {
                        unlink(file);
                        snprintf(why, sizeof why, "could not run: %.300s", err.msg);
                        break;
                    }
                    /* readers refused at open (HDF5 1.10.8's open race) are run again, and
                     * that is said; the file of a run that failed stays for a look */
                    bool again = integrity_judge(rep, &wrote, &got, why, sizeof why) && attempt + 1 < ATTEMPTS;
                    if (!why[0] || again)
                        unlink(file);
                    if (!again)
                        break;
                    if (!retried++)
                        snprintf(first_retry, sizeof first_retry, "block %s, %s, compress %s: %.300s", sizes[b].block,
                                 dtypes[d], compress[z], why);
                    why[0] = '\0';
                }
                runs++;
                samples += wrote;
                verified += got;
                if (why[0] && !bad++)
                    snprintf(first_bad, sizeof first_bad, "block %s, %s, compress %s: %.400s", sizes[b].block,
                             dtypes[d], compress[z], why);
            }
    free(rep);
    if (retried) {
        out->retries = retried;
        snprintf(out->retry_note, sizeof out->retry_note,
                 "%d run(s) repeated (at most %d attempts each) because a reader's open was refused "
                 "('truncated file', see reader_open_race); first: %.350s",
                 retried, ATTEMPTS, first_retry);
    }
    if (bad)
        out_set(out, "fail:samples-differ", "%d of %d runs failed (data files kept in the case's directory); first: %s",
                bad, runs, first_bad);
    else {
        char note[600] = "";
        if (retried)
            snprintf(note, sizeof note, "; %d run(s) repeated because a reader's open was refused (see retries)",
                     retried);
        out_set(out, "pass",
                "%d runs (blocks of 1, 4096, 65536 samples x float32, float64, int32 x deflate off/on), "
                "1 writer + 4 busy-polling readers each: every reader verified all %llu samples written "
                "(%llu reads in all)%s",
                runs, (unsigned long long)samples, (unsigned long long)verified, note);
    }
}

/* ---- the file system: POSIX write ordering without HDF5 ---------------------------------- */

#define WO_MAGIC 0x5357524d4f524452ULL /* "SWMRORDR" */
#define WO_RECORDS 20000
#define WO_FIRST 4096

/* The header at offset 0: the latest record, written after the record itself. */
typedef struct wo_head {
    uint64_t magic, seq, off, check;
} wo_head_t;

/* A record: this header, then len - 40 payload bytes, then a trailer. */
typedef struct wo_rec {
    uint64_t magic, seq, prev, len;
} wo_rec_t;

static uint64_t wo_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static uint64_t wo_check(uint64_t seq, uint64_t off)
{
    return wo_mix(WO_MAGIC ^ wo_mix(seq) ^ (off << 1));
}

/* Record sizes vary from 48 bytes to about 4 KiB, so that many straddle pages. */
static uint64_t wo_len(uint64_t seq)
{
    return 48 + (wo_mix(seq) % 4000) / 8 * 8;
}

static void wo_fill(unsigned char *buf, uint64_t seq, uint64_t prev, uint64_t len)
{
    wo_rec_t r = {WO_MAGIC, seq, prev, len};
    memcpy(buf, &r, sizeof r);
    for (uint64_t j = sizeof r; j < len - 8; j++)
        buf[j] = (unsigned char)(seq * 131 + j * 7 + 1);
    uint64_t t = wo_check(seq, len);
    memcpy(buf + len - 8, &t, 8);
}

/* Writes all len bytes at off: 0, or the errno that stopped it (a short
 * write is retried, so that a full disk reports ENOSPC, not a stale errno). */
static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const char *p = buf;
    while (len) {
        ssize_t k = pwrite(fd, p, len, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? errno : EIO;
        p += k;
        len -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

/* Checks a record read back; returns 0 or a description of what is wrong. */
static const char *wo_bad(const unsigned char *buf, uint64_t seq, uint64_t len)
{
    wo_rec_t r;
    memcpy(&r, buf, sizeof r);
    if (r.magic != WO_MAGIC)
        return "record header missing";
    if (r.seq != seq || r.len != len)
        return "record header of another record";
    for (uint64_t j = sizeof r; j < len - 8; j++)
        if (buf[j] != (unsigned char)(seq * 131 + j * 7 + 1))
            return "payload missing";
    uint64_t t;
    memcpy(&t, buf + len - 8, 8);
    return t == wo_check(seq, len) ? NULL : "trailer missing";
}

static int wo_writer(void *arg, int in, int out)
{
    const char *path = arg;
    unsigned char *buf = malloc(16384);
    int fd = open(path, O_WRONLY);
    uint64_t off = WO_FIRST, prev = 0;
    char msg[200] = "";
    (void)in;
    if (!buf || fd < 0) {
        snprintf(msg, sizeof msg, "writer: %s", buf ? strerror(errno) : "out of memory");
        goto out;
    }
    for (uint64_t seq = 1; seq <= WO_RECORDS; seq++) {
        uint64_t len = wo_len(seq);
        wo_fill(buf, seq, prev, len);
        wo_head_t h = {WO_MAGIC, seq, off, wo_check(seq, off)};
        /* the data first, then the pointer to it: what HDF5's SWMR writes rely on */
        int e = pwrite_all(fd, buf, len, off);
        if (!e)
            e = pwrite_all(fd, &h, sizeof h, 0);
        if (e) {
            snprintf(msg, sizeof msg, "writer: pwrite: %s", strerror(e));
            goto out;
        }
        prev = off;
        off += len;
    }
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    send_msg(out, msg[0] ? 'e' : 'k', msg[0] ? H5S_ESYS : 0, msg[0] ? 0 : off, msg);
    return msg[0] ? 1 : 0;
}

typedef struct wo_stats {
    uint64_t followed; /* pointers (header reads with a new record) */
    uint64_t verified; /* records checked */
    uint64_t torn;     /* header reads with a bad check (retried) */
    uint64_t last;     /* the last record verified */
    uint64_t bad_seq;  /* the first record whose pointer came before its data */
    const char *bad;
} wo_stats_t;

/* One poll: read the header and verify every record from the newest back to
 * the last one verified. */
static int wo_poll(int fd, unsigned char *buf, wo_stats_t *s)
{
    wo_head_t h;
    if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return -1;
    if (h.magic != WO_MAGIC || h.check != wo_check(h.seq, h.off)) {
        s->torn += h.magic != 0 || h.seq != 0;
        return 0;
    }
    if (h.seq <= s->last)
        return 0;
    s->followed++;
    uint64_t seq = h.seq, off = h.off;
    while (seq > s->last) {
        uint64_t len = wo_len(seq);
        if (pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
            s->bad = "record beyond the end of the file";
            s->bad_seq = seq;
            return 1;
        }
        const char *bad = wo_bad(buf, seq, len);
        if (bad) {
            s->bad = bad;
            s->bad_seq = seq;
            return 1;
        }
        s->verified++;
        wo_rec_t r;
        memcpy(&r, buf, sizeof r);
        off = r.prev;
        seq--;
    }
    s->last = h.seq;
    return 0;
}

static void case_write_order(const chk_env_t *env, chk_outcome_t *out)
{
    char path[1200];
    helper_t w = HELPER_NONE;
    h5s_err_t err;
    wo_stats_t s = {0};
    hmsg_t msg = {0};
    unsigned char *buf = malloc(16384);
    int fd = -1;
    bool net = chk_fs_is_network(env->dir);
    const char *where = net ? "a network file system" : "a local file system";
    int64_t t0 = h5s_now_ns();
    case_file(env, "write_order.dat", path, sizeof path);
    wo_head_t h0 = {0};
    if (!buf) {
        out_set(out, "error:H5S_ENOMEM", "out of memory");
        goto done;
    }
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || pwrite(fd, &h0, sizeof h0, 0) != (ssize_t)sizeof h0) {
        out_set(out, "error:H5S_ESYS", "%s: %s", path, strerror(errno));
        goto done;
    }
    if (helper_start(&w, wo_writer, path, NULL, &err) < 0) {
        out_error(out, "starting the writer", &err);
        goto done;
    }
    int64_t deadline = h5s_now_ns() + 30000000000LL;
    bool writer_done = false;
    for (;;) {
        if (!writer_done && h5s_wait_readable(w.from, h5s_now_ns()) > 0) {
            writer_done = true;
            if (recv_msg(&w, &msg, REPLY_MS) != 1 || msg.code != 'k') {
                out_set(out, "error:H5S_ESYS", "%s", msg.code == 'e' ? msg.text : "the writer ended without a word");
                goto done;
            }
        }
        int r = wo_poll(fd, buf, &s);
        if (r < 0) {
            out_set(out, "error:H5S_ESYS", "pread: %s", strerror(errno));
            goto done;
        }
        if (r > 0 || s.last == WO_RECORDS)
            break;
        if (writer_done && s.last < WO_RECORDS) {
            /* everything is written: one more poll must see it all */
            if (wo_poll(fd, buf, &s) == 0 && s.last < WO_RECORDS && !s.bad)
                s.bad = "the last record never became visible", s.bad_seq = WO_RECORDS;
            break;
        }
        if (h5s_now_ns() > deadline) {
            out_set(out, "error:H5S_ETIMEOUT", "write ordering check did not finish in 30 s (%llu of %d records)",
                    (unsigned long long)s.last, WO_RECORDS);
            goto done;
        }
    }
    if (!writer_done && (recv_msg(&w, &msg, REPLY_MS) != 1 || msg.code != 'k')) {
        out_set(out, "error:H5S_ESYS", "%s", msg.code == 'e' ? msg.text : "the writer ended without a word");
        goto done;
    }
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    if (s.bad) {
        out_set(out, "fail:pointer-before-data",
                "record %llu: the pointer to it was visible before its content (%s); "
                "%llu records verified before that, on %s",
                (unsigned long long)s.bad_seq, s.bad, (unsigned long long)s.verified, env->fs);
        out_why(out,
                "SWMR is not safe on this file system (%s, %s): a reader can see a pointer before the data it "
                "points to, which HDF5's SWMR relies on never happening (HDF5's twriteorder test, without HDF5).",
                env->fs, where);
    } else {
        out_set(out, "pass",
                "%d records (%.1f MB) on %s: %llu pointers followed, %llu records verified, %llu torn header "
                "reads retried, no pointer ahead of its data; %.2f s",
                WO_RECORDS, (double)msg.value / 1e6, env->fs, (unsigned long long)s.followed,
                (unsigned long long)s.verified, (unsigned long long)s.torn, secs);
        out_why(out,
                "The data directory is on %s (%s): a pointer written after its data never became visible before "
                "it, the POSIX write ordering SWMR relies on%s.",
                env->fs, where,
                net ? "; between processes on one host only: readers on other hosts are not covered" : "");
    }
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    if (w.pid > 0 && helper_finish(&w, REPLY_MS, NULL) < 0 && !strcmp(out->token, "pass"))
        out_set(out, "error:H5S_ECHILD", "the writer process ended badly");
    if (!strcmp(out->token, "pass"))
        unlink(path); /* the file of a failure stays with the case's data */
}

/* ---- file systems ------------------------------------------------------------------------- */

static const struct {
    unsigned long magic;
    const char *name;
    bool network;
} fs_types[] = {
    {0xEF53, "ext4", false},          {0x58465342, "xfs", false},
    {0x9123683E, "btrfs", false},     {0x01021994, "tmpfs", false},
    {0x794C7630, "overlayfs", false}, {0x2FC12FC1, "zfs", false},
    {0xF2F52010, "f2fs", false},      {0x4D44, "vfat", false},
    {0x2011BAB0, "exfat", false},     {0x5346544E, "ntfs", false},
    {0x65735546, "fuse", true},       {0x6969, "nfs", true},
    {0xFF534D42, "cifs", true},       {0xFE534D42, "smb2", true},
    {0x0BD00BD0, "lustre", true},     {0x47504653, "gpfs", true},
    {0x00C36400, "ceph", true},       {0x01021997, "9p", true},
    {0x013111A8, "ibrix", true},      {0x6B414653, "afs", true},
    {0x5346414F, "openafs", true},    {0x19830326, "fhgfs/beegfs", true},
};

static int fs_index(const char *dir)
{
    struct statfs st;
    if (statfs(dir, &st) != 0)
        return -2;
    for (size_t i = 0; i < sizeof fs_types / sizeof fs_types[0]; i++)
        if ((unsigned long)st.f_type == fs_types[i].magic)
            return (int)i;
    return -1;
}

const char *chk_fs_name(const char *dir, char *buf, size_t cap)
{
    struct statfs st;
    int i = fs_index(dir);
    if (i >= 0)
        snprintf(buf, cap, "%s", fs_types[i].name);
    else if (i == -2 || statfs(dir, &st) != 0)
        snprintf(buf, cap, "unknown");
    else
        snprintf(buf, cap, "0x%lx", (unsigned long)st.f_type);
    return buf;
}

bool chk_fs_is_network(const char *dir)
{
    int i = fs_index(dir);
    return i >= 0 && fs_types[i].network;
}

/* ---- the table ------------------------------------------------------------------------------ */

static const chk_case_t cases[] = {
    /* h5swmr's own guards: mth5_open and mth5_remove refuse before HDF5 is
     * called. Each has a sibling in the hdf5 group that asks HDF5 itself. */
    {"swmr_with_w_refused", "h5swmr", "mth5_open with w, w- or x and SWMR on a new path", "refused:H5S_EMODE",
     "h5swmr's rule (MTH5's guide), checked before HDF5 is called: SWMR does not create a file; create it without "
     "SWMR first, then reopen it with 'a' or 'r+' (hdf5_swmr_create shows what HDF5 itself does).",
     case_swmr_with_w_refused, 20},
    {"swmr_missing_file_refused", "h5swmr", "mth5_open with a, r+ or r and SWMR on a missing path",
     "refused:H5S_ENOENT",
     "h5swmr's rule, checked before HDF5 is called: an SWMR open needs an existing MTH5 file; a wrong path is "
     "reported, never turned into a new empty file (hdf5_swmr_open_missing asks HDF5).",
     case_swmr_missing_file_refused, 20},
    {"remove_refused_in_swmr", "h5swmr", "mth5_remove of a channel in SWMR-write mode", "refused:H5S_ESWMR",
     "h5swmr's rule, checked before HDF5 is called: deleting objects is outside SWMR's contract (readers may hold "
     "them), so it is refused in SWMR-write mode and nothing is removed (hdf5_swmr_delete asks HDF5).",
     case_remove_refused_in_swmr, 20},
    {"writer_with_a", "guide", "SWMR writer opened with 'a' appends, flushes, closes; data read back", "pass",
     "'a' on an existing file enters SWMR-write mode (H5Fstart_swmr_write): how an acquisition writer starts.",
     case_writer_with_a, 20},
    {"writer_with_r_plus", "guide", "SWMR writer opened with 'r+' appends, flushes, closes; data read back", "pass",
     "'r+' enters SWMR-write mode like 'a', but never creates a missing file.", case_writer_with_r_plus, 20},
    {"reader_with_r", "guide", "'r' + SWMR opens and walks the tree while a forked SWMR writer is active", "pass",
     "Monitors open with 'r' and SWMR (RDONLY|SWMR_READ) while the writer runs: the supported way to follow live data.",
     case_reader_with_r, 20},
    {"single_writer", "guide", "a second SWMR writer ('a', 'r+') is refused while another process writes",
     "refused:H5S_ELOCKED",
     "One writer at a time: a second writer (another acquisition, a finalize script) is refused while the first runs, "
     "by the superblock's open-for-write flags ('h5clear -s --increment=0' clears them after a crash).",
     case_single_writer, 20},
    {"flushed_data_visible", "guide", "forked writer appends + H5Dflush; the reader refreshes and verifies each time",
     "pass",
     "Flushed data is what readers can rely on: after H5Drefresh they see exactly the flushed samples, right values.",
     case_flushed_data_visible, 20},
    {"unflushed_not_promised", "guide", "forked writer appends without a flush; what does the reader see?",
     "observed:not-visible",
     "Appended but unflushed data is not promised to readers: "
     "the flush publishes it, so flush at the latency you need.",
     case_unflushed_not_promised, 20},
    {"hdf5_swmr_create", "hdf5", "H5Fcreate with H5F_ACC_TRUNC|H5F_ACC_SWMR_WRITE (what 'w' with SWMR asks HDF5)",
     "observed:creates-in-swmr-write-mode",
     "What HDF5 itself does when asked to create a file in SWMR-write mode (h5swmr refuses it first: "
     "swmr_with_w_refused).",
     case_hdf5_swmr_create, 20},
    {"hdf5_swmr_open_missing", "hdf5", "H5Fopen of a missing path with SWMR_WRITE and with SWMR_READ",
     "observed:refused-nothing-created",
     "HDF5 itself refuses SWMR opens of a missing path and creates nothing (h5swmr refuses them first: "
     "swmr_missing_file_refused).",
     case_hdf5_swmr_open_missing, 20},
    {"hdf5_swmr_delete", "hdf5", "H5Ldelete of a channel in SWMR-write mode, HDF5 alone", "observed:delete-accepted",
     "What HDF5 itself does with a deletion in SWMR-write mode (h5swmr refuses it first: remove_refused_in_swmr).",
     case_hdf5_swmr_delete, 20},
    {"superblock_v3_required", "hdf5", "SWMR writer on an MTH5 file made with default libver bounds",
     "refused:H5S_EFORMAT",
     "SWMR needs a version-3 superblock: "
     "files made with default libver bounds (h5py without libver='latest') must be recreated.",
     case_superblock_v3_required, 20},
    {"writer_before_readers", "hdf5", "SWMR reader opens while a plain (non-SWMR) writer holds the file",
     "refused:H5S_ELOCKED",
     "The writer must be in SWMR mode before any reader opens: a non-SWMR writer locks readers out (errno 11).",
     case_writer_before_readers, 20},
    {"plain_reader_refused", "hdf5", "read-only open without the SWMR flag while an SWMR writer is active",
     "refused:H5S_ELOCKED",
     "Readers must ask for SWMR (h5py: swmr=True): "
     "a plain read-only open of a file being written in SWMR mode is refused.",
     case_plain_reader_refused, 20},
    {"file_locking_env", "hdf5", "HDF5_USE_FILE_LOCKING=FALSE in a second process: which opens still fail",
     "observed:plain-reader-flags,writer2-flags,early-reader-flags",
     "HDF5_USE_FILE_LOCKING=FALSE (used where locks fail, e.g. NFS) removes the lock; only the superblock's "
     "open-for-write flags still stand between a second writer and the file.",
     case_file_locking_env, 30},
    {"refresh_needed", "hdf5", "a reader holding the dataset sees growth only after H5Drefresh",
     "observed:invisible-without-refresh",
     "A monitor that holds a dataset must call H5Drefresh (h5py: ds.refresh()) each poll, or it shows a frozen length.",
     case_refresh_needed, 20},
    {"drefresh_vs_reopen", "hdf5", "growth seen by H5Drefresh on a held handle and by reopening the file",
     "observed:both-see-growth",
     "Both H5Drefresh and reopening the file show new data; refresh is much cheaper per poll (costs in the detail).",
     case_drefresh_vs_reopen, 20},
    {"objects_under_swmr", "hdf5", "writer adds 12 runs in SWMR mode: links and opens as an open reader sees them",
     "observed:links-after-refresh,open-fails,reopen-ok",
     "Object creation under SWMR is unsupported: open readers see new links only after H5Orefresh and cannot open "
     "them; the seed's add_run-per-iteration pattern only works for readers that reopen the file.",
     case_objects_under_swmr, 20},
    {"corked_extend", "hdf5", "10000 corked appends + flush while a reader polls flat out: fill values seen?", "pass",
     "A corked writer (H5Odisable_mdc_flushes around H5Dset_extent + H5Dwrite) "
     "never shows readers an extent before its data.",
     case_corked_extend, 40},
    {"uncorked_extend", "hdf5", "the same appends without corking: fill values seen?",
     "observed:no-fill-values-seen|observed:fill-values-seen",
     "Uncorked, nothing orders the new extent after its data, so readers may read fill values (0); not seeing any "
     "here is no promise: cork appends.",
     case_uncorked_extend, 40},
    {"crash_recovery", "hdf5", "a writer SIGKILLed in SWMR mode after flushing; h5clear -s against --increment=0",
     "observed:plain-clear-loses-data,increment-recovers",
     "After a writer crash the superblock's end-of-allocation is stale: plain 'h5clear -s' truncates the file to it "
     "and every sample written in SWMR mode is lost; 'h5clear -s --increment=0' keeps them.",
     case_crash_recovery, 30},
    {"reader_open_race", "hdf5", "SWMR readers open while a writer appends 60 blocks and closes the file",
     "observed:open-refused-truncated|observed:opens-ok",
     "An SWMR reader's open compares the file size with the superblock's end of allocation unless the file is "
     "marked as in SWMR-write mode: an open that overlaps the writer's close can be refused ('truncated file'); "
     "readers that may start at any time should retry such opens.",
     case_reader_open_race, 30},
    {"integrity_matrix", "integrity", "orchestrated runs over block sizes x dtypes x compression, 4 readers each",
     "pass",
     "Every sample every reader read equals what the writer wrote, for each block size, dtype and compression setting.",
     case_integrity_matrix, 90},
    {"write_order", "filesystem", "POSIX write ordering on the data directory (pwrite data, then pointer), no HDF5",
     "pass",
     "SWMR relies on a reader never seeing a pointer before the data it points to; network file systems break this.",
     case_write_order, 60},
};

const chk_case_t *chk_cases(size_t *n)
{
    *n = sizeof cases / sizeof cases[0];
    return cases;
}

const char *chk_group_title(const char *group)
{
    static const char *const titles[][2] = {
        {"h5swmr", "h5swmr's own rules: decided by h5swmr's guards before HDF5 is called (not HDF5 behaviour)"},
        {"guide", "the guide's rules, decided by HDF5"},
        {"hdf5", "HDF5's rules and behaviour"},
        {"integrity", "orchestrated runs, every sample verified"},
        {"filesystem", "the data directory's file system (no HDF5)"},
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (!strcmp(group, titles[i][0]))
            return titles[i][1];
    return NULL;
}

bool chk_expect_valid(const char *s, const char **why)
{
    if (strlen(s) >= CHK_TOKEN_MAX) {
        *why = "expectation too long";
        return false;
    }
    char buf[CHK_TOKEN_MAX];
    snprintf(buf, sizeof buf, "%s", s);
    const char *seen[CHK_TOKEN_MAX / 2];
    size_t n = 0;
    for (char *p = buf;;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        if (!*p) {
            *why = "an empty outcome in the set (outcomes are separated by a single '|')";
            return false;
        }
        if (!chk_token_valid(p, why))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(seen[i], p)) {
                *why = "an outcome is listed twice in the set";
                return false;
            }
        seen[n++] = p;
        if (!bar)
            break;
        p = bar + 1;
    }
    return true;
}

bool chk_expect_matches(const char *set, const char *token)
{
    size_t l = strlen(token);
    for (const char *p = set; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == l && !strncmp(p, token, l))
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

bool chk_token_valid(const char *s, const char **why)
{
    static const char *const words[] = {"observed:", "fail:"};
    if (!strcmp(s, "pass") || !strcmp(s, "accepted"))
        return true;
    if (!strncmp(s, "refused:", 8)) {
        for (int c = -1; c >= -64; c--)
            if (!strcmp(h5s_errname(c), s + 8) && strcmp(s + 8, "H5S_E?"))
                return true;
        *why = "refused: needs an h5swmr error name, e.g. refused:H5S_ELOCKED";
        return false;
    }
    for (size_t i = 0; i < 2; i++) {
        size_t l = strlen(words[i]);
        if (strncmp(s, words[i], l))
            continue;
        const char *w = s + l;
        if (!*w || !((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9'))) {
            *why = "the word after observed: or fail: must start with a-z or 0-9";
            return false;
        }
        for (; *w; w++)
            if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || strchr(",=+._-", *w))) {
                *why = "observed: and fail: words use only a-z 0-9 , = + . _ -";
                return false;
            }
        return strlen(s) < CHK_TOKEN_MAX ? true : (*why = "outcome too long", false);
    }
    *why = "an outcome is pass, accepted, refused:H5S_<NAME>, observed:<word> or fail:<word>";
    return false;
}
