#!/usr/bin/env bash
# plot.sh RESULTS_DIR - PNG and SVG plots of the h5swmr CSV files in RESULTS_DIR.
#
# Reads what is there and plots it next to the CSV files (an existing plot is
# replaced: a PNG, or an SVG gnuplot made, of the same name; any other file of
# that name is left alone and that plot fails; CSV files are never touched):
#   flushcost.csv  (h5swmr flushcost --csv)  -> flushcost.{png,svg}        per-dataset flush cost vs N
#                                            -> flushcost_round.{png,svg}  round flush time vs N
#   sweep.csv      (h5swmr sweep)            -> lag_vs_flush.{png,svg}     lag p50/p99 vs flush interval
#                                            -> throughput_vs_block.{png,svg}  SWMR, non-SWMR, raw pwrite
#                                            -> flush_latency.{png,svg}    flush p50/p90/p99/p99.9 vs block
#                                            -> flush_vs_channels.{png,svg}  flush time vs channels per flush
#   lag_*.csv      (raw per-event lag logs)  -> lag_cdf.{png,svg}          lag CDF per configuration
# A plot whose CSV is missing or has no usable rows is skipped with a note.
#
# Exit status: 0 at least one plot written and none failed, 1 nothing to plot or
# a plot failed (or gnuplot is missing), 2 bad arguments.
set -u -o pipefail

prog=plot.sh
usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

