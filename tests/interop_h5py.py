#!/usr/bin/python3
"""interop_h5py.py - checks an h5swmr MTH5 0.2.0 file with h5py, as MTH5 would.

Usage:
  interop_h5py.py FILE [--channels N]
      Checks the closed file: root attributes, /Experiment, the stored
      channel_summary table (field names, types, references, n_samples), every
      survey/station/run/channel and its attributes, and that each channel holds
      the test pattern value[i] = i + 1.
  interop_h5py.py --swmr-follow FILE DATASET N
      Opens FILE as an SWMR reader (libver latest, swmr=True), prints "opened",
      polls DATASET with refresh() until it holds N samples (20 s at most),
      printing "seen <length>" at each new length, and checks the N samples
      are the pattern value[i] = i + 1.

Prints one line per failed check and exits 1 on any failure, 0 otherwise.
Run it with /usr/bin/python3 (Debian's python3-h5py).
"""
import datetime
import sys
import time

import h5py
import numpy as np

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL: " + msg, flush=True)
    return cond


def attr_dtype(obj, name):
    return obj.attrs.get_id(name).dtype


def check_vlen_str_attr(obj, name, expect=None):
    """A scalar variable-length UTF-8 string attribute; returns its value or None."""
    where = "%s@%s" % (obj.name, name)
    if not check(name in obj.attrs, where + ": missing"):
        return None
    aid = obj.attrs.get_id(name)
    info = h5py.check_string_dtype(aid.dtype)
    if not check(info is not None, where + ": not a string (dtype %r)" % (aid.dtype,)):
        return None
    check(info.length is None, where + ": fixed-length string (length %r), MTH5 needs variable length" % (info.length,))
    check(info.encoding == "utf-8", where + ": encoding %r, expected utf-8" % (info.encoding,))
    check(aid.shape == (), where + ": not scalar (shape %r)" % (aid.shape,))
    value = obj.attrs[name]
    if not check(isinstance(value, str), where + ": h5py returned %r, not str" % (type(value),)):
        return None
    if expect is not None:
        check(value == expect, where + ": %r, expected %r" % (value, expect))
    return value


def check_num_attr(obj, name, dtype, expect=None):
    where = "%s@%s" % (obj.name, name)
    if not check(name in obj.attrs, where + ": missing"):
        return None
    aid = obj.attrs.get_id(name)
    check(aid.dtype == np.dtype(dtype), where + ": dtype %s, expected %s" % (aid.dtype, dtype))
    check(aid.shape == (), where + ": not scalar (shape %r)" % (aid.shape,))
    value = obj.attrs[name]
    if expect is not None:
        check(value == expect, where + ": %r, expected %r" % (value, expect))
    return value


def check_iso(obj, name):
    value = check_vlen_str_attr(obj, name)
    if value is None:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError as e:
        check(False, "%s@%s: %r is not ISO 8601 (%s)" % (obj.name, name, value, e))
        return None


TABLE_FIELDS = [
    ("survey", "S30"), ("station", "S30"), ("run", "S20"),
    ("latitude", "<f8"), ("longitude", "<f8"), ("elevation", "<f8"),
    ("component", "S20"), ("start", "S36"), ("end", "S36"),
    ("n_samples", "<i8"), ("sample_rate", "<f8"), ("measurement_type", "S30"),
    ("azimuth", "<f8"), ("tilt", "<f8"), ("units", "S60"), ("has_data", "bool"),
    ("hdf5_reference", "ref"), ("run_hdf5_reference", "ref"), ("station_hdf5_reference", "ref"),
]

STATION_CHILDREN = {"Transfer_Functions", "Fourier_Coefficients", "Features"}


def check_root(f):
    check_vlen_str_attr(f, "file.type", "MTH5")
    check_vlen_str_attr(f, "file.version", "0.2.0")
    for name in ("file.access.platform", "file.access.time", "mth5.software.name", "mth5.software.version"):
        check_vlen_str_attr(f, name)
    check_num_attr(f, "data_level", "<i8", 1)
    for name in f.attrs:
        if name != "data_level":
            check_vlen_str_attr(f, name)


def pattern_ok(ds, n):
    data = ds[:n]
    want = np.arange(1, n + 1, dtype=np.float64).astype(ds.dtype)
    return data.shape == (n,) and np.array_equal(data, want)


