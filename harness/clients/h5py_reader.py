#!/usr/bin/env python3
"""An MTH5 monitor in h5py, as an external reader of h5swmr (docs/external-readers.md): follows every channel of an MTH5 file that an SWMR writer grows,
the way MTH5's guide tells monitors to - h5py.File(path, "r", libver="latest",
swmr=True), ds.refresh() before each look - reads the new samples, verifies
them against h5swmr's sample pattern, and prints one protocol line for each
dataset that grew:

    T_NS DATASET_PATH SAMPLES [ok|bad=INDEX]

T_NS is time.monotonic_ns() when the new samples were in hand. Ends with exit
status 0 on SIGTERM or SIGINT, after a last poll made at once: the signal
wakes it from its pause between polls (a pause that ran on would make that
last poll, and the lag of everything it sees, late).

usage: h5py_reader.py [FILE] [--poll-ms MS] [--rescan-ms MS] [--no-verify] [--summary]
FILE defaults to $H5SWMR_FILE, --poll-ms to $H5SWMR_POLL_MS (0: poll without pause),
--no-verify to $H5SWMR_VERIFY = 0."""
import argparse
import os
import select
import signal
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5swmr_pattern import first_mismatch, pat_key  # noqa: E402

NOT_RUNS = {"Transfer_Functions", "Fourier_Coefficients", "Features"}
stop = False
wake_r = -1  # read end of the pipe the signals are written to (signal.set_wakeup_fd)


def on_signal(signum, frame):
    global stop
    stop = True


def setup_signals():
    """SIGTERM and SIGINT set stop and, through the wake-up pipe, end a pause at once."""
    global wake_r
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def pause(seconds):
    """Waits up to seconds between polls; returns at once when a signal came
    (before the wait, too: its byte is already in the pipe)."""
    if not stop:
        select.select([wake_r], [], [], seconds)


def find_channels(f):
    """Paths of the channel datasets: /Experiment/Surveys/*/Stations/*/<run>/<channel>."""
    out = []
    surveys = f.get("/Experiment/Surveys")
    if surveys is None:
        return out
    for sv in surveys.values():
        stations = sv.get("Stations") if isinstance(sv, h5py.Group) else None
        if stations is None:
            continue
        for st in stations.values():
            if not isinstance(st, h5py.Group):
                continue
            for rname, run in st.items():
                if rname in NOT_RUNS or not isinstance(run, h5py.Group):
                    continue
                for ch in run.values():
                    if isinstance(ch, h5py.Dataset) and len(ch.shape) == 1:
                        out.append(ch.name)
    return out


class Channel:
    def __init__(self, f, path):
        self.ds = f[path]
        self.path = path
        self.key = pat_key(path)
        self.seen = 0
        self.bad = None  # the first wrong index, once found


def poll(chans, verify):
    """Refreshes each channel, reads what it gained and prints a line if it grew."""
    for c in chans:
        c.ds.refresh()
        n = c.ds.shape[0]
        if n <= c.seen:
            continue
        data = c.ds[c.seen:n]
        t_ns = time.monotonic_ns()  # the new samples are in hand
        verdict = ""
        if verify:
            if c.bad is None:
                k = first_mismatch(c.key, c.seen, data)
                if k is not None:
                    c.bad = c.seen + k
            verdict = " ok" if c.bad is None else " bad=%d" % c.bad
        c.seen = n
        print("%d %s %d%s" % (t_ns, c.path, n, verdict), flush=True)


def main():
    ap = argparse.ArgumentParser(description="follow an MTH5 file with h5py, print h5swmr protocol lines")
    ap.add_argument("file", nargs="?", default=os.environ.get("H5SWMR_FILE"))
    ap.add_argument("--poll-ms", type=float, default=float(os.environ.get("H5SWMR_POLL_MS", "500")))
    ap.add_argument("--rescan-ms", type=float, default=500.0, help="look for new channels this often")
    ap.add_argument("--no-verify", action="store_true", default=os.environ.get("H5SWMR_VERIFY") == "0")
    ap.add_argument("--summary", action="store_true", help="also refresh and read /Experiment/channel_summary")
    a = ap.parse_args()
    if not a.file:
        ap.error("no file given (nor $H5SWMR_FILE)")
    setup_signals()
    verify = not a.no_verify
    with h5py.File(a.file, "r", libver="latest", swmr=True) as f:
        print("# h5py %s, HDF5 %s, following %s" % (h5py.__version__, h5py.version.hdf5_version, a.file), flush=True)
        chans, known = [], set()
        last_scan = None
        while True:
            now = time.monotonic()
            if last_scan is None or (now - last_scan) * 1e3 >= a.rescan_ms:
                last_scan = now
                for p in find_channels(f):
                    if p not in known:
                        known.add(p)
                        chans.append(Channel(f, p))
            last = stop  # a signal before this poll: it is the last one
            poll(chans, verify)
            if a.summary and "/Experiment/channel_summary" in f:
                t = f["/Experiment/channel_summary"]
                t.refresh()
                np.asarray(t[:])
            if last:
                return 0
            if a.poll_ms > 0:
                pause(a.poll_ms / 1e3)  # the poll interval itself, cut short only by SIGTERM or SIGINT


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
