#!/usr/bin/env bash
# Tests of the HDF5 version matrix scripts without building or running HDF5:
# ci/matrix-table on fabricated result sets (two that differ, two that agree
# within noise, boundaries, missing values, bad input), its --from-* readers on
# fabricated TAP, flushcost JSON and summary.json, its --result assembly of a
# version's result file, and ci/hdf5-build's
# derivation of private deb-src lines from fabricated apt sources.
# Prints one line per check and 'N passed, N failed'; exit 1 on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
table=("$py" "$top/ci/matrix-table")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/h5swmr-matrix-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"; }
# mark_of CSV KEY: the mark column of KEY's row in a matrix CSV
mark_of() { "$py" - "$1" "$2" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["key"] == sys.argv[2]:
        print(r["mark"]); break
else:
    print("NOROW")
EOF
}
expect_mark() { # expect_mark CSV KEY MARK what
  local got; got=$(mark_of "$1" "$2")
  if [ "$got" = "$3" ]; then ok "$4"; else bad "$4" "row $2: mark '$got', expected '$3'"; fi
}

# ---- two fabricated result sets that differ ------------------------------------
mkdir -p "$tmp/a" "$tmp/b" "$tmp/c" "$tmp/d"
cat >"$tmp/a/result.csv" <<'EOF'
key,value
version,1.10.8 (system)
info.hdf5_library,/usr/lib/libhdf5_serial.so.103
check.verdict,green
check.as_expected,21/21
flushcost.dflush.n1000.round_ms,180
flushcost.fflush.n1000.round_ms,19
flushcost.dflush.exponent_top,1.9
flushcost.dflush.class,quadratic
flushcost.fflush.exponent_top,1.1
flushcost.cheaper_call,fflush
append.1KiB.append_p50_us,20
lag.busy.p50_us,5
check.case.reader_open_race,observed:open-refused-truncated
check.case.writer_with_a,pass
only.in.first,x
EOF
cat >"$tmp/b/result.csv" <<'EOF'
key,value
version,1.14.6
info.hdf5_library,/cache/hdf5-1.14.6/lib/libhdf5.so.310
check.verdict,green
check.as_expected,21/21
flushcost.dflush.n1000.round_ms,12
flushcost.fflush.n1000.round_ms,19.5
flushcost.dflush.exponent_top,1.05
flushcost.dflush.class,linear
flushcost.fflush.exponent_top,1.2
flushcost.cheaper_call,dflush
append.1KiB.append_p50_us,16
lag.busy.p50_us,-1
check.case.reader_open_race,observed:opens-ok
check.case.writer_with_a,pass
only.in.second,"quoted, with a comma"
EOF
if out=$("${table[@]}" --md "$tmp/ab.md" --csv "$tmp/ab.csv" "$tmp/a/result.csv" "$tmp/b/result.csv" 2>&1); then
  ok "matrix-table runs on two result sets"
else
  bad "matrix-table runs on two result sets" "$out"
fi
expect_mark "$tmp/ab.csv" flushcost.dflush.n1000.round_ms "~" "a timing 15x apart is marked ~ (the H5Dflush scaling difference)"
expect_mark "$tmp/ab.csv" flushcost.fflush.n1000.round_ms "" "a timing 1.03x apart is not marked"
expect_mark "$tmp/ab.csv" flushcost.dflush.exponent_top "^" "exponents 0.85 apart are marked ^"
expect_mark "$tmp/ab.csv" flushcost.fflush.exponent_top "" "exponents 0.1 apart are not marked"
expect_mark "$tmp/ab.csv" flushcost.cheaper_call "!" "a differing outcome (the cheaper flush call) is marked !"
expect_mark "$tmp/ab.csv" flushcost.dflush.class "" "a growth class is information (its exponent is compared): not marked"
expect_mark "$tmp/ab.csv" check.case.reader_open_race "!" "a differing conformance outcome is marked !"
expect_mark "$tmp/ab.csv" check.case.writer_with_a "" "an equal conformance outcome is not marked"
expect_mark "$tmp/ab.csv" check.verdict "" "both green: the verdict row is not marked"
expect_mark "$tmp/ab.csv" info.hdf5_library "" "info rows are never marked"
expect_mark "$tmp/ab.csv" append.1KiB.append_p50_us "" "20 vs 16 us (x1.25) is noise"
expect_mark "$tmp/ab.csv" lag.busy.p50_us "" "a non-positive lag gives no ratio and no mark"
expect_mark "$tmp/ab.csv" only.in.first "?" "a key missing from one version is marked ?"
expect_mark "$tmp/ab.csv" only.in.second "?" "a key only in the second file is marked ? too"
hdr=$(head -n 1 "$tmp/ab.csv")
[ "$hdr" = "key,figure,1.10.8 (system),1.14.6,spread,mark" ] && ok "CSV columns: key, figure, a column per version (named by 'version'), spread, mark" \
  || bad "CSV header" "$hdr"
