#!/usr/bin/env bash
# The custody benchmark (see docs/performance.md).
#
#   benches/run.sh [SIZES...]       sizes: S M L (default: S M L), or a vendor count
#   RUNS=5 benches/run.sh S M       runs per measurement (median reported; default 5)
#
# For each size it generates the workload of shared/bench/WORKLOAD.md with the project's
# copy of the generator (benches/gen_inventory.py, seed 648), builds custody and the floor in
# release, and measures whole-process wall time and peak RSS (GNU time) of
#   custody check --policy benches/bench.policy --inventory DIR --format json --as-of 2026-11-24
# beside the floor on the same files in the same run: the same YAML library (serde-saphyr)
# parsing the files into a generic value that is kept alive. It prints one table.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(S M L)
runs=${RUNS:-5}
data=${BENCH_DATA:-target/bench-data}
command -v python3 >/dev/null || { echo "benches/run.sh: python3 is needed to generate the workload" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "benches/run.sh: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bin custody --example floor
custody=target/release/custody
floor=target/release/examples/floor

timing=$(mktemp)
trap 'rm -f "$timing"' EXIT

# median of the values on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# measure NAME CMD...: RUNS runs; prints "wall_seconds rss_mb" (medians)
measure() {
    local walls=() rsss=()
    for _ in $(seq "$runs"); do
        local out
        # custody exits 1 when there are findings: that is not a failure of the benchmark.
        /usr/bin/time -f "%e %M" -o "$timing" "$@" >/dev/null 2>&1 || true
        out=$(tail -1 "$timing")
        walls+=("${out% *}")
        rsss+=("${out#* }")
    done
    local w r
    w=$(printf '%s\n' "${walls[@]}" | median)
    r=$(printf '%s\n' "${rsss[@]}" | median)
    echo "$w $(awk -v k="$r" 'BEGIN {printf "%.1f", k/1024}')"
}

printf '%-5s %9s %12s %12s %14s %12s %11s %10s\n' size "YAML MB" "custody s" "custody MB" "floor s" "floor MB" "wall ratio" "RSS ratio"
for size in "${sizes[@]}"; do
    dir="$data/$size"
    if [ ! -f "$dir/vendors.yaml" ]; then
        python3 benches/gen_inventory.py "$size" "$dir" >/dev/null
    fi
    mb=$(du -cm "$dir"/vendors.yaml "$dir"/data_stores.yaml | awk 'END {print $1}')
    # Warm the page cache so both sides read from memory.
    cat "$dir"/vendors.yaml "$dir"/data_stores.yaml >/dev/null
    read -r cw cr < <(measure "$custody" check --policy benches/bench.policy --inventory "$dir" --format json --as-of 2026-11-24)
    read -r fw fr < <(measure "$floor" "$dir"/vendors.yaml "$dir"/data_stores.yaml)
    printf '%-5s %9s %12s %12s %14s %12s %11s %10s\n' "$size" "$mb" "$cw" "$cr" "$fw" "$fr" \
        "$(awk -v a="$cw" -v b="$fw" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')" \
        "$(awk -v a="$cr" -v b="$fr" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')"
done
