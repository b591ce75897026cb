/* datafile.h - the data file of a run as one file, not a path: created by its
 * writer with O_EXCL (never through a symbolic link, never over anything),
 * known afterwards by its device and inode, and removed or reopened only when
 * what is at the path is still that file. Also whether an existing file is in
 * use by another process, which overwrite=true must respect. No HDF5 here. */
#ifndef H5SWMR_DATAFILE_H
#define H5SWMR_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"

/* A file's identity: the device and inode its writer created. */
typedef struct h5s_df_id {
    uint64_t dev, ino;
} h5s_df_id_t;

/* Whether the regular file open as fd (st: its fstat) must not be replaced,
 * and why into why: another process has it open (a /proc/PID/fd entry of a
 * process other than this one names the same device and inode; processes
 * whose descriptors may not be read are not seen), holds HDF5's file lock on
 * it (flock) or a POSIX record lock (fcntl), or its superblock says a writer
 * has it open. */
bool h5s_df_in_use(int fd, const struct stat *st, char *why, size_t cap);

/* For overwrite=true: removes the file at path so that the writer can create
 * a new one with O_EXCL, only after checking the very file it removes: not a
 * symbolic link, a regular file, not in use (h5s_df_in_use); it is moved to a
 * unique name in its directory and unlinked only if that is still the file
 * checked (anything else is moved back). Returns 0 (also when nothing is
 * there), H5S_EEXIST for a refusal or H5S_ESYS, with err. */
int h5s_df_remove_for_overwrite(const char *path, h5s_err_t *err);

/* Creates path read-write with O_CREAT | O_EXCL | O_NOFOLLOW, mode 0644, and
 * takes its identity into *id. Returns the descriptor (the caller closes
 * it), or H5S_EEXIST (something is at path: another process created it
 * first, or a link was put there) or H5S_ESYS, with err. */
int h5s_df_create(const char *path, h5s_df_id_t *id, h5s_err_t *err);

/* Opens path (flags as for open(2), with O_NOFOLLOW added and never
 * O_CREAT) and checks that it is the file id. Returns the descriptor, or
 * H5S_ENOENT when nothing is at path (the file was deleted) or H5S_EEXIST
 * when another file is (it was replaced), with err. */
int h5s_df_open_same(const char *path, const h5s_df_id_t *id, int flags, h5s_err_t *err);

/* Removes path only if it is still the file id (moved aside and compared
 * first, as h5s_df_remove_for_overwrite does). Returns 1 removed, 0 not
 * there or another file (left as it was), -1 on a system error (errno). */
int h5s_df_remove_if_same(const char *path, const h5s_df_id_t *id);

/* The path through which the process pid reaches its descriptor fd
 * ("/proc/PID/fd/FD"): opening it opens that very file, whatever has been
 * renamed over or deleted from its path since. Returns buf. */
const char *h5s_df_fd_path(int pid, int fd, char *buf, size_t cap);

#endif
