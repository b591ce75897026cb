/* fs.h - the file systems h5swmr knows, by the magic number statfs(2) gives:
 * one table with a name for people and what h5swmr needs to know of each
 * (whether it is shared over a network, whether it is a kernel pseudo file
 * system that holds no data files). */
#ifndef H5SWMR_FS_H
#define H5SWMR_FS_H

#include <stdbool.h>
#include <stddef.h>

/* Shared over a network (NFS, SMB, Lustre...): the POSIX write ordering SWMR
 * relies on is not promised between hosts. */
#define H5S_FS_NETWORK 0x1u
/* A kernel file system that holds no data files (/proc, /sys, cgroups...). */
#define H5S_FS_PSEUDO 0x2u

typedef struct h5s_fs {
    unsigned long magic; /* statfs's f_type */
    const char *name;    /* for people, e.g. "ext4", "nfs", "procfs (/proc)" */
    unsigned flags;      /* H5S_FS_* */
} h5s_fs_t;

/* The table entry of a file-system magic number, or NULL if it is not known. */
const h5s_fs_t *h5s_fs_by_magic(unsigned long magic);

/* The name of a file-system magic number ("ext4"), or NULL if it is not known. */
const char *h5s_fs_name_of(unsigned long magic);

/* The magic number of the file system that holds path, into *magic.
 * Returns 0, or -1 with errno set when statfs fails. */
int h5s_fs_magic_of(const char *path, unsigned long *magic);

/* The table entry of the file system that holds path, or NULL when statfs
 * fails or the file system is not known. */
const h5s_fs_t *h5s_fs_of_path(const char *path);

/* The name of the file system that holds path: its name from the table,
 * "0x<magic>" when it is not known, "unknown" when statfs fails. Returns buf. */
const char *h5s_fs_name_by_path(const char *path, char *buf, size_t cap);

/* True when path is on a file system shared over a network (H5S_FS_NETWORK). */
bool h5s_fs_is_network(const char *path);

/* The name of the pseudo file system (H5S_FS_PSEUDO) that holds path, or NULL
 * when path is on a file system for data (or statfs fails). */
const char *h5s_fs_pseudo(const char *path);

#endif
