/* util.c - clocks, bounded waits, accounting. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util.h"

#include <cjson/cJSON.h>

#include "child.h"
#include "cli.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t h5s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int h5s_wait_readable(int fd, int64_t deadline_ns)
{
    for (;;) {
        int64_t left = deadline_ns - h5s_now_ns();
        if (left < 0)
            left = 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        struct timespec ts = {left / 1000000000, left % 1000000000};
        int r = ppoll(&p, 1, &ts, NULL);
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

ssize_t h5s_read_full(int fd, void *buf, size_t n, int64_t deadline_ns)
{
    size_t got = 0;
    while (got < n) {
        int w = h5s_wait_readable(fd, deadline_ns);
        if (w <= 0) {
            if (w == 0)
                errno = ETIMEDOUT;
            return -1;
        }
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r == 0)
            return got ? -1 : 0;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int h5s_write_full(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)buf + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

void h5s_self_usage(double *user_s, double *sys_s, long *maxrss_kb)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    *sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    *maxrss_kb = ru.ru_maxrss;
}

long h5s_rss_kb(pid_t pid)
{
    char path[64];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/statm");
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    long size = 0, resident = -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void h5s_utc_stamp(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y%m%dT%H%M%SZ", &tm);
}

int h5s_mkdir_p(const char *dir)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int h5s_make_unique_dir(const char *parent, const char *base, char *out, size_t cap)
{
    char stamp[32];
    if (h5s_mkdir_p(parent) != 0)
        return -1;
    h5s_utc_stamp(stamp, sizeof stamp);
    for (int k = 1; k < 1000; k++) {
        int n = k == 1 ? snprintf(out, cap, "%s/%s-%s", parent, base, stamp)
                       : snprintf(out, cap, "%s/%s-%s-%d", parent, base, stamp, k);
        if (n < 0 || (size_t)n >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (mkdir(out, 0755) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

/* nftw callback of h5s_rm_rf: removes one entry (a directory after its
 * contents). Returns 0 when it is gone or was already gone, -1 otherwise. */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

int h5s_rm_rf(const char *path)
{
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

uint64_t h5s_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int h5s_cli_fail(const char *who, int code, const char *fmt, ...)
{
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_one_line(msg); /* what it echoes (paths, values, a client's bytes) as printable text */
    if (who)
        fprintf(stderr, "h5swmr %s: %s\n", who, msg);
    else
        fprintf(stderr, "h5swmr: %s\n", msg);
    return code;
}

void h5s_say(bool quiet, const char *prefix, const char *fmt, ...)
{
    if (quiet)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("[%s] %s\n", prefix, line);
    fflush(stdout);
}

int h5s_run_quiet(const char *const argv[], int timeout_ms)
{
    return h5s_run_logged(argv, NULL, timeout_ms);
}

int h5s_run_logged(const char *const argv[], const char *log, int timeout_ms)
{
    h5s_child_t c;
    h5s_child_opts_t o = {.pdeathsig = SIGKILL, .argv = argv, .log = log};
    if (h5s_child_spawn(&c, &o, NULL) < 0)
        return -1;
    int r = h5s_child_wait(&c, h5s_now_ns() + (int64_t)timeout_ms * 1000000);
    if (r == 0) {
        /* timed out: killed, and reaped within a bound */
        h5s_child_signal(&c, SIGKILL);
        h5s_child_wait(&c, h5s_now_ns() + H5S_REAP_GRACE_NS);
        return -1;
    }
    return r < 0 ? -1 : h5s_child_exit_code(c.status);
}

void h5s_stop_signals_ready(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGINT);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
}

void h5s_parent_dir(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

int h5s_output_ok(const char *path, bool force, char *msg, size_t cap)
{
    struct stat st;
    char dir[4096];
    h5s_parent_dir(path, dir, sizeof dir);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return snprintf(msg, cap, "%s: directory '%s' does not exist", path, dir), -1;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : (snprintf(msg, cap, "%s: %s", path, strerror(errno)), -1);
    if (!S_ISREG(st.st_mode))
        return snprintf(msg, cap, "%s exists and is not a regular file: not replaced", path), -1;
    if (!force)
        return snprintf(msg, cap, "%s exists: not replaced (--force replaces it)", path), -1;
    return 0;
}

FILE *h5s_output_begin(const char *path, char *tmp, size_t tmpcap, char *msg, size_t cap)
{
    snprintf(tmp, tmpcap, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(msg, cap, "cannot write beside %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return NULL;
    }
    fchmod(fd, 0644);
    return f;
}

int h5s_output_commit(FILE *f, const char *tmp, const char *path, bool force, char *msg, size_t cap)
{
    bool bad = ferror(f) != 0;
    int e = bad ? EIO : 0;
    if (fclose(f) != 0 && !e)
        e = errno;
    if (!e && h5s_output_ok(path, force, msg, cap) != 0) {
        unlink(tmp);
        return -1;
    }
    /* link never replaces anything; rename only over a regular file --force allowed */
    if (!e && (force ? rename(tmp, path) : link(tmp, path)) != 0)
        e = errno;
    unlink(tmp);
    if (e)
        return snprintf(msg, cap, "cannot write %s: %s", path, strerror(e)), -1;
    return 0;
}

FILE *h5s_open_input(const char *path, long max_bytes, char *msg, size_t cap)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        snprintf(msg, cap, "%s", strerror(errno));
        return NULL;
    }
    const char *why = fstat(fd, &st) != 0                       ? strerror(errno)
                      : !S_ISREG(st.st_mode)                    ? "not a regular file"
                      : max_bytes > 0 && st.st_size > max_bytes ? "too large"
                                                                : NULL;
    FILE *f = why ? NULL : fdopen(fd, "rb");
    if (!f) {
        snprintf(msg, cap, "%s", why ? why : strerror(errno));
        close(fd);
    }
    return f;
}