def walk_channels(f):
    """Checks the tree; returns {path: dataset} of every channel."""
    channels = {}
    exp = f["Experiment"]
    keys = set(exp.keys())
    for need in ("Surveys", "Reports", "Standards"):
        check(need in keys, "/Experiment: no %s" % need)
    for k in keys:
        check(k in ("Surveys", "Reports", "Standards") or k.endswith("summary"),
              "/Experiment/%s: MTH5 only allows Surveys, Reports, Standards and *summary" % k)
    surveys = exp["Surveys"]
    for sname, survey in surveys.items():
        check_vlen_str_attr(survey, "id", sname)
        check_vlen_str_attr(survey, "mth5_type", "Survey")
        for need in ("Stations", "Reports", "Filters", "Standards"):
            check(need in survey, "%s: no %s group" % (survey.name, need))
        for stname, station in survey["Stations"].items():
            check_vlen_str_attr(station, "id", stname)
            check_vlen_str_attr(station, "mth5_type", "Station")
            for loc in ("location.latitude", "location.longitude", "location.elevation"):
                check_num_attr(station, loc, "<f8")
            for need in STATION_CHILDREN:
                check(need in station, "%s: no %s group" % (station.name, need))
            for rname, run in station.items():
                if rname in STATION_CHILDREN:
                    continue
                check(isinstance(run, h5py.Group), "%s is not a group" % run.name)
                check_vlen_str_attr(run, "id", rname)
                check_vlen_str_attr(run, "mth5_type", "Run")
                for cname, ds in run.items():
                    check_channel(cname, ds)
                    channels[ds.name] = ds
    return channels


def check_channel(cname, ds):
    if not check(isinstance(ds, h5py.Dataset), "%s is not a dataset" % ds.name):
        return
    check(ds.ndim == 1, "%s: %d dimensions" % (ds.name, ds.ndim))
    check(ds.maxshape == (None,), "%s: maxshape %r, expected (None,)" % (ds.name, ds.maxshape))
    check(ds.chunks is not None, "%s: not chunked" % ds.name)
    check(ds.dtype in (np.dtype("<f4"), np.dtype("<f8"), np.dtype("<i4")), "%s: dtype %s" % (ds.name, ds.dtype))
    check(cname == cname.lower(), "%s: name not lower case" % ds.name)
    mtype = check_vlen_str_attr(ds, "mth5_type")
    check(mtype in ("Electric", "Magnetic", "Auxiliary"), "%s@mth5_type: %r" % (ds.name, mtype))
    ctype = check_vlen_str_attr(ds, "type")
    if mtype is not None and ctype is not None:
        check(ctype == mtype.lower(), "%s@type %r does not match mth5_type %r" % (ds.name, ctype, mtype))
    check_vlen_str_attr(ds, "component", cname)
    check_vlen_str_attr(ds, "units")
    rate = check_num_attr(ds, "sample_rate", "<f8")
    check_num_attr(ds, "measurement_azimuth", "<f8")
    check_num_attr(ds, "measurement_tilt", "<f8")
    start = check_iso(ds, "time_period.start")
    end = check_iso(ds, "time_period.end")
    if start and end and rate:
        want = start + datetime.timedelta(seconds=ds.shape[0] / rate)
        check(abs((end - want).total_seconds()) < 1e-5,
              "%s: time_period.end %s, expected start + n/rate = %s" % (ds.name, end, want))
    check(pattern_ok(ds, ds.shape[0]), "%s: data is not the pattern 1..%d" % (ds.name, ds.shape[0]))


