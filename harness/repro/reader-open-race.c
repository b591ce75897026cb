/* reader-open-race: a writer (a forked child) creates a file, switches to
 * SWMR-write mode, tells this process so, appends 60 blocks to a chunked
 * dataset (each written and flushed with H5Dflush), tells it that it is about
 * to close, and closes the file; meanwhile this process opens the file as an
 * SWMR reader (H5Fopen RDONLY|SWMR_READ, then H5Fclose) again and again,
 * from the writer's first word until it has closed the file and exited. That
 * is repeated with new files for up to BUDGET_S seconds (or until 5 opens
 * were refused).
 * Once a writer is in SWMR-write mode, an SWMR reader may open the file at any
 * moment (HDF5's SWMR documentation); every open should succeed.
 * Exit: 0 no open was refused, 1 some were refused ("truncated file: eof <
 * stored_eof", defect reproduced; the output says how many came while the
 * writer was appending and how many after its close began), 2 could not run
 * (setup failed, or an open failed for another reason).
 * Build: cc -o reader-open-race reader-open-race.c $(pkg-config --cflags --libs hdf5-serial) */
#include <hdf5.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 256
#define BLOCKS 60
#define BUDGET_S 2.0

/* Monotonic seconds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The writer: creates path, SWMR-write mode, one byte on fd, BLOCKS flushed
 * appends, close. 0 or 2. */
static int writer(const char *path, int fd)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hsize_t zero = 0, unlim = H5S_UNLIMITED, chunk = BLOCK, count = BLOCK;
    H5Pset_chunk(dcpl, 1, &chunk);
    hid_t sp = H5Screate_simple(1, &zero, &unlim), ms = H5Screate_simple(1, &count, NULL);
    hid_t d = f < 0 ? -1 : H5Dcreate2(f, "data", H5T_NATIVE_INT, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0 || H5Fstart_swmr_write(f) < 0)
        return 2;
    char c = 'r';
    if (write(fd, &c, 1) != 1)
        return 2;
    int buf[BLOCK] = {0};
    for (hsize_t b = 0; b < BLOCKS; b++) {
        hsize_t size = (b + 1) * BLOCK, start = b * BLOCK;
        if (H5Dset_extent(d, &size) < 0)
            return 2;
        hid_t fs = H5Dget_space(d);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
        if (H5Dwrite(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, buf) < 0 || H5Dflush(d) < 0)
            return 2;
        H5Sclose(fs);
    }
    H5Dclose(d);
    c = 'c';
    if (write(fd, &c, 1) != 1) /* closing now */
        return 2;
    return H5Fclose(f) < 0 ? 2 : 0;
}

/* Sets *(int *)data when an error message of the stack names a truncated file. */
static herr_t find_truncated(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    if (e->desc && strstr(e->desc, "truncated file"))
        *(int *)data = 1;
    return 0;
}

int main(void)
{
    char path[] = "/tmp/reader-open-race-XXXXXX";
    int tmp = mkstemp(path);
    if (tmp < 0)
        return 2;
    close(tmp);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    long opens = 0, refused = 0, other = 0, early = 0;
    int runs = 0, rc = 0;
    char first[300] = "";
    double t0 = now();
    while (now() - t0 < BUDGET_S && rc == 0 && refused < 5) {
        int p[2];
        if (pipe(p) < 0)
            return 2;
        unlink(path);
        fflush(NULL);
        pid_t w = fork();
        if (w == 0) {
            close(p[0]);
            alarm(20);
            _exit(writer(path, p[1]));
        }
        close(p[1]);
        char c;
        if (w < 0 || read(p[0], &c, 1) != 1) { /* ready: in SWMR-write mode */
            rc = 2;
        } else {
            struct pollfd pf = {p[0], POLLIN, 0};
            int closing = 0;
            for (int last = 0; !last;) {
                if (poll(&pf, 1, 0) > 0) {
                    if (closing)
                        last = 1; /* EOF: the writer has closed and exited */
                    else if (read(p[0], &c, 1) == 1)
                        closing = 1;
                    else
                        last = 1;
                }
                opens++;
                hid_t f = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
                if (f >= 0) {
                    H5Fclose(f);
                    continue;
                }
                int trunc = 0;
                H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_truncated, &trunc);
                early += trunc && !closing;
                if (trunc && !refused++)
                    snprintf(first, sizeof first, "run %d, open %ld", runs + 1, opens);
                other += !trunc;
                H5Eclear2(H5E_DEFAULT);
            }
        }
        close(p[0]);
        int st = 0;
        waitpid(w, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            rc = 2;
        runs++;
    }
    unlink(path);
    printf("HDF5 %u.%u.%u: ", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
    if (rc == 2) {
        printf("could not run (the writer failed)\n");
        return 2;
    }
    printf("%ld SWMR-reader opens during %d writer sessions (append + close): %ld refused as 'truncated file' (%ld "
           "while the writer appended, %ld after its close began)%s%s, %ld failed otherwise: ",
           opens, runs, refused, early, refused - early, refused ? ", first at " : "", first, other);
    if (other) {
        printf("could not run as intended\n");
        return 2;
    }
    printf("%s\n", refused ? "defect reproduced" : "none refused, behaves as promised");
    return refused ? 1 : 0;
}
