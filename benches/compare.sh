#!/usr/bin/env bash
# Two custody binaries on the same workload, measured in alternation (so both see the same
# machine load): median wall time and peak RSS of B1..B8 (benches/bench.policy, or POLICY),
# and whether their JSON output is byte-identical.
#
#   benches/compare.sh OLD_BINARY NEW_BINARY [SIZES...]     e.g. S M L; RUNS=5 by default
#
# Build the old binary from a worktree of the older commit:
#   git worktree add /tmp/base REV && (cd /tmp/base && cargo build --release --bin custody)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
shift 2
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(S M L)
runs=${RUNS:-5}
policy=${POLICY:-benches/bench.policy}
data=${BENCH_DATA:-target/bench-data}
args=(check --policy "$policy" --format json --as-of 2026-11-24)
printf '%-5s %10s %10s %10s %10s %8s %8s %s\n' size "old s" "new s" "old MB" "new MB" "wall" "RSS" "output"
for size in "${sizes[@]}"; do
    dir="$data/$size"
    [ -f "$dir/vendors.yaml" ] || python3 benches/gen_inventory.py "$size" "$dir" >/dev/null
    same=identical
    cmp -s <("$old" "${args[@]}" --inventory "$dir") <("$new" "${args[@]}" --inventory "$dir") || same=DIFFERENT
    ow=() nw=() orss=() nrss=()
    for _ in $(seq "$runs"); do
        read -r w r < <(python3 benches/measure.py 1 "$old" "${args[@]}" --inventory "$dir"); ow+=("$w"); orss+=("$r")
        read -r w r < <(python3 benches/measure.py 1 "$new" "${args[@]}" --inventory "$dir"); nw+=("$w"); nrss+=("$r")
    done
    med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    a=$(med "${ow[@]}") b=$(med "${nw[@]}") c=$(med "${orss[@]}") d=$(med "${nrss[@]}")
    printf '%-5s %10s %10s %10s %10s %8s %8s %s\n' "$size" "$a" "$b" "$c" "$d" \
        "$(awk -v x="$b" -v y="$a" 'BEGIN {printf "%.2f", x/y}')" \
        "$(awk -v x="$d" -v y="$c" 'BEGIN {printf "%.2f", x/y}')" "$same"
done
