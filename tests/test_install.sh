#!/usr/bin/env bash
# test_install.sh - the installed program works with its source tree gone.
#
#   test_install.sh CMAKE BUILD_DIR SOURCE_DIR
#
# Installs the build tree into a scratch prefix (cmake --install), then, in a
# private mount namespace with an empty tmpfs over the source tree (so that
# the program's compiled-in source path leads nowhere), runs the installed
# h5swmr from another working directory: check (--list, and two cases, which
# must use the installed expectation file), a short sweep of a scenario
# written here (no readers, a few blocks) and plot on its results directory
# (which must find the installed gnuplot scripts). Exit 0 when all of that
# holds, 1 naming every part that failed, 77 (skipped) when a private mount
# namespace cannot be made (not root, or no unshare).
set -u

if [ "${1:-}" = "--inside" ]; then
    shift
    inside=1
else
    inside=0
fi
if [ $# -ne 3 ]; then
    echo "usage: $0 CMAKE BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
cmake=$1
build=$(cd "$2" && pwd -P)
src=$(cd "$3" && pwd -P)
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# Runs the installed program with its arguments, its output in $out, and
# returns its exit status.
h5() {
    out=$("$prefix/bin/h5swmr" "$@" 2>&1)
}

# The part that runs with the source tree hidden: every check of the
# installed program, from a working directory of its own.
inside() {
    mount --make-rprivate / 2>/dev/null
    if ! mount -t tmpfs -o size=1m tmpfs "$src"; then
        echo "SKIP: cannot mount a tmpfs over $src"
        exit 77
    fi
    [ -e "$src/scenarios" ] && { echo "FAIL: the source tree is still visible"; exit 1; }
    unset H5SWMR_DATA_DIR H5SWMR_BENCH_DIR
    mkdir -p "$scratch/work" "$scratch/check" && cd "$scratch/work" || exit 1

    # check: the list, and two cases judged against the installed expectations
    h5 check --list || fail "check --list exited $?: $out"
    grep -q swmr_with_w_refused <<<"$out" || fail "check --list does not list swmr_with_w_refused: $out"
    h5 check --dir "$scratch/check" --case swmr_with_w_refused --case hdf5_swmr_open_missing ||
        fail "check --case exited $?: $out"
    h5 --version
    mm=$(sed -n 's/^HDF5 \([0-9]*\.[0-9]*\)\..*/\1/p' <<<"$out" | head -n 1)
    expect="$prefix/share/h5swmr/scenarios/expect/hdf5-$mm.expect"
    if [ -f "$expect" ]; then
        h5 check --dir "$scratch/check" --case swmr_with_w_refused
        grep -qF "expectations: $expect" <<<"$out" ||
            fail "check did not use the installed $expect: $(grep expectations: <<<"$out")"
    else
        echo "note: no shipped expectation file for HDF5 $mm: check uses its built-in expectations"
    fi

    # a short sweep (no readers, a few blocks), then plot on its results
    cat >tiny.ini <<'INI'
[tiny]
readers = 0
max_blocks = 4
duration = 0
realtime = false
channels = ex
baselines = false
sweep = block_samples=64,128
INI
    h5 sweep tiny.ini --no-plot -o results_dir="$scratch/results" || fail "sweep exited $?: $out"
    dir=$(ls -d "$scratch"/results/tiny-sweep-* 2>/dev/null | head -n 1)
    if [ -z "$dir" ] || [ ! -f "$dir/sweep.csv" ]; then
        fail "the sweep left no sweep.csv under $scratch/results: $out"
    elif ! command -v gnuplot >/dev/null; then
        echo "note: no gnuplot: plot not tried"
    else
        h5 plot "$dir" || fail "plot exited $?: $out"
        [ -f "$dir/throughput_vs_block.png" ] || fail "plot wrote no throughput_vs_block.png in $dir: $out"
    fi
    # an external reader: the installed h5py client (share/h5swmr/harness/clients)
    if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
        h5 run tiny.ini -o readers=1 -o reader_kind=h5py -o max_blocks=0 -o duration=1 -o sample_rate=1000 \
            -o block_samples=100 -o realtime=true -o quiet=true -o results_dir="$scratch/runs" ||
            fail "a run with an h5py reader exited $?: $out"
        grep -q "h5py .*samples verified" <<<"$out" || fail "the h5py reader verified nothing: $out"
    else
        echo "note: /usr/bin/python3 has no h5py: the installed h5py client not tried"
    fi
    [ "$failures" -eq 0 ] || exit 1
    echo "ok: the installed h5swmr ran check, sweep, plot and an h5py reader without its source tree"
    exit 0
}

if [ "$inside" = 1 ]; then
    scratch=$SCRATCH
    prefix=$scratch/prefix
    inside
fi

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
    echo "SKIP: a private mount namespace (unshare -m, as root) is needed to hide the source tree"
    exit 77
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/h5swmr-install.XXXXXX") || exit 1
scratch=$(cd "$scratch" && pwd -P)
trap 'rm -rf "$scratch"' EXIT
case "$scratch/" in
"$src"/*)
    echo "SKIP: the scratch directory $scratch is inside the source tree"
    exit 77
    ;;
esac
prefix=$scratch/prefix
if ! "$cmake" --install "$build" --prefix "$prefix" >"$scratch/install.log" 2>&1; then
    cat "$scratch/install.log"
    echo "FAIL: cmake --install $build"
    exit 1
fi
for f in bin/h5swmr share/h5swmr/scenarios/mth5_concurrent.ini share/h5swmr/bench/lag_cdf.gp \
         share/h5swmr/harness/clients/h5py_reader.py share/h5swmr/harness/clients/h5swmr_pattern.py; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done
ls "$prefix"/share/h5swmr/scenarios/expect/*.expect >/dev/null 2>&1 || fail "no expectation file installed"
[ "$failures" -eq 0 ] || exit 1
SCRATCH=$scratch unshare -m bash "$0" --inside "$cmake" "$build" "$src"
exit $?