grep -q '"quoted, with a comma"' "$tmp/ab.csv" && ok "a value with a comma survives into the CSV" || bad "quoted value in CSV" "$(cat "$tmp/ab.csv")"
row=$(grep -F 'H5Dflush each, 1000 datasets: round p50 (ms)' "$tmp/ab.md" || true)
if [[ "$row" == *"| 180 | 12 | x15.00 | **~** |"* ]]; then
  ok "Markdown shows the 1000-dataset H5Dflush row readably: 180 vs 12 ms, x15, marked"
else
  bad "Markdown H5Dflush row" "$row"
fi
grep -q '^Δ marks (6 rows marked)' "$tmp/ab.md" && ok "the legend counts 6 marked rows" || bad "legend count" "$(tail -n 2 "$tmp/ab.md")"
grep -q 'ratio between versions outside \[0.67, 1.50\] (\[0.33, 3.00\] for p99)' "$tmp/ab.md" && ok "the legend states the timing noise bands" || bad "legend band" "$(tail -n 1 "$tmp/ab.md")"
[ "$out" = "$(cat "$tmp/ab.md")" ] && ok "stdout is the Markdown written to --md" || bad "stdout vs --md"
grep -q '^| only.in.second | - | quoted, with a comma |' "$tmp/ab.md" && ok "a missing value shows as '-'" || bad "missing shown as -" "$(grep only.in "$tmp/ab.md")"

# ---- two that agree within noise --------------------------------------------------
cat >"$tmp/c/result.csv" <<'EOF'
key,value
version,run1
check.verdict,green
flushcost.dflush.n1000.round_ms,12
flushcost.dflush.exponent_top,1.00
append.64KiB.throughput_MBps,2000
lag.1ms.p99_us,1100
check.case.reader_open_race,observed:opens-ok
EOF
cat >"$tmp/d/result.csv" <<'EOF'
key,value
version,run2
check.verdict,green
flushcost.dflush.n1000.round_ms,17.9
flushcost.dflush.exponent_top,1.39
append.64KiB.throughput_MBps,1400
lag.1ms.p99_us,1150
check.case.reader_open_race,observed:opens-ok
EOF
"${table[@]}" --csv "$tmp/cd.csv" "$tmp/c/result.csv" "$tmp/d/result.csv" >"$tmp/cd.md" 2>&1 || bad "matrix-table on agreeing sets" "$(cat "$tmp/cd.md")"
marks=$(tail -n +2 "$tmp/cd.csv" | awk -F, '$NF != ""' | wc -l)
[ "$marks" = 0 ] && ok "two sets within noise (x1.49, x1.43, diff 0.39): no row marked" || bad "agreeing sets marked" "$(cat "$tmp/cd.csv")"
grep -q '^Δ marks (0 rows marked)' "$tmp/cd.md" && ok "the legend says 0 rows marked" || bad "legend 0" "$(tail -n 2 "$tmp/cd.md")"

