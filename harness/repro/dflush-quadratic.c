/* dflush-quadratic: a writer in SWMR-write mode holds N chunked datasets open,
 * appends one element to each and then calls H5Dflush on each, round after
 * round. It measures the CPU time of the flushes of one round (the least of
 * several rounds, so that a busy machine does not inflate it) at N = 100 and
 * N = 800 and computes the growth exponent of the per-round cost:
 * log(t800 / t100) / log(8). Flushing each of N datasets should cost about N
 * times flushing one (exponent near 1); on HDF5 1.10 each H5Dflush works
 * through the whole metadata cache, so a round grows with N squared
 * (exponent near 2; the HDF5 issue about H5Dflush scaling, #3084).
 * Exit: 0 the exponent is at most 1.6 (linear growth), 1 it is above 1.6
 * (quadratic growth reproduced), 2 could not run.
 * Build: cc -o dflush-quadratic dflush-quadratic.c $(pkg-config --cflags --libs hdf5-serial) -lm */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5

/* This process's CPU time, in seconds. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The least CPU time of one round (append one element to each of n datasets,
 * then H5Dflush each), over ROUNDS rounds, in a new file at path: seconds, or
 * -1 on failure. */
static double round_cost(const char *path, int n)
{
    double best = -1;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hid_t *d = calloc((size_t)n, sizeof *d);
    hsize_t zero = 0, unlim = H5S_UNLIMITED, chunk = 64;
    hid_t sp = H5Screate_simple(1, &zero, &unlim), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    if (f < 0 || !d)
        goto done;
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "ch%04d", i);
        if ((d[i] = H5Dcreate2(f, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0)
            goto done;
    }
    if (H5Fstart_swmr_write(f) < 0)
        goto done;
    for (hsize_t r = 0; r < ROUNDS; r++) {
        double v = (double)r, t0 = cpu_now();
        hsize_t size = r + 1, one = 1;
        hid_t ms = H5Screate_simple(1, &one, NULL);
        for (int i = 0; i < n; i++) {
            if (H5Dset_extent(d[i], &size) < 0)
                goto done;
            hid_t fs = H5Dget_space(d[i]);
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, &r, NULL, &one, NULL);
            herr_t e = H5Dwrite(d[i], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v);
            H5Sclose(fs);
            if (e < 0)
                goto done;
        }
        H5Sclose(ms);
        t0 = cpu_now(); /* the flushes alone */
        for (int i = 0; i < n; i++)
            if (H5Dflush(d[i]) < 0)
                goto done;
        double t = cpu_now() - t0;
        if (best < 0 || t < best)
            best = t;
    }
done:
    for (int i = 0; d && i < n; i++)
        if (d[i] > 0)
            H5Dclose(d[i]);
    free(d);
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(fapl);
    if (f >= 0)
        H5Fclose(f);
    unlink(path);
    return best;
}

int main(void)
{
    char path[] = "/tmp/dflush-quadratic-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 2;
    close(fd);
    const int small = 100, large = 800;
    double ts = round_cost(path, small), tl = round_cost(path, large);
    printf("HDF5 %u.%u.%u: ", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
    if (ts <= 0 || tl <= 0) {
        printf("could not run (an HDF5 call failed)\n");
        return 2;
    }
    double k = log(tl / ts) / log((double)large / small);
    printf("H5Dflush of each dataset, one round: %d datasets %.2f ms (%.1f us each), %d datasets %.2f ms (%.1f us "
           "each); growth exponent %.2f: %s\n",
           small, ts * 1e3, ts * 1e6 / small, large, tl * 1e3, tl * 1e6 / large, k,
           k > 1.6 ? "quadratic growth, defect reproduced" : "linear growth, behaves as promised");
    return k > 1.6 ? 1 : 0;
}
