/* h5floor - what HDF5 and this machine allow, measured by the plainest C.
 *
 * A standalone program with none of h5swmr's code, to run beside a sweep and
 * check the floor that h5swmr's own figures are judged against:
 *
 *   raw    pwrite of B-byte appends into a new flat file
 *   swmr   a 1-D float32 dataset (chunk = one append, unlimited) in a
 *          version-3 file opened for SWMR writing; per append H5Dset_extent,
 *          H5Dwrite and H5Dflush (corked: metadata flushes off around the
 *          extend and write, as an SWMR writer must)
 *   lag    the swmr loop paced (append k starts at a random moment of
 *          [k, k+1) periods) with one reader process busy-polling the file
 *          (H5Drefresh, H5Dget_space, H5Dread of the new samples); for every
 *          append the reader's first sight of it minus the moment its
 *          H5Dflush returned, the lag of each flushed block
 *
 * Throughput is per call: payload bytes over the time spent inside the timed
 * calls (pwrite; extend + write + flush), with the per-append p50 (and for
 * swmr the p50 of the append and of the flush alone). Before each timed loop
 * the program preheats its file: it writes zeros past the file's end for
 * every byte the loop will append, so that the loop's writes land on pages
 * already in the page cache. On virtual machines a page that lies free for a
 * moment goes back to the host, and a loop that takes fresh pages pays a host
 * fault for most of them (the same pwrite loop gives 0.3 or 8 GB/s by what
 * the machine did just before). --no-preheat measures appends onto fresh
 * pages. h5swmr's flat-out writers preheat the same way (warmup = true).
 *
 * Output: one line per measurement, `key=value` words: what=raw|swmr block=
 * bytes= appends= io_MBps= wall_MBps= p50_us= p99_us= append_p50_us=
 * flush_p50_us= preheat=; what=lag block= pace_ms= events= p50_us= p90_us=
 * p99_us= max_us= (until the data was in hand) extent_p50_us= extent_p99_us=
 * (until the extent covered it, before the read). For people and for `h5swmr sweep`. Exit 0, 1 on a
 * failure, 2 on bad arguments. Files are created with O_EXCL in --dir and
 * removed at the end. Built by CMake beside h5swmr (build/h5floor). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct opts {
    const char *dir;
    size_t block; /* bytes per append */
    double mb;    /* data per timed loop */
    double lag_s; /* duration of the lag loop */
    double pace_ms;
    int repeat;
    int preheat;
    int raw, swmr, lag;
} opts_t;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of n sorted values, by the nearest rank. */
static double quantile(const int64_t *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)(q * (double)n + 0.999999);
    k = k == 0 ? 1 : k > n ? n : k;
    return (double)v[k - 1];
}

/* Touches `bytes` of fresh memory and gives it back, so that the pages the
 * timed loop is about to take are resident on the host. */
/* The preheat: zeros written past the end of the file for every byte the
 * timed loop will append (and a MiB for HDF5's metadata), through a second
 * descriptor, so that the loop's writes land on pages already in the page
 * cache. On these virtual machines a page that lies free for a moment goes
 * back to the host, and a loop that takes fresh pages pays a host fault for
 * most of them: 0.3-8 GB/s for the same pwrite loop, by what the machine did
 * just before. Pages of the file itself cannot be taken away. HDF5 leaves
 * bytes past its end of allocation alone and cuts them off when it closes
 * the file. Returns 0 or -1 (errno set). */
