/* mth5_walk.c - the walk of survey/station/run/channel behind the channel
 * and run summaries (refreshing each object first in SWMR readers). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mth5_int.h"

/* The link names of one group, as a walk lists them. */
typedef struct names {
    char (*v)[MTH5_WALK_NAME_MAX];
    size_t n, cap;
    char toolong[64]; /* the start of a name too long to list, if one was met */
} names_t;

/* H5Literate callback: appends one link name to the names_t in data; stops
 * the iteration (1) at a name too long for a summary row. */
static herr_t collect_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    names_t *nm = data;
    (void)g;
    (void)info;
    if (strlen(name) >= MTH5_WALK_NAME_MAX) { /* never left out silently: the walk fails */
        snprintf(nm->toolong, sizeof nm->toolong, "%.40s", name);
        return 1;
    }
    if (nm->n == nm->cap) {
        size_t cap = nm->cap ? nm->cap * 2 : 16;
        void *p = realloc(nm->v, cap * sizeof *nm->v);
        if (!p)
            return -1;
        nm->v = p;
        nm->cap = cap;
    }
    snprintf(nm->v[nm->n++], MTH5_WALK_NAME_MAX, "%s", name);
    return 0;
}

/* Opens loc/name as an object, refreshing it first if asked. */
static hid_t obj_open(hid_t loc, const char *name, bool refresh)
{
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    if (o >= 0 && refresh && H5Orefresh(o) < 0) {
        H5Oclose(o);
        return H5I_INVALID_HID;
    }
    return o;
}

/* Lists the link names of group g into nm (cleared first). */
static int list_links(hid_t g, names_t *nm)
{
    nm->n = 0;
    nm->toolong[0] = '\0';
    hsize_t idx = 0;
    if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_cb, nm) < 0)
        return -1;
    return nm->toolong[0] ? -2 : 0;
}

/* True for the groups MTH5 keeps in a station beside its runs. */
static bool is_station_child(const char *s)
{
    return !strcmp(s, "Transfer_Functions") || !strcmp(s, "Fourier_Coefficients") || !strcmp(s, "Features");
}

/* One walk of the tree: the rows it collects and its first failure. */
typedef struct walk {
    mth5_t *m;
    bool refresh;
    mth5_summary_row_t *rows;
    size_t n, cap;
    mth5_run_row_t *runs;
    size_t nruns, capruns;
    h5s_err_t err; /* the first failure, captured where it happened */
} walk_t;

/* Records the first failure of a walk with HDF5's error text; returns -1. */
static int wfail(walk_t *w, const char *what, const char *name)
{
    if (w->err.code == 0)
        h5s_seterr_h5(&w->err, H5S_EHDF5, "%s '%s' failed", what, name);
    return -1;
}

/* Lists group g into nm; a failure is recorded as wfail does, a name too long
 * for a summary row with its own message. 0 or -1. */
static int wlist(walk_t *w, hid_t g, names_t *nm, const char *what, const char *name)
{
    int r = list_links(g, nm);
    if (r == -2) {
        if (w->err.code == 0)
            h5s_seterr(&w->err, H5S_EFORMAT, "%s '%s' has an object named '%s...' longer than %d characters", what,
                       name, nm->toolong, MTH5_WALK_NAME_MAX - 1);
        return -1;
    }
    return r < 0 ? wfail(w, "listing", name) : 0;
}

/* Appends the summary row of channel dataset ds (proto gives its place in
 * the tree) to the walk. 0 or -1. */
