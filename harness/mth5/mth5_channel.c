/* mth5_channel.c - MTH5 channels: 1-D chunked datasets under a run, created,
 * opened, appended to (corked or not), refreshed, read and flushed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mth5_int.h"

/* ---- types -------------------------------------------------------------- */

/* The native memory type of a channel dtype. */
static hid_t dtype_native(mth5_dtype_t dt)
{
    switch (dt) {
    case MTH5_FLOAT32: return H5T_NATIVE_FLOAT;
    case MTH5_FLOAT64: return H5T_NATIVE_DOUBLE;
    case MTH5_INT32: return H5T_NATIVE_INT32;
    }
    return H5T_NATIVE_DOUBLE;
}

/* The little-endian file type of a channel dtype. */
static hid_t dtype_file(mth5_dtype_t dt)
{
    switch (dt) {
    case MTH5_FLOAT32: return H5T_IEEE_F32LE;
    case MTH5_FLOAT64: return H5T_IEEE_F64LE;
    case MTH5_INT32: return H5T_STD_I32LE;
    }
    return H5T_IEEE_F64LE;
}

size_t mth5_dtype_size(mth5_dtype_t dt)
{
    return dt == MTH5_FLOAT64 ? 8 : 4;
}

/* The channel type as MTH5's mth5_type attribute spells it. */
static const char *ctype_mth5(mth5_ctype_t t)
{
    return t == MTH5_ELECTRIC ? "Electric" : t == MTH5_MAGNETIC ? "Magnetic" : "Auxiliary";
}

/* The channel type as MTH5's type attribute spells it. */
static const char *ctype_lower(mth5_ctype_t t)
{
    return t == MTH5_ELECTRIC ? "electric" : t == MTH5_MAGNETIC ? "magnetic" : "auxiliary";
}
/* ---- create and open ---------------------------------------------------- */

/* A new channel handle for the open dataset did (which it owns from then on),
 * listed in m; NULL when out of memory. */
static mth5_channel_t *channel_wrap(mth5_t *m, hid_t did, const char *path)
{
    mth5_channel_t *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->file = m;
    ch->did = did;
    snprintf(ch->path, sizeof ch->path, "%s", path);
    hid_t t = H5Dget_type(did);
    H5T_class_t cls = H5Tget_class(t);
    size_t sz = H5Tget_size(t);
    ch->dtype = cls == H5T_INTEGER ? MTH5_INT32 : sz == 4 ? MTH5_FLOAT32 : MTH5_FLOAT64;
    H5Tclose(t);
    ch->mtype = dtype_native(ch->dtype);
    hid_t sp = H5Dget_space(did);
    hsize_t dims[1] = {0};
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0)
        H5Sclose(sp);
    ch->len = dims[0];
    ch->next = m->channels;
    m->channels = ch;
    return ch;
}

/* Dataset access properties with a chunk cache of at least four chunks (and
 * at least 1 MiB). */
static hid_t channel_dapl(hsize_t chunk_bytes)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    size_t cache = chunk_bytes * 4 > (1u << 20) ? chunk_bytes * 4 : (1u << 20);
    if (dapl >= 0)
        H5Pset_chunk_cache(dapl, 521, cache, 1.0);
    return dapl;
}

/* The bytes of one chunk of the open dataset did (0 if it is not chunked). */
static hsize_t channel_chunk_bytes(hid_t did)
{
    hid_t dcpl = H5Dget_create_plist(did), t = H5Dget_type(did);
    hsize_t dims[1] = {0};
    size_t size = t >= 0 ? H5Tget_size(t) : 0;
    if (dcpl < 0 || H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, 1, dims) != 1)
        dims[0] = 0;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (t >= 0)
        H5Tclose(t);
    return dims[0] * size;
}

/* The checks of mth5_add_channel before anything is created: the names, the
 * options, a writable file (marked changed), the run exists and the channel
 * does not. Fills runpath and path (cap bytes each). */
