#!/usr/bin/env bash
# Fuzzes ce's hostile-input surfaces for a bounded time.
#
#   fuzz/run.sh [SECONDS] [TARGET...]       run each target SECONDS (default 60)
#   fuzz/run.sh save TARGET ARTIFACT NAME   minimize a crash, keep it as a
#                                           regression test input
#
# Targets (fuzz/fuzz_targets/, logic in tests/tests/fuzz_regressions.rs):
#   envelope        stored/backed-up event JSON -> Upcasters::decode, JSON
#                   round trip, fast path == checked path, fold
#   command_json    the CLI's JSON files (enroll, assess, members add,
#                   correct --patch) and Command -> a Workflow
#   policy          a policy file -> Policy::from_json, store round trip,
#                   a household through referrals, declines, sweeps, expiries
#   hud_csv_import  a HUD CSV export (files separated by byte 0x1e, each
#                   starting with a "Name.csv" line; "2/Name.csv" ones are a
#                   second export imported on top) -> ImportPlan::read +
#                   execute_with, then reports
#
# What it does: installs cargo-fuzz if missing; builds every target once on
# the nightly toolchain (one build job: CARGO_BUILD_JOBS=1; release, with
# debug assertions and overflow checks as in `cargo test`; sanitizer
# $FUZZ_SANITIZER, default none: the workspace forbids unsafe code); seeds
# fuzz/corpus/<target> from fuzz/seeds/<target>, the test fixtures
# (tests/fixtures/events/v1, tests/fixtures/foreign-export) and the saved
# regressions (tests/fuzz-regressions/<target>); then runs each target in
# turn, one fuzzing process at a time (-fork=1 -ignore_crashes=1: a crash is
# saved under fuzz/artifacts/<target>/ and fuzzing goes on), and prints per
# target the runs executed, coverage (cov: edges, ft: features), corpus size
# and the crashes found this run with each one's panic message.
# Logs: fuzz/target/logs/<target>.log. Exit status 1 if anything crashed.
#
# A crash becomes a regression test: `fuzz/run.sh save TARGET ARTIFACT NAME`
# minimizes it (libFuzzer -minimize_crash, as `cargo fuzz tmin` does) into
# tests/fuzz-regressions/TARGET/NAME (name it after the cause), which
# `cargo test -p ce-tests --test fuzz_regressions` replays on stable. A crash
# whose panic site is a saved regression's is most likely the same bug.
set -euo pipefail

if [ "${1:-}" = save ] && [ $# -eq 4 ]; then
    # The artifact's path as given, before the cd below.
    set -- "$1" "$2" "$(realpath "$3")" "$4"
fi
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
cd "$FUZZ_DIR"

SANITIZER="${FUZZ_SANITIZER:-none}"
TRIPLE="$(rustc +nightly -vV | sed -n 's/^host: //p')"
BIN_DIR="$FUZZ_DIR/target/$TRIPLE/release"
ALL_TARGETS=(envelope command_json policy hud_csv_import)
export CARGO_BUILD_JOBS=1
BUILD_FLAGS=(--debug-assertions --sanitizer "$SANITIZER")

max_len() {
    case "$1" in
        hud_csv_import) echo 262144 ;;
        *) echo 16384 ;;
    esac
}

dict() {
    case "$1" in
        hud_csv_import) echo "$FUZZ_DIR/dicts/hud_csv.dict" ;;
        *) echo "$FUZZ_DIR/dicts/json.dict" ;;
    esac
}

ensure_cargo_fuzz() {
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "== installing cargo-fuzz"
        cargo install cargo-fuzz --locked
    fi
}

# A HUD CSV seed: each file of DIR as "\x1e<prefix>Name.csv\n<bytes>".
hud_seed() {
    local dir="$1" prefix="$2" f
    for f in "$dir"/*.csv; do
        printf '\x1e%s%s\n' "$prefix" "$(basename "$f")"
        cat "$f"
    done
}

# The same with only the header and the first N data rows of each file.
hud_seed_head() {
    local dir="$1" prefix="$2" rows="$3" f
    for f in "$dir"/*.csv; do
        printf '\x1e%s%s\n' "$prefix" "$(basename "$f")"
        head -n "$((rows + 1))" "$f"
    done
}

seed() {
    local target="$1" corpus="$FUZZ_DIR/corpus/$1"
    mkdir -p "$corpus"
    if [ -d "$FUZZ_DIR/seeds/$target" ]; then
        cp -n "$FUZZ_DIR/seeds/$target"/* "$corpus"/ 2>/dev/null || true
    fi
    if [ -d "$ROOT/tests/fuzz-regressions/$target" ]; then
        cp -n "$ROOT/tests/fuzz-regressions/$target"/* "$corpus"/ 2>/dev/null || true
    fi
    case "$target" in
        envelope)
            local f
            for f in "$ROOT"/tests/fixtures/events/v*/*.json; do
                cp -n "$f" "$corpus/fixture-$(basename "$(dirname "$f")")-$(basename "$f")"
                jq -c . "$f" >"$corpus/compact-$(basename "$(dirname "$f")")-$(basename "$f")" 2>/dev/null || true
            done
            ;;
        hud_csv_import)
            local fx="$ROOT/tests/fixtures/foreign-export"
            hud_seed "$fx/month1" "" >"$corpus/month1"
            hud_seed "$fx/month2" "" >"$corpus/month2"
            { hud_seed "$fx/month1" ""; hud_seed "$fx/month2" "2/"; } >"$corpus/month1-then-month2"
            hud_seed_head "$fx/month1" "" 2 >"$corpus/month1-2-rows"
            { hud_seed_head "$fx/month1" "" 3; hud_seed_head "$fx/month1" "2/" 3; } >"$corpus/month1-twice-3-rows"
            { hud_seed_head "$fx/month1" "" 3; hud_seed_head "$fx/month2" "2/" 3; } >"$corpus/month1-then-month2-3-rows"
            ;;
    esac
}

