/* h5orefresh-dense-links: an SWMR reader holds a group open and calls
 * H5Orefresh on it while the writer (a forked child, in SWMR-write mode) adds
 * links to that group, past the compact-to-dense link storage switch (8 links
 * by default); after each refresh the reader iterates the group's links.
 * HDF5 documents H5Orefresh as refreshing the object's metadata from the file
 * for SWMR readers; it should never crash the reader.
 * Exit: 0 the reader refreshed and iterated every round without crashing or
 * failing, 1 the reader crashed (signal) or an HDF5 call on the refreshed
 * group failed, 2 could not run (setup failed).
 * Build: cc -o h5orefresh-dense-links h5orefresh-dense-links.c $(pkg-config --cflags --libs hdf5-serial) */
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINKS 24 /* links the writer adds, well past the dense switch (8) */

static herr_t count_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)name;
    (void)info;
    (*(int *)data)++;
    return 0;
}

/* The writer: reopens the file in SWMR-write mode, tells the reader (one byte
 * on go), then adds one group per command byte read from cmd, flushing after
 * each, and answers with one byte. */
static int writer(const char *path, int go, int cmd)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, fapl);
    if (f < 0 || H5Fstart_swmr_write(f) < 0)
        return 2;
    hid_t g = H5Gopen2(f, "/station", H5P_DEFAULT);
    char c = 'g';
    if (write(go, &c, 1) != 1)
        return 2;
    for (int i = 0; i < LINKS; i++) {
        if (read(cmd, &c, 1) != 1)
            break;
        char name[32];
        snprintf(name, sizeof name, "run_%03d", i + 1);
        hid_t r = H5Gcreate2(g, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (r < 0)
            return 2;
        H5Gclose(r);
        if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0)
            return 2;
        if (write(go, &c, 1) != 1)
            return 2;
    }
    H5Gclose(g);
    H5Fclose(f);
    H5Pclose(fapl);
    return 0;
}

/* The reader, in its own process so that a crash is seen as a signal: holds
 * /station, and after each new link refreshes it and iterates its links.
 * 0 every round went well, 1 an HDF5 call failed, 2 could not open. */
static int reader(const char *path, int go, int cmd)
{
    char c;
    if (read(go, &c, 1) != 1)
        return 2;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl);
    hid_t g = f < 0 ? -1 : H5Gopen2(f, "/station", H5P_DEFAULT);
    if (g < 0)
        return 2;
    for (int i = 0; i < LINKS; i++) {
        if (write(cmd, &c, 1) != 1 || read(go, &c, 1) != 1)
            return 2;
        int n = 0;
        if (H5Orefresh(g) < 0 || H5Literate(g, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, count_link, &n) < 0) {
            fprintf(stderr, "reader: an HDF5 call on the refreshed group failed after %d new links\n", i + 1);
            return 1;
        }
    }
    H5Gclose(g);
    H5Fclose(f);
    return 0;
}

int main(void)
{
    char path[] = "/tmp/h5orefresh-dense-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 2;
    close(fd);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hid_t g = f < 0 ? -1 : H5Gcreate2(f, "/station", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        unlink(path);
        return 2;
    }
    H5Gclose(g);
    H5Fclose(f);
    H5Pclose(fapl);
    int go[2], cmd[2];
    if (pipe(go) < 0 || pipe(cmd) < 0)
        return 2;
    fflush(NULL);
    pid_t w = fork();
    if (w == 0) {
        close(go[0]);
        close(cmd[1]);
        _exit(writer(path, go[1], cmd[0]));
    }
    pid_t r = fork();
    if (r == 0) {
        close(go[1]);
        close(cmd[0]);
        alarm(20);
        _exit(reader(path, go[0], cmd[1]));
    }
    close(go[0]);
    close(go[1]);
    close(cmd[0]);
    close(cmd[1]);
    int rs = 0, ws = 0;
    waitpid(r, &rs, 0);
    kill(w, SIGKILL); /* the reader may have stopped early: the writer waits on its pipe */
    waitpid(w, &ws, 0);
    unlink(path);
    printf("HDF5 %u.%u.%u: ", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
    if (WIFSIGNALED(rs) && WTERMSIG(rs) != SIGALRM) {
        printf("the SWMR reader crashed (signal %d: %s) refreshing/iterating a group past dense link storage: "
               "defect reproduced\n",
               WTERMSIG(rs), strsignal(WTERMSIG(rs)));
        return 1;
    }
    if (WIFEXITED(rs) && WEXITSTATUS(rs) == 1) {
        printf("an HDF5 call on the refreshed group failed: defect reproduced\n");
        return 1;
    }
    if (WIFEXITED(rs) && WEXITSTATUS(rs) == 0) {
        printf("the reader refreshed and iterated the group through %d new links: behaves as promised\n", LINKS);
        return 0;
    }
    printf("could not run (reader status 0x%x)\n", rs);
    return 2;
}
