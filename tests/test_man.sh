#!/usr/bin/env bash
# test_man.sh - the installed manual page h5swmr(1) renders and documents
# every command and every scenario key of the installed program.
#
#   test_man.sh CMAKE BUILD_DIR
#
# Installs the build tree into a scratch prefix (cmake --install), renders
# share/man/man1/h5swmr.1 with man -l (man-db, groff; ci/setup installs
# them), and looks in the rendered text for a section per command that
# `h5swmr --help` lists and an entry per key that `h5swmr run --help` lists.
# Exit 0 when all of that holds, 1 naming every part that failed.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 CMAKE BUILD_DIR" >&2
    exit 2
fi
cmake=$1
build=$2
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
for tool in man groff col; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (ci/setup installs man-db, which brings groff)"; exit 1; }
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/h5swmr-man.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix
if ! "$cmake" --install "$build" --prefix "$prefix" >"$scratch/install.log" 2>&1; then
    cat "$scratch/install.log"
    echo "FAIL: cmake --install $build"
    exit 1
fi
page=$prefix/share/man/man1/h5swmr.1
h5=$prefix/bin/h5swmr
[ -f "$page" ] || { echo "FAIL: not installed: share/man/man1/h5swmr.1"; exit 1; }

# rendered as a reader sees it, with groff's warnings
if ! MANWIDTH=200 man -l "$page" >"$scratch/rendered" 2>"$scratch/man.err"; then
    fail "man -l $page failed: $(cat "$scratch/man.err")"
fi
col -b <"$scratch/rendered" >"$scratch/text"
groff -man -ww -z -K utf8 "$page" 2>"$scratch/groff.err" || fail "groff -man failed on the page"
[ -s "$scratch/groff.err" ] && fail "groff warns about the page: $(head -n 5 "$scratch/groff.err")"
grep -q '^NAME' "$scratch/text" && grep -q '^SCENARIO KEYS' "$scratch/text" ||
    fail "the page has no NAME or SCENARIO KEYS section: $(head -n 20 "$scratch/text")"

# every command of the program's own list has its section and synopsis
commands=$("$h5" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF >= 2 && $1 != "Commands:" {print $1}')
[ -n "$commands" ] || fail "h5swmr --help lists no commands"
n=0
for c in $commands; do
    n=$((n + 1))
    grep -qx "   $c" "$scratch/text" || fail "no section for the command '$c'"
    grep -qE "^       h5swmr $c( |\$)" "$scratch/text" || fail "no synopsis 'h5swmr $c' on the page"
done

# every scenario key of the program's own list has its entry
keys=$("$h5" run --help | sed -n '/^Scenario keys/,$p' | awk '/^  [a-z0-9_]+ / {print $1}')
[ -n "$keys" ] || fail "h5swmr run --help lists no scenario keys"
k=0
for key in $keys; do
    k=$((k + 1))
    grep -qE "^       $key \(" "$scratch/text" || fail "no entry for the scenario key '$key'"
done
[ "$failures" -eq 0 ] || exit 1
echo "ok: h5swmr(1) renders and documents $n commands and $k scenario keys"
