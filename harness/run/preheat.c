/* preheat.c - a flat-out writer's file, made ready before it is timed (see
 * preheat.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "preheat.h"

#include <errno.h>
#include <hdf5.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

double preheat_run_bytes(const scn_t *s, int nch)
{
    double block = (double)s->block_samples * (s->dtype == 1 ? 8 : 4) * nch;
    double bytes = 4e9 * (s->duration_s > 0 ? s->duration_s : 1);
    if (s->max_blocks > 0 && block * (double)s->max_blocks < bytes)
        bytes = block * (double)s->max_blocks;
    if (s->max_mb > 0 && s->max_mb * 1e6 < bytes)
        bytes = s->max_mb * 1e6;
    return bytes;
}

uint64_t preheat_bytes(const scn_t *s, int nch)
{
    if (!s->warmup || s->realtime || s->writer_fsize_limit_mb > 0 || s->corrupt_file_after_ms > 0 ||
        s->kill_writer_after_ms > 0 || nch <= 0)
        return 0;
    double block = (double)s->block_samples * (s->dtype == 1 ? 8 : 4) * nch;
    double bytes = preheat_run_bytes(s, nch);
    /* a block more (a limit is checked before a block), and HDF5's metadata */
    bytes += block + (1 << 20) + 4096.0 * nch;
    return bytes >= (double)PREHEAT_CAP ? PREHEAT_CAP : (uint64_t)bytes;
}

int preheat_file(const char *path, uint64_t bytes, h5s_err_t *err)
{
    static const char zeros[1 << 20];
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return h5s_seterr(err, H5S_ESYS, "preheating %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = S_ISREG(st.st_mode) ? errno : EINVAL;
        close(fd);
        return h5s_seterr(err, H5S_ESYS, "preheating %s: %s", path, strerror(e));
    }
    int rc = 0;
    for (uint64_t done = 0; done < bytes && rc == 0;) {
        size_t k = bytes - done < sizeof zeros ? (size_t)(bytes - done) : sizeof zeros;
        ssize_t w = pwrite(fd, zeros, k, st.st_size + (off_t)done);
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            rc = h5s_seterr(err, H5S_ESYS, "preheating %s: %s", path, strerror(e));
            err->cause = e == EFBIG ? H5S_CAUSE_FILE_TOO_LARGE : e == ENOSPC ? H5S_CAUSE_NO_SPACE : H5S_CAUSE_NONE;
        }
        done += w > 0 ? (uint64_t)w : 0;
    }
    if (close(fd) != 0 && rc == 0)
        rc = h5s_seterr(err, H5S_ESYS, "preheating %s: %s", path, strerror(errno));
    return rc;
}

int preheat_trim(const char *path, h5s_err_t *err)
{
    hid_t fid = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (fid < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot reopen %s to cut its preheated tail", path);
    if (H5Fclose(fid) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "closing %s after cutting its preheated tail failed", path);
    return 0;
}
