/* check_helper.c - the helper processes of `h5swmr check` (see
 * check_case.h): the pipe protocol, the writer helper and the probe helper
 * (raw HDF5 opens, for HDF5_USE_FILE_LOCKING). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_case.h"
#include "util.h"

/* ---- the pipe protocol ------------------------------------------------------------- */

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

/* Writes one answer record on fd. */
static void send_record(int fd, const chk_hmsg_t *m)
{
    if (h5s_write_full(fd, m, sizeof *m) != 0) {
        /* the case process is gone; the helper ends on its next read */
    }
}

/* Sends one answer: code, error, value and text. */
void chk_send_msg(int fd, char code, int err, uint64_t value, const char *text)
{
    chk_hmsg_t m = {.code = code, .err = err, .value = value};
    snprintf(m.text, sizeof m.text, "%.699s", text ? text : "");
    send_record(fd, &m);
}

/* Sends the answer 'e': code, with err's cause and message. */
void chk_send_err(int fd, int code, const h5s_err_t *err)
{
    chk_hmsg_t m = {.code = 'e', .err = code, .cause = err->cause};
    snprintf(m.text, sizeof m.text, "%.699s", err->msg);
    send_record(fd, &m);
}

/* The error a helper answered with ('e', or another unexpected answer) into
 * err, its cause with it. Returns its code. */
static int answered_error(const chk_hmsg_t *m, h5s_err_t *err)
{
    int rc = h5s_seterr(err, m->err ? m->err : H5S_ECHILD, "%s", m->text);
    if (err)
        err->cause = m->code == 'e' ? m->cause : H5S_CAUSE_NONE;
    return rc;
}

/* Receives one answer within ms. Returns 1, 0 on EOF, -1 on timeout or error. */
int chk_recv_msg(const chk_helper_t *h, chk_hmsg_t *m, int ms)
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
int chk_helper_spawn(chk_helper_t *h, chk_helper_fn fn, void *arg, char *const *exec_argv, const char *env,
                     h5s_err_t *err)
{
    /* SIGKILL if the case process dies: kept across execv */
    static const h5s_child_opts_t opts = {.pdeathsig = SIGKILL, .pipes = true};
    if (open_hdf5_ids() > 0)
        return h5s_seterr(err, H5S_EINVAL, "internal error: fork while HDF5 ids are open");
    pid_t pid = h5s_child_spawn(&h->child, &opts, err);
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
    h->to = h->child.to;
    h->from = h->child.from;
    h->child.to = h->child.from = -1; /* closed through h->to and h->from */
    return 0;
}

/* Forks a helper that runs fn(arg, 3, 4). */
int chk_helper_start(chk_helper_t *h, chk_helper_fn fn, void *arg, const char *env, h5s_err_t *err)
{
    return chk_helper_spawn(h, fn, arg, NULL, env, err);
}

/* Closes the command pipe (EOF = finish), waits up to ms for the helper to end,
 * kills it (SIGKILL) if it does not, and reaps it (given up on if even
 * SIGKILL does not end it within 5 s: the status is then that of SIGKILL).
 * Returns 0 when it ended by itself with status 0, -1 otherwise; *status
 * (may be NULL) gets the status. */
int chk_helper_finish(chk_helper_t *h, int ms, int *status)
{
    int rc = 0;
    if (h->pid <= 0)
        return 0;
    if (h->to >= 0)
        close(h->to);
    h->to = -1;
    if (h5s_child_wait(&h->child, h5s_now_ns() + (int64_t)ms * 1000000) != 1) {
        h5s_child_signal(&h->child, SIGKILL);
        h5s_child_wait(&h->child, h5s_now_ns() + 5000000000LL);
        rc = -1;
    }
    int st = h->child.reaped ? h->child.status : SIGKILL;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        rc = -1;
    if (status)
        *status = st;
    if (h->from >= 0)
        close(h->from);
    *h = (chk_helper_t)CHK_HELPER_NONE;
    return rc;
}

/* Sends a command and waits for its answer ('k' or 'e'). Returns 0 on 'k', or
 * a negative code with the helper's message in err. */
int chk_helper_call(chk_helper_t *h, const chk_hcmd_t *c, chk_hmsg_t *m, int ms, h5s_err_t *err)
{
    if (h5s_write_full(h->to, c, sizeof *c) != 0)
        return h5s_seterr(err, H5S_ECHILD, "the helper is gone (%s)", strerror(errno));
    int r = chk_recv_msg(h, m, ms);
    if (r == 0)
        return h5s_seterr(err, H5S_ECHILD, "the helper ended without answering '%c'", c->op);
    if (r < 0)
        return h5s_seterr(err, H5S_ETIMEOUT, "the helper did not answer '%c' within %d ms", c->op, ms);
    if (m->code != 'k')
        return answered_error(m, err);
    return 0;
}

/* Waits for a helper's READY. Returns 0 or a negative code (its message in err). */
int chk_helper_ready(chk_helper_t *h, h5s_err_t *err)
{
    chk_hmsg_t m;
    int r = chk_recv_msg(h, &m, CHK_REPLY_MS);
    if (r == 0)
        return h5s_seterr(err, H5S_ECHILD, "the helper ended before it was ready");
    if (r < 0)
        return h5s_seterr(err, H5S_ETIMEOUT, "the helper was not ready within %d ms", CHK_REPLY_MS);
    if (m.code != 'R')
        return answered_error(&m, err);
    return 0;
}

/* ---- the writer helper ----------------------------------------------------------- */