# ---- boundaries and options ---------------------------------------------------------
printf 'key,value\nversion,x\nt_us,100\ne.exponent,1.0\n' >"$tmp/x.csv"
printf 'key,value\nversion,y\nt_us,150\ne.exponent,1.4\n' >"$tmp/y.csv"
printf 'key,value\nversion,z\nt_us,150.5\ne.exponent,1.41\n' >"$tmp/z.csv"
"${table[@]}" --csv "$tmp/xy.csv" "$tmp/x.csv" "$tmp/y.csv" >/dev/null
expect_mark "$tmp/xy.csv" t_us "" "ratio exactly 1.5 is inside the band"
expect_mark "$tmp/xy.csv" e.exponent "" "exponent difference exactly 0.4 is not marked"
"${table[@]}" --csv "$tmp/xz.csv" "$tmp/x.csv" "$tmp/z.csv" >/dev/null
expect_mark "$tmp/xz.csv" t_us "~" "ratio 1.505 is outside the band"
expect_mark "$tmp/xz.csv" e.exponent "^" "exponent difference 0.41 is marked"
"${table[@]}" --ratio 2 --exp-diff 0.5 --csv "$tmp/xz2.csv" "$tmp/x.csv" "$tmp/z.csv" >/dev/null
expect_mark "$tmp/xz2.csv" t_us "" "--ratio 2 widens the band"
expect_mark "$tmp/xz2.csv" e.exponent "" "--exp-diff 0.5 widens the exponent tolerance"
"${table[@]}" --csv "$tmp/xyz.csv" "$tmp/x.csv" "$tmp/y.csv" "$tmp/z.csv" >/dev/null
h=$(head -n 1 "$tmp/xyz.csv")
[ "$h" = "key,figure,x,y,z,spread,mark" ] && ok "three versions give three columns" || bad "three columns" "$h"
expect_mark "$tmp/xyz.csv" t_us "~" "with three versions the spread is max/min over all of them"
printf 'key,value\nversion,x\nlag.busy.p99_us,800\nlag.busy.p50_us,30\n' >"$tmp/t1.csv"
printf 'key,value\nversion,y\nlag.busy.p99_us,1900\nlag.busy.p50_us,46\n' >"$tmp/t2.csv"
printf 'key,value\nversion,z\nlag.busy.p99_us,2500\nlag.busy.p50_us,30\n' >"$tmp/t3.csv"
"${table[@]}" --csv "$tmp/t12.csv" "$tmp/t1.csv" "$tmp/t2.csv" >/dev/null
expect_mark "$tmp/t12.csv" lag.busy.p99_us "" "a p99 2.4x apart is within the tail band (3)"
expect_mark "$tmp/t12.csv" lag.busy.p50_us "~" "a p50 1.53x apart is marked"
"${table[@]}" --csv "$tmp/t13.csv" "$tmp/t1.csv" "$tmp/t3.csv" >/dev/null
expect_mark "$tmp/t13.csv" lag.busy.p99_us "~" "a p99 3.1x apart is marked"
"${table[@]}" --tail-ratio 4 --csv "$tmp/t13b.csv" "$tmp/t1.csv" "$tmp/t3.csv" >/dev/null
expect_mark "$tmp/t13b.csv" lag.busy.p99_us "" "--tail-ratio 4 widens the tail band"
"${table[@]}" --csv "$tmp/one.csv" "$tmp/x.csv" >/dev/null
expect_mark "$tmp/one.csv" t_us "" "a single version marks nothing"

# ---- bad input ------------------------------------------------------------------------
printf 'name,val\na,1\n' >"$tmp/nohdr.csv"
"${table[@]}" "$tmp/nohdr.csv" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q "first line must be 'key,value'" "$tmp/err" && ok "a file without the key,value header: exit 2 with a message" \
  || bad "bad header" "rc=$rc $(cat "$tmp/err")"