def check_table(f, channels):
    path = "/Experiment/channel_summary"
    if not check(path in f, "no %s" % path):
        return
    t = f[path]
    check(t.ndim == 1 and t.maxshape == (None,), "%s: shape %r maxshape %r" % (path, t.shape, t.maxshape))
    names = list(t.dtype.names or ())
    check(names == [n for n, _ in TABLE_FIELDS], "%s fields %r" % (path, names))
    for name, kind in TABLE_FIELDS:
        if name not in (t.dtype.names or ()):
            continue
        dt = t.dtype.fields[name][0]
        if kind == "ref":
            check(h5py.check_ref_dtype(dt) is h5py.Reference, "%s.%s: dtype %r is not an object reference" % (path, name, dt))
        elif kind == "bool":
            check(dt == np.dtype(bool), "%s.%s: dtype %r, expected numpy bool (HDF5 enum FALSE/TRUE)" % (path, name, dt))
        else:
            check(dt == np.dtype(kind), "%s.%s: dtype %r, expected %s" % (path, name, dt, kind))
    rows = t[()]
    check(len(rows) == len(channels), "%s has %d rows, the tree %d channels" % (path, len(rows), len(channels)))
    seen = set()
    for row in rows:
        survey, station, run, comp = (row[k].decode() for k in ("survey", "station", "run", "component"))
        cpath = "/Experiment/Surveys/%s/Stations/%s/%s/%s" % (survey, station, run, comp)
        where = "%s row %s" % (path, cpath)
        if not check(cpath in channels, where + ": no such channel"):
            continue
        seen.add(cpath)
        ds = channels[cpath]
        check(row["n_samples"] == ds.shape[0], where + ": n_samples %d, dataset has %d" % (row["n_samples"], ds.shape[0]))
        check(bool(row["has_data"]) == (ds.shape[0] > 0), where + ": has_data %r" % (row["has_data"],))
        check(row["sample_rate"] == ds.attrs["sample_rate"], where + ": sample_rate %r" % (row["sample_rate"],))
        check(row["measurement_type"].decode() == ds.attrs["type"], where + ": measurement_type %r" % (row["measurement_type"],))
        check(row["units"].decode() == ds.attrs["units"], where + ": units %r" % (row["units"],))
        check(row["start"].decode() == ds.attrs["time_period.start"], where + ": start %r" % (row["start"],))
        try:
            datetime.datetime.fromisoformat(row["end"].decode())
        except ValueError:
            check(False, where + ": end %r is not ISO 8601" % (row["end"],))
        st = f["/Experiment/Surveys/%s/Stations/%s" % (survey, station)]
        for fld, attr in (("latitude", "location.latitude"), ("longitude", "location.longitude"),
                          ("elevation", "location.elevation")):
            check(row[fld] == st.attrs[attr], where + ": %s %r, station says %r" % (fld, row[fld], st.attrs[attr]))
        for fld, want in (("hdf5_reference", cpath), ("run_hdf5_reference", cpath.rsplit("/", 1)[0]),
                          ("station_hdf5_reference", st.name)):
            ref = row[fld]
            if not check(isinstance(ref, h5py.Reference) and bool(ref), where + ": %s is not a valid reference" % fld):
                continue
            obj = f[ref]
            check(obj.name == want, where + ": %s points to %s, expected %s" % (fld, obj.name, want))
        check(isinstance(f[row["hdf5_reference"]], h5py.Dataset), where + ": hdf5_reference is not the dataset")
    check(seen == set(channels), "%s misses channels %s" % (path, sorted(set(channels) - seen)))


def check_file(path, n_channels):
    with h5py.File(path, "r") as f:
        check_root(f)
        channels = walk_channels(f)
        check(len(channels) > 0, "no channels in the file")
        if n_channels is not None:
            check(len(channels) == n_channels, "%d channels, expected %d" % (len(channels), n_channels))
        check_table(f, channels)


def swmr_follow(path, dpath, n, timeout=20.0):
    with h5py.File(path, "r", libver="latest", swmr=True) as f:
        check(f.swmr_mode, "file not in SWMR mode")
        check_vlen_str_attr(f, "file.type", "MTH5")
        ds = f[dpath]
        print("opened", flush=True)
        deadline = time.monotonic() + timeout
        refreshes = 0
        mismatches = 0
        last = -1
        while True:
            ds.refresh()
            refreshes += 1
            size = ds.shape[0]
            if size != last:
                last = size
                print("seen %d" % size, flush=True)
            if size >= n:
                if pattern_ok(ds, n):
                    break
                mismatches += 1  # extent seen before data: retry until the deadline
            if time.monotonic() > deadline:
                check(False, "%s: %d of %d samples (pattern mismatches %d) after %.0f s" % (dpath, size, n, mismatches, timeout))
                return
            time.sleep(0.001)
        check(ds.shape[0] == n, "%s: %d samples, expected exactly %d" % (dpath, ds.shape[0], n))
        print("followed %d samples in %d refreshes, %d mismatches" % (n, refreshes, mismatches), flush=True)


def main(argv):
    if len(argv) >= 2 and argv[1] == "--swmr-follow":
        if len(argv) != 5:
            print(__doc__, file=sys.stderr)
            return 2
        swmr_follow(argv[2], argv[3], int(argv[4]))
    else:
        if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--channels"):
            print(__doc__, file=sys.stderr)
            return 2
        check_file(argv[1], int(argv[3]) if len(argv) == 4 else None)
    if FAILS:
        print("%d check(s) failed" % len(FAILS), flush=True)
        return 1
    print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
