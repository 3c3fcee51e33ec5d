#!/usr/bin/env bash
# The same facts read from YAML (vendors.yaml, data_stores.yaml) and from one JSON file
# (inventory.json, read by the JSON fast path), measured in alternation so both see the same
# machine load: median whole-process wall time and peak RSS of B1..B8 (benches/bench.policy),
# the ratio YAML/JSON, the inventory phases (read, parse and validate; medians of three
# `--timings` runs), and whether the two JSON reports are the same once locations (file, line,
# column, which differ between the inputs) are left out.
#
#   benches/json.sh [SIZES...]     S M L by default; RUNS=5 by default
#
# The data is generated with `gen_inventory.py SIZE DIR --json` into target/bench-json/SIZE
# (JSON_DATA to change; L takes about a minute). CUSTODY is the binary
# (target/release/custody by default: `cargo build --release` first).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(S M L)
runs=${RUNS:-5}
bin=${CUSTODY:-target/release/custody}
data=${JSON_DATA:-target/bench-json}
args=(check --policy benches/bench.policy --format json --as-of 2026-11-24)
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# The inventory phases in ms, "read+parse" (parse and validate), medians of 3 runs.
phases() {
    local r=() p=() x y
    for _ in 1 2 3; do
        read -r x y < <("$bin" "${args[@]}" "$@" --timings 2>&1 >/dev/null |
            awk '/inventory: read/ {r=$3} /inventory: parse/ {p=$4} END {print r, p}')
        r+=("$x") p+=("$y")
    done
    printf '%.0f+%.0f' "$(med "${r[@]}")" "$(med "${p[@]}")"
}
# A JSON report without its locations, for comparing reports of the two inputs.
strip='
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "location"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True))'
printf '%-5s %9s %9s %9s %9s %7s %7s %13s %13s %s\n' size "yaml s" "json s" "yaml MB" "json MB" \
    "wall" "RSS" "yaml inv ms" "json inv ms" "report"
for size in "${sizes[@]}"; do
    dir="$data/$size"
    [ -f "$dir/inventory.json" ] || python3 benches/gen_inventory.py "$size" "$dir" --json >/dev/null
    yaml=(--inventory "$dir/vendors.yaml" --inventory "$dir/data_stores.yaml")
    json=(--inventory "$dir/inventory.json")
    same=identical
    cmp -s <("$bin" "${args[@]}" "${yaml[@]}" | python3 -c "$strip") \
        <("$bin" "${args[@]}" "${json[@]}" | python3 -c "$strip") || same=DIFFERENT
    yw=() jw=() yr=() jr=()
    for _ in $(seq "$runs"); do
        read -r w r < <(python3 benches/measure.py 1 "$bin" "${args[@]}" "${yaml[@]}"); yw+=("$w"); yr+=("$r")
        read -r w r < <(python3 benches/measure.py 1 "$bin" "${args[@]}" "${json[@]}"); jw+=("$w"); jr+=("$r")
    done
    a=$(med "${yw[@]}") b=$(med "${jw[@]}") c=$(med "${yr[@]}") d=$(med "${jr[@]}")
    printf '%-5s %9s %9s %9s %9s %7s %7s %13s %13s %s\n' "$size" "$a" "$b" "$c" "$d" \
        "$(awk -v x="$a" -v y="$b" 'BEGIN {printf "%.2fx", x/y}')" \
        "$(awk -v x="$c" -v y="$d" 'BEGIN {printf "%.2fx", x/y}')" \
        "$(phases "${yaml[@]}")" "$(phases "${json[@]}")" "$same"
done
