/* datafile.c - the data file of a run as one file, not a path (see
 * datafile.h): O_EXCL creation, identity by device and inode, removal and
 * reopening only of that file, and the in-use probe for overwrite=true. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "datafile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

/* The process (other than this one) that has the file dev/ino open, into
 * *pid and its command name into comm; false when none is seen. */
static bool held_by_other(dev_t dev, ino_t ino, int *pid, char *comm, size_t cap)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return false;
    int self = (int)getpid();
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(proc))) {
        int id = isdigit((unsigned char)e->d_name[0]) ? atoi(e->d_name) : 0;
        if (id <= 0 || id == self)
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd", id);
        DIR *fds = opendir(path);
        if (!fds)
            continue; /* gone, or not ours to read */
        struct dirent *f;
        struct stat st;
        while (!found && (f = readdir(fds)))
            found = f->d_name[0] != '.' && fstatat(dirfd(fds), f->d_name, &st, 0) == 0 && st.st_dev == dev &&
                    st.st_ino == ino;
        closedir(fds);
        if (found) {
            *pid = id;
            snprintf(path, sizeof path, "/proc/%d/comm", id);
            FILE *c = fopen(path, "re");
            if (!c || !fgets(comm, (int)cap, c))
                snprintf(comm, cap, "?");
            comm[strcspn(comm, "\n")] = '\0';
            for (char *p = comm; *p; p++)
                if (!isprint((unsigned char)*p))
                    *p = '?';
            if (c)
                fclose(c);
        }
    }
    closedir(proc);
    return found;
}

bool h5s_df_in_use(int fd, const struct stat *st, char *why, size_t cap)
{
    int pid;
    char comm[32];
    if (held_by_other(st->st_dev, st->st_ino, &pid, comm, sizeof comm)) {
        snprintf(why, cap, "another process has it open (process %d, %s)", pid, comm);
        return true;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            snprintf(why, cap,
                     "another process has it open (an HDF5 writer, or a reader without SWMR, holds its "
                     "lock)");
            return true;
        }
    } else {
        flock(fd, LOCK_UN);
    }
    /* a POSIX record lock (HDF5 built to lock with fcntl, or another program) */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
        snprintf(why, cap, "another process (%d) holds a lock on it", (int)fl.l_pid);
        return true;
    }
    /* the superblock: at 0 or after a user block (512, 1024, ... bytes) */
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    for (off_t off = 0; off + 12 <= st->st_size && off <= (1 << 20); off = off ? off * 2 : 512) {
        unsigned char b[12];
        if (pread(fd, b, sizeof b, off) != (ssize_t)sizeof b)
            break;
        if (memcmp(b, sig, 8) != 0)
            continue;
        /* versions 2 and 3 keep the file consistency flags in byte 11: bit 0
         * a writer has it open, bit 2 an SWMR writer has it open */
        if (b[8] >= 2 && (b[11] & 0x05)) {
            snprintf(why, cap,
                     "its superblock says a writer has it open (a live writer, or one that died with it open: "
                     "'h5clear -s --increment=0 FILE' clears that once no process has it open)");
            return true;
        }
        break;
    }
    return false;
}

/* A name beside path for moving a file aside: "DIR/.BASE.h5swmr-PID". */
static void aside_name(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    snprintf(out, cap, "%.*s.%s.h5swmr-%d", dirlen, path, slash ? slash + 1 : path, (int)getpid());
}

/* Moves from to to unless something is at to. 0 or -1 with errno. */
static int move_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* a file system without RENAME_NOREPLACE: the name is this process's own */
    struct stat st;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* Moves path aside and unlinks it if it is the file dev/ino; otherwise moves
 * it back. Returns 1 removed, 0 nothing there, 2 another file (left at path,
 * or at *aside when it could not go back), -1 with errno. */
static int remove_checked(const char *path, dev_t dev, ino_t ino, char *aside, size_t cap)
{
    struct stat st;
    aside_name(path, aside, cap);
    if (move_noreplace(path, aside) != 0)
        return errno == ENOENT ? 0 : -1;
    if (lstat(aside, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
        return unlink(aside) == 0 ? 1 : -1;
    if (move_noreplace(aside, path) == 0)
        aside[0] = '\0';
    return 2;
}

int h5s_df_remove_for_overwrite(const char *path, h5s_err_t *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP)
            return h5s_seterr(err, H5S_EEXIST,
                              "data file '%s' is a symbolic link; h5swmr never writes through one (overwrite=true "
                              "replaces regular files only)",
                              path);
        return h5s_seterr(err, H5S_ESYS, "data file '%s': %s", path, strerror(errno));
    }
    struct stat st;
    char why[200], aside[4200];
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = h5s_seterr(err, H5S_ESYS, "data file '%s': %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = h5s_seterr(err, H5S_EEXIST, "data file '%s' is not a regular file; h5swmr replaces only regular files",
                        path);
    else if (h5s_df_in_use(fd, &st, why, sizeof why))
        rc = h5s_seterr(err, H5S_EEXIST, "data file '%s' is in use, so it is not replaced: %s", path, why);
    close(fd);
    if (rc < 0)
        return rc;
    int r = remove_checked(path, st.st_dev, st.st_ino, aside, sizeof aside);
    if (r < 0)
        return h5s_seterr(err, H5S_ESYS, "cannot replace data file '%s': %s", path, strerror(errno));
    if (r == 2)
        return h5s_seterr(err, H5S_EEXIST,
                          "data file '%s' was replaced by another file while it was checked; that file was left "
                          "alone%s%s",
                          path, aside[0] ? ", now at " : "", aside);
    return 0;
}

int h5s_df_create(const char *path, h5s_df_id_t *id, h5s_err_t *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return h5s_seterr(err, H5S_EEXIST,
                              "'%s' was created by another process as this writer started; it was left alone "
                              "(a writer creates its file with O_EXCL, never over anything)",
                              path);
        return h5s_seterr(err, H5S_ESYS, "cannot create '%s': %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return h5s_seterr(err, H5S_ESYS, "'%s': %s", path, strerror(e));
    }
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    return fd;
}

int h5s_df_open_same(const char *path, const h5s_df_id_t *id, int flags, h5s_err_t *err)
{
    int fd = open(path, (flags & ~(O_CREAT | O_TRUNC | O_EXCL)) | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return h5s_seterr(err, H5S_ENOENT, "the data file '%s' was deleted during the run", path);
        if (errno == ELOOP)
            return h5s_seterr(err, H5S_EEXIST,
                              "the data file '%s' was replaced during the run (a symbolic link is there now)", path);
        return h5s_seterr(err, H5S_ESYS, "'%s': %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_dev != id->dev || (uint64_t)st.st_ino != id->ino) {
        close(fd);
        return h5s_seterr(err, H5S_EEXIST,
                          "the data file '%s' was replaced during the run (another file was renamed over it)", path);
    }
    return fd;
}

int h5s_df_remove_if_same(const char *path, const h5s_df_id_t *id)
{
    char aside[4200];
    int r = remove_checked(path, (dev_t)id->dev, (ino_t)id->ino, aside, sizeof aside);
    return r < 0 ? -1 : r == 1;
}

const char *h5s_df_fd_path(int pid, int fd, char *buf, size_t cap)
{
    snprintf(buf, cap, "/proc/%d/fd/%d", pid, fd);
    return buf;
}
