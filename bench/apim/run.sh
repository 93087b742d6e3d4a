#!/usr/bin/env bash
# APIM benchmark: `reciprocity analyze apim` against the floor (read + split
# each line: bench/lag's lag-floor, which knows nothing of the columns) and a
# pandas implementation of the same closed-form fit, on 1M and 10M
# generated rows (one row per person, couples in order). Prints the best
# wall time of RUNS runs and the peak RSS (GNU time -v) of each, and the
# ratios.
#
# Usage: bench/apim/run.sh           (from anywhere in the repository)
# Env:   SIZES="1000000 10000000"    row counts to run
#        RUNS=3                      runs per tool; the fastest time is kept
#        APIM_BENCH_VENV=dir         the pandas venv (default: the one
#                                    bench/lag/run.sh makes, shared)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
sizes=${SIZES:-"1000000 10000000"}
venv=${APIM_BENCH_VENV:-${LAG_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/reciprocity-lag-bench-venv}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

echo "building release binaries..."
cargo build --release --quiet -p reciprocity -p lag-floor
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release"
# The generator is standard-library Rust, built outside the workspace.
rustc -O --edition 2021 bench/apim/generate.rs -o "$work/apim-generate"

if [ ! -x "$venv/bin/python" ]; then
  echo "creating a venv with pandas in $venv..."
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet pandas
fi

echo "git $(git rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD...: runs RUNS times (default 3); keeps the fastest wall
# time (nanosecond clock), the smallest CPU time (user + system, from GNU
# time -v: on a shared machine it moves less than the wall time) and the
# largest peak RSS (KiB).
runs=${RUNS:-3}
measure() {
  local name=$1; shift
  local best="" cpu="" rss=0 t0 t1 secs c r
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.out"
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    c=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/$name.time")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
    if [ -z "$best" ] || awk -v s="$secs" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$secs; fi
    if [ -z "$cpu" ] || awk -v s="$c" -v b="$cpu" 'BEGIN { exit !(s < b) }'; then cpu=$c; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$best $rss $cpu" > "$work/$name.m"
  printf '  %-8s %8.3f s wall  %6.2f s CPU  %9d KiB peak RSS\n' "$name" "$best" "$cpu" "$rss"
}

for rows in $sizes; do
  csv="$work/apim_$rows.csv"
  "$work/apim-generate" "$rows" 42 > "$csv"
  echo
  echo "== $rows rows ($(du -h "$csv" | cut -f1)) =="
  # Warm the page cache so the first tool does not pay for the disk.
  cat "$csv" > /dev/null
  measure floor "$bin/lag-floor" "$csv"
  measure ours "$bin/reciprocity" analyze apim --input "$csv" --dyad couple --x x --y y --format json
  measure pandas "$venv/bin/python" bench/apim/pandas_apim.py "$csv"
  # Same estimates: the actor effect from both, to 6 significant digits.
  a_ours=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.6g" % [e["estimate"] for e in d["effects"] if e["term"]=="actor"][0])' "$work/ours.out")
  a_pandas=$(awk '$1 == "actor" { printf "%.6g", $2 }' "$work/pandas.out")
  echo "  actor effect: ours $a_ours, pandas $a_pandas"
  read -r fs _ fc < "$work/floor.m"
  read -r os _ oc < "$work/ours.m"
  read -r ps _ pc < "$work/pandas.m"
  cp "$work/ours.m" "$work/ours_$rows.m"
  awk -v fs="$fs" -v os="$os" -v ps="$ps" -v oc="$oc" -v pc="$pc" 'BEGIN {
    printf "  ours / floor  = %.2fx wall time\n", os / fs
    printf "  pandas / ours = %.1fx wall time, %.1fx CPU time\n", ps / os, pc / oc }'
done

set -- $sizes
if [ $# -ge 2 ]; then
  read -r _ r1 _ < "$work/ours_$1.m"
  read -r _ r2 _ < "$work/ours_$2.m"
  echo
  awk -v a="$r1" -v b="$r2" -v n1="$1" -v n2="$2" 'BEGIN {
    printf "peak RSS of ours: %d KiB at %d rows, %d KiB at %d rows (%.1f%% change)\n", a, n1, b, n2, (b - a) * 100 / a }'
fi