static int walk_channel(walk_t *w, hid_t ds, const mth5_summary_row_t *proto)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        void *p = realloc(w->rows, cap * sizeof *w->rows);
        if (!p)
            return -1;
        w->rows = p;
        w->cap = cap;
    }
    mth5_summary_row_t *r = &w->rows[w->n];
    *r = *proto;
    if (w->refresh && H5Drefresh(ds) < 0)
        return wfail(w, "H5Drefresh of", proto->path);
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    if (sp < 0)
        return wfail(w, "H5Dget_space of", proto->path);
    if (H5Sget_simple_extent_ndims(sp) == 1)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    r->n_samples = dims[0];
    char comp[MTH5_WALK_NAME_MAX];
    if (mth5__attr_read_str(ds, "component", comp, sizeof comp) > 0)
        snprintf(r->component, sizeof r->component, "%s", comp);
    mth5__attr_read_str(ds, "type", r->type, sizeof r->type);
    mth5__attr_read_str(ds, "units", r->units, sizeof r->units);
    mth5__attr_read_str(ds, "time_period.start", r->start, sizeof r->start);
    r->sample_rate = mth5__attr_read_f8(ds, "sample_rate", 0);
    r->azimuth = mth5__attr_read_f8(ds, "measurement_azimuth", 0);
    r->tilt = mth5__attr_read_f8(ds, "measurement_tilt", 0);
    if (r->sample_rate > 0 && mth5_iso_add(r->start, (double)r->n_samples / r->sample_rate, r->end, sizeof r->end) == 0)
        ;
    else
        mth5__attr_read_str(ds, "time_period.end", r->end, sizeof r->end);
    w->n++;
    return 0;
}

/* Walks the channels of run group rg, then appends the run's row. 0 or -1. */
static int walk_run(walk_t *w, hid_t rg, mth5_summary_row_t *proto)
{
    names_t nm = {0};
    int rc = wlist(w, rg, &nm, "run", proto->run);
    mth5_run_row_t rr = {0};
    snprintf(rr.survey, sizeof rr.survey, "%s", proto->survey);
    snprintf(rr.station, sizeof rr.station, "%s", proto->station);
    snprintf(rr.run, sizeof rr.run, "%s", proto->run);
    rr.sample_rate = mth5__attr_read_f8(rg, "sample_rate", 0);
    mth5__path_join(rr.path, sizeof rr.path, proto->survey, proto->station, proto->run, NULL);
    for (size_t i = 0; rc == 0 && i < nm.n; i++) {
        if (mth5__stopped(w->m)) {
            if (w->err.code == 0)
                h5s_seterr(&w->err, H5S_EINTR, "interrupted");
            rc = -1;
            break;
        }
        hid_t o = H5Oopen(rg, nm.v[i], H5P_DEFAULT);
        if (o < 0) {
            rc = wfail(w, "opening", nm.v[i]);
            break;
        }
        if (H5Iget_type(o) == H5I_DATASET) {
            snprintf(proto->component, sizeof proto->component, "%s", nm.v[i]);
            mth5__path_join(proto->path, sizeof proto->path, proto->survey, proto->station, proto->run, nm.v[i]);
            size_t before = w->n;
            rc = walk_channel(w, o, proto);
            if (rc == 0) {
                rr.n_channels++;
                if (w->rows[before].n_samples > rr.n_samples)
                    rr.n_samples = w->rows[before].n_samples;
            }
        }
        H5Oclose(o);
    }
    free(nm.v);
    if (rc == 0) {
        if (w->nruns == w->capruns) {
            size_t cap = w->capruns ? w->capruns * 2 : 8;
            void *p = realloc(w->runs, cap * sizeof *w->runs);
            if (!p)
                return -1;
            w->runs = p;
            w->capruns = cap;
        }
        w->runs[w->nruns++] = rr;
    }
    return rc;
}

/* Walks every survey, station and run of the file. 0 or -1 (w->err says why,
 * unless memory ran out). */
