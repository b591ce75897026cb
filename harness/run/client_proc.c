/* client_proc.c - an external reader's client: its descendants found, killed
 * and reaped, and its stderr kept bounded (see client_proc.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "client_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MAX_DESCENDANTS 4096 /* found in one call; the rest in the next round */
#define MAX_PASSES 64        /* /proc walks per call: one more generation each */

/* ---- descendants ----------------------------------------------------------- */

int cproc_subreaper(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* The decimal number at *s (moved past it); -1 when there is none. */
static long read_num(const char **s)
{
    long v = -1;
    for (; **s >= '0' && **s <= '9'; (*s)++)
        v = (v < 0 ? 0 : v * 10) + (**s - '0');
    return v;
}

/* The parent and process group of process pid, from /proc/PID/stat, with
 * open/read/close only. Returns 0, or -1 when it is gone. */
static int proc_parent(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
    char path[32] = "/proc/", digits[16], buf[512];
    int n = 0;
    for (long v = pid; v > 0 && n < (int)sizeof digits; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    size_t k = strlen(path);
    while (n > 0)
        path[k++] = digits[--n];
    memcpy(path + k, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0)
        return -1;
    buf[got] = '\0';
    /* "pid (comm) S ppid pgrp ...": comm may hold anything, ')' included */
    const char *s = strrchr(buf, ')');
    if (!s || s[1] != ' ' || !s[2] || s[3] != ' ')
        return -1;
    s += 4;
    long pp = read_num(&s);
    if (*s++ != ' ')
        return -1;
    long pg = read_num(&s);
    if (pp < 0 || pg < 0)
        return -1;
    *ppid = (pid_t)pp;
    *pgrp = (pid_t)pg;
    return 0;
}

/* Whether pid is one of the n in set. */
static bool in_set(const pid_t *set, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (set[i] == pid)
            return true;
    return false;
}

/* One walk of /proc: every process whose parent is in set[0..*n) and that
 * is not in it yet is added (with its group in grp). Returns how many were
 * added, -1 when /proc cannot be read. */
static int walk_once(pid_t *set, pid_t *grp, int *n)
{
    int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int added = 0;
    char buf[8192];
    for (;;) {
        long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
        if (got <= 0)
            break;
        for (long off = 0; off < got;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            off += e->d_reclen;
            const char *name = e->d_name;
            long pid = read_num(&name);
            pid_t pp, pg;
            if (pid <= 0 || *name || in_set(set, *n, (pid_t)pid) || proc_parent((pid_t)pid, &pp, &pg) != 0 ||
                !in_set(set, *n, pp) || *n == MAX_DESCENDANTS)
                continue;
            grp[*n] = pg;
            set[(*n)++] = (pid_t)pid;
            added++;
        }
    }
    close(dfd);
    return added;
}

int cproc_signal_descendants(int sig, pid_t skip_group)
{
    pid_t set[MAX_DESCENDANTS], grp[MAX_DESCENDANTS];
    int n = 1, sent = 0;
    set[0] = getpid(); /* the root: not signalled */
    grp[0] = 0;
    for (int pass = 0; pass < MAX_PASSES && walk_once(set, grp, &n) > 0; pass++)
        ;
    for (int i = 1; i < n; i++)
        if (skip_group <= 0 || grp[i] != skip_group)
            sent += kill(set[i], sig) == 0;
    return sent;
}

void cproc_reap_orphans(pid_t keep)
{
    for (int i = 0; i < 256; i++) {
        siginfo_t si;
        si.si_pid = 0;
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0 || si.si_pid == keep)
            return;
        waitpid(si.si_pid, NULL, WNOHANG);
    }
}

int cproc_end_descendants(int64_t deadline_ns)
{
    for (;;) {
        pid_t r;
        while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (r < 0 && errno == ECHILD)
            return 0; /* no child left, so no descendant: an orphan would be a child here */
        int left = cproc_signal_descendants(SIGKILL, 0);
        if (h5s_now_ns() >= deadline_ns)
            return left ? left : 1;
        struct timespec ts = {0, 1000000}; /* killed processes take a moment to die */
        nanosleep(&ts, NULL);
    }
}

/* ---- stderr ------------------------------------------------------------------ */

int cproc_log_open(cproc_log_t *l, const char *path, int *child_fd)
{
    int p[2];
    l->fd = l->file = -1;
    l->total = l->nhead = l->rstart = l->rlen = 0;
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    if (path && (l->file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    l->fd = p[0];
    *child_fd = p[1];
    return 0;
}

/* Keeps n bytes the client wrote: the head goes to the file at once, the
 * rest into the ring (its oldest bytes overwritten). */
static void keep(cproc_log_t *l, const char *buf, size_t n)
{
    size_t h = n < CPROC_LOG_HEAD - l->nhead ? n : CPROC_LOG_HEAD - l->nhead;
    if (h) {
        memcpy(l->head + l->nhead, buf, h);
        if (l->file >= 0 && h5s_write_full(l->file, buf, h) != 0) {
            close(l->file); /* the disk is full: the log stops here, the client goes on */
            l->file = -1;
        }
        l->nhead += h;
    }
    l->total += n;
    buf += h;
    n -= h;
    if (n >= CPROC_LOG_TAIL) {
        memcpy(l->ring, buf + n - CPROC_LOG_TAIL, CPROC_LOG_TAIL);
        l->rstart = 0;
        l->rlen = CPROC_LOG_TAIL;
        return;
    }
    size_t pos = (l->rstart + l->rlen) % CPROC_LOG_TAIL, first = n < CPROC_LOG_TAIL - pos ? n : CPROC_LOG_TAIL - pos;
    memcpy(l->ring + pos, buf, first);
    memcpy(l->ring, buf + first, n - first);
    l->rlen = l->rlen + n < CPROC_LOG_TAIL ? l->rlen + n : CPROC_LOG_TAIL;
    l->rstart = ((pos + n) % CPROC_LOG_TAIL + CPROC_LOG_TAIL - l->rlen) % CPROC_LOG_TAIL;
}

bool cproc_log_read(cproc_log_t *l)
{
    char buf[65536];
    for (int round = 0; l->fd >= 0 && round < 64; round++) {
        ssize_t got = read(l->fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN)
            return true;
        if (got <= 0) {
            close(l->fd);
            l->fd = -1;
            break;
        }
        keep(l, buf, (size_t)got);
    }
    return l->fd >= 0;
}

int cproc_log_close(cproc_log_t *l)
{
    cproc_log_read(l);
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    if (l->file < 0)
        return 0;
    int rc = 0;
    uint64_t dropped = l->total - l->nhead - l->rlen;
    if (dropped) {
        char line[200];
        int n =
            snprintf(line, sizeof line,
                     "%s[h5swmr: %llu bytes of the client's stderr dropped here; the first %d and the last %d bytes "
                     "are kept]\n",
                     l->nhead && l->head[l->nhead - 1] != '\n' ? "\n" : "", (unsigned long long)dropped, CPROC_LOG_HEAD,
                     CPROC_LOG_TAIL);
        rc |= h5s_write_full(l->file, line, (size_t)n);
    }
    size_t first = l->rlen < CPROC_LOG_TAIL - l->rstart ? l->rlen : CPROC_LOG_TAIL - l->rstart;
    rc |= h5s_write_full(l->file, l->ring + l->rstart, first);
    rc |= h5s_write_full(l->file, l->ring, l->rlen - first);
    rc |= close(l->file);
    l->file = -1;
    return rc ? -1 : 0;
}

/* Byte i of what is kept: the head, then the ring. */
static char kept_at(const cproc_log_t *l, size_t i)
{
    return i < l->nhead ? l->head[i] : l->ring[(l->rstart + i - l->nhead) % CPROC_LOG_TAIL];
}

void cproc_log_tail(const cproc_log_t *l, char *out, size_t cap)
{
    /* with bytes dropped, the head and the ring are not one text: the ring alone */
    size_t lo = l->total > l->nhead + l->rlen ? l->nhead : 0, end = l->nhead + l->rlen;
    out[0] = '\0';
    for (char c; end > lo && ((c = kept_at(l, end - 1)) == ' ' || c == '\t' || c == '\r' || c == '\n');)
        end--;
    size_t start = end;
    while (start > lo && kept_at(l, start - 1) != '\n')
        start--;
    size_t n = 0;
    for (size_t i = start; i < end && n + 1 < cap; i++) {
        char c = kept_at(l, i);
        out[n++] = c ? c : '?';
    }
    out[n] = '\0';
}
