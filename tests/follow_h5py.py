#!/usr/bin/env python3
"""An independent SWMR reader for the integration tests: follows one channel of
a file that `h5swmr write` is growing, with h5py, until it holds N samples, and
checks every sample against h5swmr's deterministic pattern (the shipped
Python implementation, harness/clients/h5swmr_pattern.py).

usage: follow_h5py.py FILE DATASET N [TIMEOUT_S]
Prints 'followed N samples in K refreshes' and exits 0, or says what differed."""
import os
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness", "clients"))
from h5swmr_pattern import pat_key, pat_values  # noqa: E402


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