static int channel_precheck(mth5_t *m, const char *survey, const char *station, const char *run,
                            const mth5_channel_opts_t *o, char *runpath, char *path, size_t cap, h5s_err_t *err)
{
    int rc;
    if (!o)
        return h5s_seterr(err, H5S_EINVAL, "add_channel: no options");
    if ((rc = mth5__check_name("channel", o->name, err)) < 0 || (rc = mth5__check_name("run", run, err)) < 0 ||
        (rc = mth5__check_name("station", station, err)) < 0 || (rc = mth5__check_name("survey", survey, err)) < 0 ||
        (rc = mth5__begin_structure_change(m, "add_channel", err)) < 0)
        return rc;
    for (const char *p = o->name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            return h5s_seterr(err, H5S_EINVAL, "channel name '%s' must be lower case (MTH5 0.2.0)", o->name);
    if (o->type > MTH5_AUXILIARY || o->dtype > MTH5_INT32)
        return h5s_seterr(err, H5S_EINVAL, "channel '%s': bad type or dtype", o->name);
    hsize_t chunk = o->chunk ? o->chunk : 1024;
    if (chunk > ((hsize_t)1 << 28))
        return h5s_seterr(err, H5S_EINVAL, "channel '%s': chunk of %llu samples is too large", o->name,
                          (unsigned long long)chunk);
    mth5__path_join(runpath, cap, survey, station, run, NULL);
    if (mth5__exists_path(m->fid, runpath) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "run '%s' does not exist in %s/%s", run, survey, station);
    mth5__path_join(path, cap, survey, station, run, o->name);
    if (mth5__exists_path(m->fid, path) > 0)
        return h5s_seterr(err, H5S_EEXIST, "channel '%s' exists in run '%s'", o->name, run);
    return 0;
}

/* Creates the empty, unlimited, chunked dataset of a channel in run group rg
 * (with shuffle, deflate and fletcher32 if o->compress) into *did. */
static int channel_dataset(hid_t rg, const mth5_channel_opts_t *o, const char *path, hid_t *did, h5s_err_t *err)
{
    hsize_t chunk = o->chunk ? o->chunk : 1024;
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, cdims[1] = {chunk};
    hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, dapl = H5I_INVALID_HID;
    int rc = 0;
    if ((sp = H5Screate_simple(1, dims, maxdims)) < 0 || (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, 1, cdims) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot set up channel '%s'", o->name);
        goto done;
    }
    if (o->compress && (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, 4) < 0 || H5Pset_fletcher32(dcpl) < 0)) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "channel '%s': filters unavailable", o->name);
        goto done;
    }
    dapl = channel_dapl(chunk * mth5_dtype_size(o->dtype));
    *did = H5Dcreate2(rg, o->name, dtype_file(o->dtype), sp, H5P_DEFAULT, dcpl, dapl);
    if (*did < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot create channel '%s'", path);
done:
    if (dapl >= 0)
        H5Pclose(dapl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

/* Writes MTH5's channel attributes on dataset did. 0 or -1. */
static int channel_attrs(hid_t did, const mth5_channel_opts_t *o, double rate, const char *start, const char *units)
{
    if (mth5__attr_str(did, "mth5_type", ctype_mth5(o->type)) < 0 ||
        mth5__attr_str(did, "type", ctype_lower(o->type)) < 0 || mth5__attr_str(did, "component", o->name) < 0 ||
        mth5__attr_str(did, "units", units) < 0 || mth5__attr_f8(did, "sample_rate", rate) < 0 ||
        mth5__attr_str(did, "time_period.start", start) < 0 || mth5__attr_str(did, "time_period.end", start) < 0 ||
        mth5__attr_f8(did, "measurement_azimuth", o->azimuth) < 0 ||
        mth5__attr_f8(did, "measurement_tilt", o->tilt) < 0)
        return -1;
    return 0;
}

int mth5_add_channel(mth5_t *m, const char *survey, const char *station, const char *run, const mth5_channel_opts_t *o,
                     mth5_channel_t **out, h5s_err_t *err)
{
    char path[512], runpath[512], start[48], units[32];
    hid_t did = H5I_INVALID_HID, rg = H5I_INVALID_HID;
    int rc;

    if (out)
        *out = NULL;
    if ((rc = channel_precheck(m, survey, station, run, o, runpath, path, sizeof path, err)) < 0)
        return rc;
    if ((rg = H5Gopen2(m->fid, runpath, H5P_DEFAULT)) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot open run '%s'", runpath);
        goto done;
    }
    double rate = o->sample_rate > 0 ? o->sample_rate : mth5__attr_read_f8(rg, "sample_rate", 0);
    if (o->start)
        snprintf(start, sizeof start, "%s", o->start);
    else if (mth5__attr_read_str(rg, "time_period.start", start, sizeof start) <= 0)
        snprintf(start, sizeof start, "%s", MTH5_DEFAULT_START);
    if (mth5_iso_add(start, 0, start, sizeof start) < 0) {
        rc = h5s_seterr(err, H5S_EINVAL, "channel '%s': bad start time", o->name);
        goto done;
    }
    snprintf(units, sizeof units, "%s",
             o->units                   ? o->units
             : o->type == MTH5_ELECTRIC ? "mV/km"
             : o->type == MTH5_MAGNETIC ? "nT"
                                        : "");
    if ((rc = channel_dataset(rg, o, path, &did, err)) < 0)
        goto done;
    if (channel_attrs(did, o, rate, start, units) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write attributes of channel '%s'", path);
        goto done;
    }
    if (out) {
        if (!(*out = channel_wrap(m, did, path)))
            rc = h5s_seterr(err, H5S_ENOMEM, "out of memory");
        else
            did = H5I_INVALID_HID;
    }
done:
    if (did >= 0)
        H5Dclose(did);
    if (rg >= 0)
        H5Gclose(rg);
    return rc;
}

int mth5_channel_open_path(mth5_t *m, const char *path, mth5_channel_t **out, h5s_err_t *err)
{
    if (!m || !out)
        return h5s_seterr(err, H5S_EINVAL, "channel_open: bad arguments");
    *out = NULL;
    if (mth5__exists_path(m->fid, path) <= 0)
        return h5s_seterr(err, H5S_ENOENT, "no channel '%s' in '%s'", path, m->path);
    /* HDF5's default chunk cache (1 MiB) when a chunk fits in it: every
     * H5Dflush walks every cached chunk, and a writer writes each chunk once,
     * so a larger cache only slows its flushes (64 cached chunks of 64 KiB
     * made each H5Dflush 10,000 instructions longer, a third of an append +
     * flush); a chunk too large for it gets a cache of four */
    hid_t did = H5Dopen2(m->fid, path, H5P_DEFAULT);
    hsize_t chunk_bytes = did >= 0 ? channel_chunk_bytes(did) : 0;
    if (did >= 0 && chunk_bytes > (1u << 20)) {
        hid_t dapl = channel_dapl(chunk_bytes);
        H5Dclose(did);
        did = H5Dopen2(m->fid, path, dapl);
        H5Pclose(dapl);
    }
    if (did < 0) {
        /* capture HDF5's error stack before another API call clears it */
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot open channel '%s'", path);
    }
    hid_t sp = H5Dget_space(did);
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (nd != 1) {
        H5Dclose(did);
        return h5s_seterr(err, H5S_EINVAL, "'%s' is not a 1-D channel", path);
    }
    if (!(*out = channel_wrap(m, did, path))) {
        H5Dclose(did);
        return h5s_seterr(err, H5S_ENOMEM, "out of memory");
    }
    return 0;
}

int mth5_channel_open(mth5_t *m, const char *survey, const char *station, const char *run, const char *channel,
                      mth5_channel_t **out, h5s_err_t *err)
{
    char path[MTH5_PATH_MAX];
    if (mth5__path_join(path, sizeof path, survey, station, run, channel) < 0)
        return h5s_seterr(err, H5S_EINVAL, "channel path too long");
    return mth5_channel_open_path(m, path, out, err);
}

void mth5_channel_close(mth5_channel_t *ch)
{
    if (!ch)
        return;
    for (mth5_channel_t **pp = &ch->file->channels; *pp; pp = &(*pp)->next)
        if (*pp == ch) {
            *pp = ch->next;
            break;
        }
    H5Dclose(ch->did);
    free(ch);
}

/* ---- accessors ---------------------------------------------------------- */

hid_t mth5_channel_did(const mth5_channel_t *ch)
{
    return ch->did;
}
mth5_dtype_t mth5_channel_dtype(const mth5_channel_t *ch)
{
    return ch->dtype;
}
const char *mth5_channel_path(const mth5_channel_t *ch)
{
    return ch->path;
}
uint64_t mth5_channel_length(const mth5_channel_t *ch)
{
    return ch->len;
}
/* ---- data --------------------------------------------------------------- */

int mth5_channel_append(mth5_channel_t *ch, const void *buf, size_t n, bool cork, h5s_err_t *err)
{
    mth5__deliberate_slowdown(); /* a no-op unless built slowed on purpose */
    int rc = mth5__need_writable(ch->file, "append", err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return 0;
    hsize_t newlen[1] = {ch->len + n}, start[1] = {ch->len}, count[1] = {n};
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    bool corked = false;
    rc = 0;
    if (cork) {
        if (H5Odisable_mdc_flushes(ch->did) < 0) {
            rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot cork '%s'", ch->path);
            goto done;
        }
        corked = true;
    }
    if (H5Dset_extent(ch->did, newlen) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot extend '%s' to %llu samples", ch->path,
                           (unsigned long long)newlen[0]);
        goto done;
    }
    if ((fs = H5Dget_space(ch->did)) < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        (ms = H5Screate_simple(1, count, NULL)) < 0 || H5Dwrite(ch->did, ch->mtype, ms, fs, H5P_DEFAULT, buf) < 0) {
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot write %zu samples to '%s'", n, ch->path);
        goto done;
    }
    ch->len = newlen[0];
    if (!ch->file->swmr)
        ch->file->dirty = true;
done:
    if (corked && H5Oenable_mdc_flushes(ch->did) < 0 && rc == 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot uncork '%s'", ch->path);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

int mth5_channel_refresh(mth5_channel_t *ch, uint64_t *len, h5s_err_t *err)
{
    if (ch->file->swmr && !ch->file->writable && !ch->file->static_file && H5Drefresh(ch->did) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Drefresh of '%s' failed", ch->path);
    hid_t sp = H5Dget_space(ch->did);
    hsize_t dims[1];
    if (sp < 0 || H5Sget_simple_extent_dims(sp, dims, NULL) != 1) {
        if (sp >= 0)
            H5Sclose(sp);
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot read the extent of '%s'", ch->path);
    }
    H5Sclose(sp);
    ch->len = dims[0];
    if (len)
        *len = ch->len;
    return 0;
}

int mth5_channel_read(mth5_channel_t *ch, uint64_t start, size_t n, void *buf, h5s_err_t *err)
{
    if (n == 0)
        return 0;
    hsize_t st[1] = {start}, cnt[1] = {n};
    hid_t fs = H5Dget_space(ch->did), ms = H5I_INVALID_HID;
    int rc = 0;
    if (fs < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL) < 0 ||
        (ms = H5Screate_simple(1, cnt, NULL)) < 0 || H5Dread(ch->did, ch->mtype, ms, fs, H5P_DEFAULT, buf) < 0)
        rc = h5s_seterr_h5(err, H5S_EHDF5, "cannot read samples %llu..%llu of '%s'", (unsigned long long)start,
                           (unsigned long long)(start + n), ch->path);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

int mth5_channel_flush(mth5_channel_t *ch, h5s_err_t *err)
{
    if (H5Dflush(ch->did) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "H5Dflush of '%s' failed", ch->path);
    return 0;
}

int mth5_channel_set_end(mth5_channel_t *ch, const char *end, h5s_err_t *err)
{
    int rc = mth5__need_writable(ch->file, "set_end", err);
    if (rc < 0)
        return rc;
    if (ch->file->swmr)
        return h5s_seterr(err, H5S_ESWMR, "changing attributes of '%s' is not supported in SWMR-write mode", ch->path);
    if (mth5__attr_str(ch->did, "time_period.end", end) < 0)
        return h5s_seterr_h5(err, H5S_EHDF5, "cannot write time_period.end of '%s'", ch->path);
    return 0;
}
