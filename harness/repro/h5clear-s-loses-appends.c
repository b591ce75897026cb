/* h5clear-s-loses-appends: a writer in SWMR-write mode appends blocks to a
 * chunked dataset, flushing (H5Dflush) after each, and is killed (SIGKILL).
 * The file's superblock still says "open for write", so it is cleared with
 * HDF5's own h5clear, on two copies: "h5clear -s" and
 * "h5clear -s --increment=0". Then each copy is opened and every appended
 * element read back.
 * SWMR promises that data flushed by the writer is in the file, and h5clear
 * -s is documented as clearing the status flags so the file can be opened
 * again; plain "h5clear -s" instead leaves the superblock's stale
 * end-of-allocation, and its own read-write close truncates the file to it,
 * losing what was appended in SWMR mode. "--increment=0" sets the end of allocation to
 * the file's real end first and everything reads back.
 * Exit: 0 plain "h5clear -s" kept every flushed element, 1 it lost them,
 * 2 could not run (h5clear not found, setup failed).
 * Build: cc -o h5clear-s-loses-appends h5clear-s-loses-appends.c $(pkg-config --cflags --libs hdf5-serial) */
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK 1024 /* elements per append */
#define BLOCKS 50

/* The writer: creates the file, switches to SWMR-write mode, appends and
 * flushes BLOCKS blocks, reports on fd and waits to be killed. */
static int writer(const char *path, int fd)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hsize_t zero = 0, unlim = H5S_UNLIMITED, chunk = BLOCK;
    hid_t sp = H5Screate_simple(1, &zero, &unlim), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    hid_t d = f < 0 ? -1 : H5Dcreate2(f, "data", H5T_NATIVE_INT, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0 || H5Fstart_swmr_write(f) < 0)
        return 2;
    int buf[BLOCK];
    for (hsize_t b = 0; b < BLOCKS; b++) {
        hsize_t size = (b + 1) * BLOCK, start = b * BLOCK, count = BLOCK;
        for (int i = 0; i < BLOCK; i++)
            buf[i] = (int)(start + (hsize_t)i);
        if (H5Dset_extent(d, &size) < 0)
            return 2;
        hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &count, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
        if (H5Dwrite(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, buf) < 0 || H5Dflush(d) < 0)
            return 2;
        H5Sclose(fs);
        H5Sclose(ms);
    }
    char c = 'k';
    if (write(fd, &c, 1) != 1)
        return 2;
    pause();
    return 0;
}

/* Copies src to dst byte for byte: 0 or -1. */
static int copy(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644);
    char b[65536];
    ssize_t r;
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    while (rc == 0 && (r = read(in, b, sizeof b)) != 0)
        if (r < 0 || write(out, b, (size_t)r) != r)
            rc = -1;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

/* Runs h5clear with opts (up to two) on path: its exit status, 127 if it
 * could not be run. */
static int h5clear(const char *opt1, const char *opt2, const char *path)
{
    pid_t p = fork();
    if (p == 0) {
        int nul = open("/dev/null", O_WRONLY);
        dup2(nul, 1);
        dup2(nul, 2);
        if (opt2)
            execlp("h5clear", "h5clear", opt1, opt2, path, (char *)NULL);
        else
            execlp("h5clear", "h5clear", opt1, path, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st))
        return 127;
    return WEXITSTATUS(st);
}

/* Counts the elements of path's dataset that read back right: that count,
 * or -1 when the file or the dataset cannot be read. */
static long intact(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f < 0 ? -1 : H5Dopen2(f, "data", H5P_DEFAULT);
    long good = -1;
    if (d >= 0) {
        hsize_t n = 0;
        hid_t s = H5Dget_space(d);
        H5Sget_simple_extent_dims(s, &n, NULL);
        H5Sclose(s);
        int *v = malloc((n ? n : 1) * sizeof *v);
        if (v && H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
            good = 0;
            for (hsize_t i = 0; i < n; i++)
                good += v[i] == (int)i;
        }
        free(v);
        H5Dclose(d);
    }
    if (f >= 0)
        H5Fclose(f);
    return good;
}

int main(void)
{
    char dir[] = "/tmp/h5clear-appends-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char path[300], plain[300], inc[300];
    snprintf(path, sizeof path, "%s/crashed.h5", dir);
    snprintf(plain, sizeof plain, "%s/plain.h5", dir);
    snprintf(inc, sizeof inc, "%s/increment.h5", dir);
    int p[2];
    if (pipe(p) < 0)
        return 2;
    fflush(NULL);
    pid_t w = fork();
    if (w == 0) {
        close(p[0]);
        alarm(30);
        _exit(writer(path, p[1]));
    }
    close(p[1]);
    char c;
    int ok = read(p[0], &c, 1) == 1;
    kill(w, SIGKILL);
    waitpid(w, NULL, 0);
    int rc = 2;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    printf("HDF5 %u.%u.%u: ", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
    if (!ok || copy(path, plain) < 0 || copy(path, inc) < 0) {
        printf("could not run: the writer failed\n");
    } else {
        int hp = h5clear("-s", NULL, plain), hi = h5clear("-s", "--increment=0", inc);
        if (hp == 127 || hi == 127) {
            printf("could not run: h5clear not found on PATH\n");
        } else {
            long lp = hp ? -1 : intact(plain), li = hi ? -1 : intact(inc);
            long want = (long)BLOCK * BLOCKS;
            printf("%ld elements flushed in SWMR mode before SIGKILL; after 'h5clear -s' (exit %d) %ld read back "
                   "intact, after 'h5clear -s --increment=0' (exit %d) %ld: ",
                   want, hp, lp < 0 ? 0 : lp, hi, li < 0 ? 0 : li);
            rc = lp == want ? 0 : 1;
            printf("%s\n", rc ? "defect reproduced (plain h5clear -s loses the appends)" : "behaves as promised");
        }
    }
    unlink(path);
    unlink(plain);
    unlink(inc);
    rmdir(dir);
    return rc;
}