/* qsort's order of object member names (exact bytes). */
static int json_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name that two members of an object share, anywhere in j (nested
 * objects and arrays included), or NULL. Each object's names are sorted, so
 * the work is n log n in its members, never pairwise. */
static const char *json_duplicate(const cJSON *j)
{
    const cJSON *c;
    size_t n = 0;
    cJSON_ArrayForEach (c, j) {
        const char *d = json_duplicate(c);
        if (d)
            return d;
        n++;
    }
    if (!cJSON_IsObject(j) || n < 2)
        return NULL;
    const char **names = malloc(n * sizeof *names);
    if (!names)
        return "(out of memory while checking names)";
    size_t k = 0;
    cJSON_ArrayForEach (c, j)
        names[k++] = c->string ? c->string : "";
    qsort(names, n, sizeof *names, json_name_cmp);
    const char *dup = NULL;
    for (k = 1; k < n && !dup; k++)
        if (!strcmp(names[k - 1], names[k]))
            dup = names[k];
    free(names);
    return dup;
}

cJSON *h5s_read_json(const char *path, long max_bytes, char *why, size_t cap)
{
    FILE *f = h5s_open_input(path, max_bytes, why, cap);
    if (!f)
        return NULL;
    char *buf = NULL, chunk[65536];
    size_t len = 0, n;
    FILE *mem = open_memstream(&buf, &len);
    /* the size was checked when it was opened; a file still growing stops at the bound */
    bool big = false;
    while (mem && !big && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        fwrite(chunk, 1, n, mem);
        big = max_bytes > 0 && ftell(mem) > max_bytes;
    }
    bool ok = mem && !ferror(f) && fclose(mem) == 0;
    fclose(f);
    cJSON *j = NULL;
    const char *end = NULL, *nul = ok ? memchr(buf, '\0', len) : NULL, *dup = NULL;
    if (cap)
        why[0] = '\0';
    if (big)
        snprintf(why, cap, "too large");
    else if (!ok)
        snprintf(why, cap, "%s", strerror(errno ? errno : EIO));
    else if (nul)
        snprintf(why, cap, "a NUL byte at offset %zu", (size_t)(nul - buf));
    else if (!len || !(j = cJSON_ParseWithOpts(buf, &end, false)))
        snprintf(why, cap, "not JSON");
    else if (end[strspn(end, " \t\r\n")])
        snprintf(why, cap, "text after the JSON value at offset %zu", (size_t)(end - buf));
    else if ((dup = json_duplicate(j)))
        snprintf(why, cap, "the key '%.60s' appears twice in one object", dup);
    if (why[0]) {
        cJSON_Delete(j);
        j = NULL;
    }
    free(buf);
    return j;
}

/* A copy of s (allocated as cJSON allocates) with each byte that is not part
 * of valid UTF-8 replaced by U+FFFD; NULL when s is valid UTF-8 already (or
 * there is no memory: it is then printed as it is). */
static char *utf8_repaired(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), bad = 0;
    uint32_t cp;
    for (size_t i = 0, len; i < n; i += len ? len : 1)
        bad += (len = cli_utf8_char(p + i, n - i, &cp)) == 0;
    char *out = bad ? cJSON_malloc(n + 2 * bad + 1) : NULL;
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0, len; i < n; i += len ? len : 1) {
        if ((len = cli_utf8_char(p + i, n - i, &cp)) != 0) {
            memcpy(out + o, p + i, len);
            o += len;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
            o += 3;
        }
    }
    out[o] = '\0';
    return out;
}

/* Repairs every string value and key of the tree at item (see utf8_repaired). */
static void json_repair(cJSON *item)
{
    for (; item; item = item->next) {
        char *r;
        if ((cJSON_IsString(item) || cJSON_IsRaw(item)) && item->valuestring && !(item->type & cJSON_IsReference) &&
            (r = utf8_repaired(item->valuestring))) {
            cJSON_free(item->valuestring);
            item->valuestring = r;
        }
        if (item->string && !(item->type & cJSON_StringIsConst) && (r = utf8_repaired(item->string))) {
            cJSON_free(item->string);
            item->string = r;
        }
        json_repair(item->child);
    }
}

char *h5s_json_text(cJSON *root)
{
    json_repair(root);
    return cJSON_Print(root);
}