printf 'key,value\na,1,2\n' >"$tmp/three.csv"
"${table[@]}" "$tmp/three.csv" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q 'three.csv:2:' "$tmp/err" && ok "a line with three fields: exit 2 naming file:line" || bad "three fields" "rc=$rc $(cat "$tmp/err")"
"${table[@]}" "$tmp/none.csv" >/dev/null 2>&1; [ $? = 2 ] && ok "a missing file: exit 2" || bad "missing file"
"${table[@]}" >/dev/null 2>&1; [ $? = 2 ] && ok "no files: exit 2" || bad "no files"
"${table[@]}" --ratio 0.5 "$tmp/x.csv" >/dev/null 2>&1; [ $? = 2 ] && ok "--ratio must be > 1" || bad "--ratio 0.5 accepted"

# ---- readers of what h5swmr writes ----------------------------------------------------
cat >"$tmp/check.tap" <<'EOF'
TAP version 13
# h5swmr 0.1.0, HDF5 1.14.6, data directory /tmp/x (ext4), expectations /x/hdf5-1.14.expect
1..3
ok 1 - writer_with_a # pass
  ---
  group: guide
  expected: "pass"
  seen: "pass"
  ...
not ok 2 - reader_open_race # expected observed:open-refused-truncated, seen observed:opens-ok
  ---
  group: hdf5
  expected: "observed:open-refused-truncated"
  seen: "observed:opens-ok"
  detail: "26705 opens, none refused"
  ...
ok 3 - file_locking_env # observed:plain-reader-flags,writer2-flags,early-reader-flags
  ---
  seen: "observed:plain-reader-flags,writer2-flags,early-reader-flags"
  ...
# 3 cases: 2 as expected, 1 differs (1.0 s)
EOF
got=$("${table[@]}" --from-tap "$tmp/check.tap")
want='check.as_expected,2/3
check.case.writer_with_a,pass
check.case.reader_open_race,observed:opens-ok (expected observed:open-refused-truncated)
check.case.file_locking_env,"observed:plain-reader-flags,writer2-flags,early-reader-flags"'
[ "$got" = "$want" ] && ok "--from-tap: counts, the outcome seen per case, the expected one where they differ" || bad "--from-tap" "$got"

cat >"$tmp/flushcost.json" <<'EOF'
{"schema_version": 1, "command": "flushcost",
 "rows": [
  {"n_datasets": 1, "flush_call": "dflush", "round_p50_us": 8.0},
  {"n_datasets": 1000, "flush_call": "dflush", "round_p50_us": 180000.0},
  {"n_datasets": 1, "flush_call": "fflush", "round_p50_us": 9.0},
  {"n_datasets": 1000, "flush_call": "fflush", "round_p50_us": 19000.0}],
 "exponents": [
  {"flush_call": "dflush", "exponent": 1.52, "exponent_largest_counts": 1.93, "class": "quadratic"},
  {"flush_call": "fflush", "exponent": 1.07, "exponent_largest_counts": 1.2, "class": "linear"}],
 "recommendation": {"cheaper_call": "fflush"}}
EOF
got=$("${table[@]}" --from-flushcost "$tmp/flushcost.json" head)
want='flushcost.dflush.n1000.round_ms,180
flushcost.fflush.n1000.round_ms,19
flushcost.dflush.exponent_top,1.9300
flushcost.dflush.class,quadratic
flushcost.fflush.exponent_top,1.2000
flushcost.fflush.class,linear
flushcost.cheaper_call,fflush'
[ "$got" = "$want" ] && ok "--from-flushcost head: the largest count in ms, exponents, classes" || bad "--from-flushcost head" "$got"
got=$("${table[@]}" --from-flushcost "$tmp/flushcost.json" detail)
want='flushcost.dflush.exponent,1.5200
flushcost.fflush.exponent,1.0700
flushcost.dflush.n1.round_us,8
flushcost.dflush.n1000.round_us,180000
flushcost.fflush.n1.round_us,9
flushcost.fflush.n1000.round_us,19000'
[ "$got" = "$want" ] && ok "--from-flushcost detail: overall exponents, every round p50 in us" || bad "--from-flushcost detail" "$got"
got=$("${table[@]}" --from-flushcost "$tmp/absent.json" head)
[[ "$got" == "flushcost.result,no result ("*"absent.json"* ]] && ok "--from-flushcost on a missing file: a 'no result' row, not a crash" || bad "flushcost missing" "$got"

