#!/usr/bin/env bash
# hyperfine.sh [RESULTS_DIR] - times whole h5swmr runs with hyperfine.
#
# Two comparisons of one writer without readers (scenarios/append_fast.ini:
# five float32 channels, H5Dflush after every block), exported as JSON and
# Markdown into RESULTS_DIR (default results/hyperfine-<UTC time>/):
#   writer_mode   SWMR vs HDF5 without SWMR (vs raw pwrite), 200 blocks of 16384 samples
#                 -> writer_mode.json, writer_mode.md
#   block_samples 1024, 16384, 262144 samples per block at a constant payload of
#                 2^22 samples per channel (80 MiB in all), SWMR
#                 -> block_samples.json, block_samples.md
# Each timed run writes a fresh file in a scratch directory (removed before the
# next run and at the end): hyperfine --prepare deletes the previous one.
#
# Environment: H5SWMR_BIN (default build/h5swmr of this source tree),
# H5SWMR_SCENARIO (default scenarios/append_fast.ini), HYPERFINE_RUNS (default 5),
# H5SWMR_SCRATCH (where the data files go; default a new temporary directory).
# Exit status: 0 done, 1 a run or hyperfine failed, 2 bad arguments or setup.
set -euo pipefail

prog=hyperfine.sh
die() { echo "$prog: $2" >&2; exit "$1"; }

if [[ $# -gt 1 || ${1:-} == -* ]]; then
    if [[ ${1:-} == -h || ${1:-} == --help ]]; then
        sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
    fi
    die 2 "usage: hyperfine.sh [RESULTS_DIR]"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bin=${H5SWMR_BIN:-$root/build/h5swmr}
scenario=${H5SWMR_SCENARIO:-$root/scenarios/append_fast.ini}
runs=${HYPERFINE_RUNS:-5}

command -v hyperfine >/dev/null 2>&1 ||
    die 2 "hyperfine not found: install it (Debian: apt-get install hyperfine) and run again"
[[ -x $bin ]] || die 2 "no h5swmr program at '$bin': build it first (ci/build) or set H5SWMR_BIN"
[[ -f $scenario ]] || die 2 "no scenario file '$scenario' (set H5SWMR_SCENARIO)"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die 2 "HYPERFINE_RUNS must be a positive number, not '$runs'"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")

out=${1:-$root/results/hyperfine-$(date -u +%Y%m%dT%H%M%SZ)}
if [[ -e $out && -n $(ls -A "$out" 2>/dev/null) ]]; then
    die 2 "'$out' exists and is not empty; results are never overwritten"
fi
mkdir -p "$out" || die 2 "cannot create '$out'"
out=$(cd "$out" && pwd)

if [[ -n ${H5SWMR_SCRATCH:-} ]]; then
    mkdir -p "$H5SWMR_SCRATCH"
    scratch=$(mktemp -d "$H5SWMR_SCRATCH/h5swmr-hyperfine-XXXXXX")
else
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/h5swmr-hyperfine-XXXXXX")
fi
trap 'rm -rf "$scratch"' EXIT

# Single quotes around paths in the commands hyperfine hands to its shell.
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

run="$(q "$bin") run $(q "$scenario") -o readers=0 -o quiet=true -o duration=0 -o results_dir=$(q "$scratch/r")"
prepare="rm -rf $(q "$scratch/r")"

help=$("$bin" run --help 2>&1 || true)
modes=(swmr)
if grep -q '^ *writer_mode ' <<<"$help"; then
    for m in noswmr raw; do
        grep -A1 '^ *writer_mode ' <<<"$help" | grep -qw "$m" && modes+=("$m")
    done
else
    echo "$prog: note: this h5swmr has no writer_mode key; timing SWMR runs only" >&2
fi

{
    echo "# h5swmr whole-run timings (hyperfine)"
    echo
    echo "- date (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "- program: $bin"
    "$bin" --version | sed 's/^/- /'
    echo "- $(hyperfine --version)"
    echo "- kernel: $(uname -sr), $(nproc) CPUs"
    echo "- scenario: $scenario, readers=0, hyperfine --warmup 1 --runs $runs"
    echo "- scratch directory (file system of the data files): $scratch ($(stat -f -c %T "$scratch"))"
    echo
    echo "writer_mode.md: the same 200 blocks of 16384 samples with each writer mode."
    echo "block_samples.md: 2^22 samples per channel in blocks of 1024, 16384, 262144 samples (SWMR)."
} >"$out/README.md"

echo "$prog: results in $out"

cmds=()
for m in "${modes[@]}"; do
    cmds+=(-n "$m" "$run -o max_blocks=200 -o block_samples=16384 -o writer_mode=$m")
done
if [[ ${#modes[@]} -eq 1 ]]; then
    # no writer_mode key: do not pass it
    cmds=(-n swmr "$run -o max_blocks=200 -o block_samples=16384")
fi
hyperfine --warmup 1 --runs "$runs" --prepare "$prepare" \
    --export-json "$out/writer_mode.json" --export-markdown "$out/writer_mode.md" \
    "${cmds[@]}" || die 1 "hyperfine failed on the writer_mode comparison"

# Constant payload: max_blocks = 2^22 / block_samples (sh arithmetic in hyperfine's shell).
hyperfine --warmup 1 --runs "$runs" --prepare "$prepare" \
    --parameter-list block_samples 1024,16384,262144 \
    --export-json "$out/block_samples.json" --export-markdown "$out/block_samples.md" \
    -n "block_samples={block_samples}" \
    "$run -o block_samples={block_samples} -o max_blocks=\$((4194304 / {block_samples}))" ||
    die 1 "hyperfine failed on the block_samples comparison"

echo "$prog: wrote $out/writer_mode.{json,md} and $out/block_samples.{json,md}"
