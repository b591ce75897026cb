/* fs.c - the one table of file systems h5swmr knows (see fs.h). */
#include "fs.h"

#include <stdio.h>
#include <sys/statfs.h>

static const h5s_fs_t fs_table[] = {
    /* local file systems for data */
    {0xEF53, "ext4", 0},
    {0x58465342, "xfs", 0},
    {0x9123683E, "btrfs", 0},
    {0x01021994, "tmpfs", 0},
    {0x794C7630, "overlayfs", 0},
    {0x2FC12FC1, "zfs", 0},
    {0xF2F52010, "f2fs", 0},
    {0x4D44, "vfat", 0},
    {0x2011BAB0, "exfat", 0},
    {0x5346544E, "ntfs", 0},
    /* shared over a network (FUSE too: it may be sshfs, s3fs...) */
    {0x65735546, "fuse", H5S_FS_NETWORK},
    {0x6969, "nfs", H5S_FS_NETWORK},
    {0xFF534D42, "cifs", H5S_FS_NETWORK},
    {0xFE534D42, "smb2", H5S_FS_NETWORK},
    {0x0BD00BD0, "lustre", H5S_FS_NETWORK},
    {0x47504653, "gpfs", H5S_FS_NETWORK},
    {0x00C36400, "ceph", H5S_FS_NETWORK},
    {0x01021997, "9p", H5S_FS_NETWORK},
    {0x013111A8, "ibrix", H5S_FS_NETWORK},
    {0x6B414653, "afs", H5S_FS_NETWORK},
    {0x5346414F, "openafs", H5S_FS_NETWORK},
    {0x19830326, "fhgfs/beegfs", H5S_FS_NETWORK},
    /* kernel pseudo file systems: no data files there */
    {0x9fa0, "procfs (/proc)", H5S_FS_PSEUDO},
    {0x62656572, "sysfs (/sys)", H5S_FS_PSEUDO},
    {0x1cd1, "devpts", H5S_FS_PSEUDO},
    {0x27e0eb, "cgroupfs", H5S_FS_PSEUDO},
    {0x63677270, "cgroup2fs", H5S_FS_PSEUDO},
    {0x64626720, "debugfs", H5S_FS_PSEUDO},
    {0x74726163, "tracefs", H5S_FS_PSEUDO},
    {0x73636673, "securityfs", H5S_FS_PSEUDO},
    {0xcafe4a11, "bpffs", H5S_FS_PSEUDO},
    {0x6165676c, "pstorefs", H5S_FS_PSEUDO},
    {0xde5e81e4, "efivarfs", H5S_FS_PSEUDO},
    {0x62656570, "configfs", H5S_FS_PSEUDO},
    {0xf97cff8c, "selinuxfs", H5S_FS_PSEUDO},
    {0x65735543, "fusectl", H5S_FS_PSEUDO},
    {0x19800202, "mqueue", H5S_FS_PSEUDO},
    {0x6e736673, "nsfs", H5S_FS_PSEUDO},
};

/* The table entry of magic, or NULL. */
const h5s_fs_t *h5s_fs_by_magic(unsigned long magic)
{
    for (size_t i = 0; i < sizeof fs_table / sizeof fs_table[0]; i++)
        if (fs_table[i].magic == magic)
            return &fs_table[i];
    return NULL;
}

/* The name of magic, or NULL. */
const char *h5s_fs_name_of(unsigned long magic)
{
    const h5s_fs_t *fs = h5s_fs_by_magic(magic);
    return fs ? fs->name : NULL;
}

/* statfs's magic of the file system that holds path. */
int h5s_fs_magic_of(const char *path, unsigned long *magic)
{
    struct statfs st;
    if (statfs(path, &st) != 0)
        return -1;
    *magic = (unsigned long)st.f_type;
    return 0;
}

/* The table entry of the file system that holds path, or NULL. */
const h5s_fs_t *h5s_fs_of_path(const char *path)
{
    unsigned long magic;
    return h5s_fs_magic_of(path, &magic) == 0 ? h5s_fs_by_magic(magic) : NULL;
}

/* The name of the file system that holds path, or its magic in hex. */
const char *h5s_fs_name_by_path(const char *path, char *buf, size_t cap)
{
    unsigned long magic;
    const char *name;
    if (h5s_fs_magic_of(path, &magic) != 0)
        snprintf(buf, cap, "unknown");
    else if ((name = h5s_fs_name_of(magic)))
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "0x%lx", magic);
    return buf;
}

/* Whether path is on a file system shared over a network. */
bool h5s_fs_is_network(const char *path)
{
    const h5s_fs_t *fs = h5s_fs_of_path(path);
    return fs && (fs->flags & H5S_FS_NETWORK);
}

/* The name of the pseudo file system that holds path, or NULL. */
const char *h5s_fs_pseudo(const char *path)
{
    const h5s_fs_t *fs = h5s_fs_of_path(path);
    return fs && (fs->flags & H5S_FS_PSEUDO) ? fs->name : NULL;
}