if [[ $# -ne 1 || $1 == -* ]]; then
    if [[ $# -eq 1 && ($1 == -h || $1 == --help) ]]; then
        usage
        exit 0
    fi
    echo "$prog: usage: plot.sh RESULTS_DIR" >&2
    exit 2
fi
results=$1
[[ $results != / ]] && results=${results%/}
if [[ ! -d $results ]]; then
    echo "$prog: '$results' is not a directory" >&2
    exit 2
fi
if [[ ! -w $results ]]; then
    echo "$prog: '$results' is not writable (plots are written next to the CSV files)" >&2
    exit 2
fi
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "$prog: gnuplot not found: install it (Debian: apt-get install gnuplot-nox) and run again" >&2
    exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/h5swmr-plot-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# pngcairo draws better (antialiasing, UTF-8); the libgd png terminal is the fallback.
if gnuplot -e 'set terminal pngcairo' </dev/null >/dev/null 2>&1; then
    pngterm=pngcairo
else
    pngterm=png
fi

written=0 skipped=0 failed=0

note() { echo "  skip $1: $2"; skipped=$((skipped + 1)); }

# prep NAME MODE FILE... : runs prep.awk into $work/NAME; prints nothing, returns
# 0 when there are series to plot, 1 (with a note) when there are none. The note
# names $plots when set (the plots made from this data), else NAME.
prep() {
    local name=$1 mode=$2
    shift 2
    local d=$work/$name
    mkdir -p "$d"
    local res
    if ! res=$(awk -v mode="$mode" -v out="$d" -v sweep="${sweep_csv:-}" -f "$here/prep.awk" "$@" 2>&1); then
        echo "  FAILED $name: reading $* failed: $res" >&2
        failed=$((failed + 1))
        return 1
    fi
    if [[ ${res%% *} == 0 ]]; then
        note "${plots:-$name}" "${res#0 }"
        return 1
    fi
    # series files: header line, then the rows sorted by x
    local raw
    for raw in "$d"/*.raw; do
        [[ -e $raw ]] || continue
        if [[ $mode == lagcdf ]]; then
            # CDF: sorted lags, fraction seen; at most ~2000 points per line
            local n
            n=$(wc -l <"$raw")
            { cat "${raw%.raw}.hdr"
              LC_ALL=C sort -g "$raw" | awk -v n="$n" 'BEGIN { step = int(n / 2000); if (step < 1) step = 1 }
                  NR == 1 || NR == n || NR % step == 0 { printf "%s\t%.6f\n", $1, NR / n }'
            } >"${raw%.raw}.cdf"
        else
            { cat "${raw%.raw}.hdr"; LC_ALL=C sort -g -k1,1 "$raw"; } >"${raw%.raw}.dat"
        fi
    done
    return 0
}

# replaceable FILE : true if FILE is absent or is a plot this script may have
# written before (a regular file: a PNG image, or an SVG that gnuplot produced).
replaceable() {
    local f=$1
    [[ ! -e $f && ! -L $f ]] && return 0
    [[ -f $f && ! -L $f ]] || return 1
    case $f in
    *.png) [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ;;
    *.svg) head -c 4096 "$f" | grep -q 'Produced by GNUPLOT' ;;
    *) return 1 ;;
    esac
}

# draw NAME SCRIPT : runs bench/SCRIPT on $work/NAME, moves NAME.png/.svg into results.
draw() {
    local name=$1 script=$2 d=$work/$1 log t
    for t in "$results/$name.png" "$results/$name.svg"; do
        if ! replaceable "$t"; then
            echo "  FAILED $name: not replacing $t: it is not a plot (PNG, or SVG made by gnuplot)" >&2
            failed=$((failed + 1))
            return
        fi
    done
    if ! log=$(cd "$here" && gnuplot -e "dir='$d'; out='$d/$name'; pngterm='$pngterm'" "$script" 2>&1 </dev/null); then
        echo "  FAILED $name: gnuplot $script: $log" >&2
        failed=$((failed + 1))
        return
    fi
    if [[ ! -s $d/$name.png || ! -s $d/$name.svg ]]; then
        echo "  FAILED $name: gnuplot wrote no output${log:+: $log}" >&2
        failed=$((failed + 1))
        return
    fi
    mv -f "$d/$name.png" "$d/$name.svg" "$results/" || { failed=$((failed + 1)); return; }
    echo "  wrote $results/$name.png and .svg"
    written=$((written + 1))
}

echo "$prog: plotting $results (gnuplot terminal $pngterm and svg)"

if [[ -f $results/flushcost.csv ]]; then
    if plots="flushcost, flushcost_round" prep flushcost flushcost "$results/flushcost.csv"; then
        draw flushcost flushcost.gp
        mkdir -p "$work/flushcost_round" && cp "$work"/flushcost/* "$work/flushcost_round/"
        draw flushcost_round flushcost_round.gp
    fi
else
    note "flushcost, flushcost_round" "no flushcost.csv (h5swmr flushcost --csv $results/flushcost.csv)"
fi

sweep_csv=
if [[ -f $results/sweep.csv ]]; then
    sweep_csv=$results/sweep.csv
    prep lag_vs_flush lagflush "$sweep_csv" && draw lag_vs_flush lag_vs_flush.gp
    prep throughput_vs_block throughput "$sweep_csv" && draw throughput_vs_block throughput.gp
    prep flush_latency flushlat "$sweep_csv" && draw flush_latency flush_latency.gp
    prep flush_vs_channels flushchan "$sweep_csv" && draw flush_vs_channels flush_vs_channels.gp
else
    note "lag_vs_flush, throughput_vs_block, flush_latency, flush_vs_channels" "no sweep.csv (written by h5swmr sweep)"
fi

shopt -s nullglob
lagfiles=()
for f in "$results"/lag_*.csv; do
    # only regular files: a FIFO or device named like a lag log is never read (it would block)
    [[ -f $f && ! -L $f ]] && lagfiles+=("$f")
done
shopt -u nullglob
if [[ ${#lagfiles[@]} -gt 0 ]]; then
    prep lag_cdf lagcdf "${lagfiles[@]}" && draw lag_cdf lag_cdf.gp
else
    note lag_cdf "no lag_*.csv (raw per-event lag logs)"
fi

if [[ $failed -gt 0 ]]; then
    echo "$prog: $written plot(s) written, $failed failed" >&2
    exit 1
fi
if [[ $written -eq 0 ]]; then
    echo "$prog: nothing to plot in $results: none of flushcost.csv, sweep.csv, lag_*.csv has usable rows" >&2
    exit 1
fi
echo "$prog: $written plot(s) written, $skipped skipped"
exit 0