# The panic message (or other cause) of an artifact, by running it.
cause() {
    local target="$1" artifact="$2"
    "$BIN_DIR/$target" "$artifact" 2>&1 |
        grep -m1 -A1 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|stack overflow" |
        tr '\n' ' ' | cut -c1-400 || true
}

run_target() {
    local target="$1" seconds="$2"
    local log="$FUZZ_DIR/target/logs/$target.log" artifacts="$FUZZ_DIR/artifacts/$target"
    mkdir -p "$(dirname "$log")" "$artifacts"
    seed "$target"
    local marker
    marker="$(mktemp)"
    echo "== $target: ${seconds}s"
    # The built binary, not `cargo fuzz run`, which would rebuild: every
    # target runs on the snapshot of the sources built above. libFuzzer
    # exits non-zero when it found anything; the summary says what.
    "$BIN_DIR/$target" -artifact_prefix="$artifacts/" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
        -timeout=30 -dict="$(dict "$target")" -fork=1 -ignore_crashes=1 \
        -ignore_timeouts=1 -ignore_ooms=1 -print_final_stats=1 \
        "$FUZZ_DIR/corpus/$target" >"$log" 2>&1 || true
    # The last status line: "#RUNS: cov: N ft: N corp: N exec/s: N ..." in
    # fork mode, "#RUNS <event> cov: N ft: N corp: N/..." otherwise.
    local last
    last="$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -n 1 || true)"
    local runs cov ft corp
    runs="$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")"
    cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
    corp="$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")"
    local found=()
    mapfile -t found < <(find "$artifacts" -type f -newer "$marker" \
        \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | sort)
    rm -f "$marker"
    # Saved regressions are in the corpus: they crash again until fixed.
    local a known=() new=() saved
    for a in "${found[@]}"; do
        saved="$(known_as "$target" "$a")"
        if [ -n "$saved" ]; then known+=("$a -> $saved"); else new+=("$a"); fi
    done
    printf '%-15s runs: %-10s cov: %-6s ft: %-7s corpus: %-6s crashes: %s new, %s known\n' \
        "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${#new[@]}" "${#known[@]}"
    for a in "${new[@]}"; do
        local why site
        why="$(cause "$target" "$a")"
        site="$(same_site "$target" "$why")"
        echo "    new: $a${site:+ (same panic site as $site)}"
        echo "      $why"
    done
    for a in "${known[@]}"; do
        echo "    known (still crashes): ${a#* -> }"
    done
    [ "${#found[@]}" -eq 0 ]
}

# The panic site (file:line:col) in a cause.
site_of() {
    sed -nE 's/.*panicked at ([^ ]+):( .*|$)/\1/p' <<<"$1"
}

# A saved regression of TARGET that panics at the same site as CAUSE, if any.
same_site() {
    local target="$1" site f
    site="$(site_of "$2")"
    [ -n "$site" ] || return 0
    for f in "$ROOT/tests/fuzz-regressions/$target"/*; do
        [ -f "$f" ] && [ "$(basename "$f")" != README.md ] || continue
        if [ "$(site_of "$(cause "$target" "$f")")" = "$site" ]; then
            echo "${f#"$ROOT"/}"
            return
        fi
    done
}

# The saved regression with the same bytes as an artifact, if any.
known_as() {
    local target="$1" artifact="$2" f sum
    sum="$(sha1sum <"$artifact" | cut -d' ' -f1)"
    for f in "$ROOT/tests/fuzz-regressions/$target"/*; do
        [ -f "$f" ] || continue
        if [ "$(sha1sum <"$f" | cut -d' ' -f1)" = "$sum" ]; then
            echo "${f#"$ROOT"/}"
            return
        fi
    done
}

save() {
    local target="$1" artifact="$2" name="$3"
    local dest="$ROOT/tests/fuzz-regressions/$target"
    mkdir -p "$dest"
    # What `cargo fuzz tmin` does, on the binary built above.
    "$BIN_DIR/$target" -minimize_crash=1 -runs=5000 -timeout=30 \
        -exact_artifact_path="$dest/$name" "$artifact" >"$FUZZ_DIR/target/logs/tmin.log" 2>&1 || true
    [ -s "$dest/$name" ] || cp "$artifact" "$dest/$name"
    echo "saved $dest/$name ($(wc -c <"$dest/$name") bytes): $(cause "$target" "$dest/$name")"
}

build() {
    mkdir -p "$FUZZ_DIR/target/logs"
    if ! cargo +nightly fuzz build "${BUILD_FLAGS[@]}" "$@" >"$FUZZ_DIR/target/logs/build.log" 2>&1; then
        tail -n 40 "$FUZZ_DIR/target/logs/build.log"
        exit 2
    fi
}

ensure_cargo_fuzz
if [ "${1:-}" = save ]; then
    [ $# -eq 4 ] || { echo "usage: $0 save TARGET ARTIFACT NAME" >&2; exit 2; }
    build "$2"
    save "$2" "$3" "$4"
    exit 0
fi

SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

echo "== building ${TARGETS[*]} (nightly, sanitizer $SANITIZER, 1 job)"
build

status=0
summary=()
for target in "${TARGETS[@]}"; do
    if ! run_target "$target" "$SECONDS_EACH" | tee "$FUZZ_DIR/target/logs/$target.summary"; then
        status=1
    fi
    summary+=("$(head -n 2 "$FUZZ_DIR/target/logs/$target.summary" | tail -n 1)")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
