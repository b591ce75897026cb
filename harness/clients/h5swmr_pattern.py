#!/usr/bin/env python3
"""h5swmr's sample pattern in Python: what h5swmr's writer writes, so that a
reader in Python can verify every sample it reads (docs/runs.md, "The sample
pattern"; the C definition is harness/core/pattern.c).

As a program, for the tests that hold it to the C implementation:
    h5swmr_pattern.py DATASET_PATH START N
prints the key of DATASET_PATH, then samples START..START+N-1, one per line."""
import sys

import numpy as np

M64 = (1 << 64) - 1


def pat_key(path):
    """The channel's key: FNV-1a (64 bit) of its dataset path."""
    h = 14695981039346656037
    for b in path.encode():
        h ^= b
        h = (h * 1099511628211) & M64
    return h


def pat_values(key, start, n):
    """Samples start..start+n-1 of the channel with this key, as int64."""
    out = np.empty(n, dtype=np.int64)
    k32 = np.uint32((key ^ (key >> 32)) & 0xFFFFFFFF)
    done = 0
    while done < n:
        i0 = start + done
        span = min(n - done, (1 << 32) - (i0 & 0xFFFFFFFF))  # indexes sharing the high half
        base = np.uint32((((i0 >> 32) * 0x85EBCA77) & 0xFFFFFFFF)) ^ k32
        lo = np.arange(i0 & 0xFFFFFFFF, (i0 & 0xFFFFFFFF) + span, dtype=np.uint64).astype(np.uint32)
        with np.errstate(over="ignore"):
            x = lo * np.uint32(0x9E3779B1) + base
            x ^= x >> np.uint32(16)
            x *= np.uint32(0x7FEB352D)
            x ^= x >> np.uint32(15)
            x *= np.uint32(0x846CA68B)
            x ^= x >> np.uint32(16)
        out[done:done + span] = (x >> np.uint32(10)).astype(np.int64) + 1
        done += span
    return out


def first_mismatch(key, start, data):
    """Index (from start) of the first sample of data that is not the
    pattern, or None when all are."""
    exp = pat_values(key, start, len(data))
    bad = np.nonzero(np.asarray(data).astype(np.int64) != exp)[0]
    return None if bad.size == 0 else int(bad[0])


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
        return 2
    path, start, n = argv[1], int(argv[2]), int(argv[3])
    key = pat_key(path)
    print(key)
    for v in pat_values(key, start, n):
        print(int(v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
