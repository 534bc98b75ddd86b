#!/usr/bin/env bash
# Export -> import -> export of `ce demo` caseloads, one per seed: the CE rows
# (Client, Enrollment, Exit, Assessment, AssessmentQuestions,
# AssessmentResults, Event, CurrentLivingSituation) must come back the same,
# ids included, as sets of rows with the ExportID column left out.
#
#   tests/scripts/roundtrip-demo-seeds.sh            # seeds 1-20
#   tests/scripts/roundtrip-demo-seeds.sh 3 7         # the given seeds
#   CE=target/debug/ce HOUSEHOLDS=60 tests/scripts/roundtrip-demo-seeds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ce=${CE:-target/release/ce}
if [[ -z ${CE:-} ]]; then
    cargo build --release -q -p ce-cli
fi
households=${HOUSEHOLDS:-300}
seeds=("$@")
if [[ ${#seeds[@]} -eq 0 ]]; then
    seeds=($(seq 1 20))
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=(Client Enrollment Exit Assessment AssessmentQuestions AssessmentResults Event CurrentLivingSituation)
failed=0
for seed in "${seeds[@]}"; do
    dir="$work/$seed"
    mkdir -p "$dir"
    "$ce" --store "$dir/a" demo --households "$households" --seed "$seed" > /dev/null
    "$ce" --store "$dir/a" export hud-csv "$dir/first" > /dev/null
    "$ce" --store "$dir/b" import hud-csv "$dir/first" --coalition Central \
        --findings "$dir/findings.csv" > "$dir/import.txt"
    "$ce" --store "$dir/b" export hud-csv "$dir/second" > /dev/null
    same=yes
    for f in "${files[@]}"; do
        # Every column but the last (ExportID); no CE file has a comma-free
        # last column that could be confused, and the csv writer quotes
        # embedded commas, so sorted lines compare rows.
        if ! diff -q <(sed 's/,[^,]*$//' "$dir/first/$f.csv" | sort) \
                     <(sed 's/,[^,]*$//' "$dir/second/$f.csv" | sort) > /dev/null; then
            echo "seed $seed: $f.csv differs"
            diff <(sed 's/,[^,]*$//' "$dir/first/$f.csv" | sort) \
                 <(sed 's/,[^,]*$//' "$dir/second/$f.csv" | sort) | head -5 || true
            same=no
        fi
    done
    if [[ $same == yes ]]; then
        echo "seed $seed: same CE rows ($(tail -1 "$dir/import.txt"))"
    else
        failed=$((failed + 1))
    fi
done
echo "${#seeds[@]} seed(s), $failed failed"
[[ $failed -eq 0 ]]
