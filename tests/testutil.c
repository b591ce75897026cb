/* testutil.c - temporary directories, files, forked children and external
 * programs for the Criterion tests (see testutil.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "err.h"
#include "util.h"

static char g_dir[64];

/* Children and programs still running, killed by tu_teardown. */
#define TU_MAX_KIDS 16
static pid_t g_kids[TU_MAX_KIDS];
static tu_child_t *g_childs[TU_MAX_KIDS];

static void kid_add(pid_t pid, tu_child_t *c)
{
    for (int i = 0; i < TU_MAX_KIDS; i++)
        if (g_kids[i] == 0) {
            g_kids[i] = pid;
            g_childs[i] = c;
            return;
        }
}

static void kid_del(pid_t pid)
{
    for (int i = 0; i < TU_MAX_KIDS; i++)
        if (g_kids[i] == pid) {
            g_kids[i] = 0;
            g_childs[i] = NULL;
        }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(int64_t deadline)
{
    int64_t l = deadline - now_ms();
    return l < 0 ? 0 : (int)l;
}

/* ---- directory ------------------------------------------------------------ */

void tu_setup(void)
{
    cr_assert_eq(h5s_hdf5_quiet(), 0, "h5s_hdf5_quiet failed");
    snprintf(g_dir, sizeof g_dir, "/tmp/h5swmr-test-XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp: %s", strerror(errno));
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void tu_teardown(void)
{
    for (int i = 0; i < TU_MAX_KIDS; i++)
        if (g_kids[i] > 0) {
            h5s_child_t c = {.pid = g_kids[i], .to = -1, .from = -1};
            h5s_child_signal(&c, SIGKILL);
            h5s_child_wait(&c, h5s_now_ns() + H5S_REAP_GRACE_NS);
            g_kids[i] = 0;
        }
    if (g_dir[0])
        nftw(g_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    g_dir[0] = '\0';
}

const char *tu_dir(void)
{
    return g_dir;
}

const char *tu_path(const char *name)
{
    static char bufs[16][512];
    static unsigned next;
    char *b = bufs[next++ % 16];
    snprintf(b, sizeof bufs[0], "%s/%s", g_dir, name);
    return b;
}

/* ---- files ---------------------------------------------------------------- */

bool tu_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int tu_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int tu_read_file(const char *path, unsigned char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *b = malloc(n + 1);
    size_t got = 0;
    while (b && got < n) {
        ssize_t k = read(fd, b + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!b || got != n) {
        free(b);
        return -1;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

bool tu_file_equals(const char *path, const unsigned char *buf, size_t len)
{
    unsigned char *b;
    size_t n;
    if (tu_read_file(path, &b, &n) < 0)
        return false;
    bool eq = n == len && memcmp(b, buf, n) == 0;
    free(b);
    return eq;
}

/* ---- waiting for a process without sleeping ------------------------------- */

/* Waits up to timeout_ms for pid to exit and reaps it (a child killed on
 * timeout is reaped within H5S_REAP_GRACE_NS). 0, or -1 on timeout. */
static int wait_pid(pid_t pid, int timeout_ms, int *status)
{
    h5s_child_t c = {.pid = pid, .to = -1, .from = -1};
    int r = h5s_child_wait(&c, h5s_now_ns() + (int64_t)timeout_ms * 1000000);
    if (r == 0) {
        h5s_child_signal(&c, SIGKILL);
        h5s_child_wait(&c, h5s_now_ns() + H5S_REAP_GRACE_NS);
    }
    if (status)
        *status = c.status;
    return r == 0 ? -1 : 0;
}

/* ---- forked helper processes ---------------------------------------------- */

int tu_child_start(tu_child_t *c, tu_child_fn fn, void *arg)
{
    int down[2], up[2];
    c->pid = -1;
    c->to = c->from = -1;
    if (pipe2(down, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(up, O_CLOEXEC) < 0) {
        close(down[0]);
        close(down[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(down[0]);
        close(down[1]);
        close(up[0]);
        close(up[1]);
        return -1;
    }
    if (pid == 0) {
        /* The child: never returns, never touches Criterion. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGPIPE, SIG_IGN);
        close(down[1]);
        close(up[0]);
        for (int i = 0; i < TU_MAX_KIDS; i++)
            if (g_childs[i]) {
                close(g_childs[i]->to);
                close(g_childs[i]->from);
            }
        int rc = fn(arg, down[0], up[1]);
        _exit(rc < 0 ? 1 : rc > 255 ? 255 : rc);
    }
    close(down[0]);
    close(up[1]);
    c->pid = pid;
    c->to = down[1];
    c->from = up[0];
    kid_add(pid, c);
    return 0;
}

int tu_send(int fd, char c)
{
    ssize_t k;
    do
        k = write(fd, &c, 1);
    while (k < 0 && errno == EINTR);
    return k == 1 ? 0 : -1;
}

int tu_recv(int fd, char *c, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, left_ms(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t k = read(fd, c, 1);
        if (k < 0 && errno == EINTR)
            continue;
        return k == 1 ? 1 : k == 0 ? 0 : -1;
    }
}

int tu_child_finish(tu_child_t *c, int timeout_ms, int *status)
{
    if (c->pid <= 0)
        return -1;
    if (c->to >= 0)
        close(c->to);
    c->to = -1;
    int rc = wait_pid(c->pid, timeout_ms, status);
    kid_del(c->pid);
    if (c->from >= 0)
        close(c->from);
    c->from = -1;
    c->pid = -1;
    return rc;
}

/* ---- external programs ---------------------------------------------------- */

int tu_spawn(tu_proc_t *p, const char *const argv[])
{
    int out[2];
    p->pid = -1;
    p->out = -1;
    p->len = 0;
    p->buf[0] = '\0';
    if (pipe2(out, O_CLOEXEC) < 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execv(argv[0], (char *const *)argv);
        dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    p->pid = pid;
    p->out = out[0];
    kid_add(pid, NULL);
    return 0;
}

/* Reads what is available within the deadline. 1 read something, 0 EOF, -1 timeout. */
static int proc_read(tu_proc_t *p, int64_t deadline)
{
    for (;;) {
        struct pollfd pf = {.fd = p->out, .events = POLLIN};
        int r = poll(&pf, 1, left_ms(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        char tmp[4096];
        ssize_t k = read(p->out, tmp, sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        size_t room = sizeof p->buf - 1 - p->len;
        size_t take = (size_t)k < room ? (size_t)k : room;
        memcpy(p->buf + p->len, tmp, take);
        p->len += take;
        p->buf[p->len] = '\0';
        return 1;
    }
}

int tu_proc_wait_output(tu_proc_t *p, const char *needle, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (!strstr(p->buf, needle))
        if (proc_read(p, deadline) <= 0)
            return -1;
    return 0;
}

int tu_proc_finish(tu_proc_t *p, int timeout_ms, int *status)
{
    int64_t deadline = now_ms() + timeout_ms;
    int r;
    while ((r = proc_read(p, deadline)) > 0)
        ;
    close(p->out);
    p->out = -1;
    int rc;
    if (r < 0) {
        kill(p->pid, SIGKILL);
        wait_pid(p->pid, TU_TIMEOUT_MS, status);
        rc = -1;
    } else {
        rc = wait_pid(p->pid, left_ms(deadline) + 1000, status);
    }
    kid_del(p->pid);
    p->pid = -1;
    return rc;
}

int tu_run(const char *const argv[], int timeout_ms, int *status, char *out, size_t cap)
{
    static tu_proc_t p; /* large: keep it off the stack */
    if (tu_spawn(&p, argv) < 0)
        return -1;
    int rc = tu_proc_finish(&p, timeout_ms, status);
    if (out && cap)
        snprintf(out, cap, "%s", p.buf);
    return rc;
}

const char *tu_status_str(int status)
{
    static char buf[64];
    if (WIFEXITED(status))
        snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, sizeof buf, "status 0x%x", status);
    return buf;
}

void *tu_counting_samples(mth5_dtype_t dt, uint64_t first, size_t n)
{
    void *b = malloc(n * mth5_dtype_size(dt) + 1);
    cr_assert_not_null(b);
    for (size_t i = 0; i < n; i++) {
        double v = (double)(first + i + 1);
        if (dt == MTH5_FLOAT64)
            ((double *)b)[i] = v;
        else if (dt == MTH5_FLOAT32)
            ((float *)b)[i] = (float)v;
        else
            ((int32_t *)b)[i] = (int32_t)v;
    }
    return b;
}

int tu_run_args(const char *program, const char *const *args, int timeout_ms, int *status, char *out, size_t cap)
{
    const char *argv[64] = {program};
    int n = 1;
    for (; args[n - 1] && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    return tu_run(argv, timeout_ms, status, out, cap);
}

cJSON *tu_summary_json(const char *results, char *dir, size_t cap)
{
    DIR *d = opendir(results);
    cr_assert_not_null(d, "no results directory %s", results);
    struct dirent *e;
    char found_dir[1100] = "";
    int found = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(found_dir, sizeof found_dir, "%s/%s", results, e->d_name);
            found++;
        }
    closedir(d);
    cr_assert_eq(found, 1, "expected one run directory in %s, found %d", results, found);
    if (dir)
        snprintf(dir, cap, "%s", found_dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.json", found_dir);
    unsigned char *buf;
    size_t len;
    cr_assert_eq(tu_read_file(path, &buf, &len), 0, "no %s", path);
    cJSON *j = cJSON_ParseWithLength((const char *)buf, len);
    free(buf);
    cr_assert_not_null(j, "%s does not parse", path);
    return j;
}

double tu_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(v), "no number '%s'", key);
    return v->valuedouble;
}

bool tu_flag(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsBool(v), "no bool '%s'", key);
    return cJSON_IsTrue(v);
}