mk_summary() { # mk_summary FILE EXIT APPEND_P50 FLUSH_P50 LAG_P50
  cat >"$1" <<EOF
{"run": {"exit_code": $2, "problem": ""},
 "processes": [
  {"role": "writer", "append_latency": {"p50_us": $3}, "flush_latency": {"p50_us": $4}, "throughput_MBps": 100},
  {"role": "reader", "visibility_lag": {"p50_us": $5, "p99_us": 20}, "idle_poll_cost": {"p50_us": 7}}]}
EOF
}
mk_summary "$tmp/s1.json" 0 10 100 4
mk_summary "$tmp/s2.json" 0 30 300 6
mk_summary "$tmp/s3.json" 0 20 200 5
got=$("${table[@]}" --from-runs append.1KiB writer "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json")
want='append.1KiB.result,OK
append.1KiB.append_p50_us,20
append.1KiB.flush_p50_us,200
append.1KiB.append_flush_p50_us,220
append.1KiB.throughput_MBps,100'
[ "$got" = "$want" ] && ok "--from-runs writer: medians of three runs" || bad "--from-runs writer" "$got"
mk_summary "$tmp/s4.json" 3 10 100 4
got=$("${table[@]}" --from-runs lag.busy reader "$tmp/s1.json" "$tmp/s4.json" "$tmp/nope.json")
want='lag.busy.result,exit 3; no summary
lag.busy.p50_us,4
lag.busy.p99_us,20
lag.busy.idle_poll_p50_us,7'
[ "$got" = "$want" ] && ok "--from-runs reader: a failed and a missing run show in the result row" || bad "--from-runs reader" "$got"

# ---- ci/hdf5-build: private deb-src lines from the machine's apt sources -------------
mkdir -p "$tmp/apt/sources.list.d"
cat >"$tmp/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
# a comment line
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
got=$(H5SWMR_APT_ETC="$tmp/apt" XDG_CACHE_HOME="$tmp/cache" H5SWMR_HDF5_SUITES="trixie sid" "$top/ci/hdf5-build" --sources 2>&1)
want='deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm-updates main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian sid main'
[ "$got" = "$want" ] && ok "hdf5-build --sources: deb822 URI and keyring, the machine's suites and the newer ones; security skipped" \
  || bad "hdf5-build --sources (deb822)" "$got"
