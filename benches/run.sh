#!/usr/bin/env bash
# The custody benchmark (see docs/performance.md).
#
#   benches/run.sh [SIZES...]       sizes: S M L (default: S M L), or a vendor count
#   RUNS=5 benches/run.sh S M       runs per measurement (median reported; default 5)
#
# For each size it generates the workload of shared/bench/WORKLOAD.md with the project's
# copy of the generator (benches/gen_inventory.py, seed 648), builds custody and the floor in
# release, and measures whole-process wall time and peak RSS (benches/measure.py) of
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

cargo build --release --quiet --bin custody --example floor
custody=target/release/custody
floor=target/release/examples/floor

# measure CMD...: RUNS runs; prints "median_wall_seconds median_peak_rss_mb"
measure() { python3 benches/measure.py "$runs" "$@"; }

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