static int preheat(const char *path, size_t bytes)
{
    static const char zeros[1 << 20];
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    for (size_t done = 0; done < bytes && rc == 0; done += sizeof zeros) {
        size_t k = bytes - done < sizeof zeros ? bytes - done : sizeof zeros;
        if (pwrite(fd, zeros, k, st.st_size + (off_t)done) != (ssize_t)k)
            rc = -1;
    }
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* Prints a throughput line: per[0..n) are the times of each append (the
 * whole timed step), fl[0..n) of its flush alone when fl is not NULL. */
static void print_tp(const char *what, const opts_t *o, size_t n, int64_t in_calls, int64_t wall, int64_t *per,
                     int64_t *ap, int64_t *fl)
{
    qsort(per, n, sizeof *per, cmp_i64);
    double bytes = (double)o->block * (double)n, fl50 = 0, ap50 = quantile(per, n, 0.5) / 1e3;
    if (fl) {
        qsort(ap, n, sizeof *ap, cmp_i64);
        qsort(fl, n, sizeof *fl, cmp_i64);
        ap50 = quantile(ap, n, 0.5) / 1e3;
        fl50 = quantile(fl, n, 0.5) / 1e3;
    }
    printf("what=%s block=%zu bytes=%.0f appends=%zu io_MBps=%.1f wall_MBps=%.1f p50_us=%.2f p99_us=%.2f "
           "append_p50_us=%.2f flush_p50_us=%.2f preheat=%d\n",
           what, o->block, bytes, n, bytes * 1e3 / (double)in_calls, bytes * 1e3 / (double)wall,
           quantile(per, n, 0.5) / 1e3, quantile(per, n, 0.99) / 1e3, ap50, fl50, o->preheat);
    fflush(stdout);
}

/* raw: n appends of o->block bytes with pwrite into a new file. */
static int run_raw(const opts_t *o, const char *path, size_t n, char *buf, int64_t *per)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "h5floor: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = 0;
    if (o->preheat && preheat(path, o->block * n) != 0) {
        fprintf(stderr, "h5floor: preheating %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    int64_t in_calls = 0, w0 = now_ns();
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t t0 = now_ns();
        ssize_t k = pwrite(fd, buf, o->block, (off_t)(i * o->block));
        int64_t t1 = now_ns();
        if (k != (ssize_t)o->block) {
            fprintf(stderr, "h5floor: pwrite to %s: %s\n", path, k < 0 ? strerror(errno) : "short write");
            rc = 1;
            break;
        }
        per[i] = t1 - t0;
        in_calls += t1 - t0;
    }
    int64_t wall = now_ns() - w0;
    close(fd);
    unlink(path);
    if (rc == 0)
        print_tp("raw", o, n, in_calls, wall, per, NULL, NULL);
    return rc;
}

/* Creates path with one empty chunked float32 dataset "x" (chunk = samples
 * per append) and reopens it as SWMR writer; returns the file id and the
 * dataset in *d, or -1. */
static hid_t swmr_create(const char *path, hsize_t chunk, hid_t *d)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t dims[1] = {0}, maxd[1] = {H5S_UNLIMITED};
    hid_t sp = H5Screate_simple(1, dims, maxd), f = -1, fid = -1;
    if (H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0)
        goto out;
    if ((f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl)) < 0)
        goto out;
    hid_t x = H5Dcreate2(f, "x", H5T_NATIVE_FLOAT, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (x < 0 || H5Dclose(x) < 0 || H5Fclose(f) < 0)
        goto out;
    if ((fid = H5Fopen(path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, fapl)) < 0)
        goto out;
    if ((*d = H5Dopen2(fid, "x", H5P_DEFAULT)) < 0) {
        H5Fclose(fid);
        fid = -1;
    }
out:
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(fapl);
    return fid;
}

/* One append of `count` samples at `at`, then H5Dflush; 0 or -1. */
static int swmr_append(hid_t d, hsize_t at, hsize_t count, const void *buf, int flush)
{
    hsize_t len = at + count;
    hid_t ms = H5Screate_simple(1, &count, NULL), fs = -1;
    int ok = H5Odisable_mdc_flushes(d) >= 0 && H5Dset_extent(d, &len) >= 0 && (fs = H5Dget_space(d)) >= 0 &&
             H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &count, NULL) >= 0 &&
             H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) >= 0;
    ok = H5Oenable_mdc_flushes(d) >= 0 && ok;
    ok = ok && (!flush || H5Dflush(d) >= 0);
    if (fs >= 0)
        H5Sclose(fs);
    H5Sclose(ms);
    return ok ? 0 : -1;
}

