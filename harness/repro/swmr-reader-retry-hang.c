/* swmr-reader-retry-hang: one byte inside a dataset's object header is
 * damaged (its checksum no longer matches), as when another process wrote
 * over it; then the file is opened and the dataset opened, by a plain reader
 * and by an SWMR reader (each in a child process, so that it can be stopped).
 * HDF5 documents that an SWMR reader retries a metadata read whose checksum
 * fails (H5Pset_metadata_read_attempts: 100 attempts by default for SWMR, 1
 * otherwise), to ride out a writer's partial writes. The wait between the
 * attempts doubles from 1 ns, which the documentation does not say: the 30th
 * sleep is 0.5 s, the 40th 9 minutes, so the SWMR reader's H5Dopen2 neither
 * fails nor returns, while the plain reader's fails at once.
 * (A third reader, SWMR with H5Pset_metadata_read_attempts(10), shows that it
 * is the retries: it fails at once.)
 * Exit: 0 the SWMR reader's H5Dopen2 came back (opened or failed) within
 * LIMIT_S seconds, 1 it was still inside that one call then (stopped with
 * SIGKILL: the hang reproduced), 2 could not run (setup failed, or the plain
 * reader did not see the damage).
 * Build: cc -o swmr-reader-retry-hang swmr-reader-retry-hang.c $(pkg-config --cflags --libs hdf5-serial) */
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_S 2

/* Makes path with dataset "data" (latest format: checksummed metadata) and
 * damages one byte inside its object header. 0 or -1. */
static int make_damaged(const char *path)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hsize_t n = 16;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t d = f < 0 ? -1 : H5Dcreate2(f, "data", H5T_NATIVE_INT, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5O_info_t oi;
    if (d < 0 || H5Oget_info2(d, &oi, H5O_INFO_BASIC) < 0)
        return -1;
    haddr_t addr = oi.addr;
    H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
    H5Pclose(fapl);
    int fd = open(path, O_RDWR);
    unsigned char b;
    off_t at = (off_t)addr + 8; /* past the "OHDR" signature, version and flags */
    if (fd < 0 || pread(fd, &b, 1, at) != 1)
        return -1;
    b ^= 0xff;
    int rc = pwrite(fd, &b, 1, at) == 1 ? 0 : -1;
    close(fd);
    return rc;
}

/* A child opens path (SWMR-read when swmr, with at most 10 metadata read
 * attempts when swmr is 2) and the dataset; exits 0 opened, 1 failed. The parent waits up to LIMIT_S seconds: 0 opened,
 * 1 failed, 3 still inside the call (then killed), 2 could not run. */
static int try_open(const char *path, int swmr)
{
    int p[2];
    if (pipe(p) < 0)
        return 2;
    fflush(NULL);
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
        if (swmr == 2)
            H5Pset_metadata_read_attempts(fapl, 10);
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0), fapl);
        hid_t d = f < 0 ? -1 : H5Dopen2(f, "data", H5P_DEFAULT);
        _exit(d < 0 ? 1 : 0); /* the pipe closes: the call came back */
    }
    close(p[1]);
    if (c < 0)
        return 2;
    struct pollfd pf = {p[0], POLLIN, 0};
    int back = poll(&pf, 1, LIMIT_S * 1000) > 0;
    close(p[0]);
    if (!back)
        kill(c, SIGKILL);
    int st = 0;
    waitpid(c, &st, 0);
    if (!back)
        return 3;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

int main(void)
{
    char path[] = "/tmp/swmr-retry-hang-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 2;
    close(fd);
    int rc = 2;
    printf("HDF5 %u.%u.%u: ", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
    if (make_damaged(path) < 0) {
        printf("could not run (making the damaged file failed)\n");
    } else {
        int plain = try_open(path, 0), swmr = plain == 1 ? try_open(path, 1) : 2;
        int bounded = swmr == 3 ? try_open(path, 2) : 2;
        if (plain != 1)
            printf("could not run: the plain reader %s the damaged dataset\n",
                   plain == 0 ? "opened" : "did not come back from opening");
        else if (swmr == 3)
            printf("the plain reader's H5Dopen2 failed at once; the SWMR reader's was still retrying after %d s "
                   "(killed); with H5Pset_metadata_read_attempts(10) it %s: defect reproduced\n",
                   LIMIT_S,
                   bounded == 1   ? "failed at once"
                   : bounded == 0 ? "opened"
                                  : "did not come back either");
        else if (swmr <= 1)
            printf("the SWMR reader's H5Dopen2 came back within %d s (%s): behaves as promised\n", LIMIT_S,
                   swmr ? "failed" : "opened");
        else
            printf("could not run (the SWMR reader's status)\n");
        rc = swmr == 3 ? 1 : plain == 1 && swmr <= 1 ? 0 : 2;
    }
    unlink(path);
    return rc;
}
