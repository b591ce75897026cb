#!/usr/bin/env bash
# hyperfine.sh [RESULTS_DIR] - times whole h5swmr runs with hyperfine.
#
# Two comparisons of one writer without readers (scenarios/append_fast.ini:
# five float32 channels, H5Dflush after every block), exported as JSON and
# Markdown into RESULTS_DIR (default results/hyperfine-<UTC time>/):
#   writer_mode   SWMR vs HDF5 without SWMR vs raw pwrite, 200 blocks of 16384 samples,
#                 equal work: -o finalize=false -o verify_file=false -o summary_upkeep=false
#                 (no finalizer, no read-back, no in-place summary table updates), plus
#                 swmr+finalizer (the finalizer rebuilds channel_summary, no read-back) and
#                 swmr+upkeep+verify (h5swmr run's defaults), labelled with what they add
#                 -> writer_mode.json, writer_mode.md
#   block_samples 1024, 16384, 262144 samples per block at a constant payload of
#                 2^22 samples per channel (80 MiB in all), SWMR, the same equal-work options
#                 -> block_samples.json, block_samples.md
# Each timed run writes a fresh file in a scratch directory: hyperfine --prepare
# deletes the previous run's, and the scratch directory is removed at the end
# (also on failure or Ctrl-C), so at most one run's data is on disk at a time.
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
        sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
    mkdir -p "$H5SWMR_SCRATCH" || die 2 "cannot create H5SWMR_SCRATCH '$H5SWMR_SCRATCH'"
    scratch=$(mktemp -d "$H5SWMR_SCRATCH/h5swmr-hyperfine-XXXXXX") || die 2 "cannot create a scratch directory in '$H5SWMR_SCRATCH'"
else
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/h5swmr-hyperfine-XXXXXX") || die 2 "cannot create a scratch directory"
fi
# the data files go whatever happens; the JSON and Markdown stay
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Single quotes around paths in the commands hyperfine hands to its shell.
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

run="$(q "$bin") run $(q "$scenario") -o readers=0 -o quiet=true -o duration=0 -o results_dir=$(q "$scratch/r")"
prepare="rm -rf $(q "$scratch/r")"
# Equal work in every mode: only a SWMR run gets the finalizer (which reopens
# the file without SWMR, reads every sample back and rebuilds channel_summary)
# and in-place summary table updates at each flush; these turn both off.
equal="-o finalize=false -o verify_file=false -o summary_upkeep=false"

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
    echo "- equal work: every run but the labelled extra SWMR rows has $equal"
    echo
    echo "writer_mode.md: the same 200 blocks of 16384 samples with each writer mode; its last column says"
    echo "what each timed run does (rows that do more than the others say what they add)."
    echo "block_samples.md: 2^22 samples per channel in blocks of 1024, 16384, 262144 samples (SWMR, equal work)."
} >"$out/README.md"

# What each writer_mode row's timed run does, beside its figures.
work_swmr="HDF5 in SWMR mode: appends, H5Dflush per block, close"
work_noswmr="HDF5 without SWMR: the same appends and flushes, close (which rebuilds channel_summary, as MTH5 does)"
work_raw="pwrite of the same bytes, no HDF5"
work_fin="as swmr, plus the finalizer: a second process reopens the file without SWMR and rebuilds channel_summary (no read-back): the same finished file as noswmr"
work_def="h5swmr run's defaults: as swmr+finalizer, plus channel_summary updated in place at every flush and the finalizer reading every sample back: not equal work"

# annotate MD: adds a "Work" column to hyperfine's Markdown table, by row name.
annotate() {
    local md=$1 tmp
    tmp=$(mktemp "$md.XXXXXX") && chmod --reference="$md" "$tmp" || return 1
    awk -v swmr="$work_swmr" -v noswmr="$work_noswmr" -v raw="$work_raw" -v fin="$work_fin" -v def="$work_def" \
        -v equal="$equal" '
        BEGIN { w["swmr"] = swmr; w["noswmr"] = noswmr; w["raw"] = raw
                w["swmr+finalizer"] = fin; w["swmr+upkeep+verify"] = def }
        /^\| *Command *\|/ { print $0 " Work in the timed run |"; next }
        /^\|:?-+/ { print $0 ":---|"; next }
        /^\|/ { name = $0; sub(/^\| *`/, "", name); sub(/`.*/, "", name)
                print $0 " " ((name in w) ? w[name] : "") " |"; next }
        { print }
        END { print ""; print "Rows swmr, noswmr and raw do equal work (`" equal "`);" \
              " swmr+finalizer and swmr+upkeep+verify add what their Work column says." }' "$md" >"$tmp" &&
        mv "$tmp" "$md"
}

echo "$prog: results in $out"

blocks="-o max_blocks=200 -o block_samples=16384"
cmds=()
for m in "${modes[@]}"; do
    cmds+=(-n "$m" "$run $blocks $equal -o writer_mode=$m")
done
if [[ ${#modes[@]} -eq 1 ]]; then
    # no writer_mode key: do not pass it
    cmds=(-n swmr "$run $blocks $equal")
fi
cmds+=(-n swmr+finalizer "$run $blocks -o finalize=true -o verify_file=false -o summary_upkeep=false")
cmds+=(-n swmr+upkeep+verify "$run $blocks -o finalize=true -o verify_file=true -o summary_upkeep=true")
hyperfine --warmup 1 --runs "$runs" --prepare "$prepare" \
    --export-json "$out/writer_mode.json" --export-markdown "$out/writer_mode.md" \
    "${cmds[@]}" || die 1 "hyperfine failed on the writer_mode comparison"
annotate "$out/writer_mode.md" || die 1 "cannot annotate $out/writer_mode.md"

# Constant payload: max_blocks = 2^22 / block_samples (sh arithmetic in hyperfine's shell).
hyperfine --warmup 1 --runs "$runs" --prepare "$prepare" \
    --parameter-list block_samples 1024,16384,262144 \
    --export-json "$out/block_samples.json" --export-markdown "$out/block_samples.md" \
    -n "block_samples={block_samples}" \
    "$run $equal -o block_samples={block_samples} -o max_blocks=\$((4194304 / {block_samples}))" ||
    die 1 "hyperfine failed on the block_samples comparison"
{
    echo
    echo "Every run: SWMR, 2^22 samples per channel, with \`$equal\` (the writer alone, as in writer_mode.md's swmr row)."
} >>"$out/block_samples.md"

echo "$prog: wrote $out/writer_mode.{json,md} and $out/block_samples.{json,md}"