/* swmr: n appends of o->block bytes, each extended, written and flushed. */
static int run_swmr(const opts_t *o, const char *path, size_t n, char *buf, int64_t *per, int64_t *ap, int64_t *fl)
{
    hsize_t count = o->block / 4;
    hid_t d = -1, fid = swmr_create(path, count, &d);
    if (fid < 0) {
        fprintf(stderr, "h5floor: cannot create %s as SWMR writer\n", path);
        return 1;
    }
    int rc = 0;
    if (o->preheat && preheat(path, o->block * n + (1 << 20)) != 0) {
        fprintf(stderr, "h5floor: preheating %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    int64_t in_calls = 0, w0 = now_ns();
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t t0 = now_ns();
        if (swmr_append(d, (hsize_t)i * count, count, buf, 0) < 0) {
            fprintf(stderr, "h5floor: append %zu to %s failed\n", i, path);
            rc = 1;
            break;
        }
        int64_t t1 = now_ns();
        if (H5Dflush(d) < 0) {
            fprintf(stderr, "h5floor: H5Dflush %zu of %s failed\n", i, path);
            rc = 1;
            break;
        }
        int64_t t2 = now_ns();
        per[i] = t2 - t0;
        ap[i] = t1 - t0;
        fl[i] = t2 - t1;
        in_calls += t2 - t0;
    }
    int64_t wall = now_ns() - w0;
    H5Dclose(d);
    if (H5Fclose(fid) < 0)
        rc = 1;
    unlink(path);
    if (rc == 0)
        print_tp("swmr", o, n, in_calls, wall, per, ap, fl);
    return rc;
}

/* Shared between the lag writer and its reader (mapped before fork). */
typedef struct lagshm {
    volatile int stop;
    volatile size_t appends;
    size_t max;
    int64_t t[]; /* t[k]: when append k's H5Dflush returned; t[max + k]: when the reader had its data in hand;
                   t[2 max + k]: when the reader first saw the extent cover it */
} lagshm_t;

/* The lag reader: forked before HDF5 is initialised (HDF5 ids must not cross
 * a fork), it waits for a file path on fd `in`, follows that file with
 * H5Drefresh + H5Dget_space in a busy loop, reads each new stretch and
 * records when it first saw every append, then acknowledges on `out`; until
 * `in` is closed. */
static int lag_reader_loop(int in, int out, lagshm_t *shm, hsize_t count)
{
    char path[4200];
    float *buf = malloc((size_t)count * 4 * 64);
    if (!buf)
        return 1;
    for (;;) {
        ssize_t n = read(in, path, sizeof path - 1);
        if (n <= 0)
            break;
        path[n] = '\0';
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
        H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
        hid_t fid = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl);
        H5Pclose(fapl);
        hid_t d = fid < 0 ? -1 : H5Dopen2(fid, "x", H5P_DEFAULT);
        int64_t *seen = shm->t + shm->max, *ext = shm->t + 2 * shm->max, give_up = 0;
        size_t have = 0;
        char ack = d < 0 ? 'E' : 'K';
        if (write(out, "R", 1) != 1) /* open: the writer may start */
            break;
        while (d >= 0) {
            hsize_t len = 0;
            hid_t fs = H5Drefresh(d) < 0 ? -1 : H5Dget_space(d);
            if (fs < 0) {
                ack = 'E';
                break;
            }
            H5Sget_simple_extent_dims(fs, &len, NULL);
            size_t blocks = (size_t)(len / count);
            if (blocks > have) {
                int64_t te = now_ns();
                for (size_t k = have; k < blocks && k < shm->max; k++)
                    if (!ext[k])
                        ext[k] = te;
                /* read what is new, its last 64 appends at most */
                hsize_t at = (hsize_t)have * count, m = (hsize_t)(blocks - have) * count;
                if (m > count * 64) {
                    at = len - count * 64;
                    m = count * 64;
                }
                hid_t ms = H5Screate_simple(1, &m, NULL);
                H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &m, NULL);
                int ok = H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) >= 0 && buf[m - 1] != 0.0f;
                H5Sclose(ms);
                if (ok) {
                    int64_t t = now_ns();
                    for (size_t k = have; k < blocks && k < shm->max; k++)
                        seen[k] = t;
                    have = blocks;
                }
            }
            H5Sclose(fs);
            if (shm->stop) {
                if (have >= shm->appends)
                    break;
                if (!give_up)
                    give_up = now_ns() + 2000000000;
                else if (now_ns() > give_up)
                    break;
            }
        }
        if (d >= 0)
            H5Dclose(d);
        if (fid >= 0)
            H5Fclose(fid);
        if (write(out, &ack, 1) != 1)
            break;
    }
    free(buf);
    return 0;
}