rm -f "$tmp/apt/sources.list.d/debian.sources"
cat >"$tmp/apt/sources.list" <<'EOF'
# classic format
deb [arch=amd64 signed-by=/etc/apt/keyrings/k.gpg] http://mirror.example/debian bookworm main contrib
deb http://mirror.example/debian-security bookworm-security main
EOF
got=$(H5SWMR_APT_ETC="$tmp/apt" XDG_CACHE_HOME="$tmp/cache" H5SWMR_HDF5_SUITES="sid" "$top/ci/hdf5-build" --sources 2>&1)
want='deb-src [signed-by=/etc/apt/keyrings/k.gpg] http://mirror.example/debian bookworm main
deb-src [signed-by=/etc/apt/keyrings/k.gpg] http://mirror.example/debian sid main'
[ "$got" = "$want" ] && ok "hdf5-build --sources: one-line sources.list with options" || bad "hdf5-build --sources (one-line)" "$got"
rm -f "$tmp/apt/sources.list"
H5SWMR_APT_ETC="$tmp/apt" XDG_CACHE_HOME="$tmp/cache" "$top/ci/hdf5-build" --sources >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q 'no Debian archive' "$tmp/err" && ok "hdf5-build without any apt source: exit 1, clear message" || bad "no sources" "rc=$rc $(cat "$tmp/err")"
XDG_CACHE_HOME="$tmp/cache" "$top/ci/hdf5-build" 1.14 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q 'not an HDF5 version' "$tmp/err" && ok "hdf5-build 1.14: not a version, exit 2" || bad "bad version" "rc=$rc $(cat "$tmp/err")"
got=$(XDG_CACHE_HOME="$tmp/cache" "$top/ci/hdf5-build" --prefix 1.14.6)
[ "$got" = "$tmp/cache/h5swmr/hdf5-1.14.6" ] && ok "hdf5-build --prefix: the cache directory under XDG_CACHE_HOME" || bad "--prefix" "$got"
# a complete installation in the cache is reused without apt or cmake
p="$tmp/cache/h5swmr/hdf5-9.9.9"
mkdir -p "$p/include" "$p/lib" "$p/bin"
touch "$p/lib/libhdf5.so" "$p/lib/libhdf5_hl.so" "$p/.h5swmr-hdf5-complete"
printf '#!/bin/sh\necho "h5dump: Version 9.9.9"\n' >"$p/bin/h5dump"; cp "$p/bin/h5dump" "$p/bin/h5clear"; chmod +x "$p/bin/h5dump" "$p/bin/h5clear"
got=$(H5SWMR_APT_ETC="$tmp/apt" XDG_CACHE_HOME="$tmp/cache" "$top/ci/hdf5-build" 9.9.9 2>/dev/null)
[ "$got" = "$p" ] && ok "hdf5-build reuses a complete cached installation at once" || bad "cache reuse" "$got"
# ---- --result: one version's result file from the parts ci/hdf5-matrix left ----
v="$tmp/v-1.14.6"
mkdir -p "$v"
printf 'version,1.14.6\ncheck.verdict,green\n' >"$v/head.csv"
cp "$tmp/flushcost.json" "$v/flushcost.json"
printf 'append.1KiB.append_p50_us,20\n' >"$v/bench.csv"
printf 'check.case.writer_with_a,pass\n' >"$v/cases.csv"
printf 'info.seconds_hdf5,0\ninfo.seconds_check,41' >"$v/seconds.csv" # no newline at the end
got=$("${table[@]}" --result "$v" 95)
want='key,value
version,1.14.6
check.verdict,green
flushcost.dflush.n1000.round_ms,180
flushcost.fflush.n1000.round_ms,19
flushcost.dflush.exponent_top,1.9300
flushcost.dflush.class,quadratic
flushcost.fflush.exponent_top,1.2000
flushcost.fflush.class,linear
flushcost.cheaper_call,fflush
append.1KiB.append_p50_us,20
flushcost.dflush.exponent,1.5200
flushcost.fflush.exponent,1.0700
flushcost.dflush.n1.round_us,8
flushcost.dflush.n1000.round_us,180000
flushcost.fflush.n1.round_us,9
flushcost.fflush.n1000.round_us,19000
check.case.writer_with_a,pass
info.seconds_hdf5,0
info.seconds_check,41
info.seconds_bench_all_versions,95'
[ "$got" = "$want" ] && ok "--result: head, flushcost head, bench, flushcost detail, cases, seconds in that order" || bad "--result" "$got"
v="$tmp/v-red"
mkdir -p "$v"
printf 'version,9.9.9\ncheck.verdict,"RED: h5swmr did not build against HDF5 9.9.9"\n' >"$v/head.csv"
got=$("${table[@]}" --result "$v")
want='key,value
version,9.9.9
check.verdict,"RED: h5swmr did not build against HDF5 9.9.9"'
[ "$got" = "$want" ] && ok "--result of a version that did not build: its head only" || bad "--result (red)" "$got"
"${table[@]}" --result "$tmp/no-such-dir" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q 'not a directory' "$tmp/err" && ok "--result of a missing directory: exit 2" || bad "--result missing" "rc=$rc $(cat "$tmp/err")"
"${table[@]}" --result "$tmp/v-red" soon >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && ok "--result with seconds that are not a number: exit 2" || bad "--result seconds" "rc=$rc"

for s in hdf5-build hdf5-matrix; do
  bash -n "$top/ci/$s" && ok "ci/$s parses (bash -n)" || bad "ci/$s has a syntax error"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