static int walk_tree(walk_t *w)
{
    mth5_t *m = w->m;
    names_t surveys = {0}, stations = {0}, runs = {0};
    int rc = 0;
    hid_t sg = obj_open(m->fid, MTH5_SURVEYS_PATH, w->refresh);
    if (sg < 0)
        return wfail(w, "opening", MTH5_SURVEYS_PATH);
    if (wlist(w, sg, &surveys, "group", MTH5_SURVEYS_PATH) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < surveys.n; i++) {
        mth5_summary_row_t proto = {0};
        snprintf(proto.survey, sizeof proto.survey, "%s", surveys.v[i]);
        char p[MTH5_WALK_NAME_MAX + 16];
        snprintf(p, sizeof p, "%s/Stations", surveys.v[i]);
        hid_t stg = obj_open(sg, p, w->refresh);
        if (stg < 0) {
            rc = wfail(w, "opening", p);
            break;
        }
        if (wlist(w, stg, &stations, "group", p) < 0)
            rc = -1;
        for (size_t j = 0; rc == 0 && j < stations.n; j++) {
            hid_t st = obj_open(stg, stations.v[j], w->refresh);
            if (st < 0) {
                rc = wfail(w, "opening station", stations.v[j]);
                break;
            }
            snprintf(proto.station, sizeof proto.station, "%s", stations.v[j]);
            proto.latitude = mth5__attr_read_f8(st, "location.latitude", 0);
            proto.longitude = mth5__attr_read_f8(st, "location.longitude", 0);
            proto.elevation = mth5__attr_read_f8(st, "location.elevation", 0);
            if (wlist(w, st, &runs, "station", stations.v[j]) < 0)
                rc = -1;
            for (size_t k = 0; rc == 0 && k < runs.n; k++) {
                if (is_station_child(runs.v[k]))
                    continue;
                hid_t rg = obj_open(st, runs.v[k], w->refresh);
                if (rg < 0) {
                    rc = wfail(w, "opening run", runs.v[k]);
                    break;
                }
                if (H5Iget_type(rg) == H5I_GROUP) {
                    snprintf(proto.run, sizeof proto.run, "%s", runs.v[k]);
                    rc = walk_run(w, rg, &proto);
                }
                H5Oclose(rg);
            }
            H5Oclose(st);
        }
        H5Oclose(stg);
    }
    H5Oclose(sg);
    free(surveys.v);
    free(stations.v);
    free(runs.v);
    return rc;
}

/* True when a walk with refresh r must refresh each object: an SWMR reader
 * of a file that can change. */
static bool want_refresh(const mth5_t *m, mth5_refresh_t r)
{
    return r == MTH5_REFRESH_OBJECT && m->swmr && !m->writable && !m->static_file;
}

int mth5_channel_summary_ex(mth5_t *m, mth5_refresh_t refresh, mth5_summary_row_t **rows, size_t *n, h5s_err_t *err)
{
    walk_t w = {.m = m, .refresh = want_refresh(m, refresh)};
    *rows = NULL;
    *n = 0;
    if (walk_tree(&w) < 0) {
        free(w.rows);
        free(w.runs);
        return h5s_seterr(err, w.err.code == H5S_EINTR || w.err.code == H5S_EFORMAT ? w.err.code : H5S_EHDF5,
                          "cannot walk the channels of '%s': %s", m->path, w.err.code ? w.err.msg : "out of memory");
    }
    free(w.runs);
    *rows = w.rows;
    *n = w.n;
    return 0;
}

int mth5_channel_summary(mth5_t *m, mth5_summary_row_t **rows, size_t *n, h5s_err_t *err)
{
    return mth5_channel_summary_ex(m, MTH5_REFRESH_OBJECT, rows, n, err);
}

int mth5_run_summary_ex(mth5_t *m, mth5_refresh_t refresh, mth5_run_row_t **rows, size_t *n, h5s_err_t *err)
{
    walk_t w = {.m = m, .refresh = want_refresh(m, refresh)};
    *rows = NULL;
    *n = 0;
    if (walk_tree(&w) < 0) {
        free(w.rows);
        free(w.runs);
        return h5s_seterr(err, w.err.code == H5S_EINTR || w.err.code == H5S_EFORMAT ? w.err.code : H5S_EHDF5,
                          "cannot walk the runs of '%s': %s", m->path, w.err.code ? w.err.msg : "out of memory");
    }
    free(w.rows);
    *rows = w.runs;
    *n = w.nruns;
    return 0;
}

int mth5_run_summary(mth5_t *m, mth5_run_row_t **rows, size_t *n, h5s_err_t *err)
{
    return mth5_run_summary_ex(m, MTH5_REFRESH_OBJECT, rows, n, err);
}
