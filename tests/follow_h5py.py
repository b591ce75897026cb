#!/usr/bin/env python3
"""An independent SWMR reader for the integration tests: follows one channel of
a file that `h5swmr write` is growing, with h5py, until it holds N samples, and
checks every sample against h5swmr's deterministic pattern (harness/pattern.c,
reimplemented here from its definition).

usage: follow_h5py.py FILE DATASET N [TIMEOUT_S]
Prints 'followed N samples in K refreshes' and exits 0, or says what differed."""
import sys
import time

import h5py
import numpy as np

M64 = (1 << 64) - 1


def pat_key(path):
    h = 14695981039346656037
    for b in path.encode():
        h ^= b
        h = (h * 1099511628211) & M64
    return h


def pat_values(key, start, n):
    i = np.arange(start, start + n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = ((i + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(key)
        x ^= x >> np.uint64(31)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(29)
    return (x % np.uint64((1 << 22) - 1)).astype(np.int64) + 1


def main():
    path, dset, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 30.0
    deadline = time.monotonic() + timeout
    key = pat_key(dset)
    with h5py.File(path, "r", libver="latest", swmr=True) as f:
        ds = f[dset]
        seen, refreshes, growths = 0, 0, 0
        while seen < want:
            if time.monotonic() > deadline:
                print(f"timeout: saw {seen} of {want} samples", file=sys.stderr)
                return 1
            ds.refresh()
            refreshes += 1
            n = ds.shape[0]
            if n > seen:
                data = ds[seen:n].astype(np.int64)
                exp = pat_values(key, seen, n - seen)
                bad = np.nonzero(data != exp)[0]
                if bad.size:
                    k = int(bad[0])
                    print(f"{dset}[{seen + k}] = {data[k]}, expected {exp[k]}", file=sys.stderr)
                    return 1
                seen = n
                growths += 1
            else:
                time.sleep(0.005)  # poll interval of this reader, not synchronisation
    print(f"followed {seen} samples in {refreshes} refreshes ({growths} growths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
