#!/usr/bin/env bash
# How much the regression gate's verdicts can be trusted on this machine:
#
#   bench/gate-series.sh clean [N]          N (default 10) consecutive runs of ci/regress, each in a
#                                           fresh clone of this repository's HEAD built from scratch:
#                                           how many fail on an unchanged tree (should be 0)
#   bench/gate-series.sh slow PCT... [-n N] N runs of the gate (h5swmr gate --run scenarios/regress.ini)
#                                           per slowdown of the SWMR write path (-o slow_writer_pct=PCT):
#                                           how many catch it
#
# Prints one line per run and a table of counts at the end; everything goes to
# results/gate-series-<UTC time>/ (the clones are removed after their run, the
# data files of passed runs are deleted by the sweeps themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-}
[ -n "$what" ] && shift || true
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$top/results/gate-series-$stamp"

verdict() { # the gate's closing line, shortened
  sed -n 's/^gate: \([0-9]*\) figures judged: \(.*\)$/\2/p' "$1" | tail -n 1
}

case "$what" in
  clean)
    n=${1:-10}
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "gate-series: N must be a positive whole number, not '$n'" >&2; exit 2; }
    mkdir -p "$out"
    fails=0 incon=0
    for i in $(seq 1 "$n"); do
      clone="$out/clone-$i"
      git clone -q "$top" "$clone"
      (cd "$clone" && ci/build) > "$out/build-$i.log" 2>&1 || { echo "gate-series: build $i failed" >&2; exit 1; }
      rc=0
      (cd "$clone" && H5SWMR_REGRESS_DIR="$out/regress-$i" ci/regress) > "$out/regress-$i.log" 2>&1 || rc=$?
      v=$(verdict "$out/regress-$i/gate.txt" 2>/dev/null || true)
      [ "$rc" -ne 0 ] && fails=$((fails + 1))
      case "$v" in *" 0 inconclusive"*|"") ;; *) incon=$((incon + 1)) ;; esac
      printf 'run %2d: ci/regress exit %d; %s\n' "$i" "$rc" "${v:-no verdict}"
      rm -rf "$clone"
    done
    printf '\nclean tree, %d runs of ci/regress from fresh clones: %d failed, %d with inconclusive figures\n' \
      "$n" "$fails" "$incon" | tee "$out/summary.txt"
    [ "$fails" -eq 0 ]
    ;;
  slow)
    n=10 pcts=()
    while [ $# -gt 0 ]; do
      case "$1" in
        -n) n=${2:-}; shift 2 || { echo "gate-series: -n needs a number" >&2; exit 2; } ;;
        *) pcts+=("$1"); shift ;;
      esac
    done
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "gate-series: -n must be a positive whole number, not '$n'" >&2; exit 2; }
    [ ${#pcts[@]} -gt 0 ] || { echo "gate-series: slow needs one or more percentages, e.g. slow 100 25" >&2; exit 2; }
    for p in "${pcts[@]}"; do
      [[ "$p" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "gate-series: '$p' is not a percentage" >&2; exit 2; }
    done
    bin=${H5SWMR_BIN:-build/h5swmr}
    [ -x "$bin" ] || { echo "gate-series: $bin not found: run ci/build first" >&2; exit 2; }
    mkdir -p "$out"
    summary=()
    for p in "${pcts[@]}"; do
      caught=0 incon=0
      for i in $(seq 1 "$n"); do
        rc=0
        "$bin" gate --baseline results/baseline/sweep.json --run scenarios/regress.ini --budget 240 \
          --out "$out/slow$p-$i" -o "slow_writer_pct=$p" > "$out/slow$p-$i.txt" 2>&1 || rc=$?
        v=$(verdict "$out/slow$p-$i.txt")
        [ "$rc" -eq 1 ] && caught=$((caught + 1))
        case "$v" in *" 0 inconclusive"*|"") ;; *) incon=$((incon + 1)) ;; esac
        printf 'slow_writer_pct=%s run %2d: gate exit %d; %s\n' "$p" "$i" "$rc" "${v:-no verdict}"
      done
      summary+=("$(printf 'SWMR write path %s%% slower: caught in %d of %d runs (%d with inconclusive figures)' \
        "$p" "$caught" "$n" "$incon")")
    done
    printf '\n' | tee "$out/summary.txt"
    printf '%s\n' "${summary[@]}" | tee -a "$out/summary.txt"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    [ "$what" = "-h" ] || [ "$what" = "--help" ] || exit 2
    ;;
esac