/* Runs one command of the writer helper: append, flush, or add runs. */
static int writer_command(mth5_t *m, mth5_channel_t *ch, const chk_hcmd_t *c, h5s_err_t *err)
{
    char run[32];
    int rc = 0;
    switch (c->op) {
    case 'A': return chk_append_blocks(ch, c->n, c->count, c->cork, c->flush, err);
    case 'F': return mth5_channel_flush(ch, err);
    case 'G':
        /* object creation in SWMR-write mode: not refused by HDF5, not supported */
        for (int64_t i = 0; i < c->n && rc == 0; i++) {
            snprintf(run, sizeof run, "run_%03d", (int)i + 2);
            rc = mth5_add_run(m, CHK_SURVEY, CHK_STATION, run, CHK_RATE, NULL, err);
        }
        return rc < 0 ? rc : mth5_flush(m, err);
    default: return h5s_seterr(err, H5S_EINVAL, "unknown command '%c'", c->op);
    }
}

/* Opens the file as a writer, reports READY, then runs commands until EOF. */
static int writer_helper(void *arg, int in, int out)
{
    const chk_wargs_t *a = arg;
    mth5_t *m = NULL;
    mth5_channel_t *ch = NULL;
    h5s_err_t err;
    chk_hcmd_t c;
    int rc;
    h5s_err_clear(&err);
    if ((rc = h5s_hdf5_quiet()) < 0) {
        h5s_seterr(&err, rc, "cannot initialise HDF5");
        goto out;
    }
    if (a->create && (rc = chk_make_file(a->path, &err)) < 0)
        goto out;
    if ((rc = mth5_open(a->path, a->mode, a->swmr, &m, &err)) < 0 ||
        (rc = mth5_channel_open_path(m, CHK_EX_PATH, &ch, &err)) < 0)
        goto out;
    chk_send_msg(out, 'R', 0, 0, "ready");
    for (;;) {
        ssize_t r = h5s_read_full(in, &c, sizeof c, h5s_now_ns() + CHK_HELPER_IDLE_NS);
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
        chk_send_msg(out, 'k', 0, len, "");
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
        chk_send_err(out, rc, &err);
    return rc < 0 ? 1 : 0;
}

/* Starts a writer helper on path and waits for its READY. */
int chk_start_writer(chk_helper_t *h, const chk_wargs_t *a, h5s_err_t *err)
{
    int rc = chk_helper_start(h, writer_helper, (void *)a, NULL, err);
    if (rc == 0 && (rc = chk_helper_ready(h, err)) < 0)
        chk_helper_finish(h, CHK_REPLY_MS, NULL);
    return rc;
}

/* Starts an SWMR (or plain) writer helper on a fresh file; on failure sets
 * out and returns -1. */
int chk_writer_setup(const chk_env_t *env, bool swmr, chk_helper_t *w, chk_wargs_t *a, char *path, size_t cap,
                     chk_outcome_t *out)
{
    h5s_err_t err;
    *a = (chk_wargs_t){.path = chk_case_file(env, "live.mth5", path, cap), .mode = "a", .swmr = swmr};
    if (chk_make_file(path, &err) < 0) {
        chk_out_error(out, "creating the file", &err);
        return -1;
    }
    if (chk_start_writer(w, a, &err) < 0) {
        chk_out_error(out, swmr ? "starting the SWMR writer" : "starting the plain writer", &err);
        return -1;
    }
    return 0;
}

/* Ends a writer helper. A writer that failed makes the outcome an error (what
 * was seen stays in the detail): the case did not run as designed. */
void chk_writer_end(chk_helper_t *w, chk_outcome_t *out)
{
    int st = 0;
    chk_hmsg_t m = {0};
    char status[48], seen[CHK_TOKEN_MAX + 600];
    if (w->pid <= 0)
        return;
    if (h5s_wait_readable(w->from, h5s_now_ns()) > 0 && chk_recv_msg(w, &m, 0) != 1)
        m.code = 0; /* its last word, if it left one ('e' + why) */
    if (chk_helper_finish(w, CHK_REPLY_MS, &st) == 0 || !strncmp(out->token, "error:", 6))
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

/* ---- the probe helper (raw HDF5 opens, for HDF5_USE_FILE_LOCKING) ---------------- */

static const char *const probe_names[] = {"plain-reader", "swmr-reader", "writer2"};

/* Tries one kind of open with raw HDF5 calls and closes again. */
static int probe_open(const char *path, int kind, h5s_err_t *err)
{
    unsigned flags = kind == CHK_PROBE_PLAIN_READER  ? H5F_ACC_RDONLY
                     : kind == CHK_PROBE_SWMR_READER ? H5F_ACC_RDONLY | H5F_ACC_SWMR_READ
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
    chk_hcmd_t c;
    if (h5s_hdf5_quiet() < 0)
        return 1;
    chk_send_msg(out, 'R', 0, 0, "ready");
    for (;;) {
        ssize_t r = h5s_read_full(in, &c, sizeof c, h5s_now_ns() + CHK_HELPER_IDLE_NS);
        if (r <= 0)
            return r == 0 ? 0 : 1;
        h5s_err_clear(&err);
        if (c.op != 'P' || c.kind < 0 || c.kind > CHK_PROBE_SWMR_WRITER)
            chk_send_msg(out, 'e', H5S_EINVAL, 0, "bad probe");
        else if (probe_open(path, c.kind, &err) == 0)
            chk_send_msg(out, 'k', 0, 0, "opened");
        else
            chk_send_err(out, err.code, &err);
    }
}

/* `h5swmr check --probe-helper FILE`: the prober, on fds 3 and 4 its parent
 * (the file_locking_env case) gave it. */
int chk_probe_main(const char *path)
{
    if (fcntl(3, F_GETFD) < 0 || fcntl(4, F_GETFD) < 0) {
        fprintf(stderr, "h5swmr check: --probe-helper is internal (run by the file_locking_env case)\n");
        return 2;
    }
    return probe_helper((void *)path, 3, 4);
}