typedef struct lagrun {
    lagshm_t *shm;
    size_t shm_size;
    pid_t pid;
    int to, from; /* pipes to and from the reader */
} lagrun_t;

/* Maps the shared record and forks the reader; before any HDF5 call. */
static int lag_start(const opts_t *o, lagrun_t *l)
{
    size_t max = (size_t)(o->lag_s * 1e3 / o->pace_ms) + 16;
    l->shm_size = sizeof(lagshm_t) + 3 * max * sizeof(int64_t);
    l->shm = mmap(NULL, l->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int a[2], b[2];
    if (l->shm == MAP_FAILED || pipe(a) != 0 || pipe(b) != 0)
        return -1;
    l->shm->max = max;
    fflush(stdout);
    l->pid = fork();
    if (l->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(a[1]);
        close(b[0]);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        _exit(lag_reader_loop(a[0], b[1], l->shm, o->block / 4));
    }
    close(a[0]);
    close(b[1]);
    l->to = a[1];
    l->from = b[0];
    return l->pid < 0 ? -1 : 0;
}

/* Waits up to ms for one byte from the reader; returns it, or 0. */
static char lag_wait(const lagrun_t *l, int ms)
{
    struct pollfd p = {.fd = l->from, .events = POLLIN};
    char c = 0;
    if (poll(&p, 1, ms) == 1 && read(l->from, &c, 1) == 1)
        return c;
    return 0;
}

/* lag: a paced writer of o->block-byte appends, a flush each, for o->lag_s
 * seconds, followed by the busy-polling reader; prints the lag percentiles
 * of every append (when the reader first saw it minus when its flush
 * returned). */
static int run_lag(const opts_t *o, lagrun_t *l, const char *path)
{
    hsize_t count = o->block / 4;
    double period = o->pace_ms * 1e6;
    lagshm_t *shm = l->shm;
    int64_t *seen = shm->t + shm->max;
    memset(shm->t, 0, 3 * shm->max * sizeof(int64_t));
    shm->stop = 0;
    shm->appends = 0;
    float *buf = malloc(o->block);
    hid_t d = -1, fid = buf ? swmr_create(path, count, &d) : -1;
    if (fid < 0) {
        fprintf(stderr, "h5floor: cannot create %s as SWMR writer\n", path);
        free(buf);
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        buf[i] = 1.0f;
    int rc = 0;
    if (write(l->to, path, strlen(path)) != (ssize_t)strlen(path) || lag_wait(l, 10000) != 'R') {
        fprintf(stderr, "h5floor: the lag reader did not open %s within 10 s\n", path);
        rc = 1;
    }
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    int64_t t0 = now_ns(), t_end = t0 + (int64_t)(o->lag_s * 1e9);
    size_t n = 0;
    while (rc == 0 && n < shm->max) {
        /* append k is due at a random moment of [k, k + 1) periods */
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        double u = (double)(rng >> 11) / 9007199254740992.0;
        int64_t due = t0 + (int64_t)(((double)n + u) * period);
        if (due >= t_end)
            break;
        struct timespec ts = {(time_t)(due / 1000000000), (long)(due % 1000000000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        if (swmr_append(d, (hsize_t)n * count, count, buf, 1) < 0) {
            fprintf(stderr, "h5floor: append %zu to %s failed\n", n, path);
            rc = 1;
            break;
        }
        shm->t[n] = now_ns();
        shm->appends = ++n;
    }
    shm->stop = 1;
    if (lag_wait(l, 10000) != 'K' && rc == 0) {
        fprintf(stderr, "h5floor: the lag reader failed or did not finish within 10 s\n");
        rc = 1;
    }
    H5Dclose(d);
    H5Fclose(fid);
    unlink(path);
    size_t m = 0, me = 0;
    int64_t *lag = malloc((n ? n : 1) * sizeof *lag), *elag = malloc((n ? n : 1) * sizeof *elag);
    const int64_t *ext = shm->t + 2 * shm->max;
    for (size_t k = 0; lag && elag && k < n; k++)
        if (seen[k] && shm->t[k]) {
            lag[m++] = seen[k] - shm->t[k];
            elag[me++] = ext[k] - shm->t[k];
        }
    if (rc == 0 && lag && elag && m) {
        qsort(lag, m, sizeof *lag, cmp_i64);
        qsort(elag, me, sizeof *elag, cmp_i64);
        /* p50_us..max_us: until the data was in hand (h5swmr's definition of
         * visibility); extent_*: until the extent covered it, before the read */
        printf("what=lag block=%zu pace_ms=%.3f events=%zu p50_us=%.2f p90_us=%.2f p99_us=%.2f max_us=%.2f "
               "extent_p50_us=%.2f extent_p99_us=%.2f\n",
               o->block, o->pace_ms, m, quantile(lag, m, 0.5) / 1e3, quantile(lag, m, 0.9) / 1e3,
               quantile(lag, m, 0.99) / 1e3, (double)lag[m - 1] / 1e3, quantile(elag, me, 0.5) / 1e3,
               quantile(elag, me, 0.99) / 1e3);
        fflush(stdout);
    } else if (rc == 0) {
        fprintf(stderr, "h5floor: the lag reader saw nothing\n");
        rc = 1;
    }
    free(lag);
    free(elag);
    free(buf);
    return rc;
}

/* Ends the reader (EOF on its pipe) and reaps it, SIGKILL after 5 s. */
static void lag_stop(lagrun_t *l)
{
    close(l->to);
    for (int i = 0; i < 500; i++) {
        if (waitpid(l->pid, NULL, WNOHANG) == l->pid)
            goto out;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    kill(l->pid, SIGKILL);
    waitpid(l->pid, NULL, 0);
out:
    close(l->from);
    munmap(l->shm, l->shm_size);
}

static const char help_text[] =
    "h5floor: raw pwrite, an SWMR append+flush loop and a busy-poll lag loop in plain C on HDF5\n"
    "usage: h5floor [--dir DIR] [--block BYTES] [--mb MB] [--repeat N] [--what raw,swmr,lag]\n"
    "               [--lag-s SECONDS] [--pace-ms MS] [--no-preheat]\n"
    "  --dir DIR      where its files go (created O_EXCL, removed at the end; default .)\n"
    "  --block BYTES  bytes per append, a multiple of 4 (float32 samples; default 1048576)\n"
    "  --mb MB        data per raw and swmr loop (default 96)\n"
    "  --repeat N     raw, swmr, lag interleaved N times (default 1)\n"
    "  --what LIST    raw, swmr and/or lag (default raw,swmr)\n"
    "  --lag-s S      duration of the lag loop (default 3)\n"
    "  --pace-ms MS   mean period of the lag loop's appends (default 3)\n"
    "  --no-preheat   append onto fresh pages (no zeros written past the end first)\n";

/* One line on stderr about bad arguments; the exit status for them. */
static int usage(const char *msg)
{
    fprintf(stderr, "h5floor: %s (h5floor --help)\n", msg);
    return 2;
}

/* A number of the argument list: finite, within [lo, hi]; -1 if not. */
static int num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    opts_t o = {.dir = ".", .block = 1 << 20, .mb = 96, .lag_s = 3, .pace_ms = 3, .repeat = 1, .preheat = 1};
    const char *what = "raw,swmr";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double v;
        if (!strcmp(a, "--no-preheat")) {
            o.preheat = 0;
            continue;
        }
        if (!strcmp(a, "--help")) {
            fputs(help_text, stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return usage("every option but --no-preheat takes a value");
        const char *val = argv[++i];
        if (!strcmp(a, "--dir"))
            o.dir = val;
        else if (!strcmp(a, "--what"))
            what = val;
        else if (!strcmp(a, "--block") && num(val, 4, 1 << 28, &v) == 0 && (size_t)v % 4 == 0)
            o.block = (size_t)v;
        else if (!strcmp(a, "--mb") && num(val, 0.001, 1e5, &v) == 0)
            o.mb = v;
        else if (!strcmp(a, "--repeat") && num(val, 1, 1000, &v) == 0)
            o.repeat = (int)v;
        else if (!strcmp(a, "--lag-s") && num(val, 0.2, 3600, &v) == 0)
            o.lag_s = v;
        else if (!strcmp(a, "--pace-ms") && num(val, 0.05, 10000, &v) == 0)
            o.pace_ms = v;
        else
            return usage("bad option or value (--block: a multiple of 4 bytes; numbers finite and in range)");
    }
    for (const char *p = what; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 3 && !strncmp(p, "raw", 3))
            o.raw = 1;
        else if (n == 4 && !strncmp(p, "swmr", 4))
            o.swmr = 1;
        else if (n == 3 && !strncmp(p, "lag", 3))
            o.lag = 1;
        else
            return usage("--what takes raw, swmr and lag, comma-separated");
        p += n + (p[n] == ',');
    }
    if (!o.raw && !o.swmr && !o.lag)
        return usage("--what takes raw, swmr and lag, comma-separated");
    struct stat st;
    if (stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return usage("--dir must be an existing directory");
    lagrun_t lr = {0};
    if (o.lag && lag_start(&o, &lr) != 0) {
        fprintf(stderr, "h5floor: cannot start the lag reader: %s\n", strerror(errno));
        return 1;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    size_t n = (size_t)(o.mb * 1e6 / (double)o.block);
    n = n ? n : 1;
    char *buf = malloc(o.block);
    int64_t *per = malloc(n * sizeof *per), *ap = malloc(n * sizeof *ap), *fl = malloc(n * sizeof *fl);
    if (!buf || !per || !ap || !fl)
        return usage("out of memory");
    for (size_t i = 0; i < o.block / 4; i++)
        ((float *)buf)[i] = (float)(i + 1);
    char path[4096];
    int rc = 0;
    for (int r = 0; r < o.repeat && rc == 0; r++) {
        /* interleaved: raw, swmr, then the next repeat */
        if (o.raw) {
            snprintf(path, sizeof path, "%s/h5floor-%d.raw", o.dir, (int)getpid());
            rc |= run_raw(&o, path, n, buf, per);
        }
        if (o.swmr && rc == 0) {
            snprintf(path, sizeof path, "%s/h5floor-%d.h5", o.dir, (int)getpid());
            rc |= run_swmr(&o, path, n, buf, per, ap, fl);
        }
        if (o.lag && rc == 0) {
            snprintf(path, sizeof path, "%s/h5floor-%d-lag.h5", o.dir, (int)getpid());
            rc |= run_lag(&o, &lr, path);
        }
    }
    if (o.lag)
        lag_stop(&lr);
    free(buf);
    free(per);
    free(ap);
    free(fl);
    return rc;
}
