#!/usr/bin/env bash
# libFuzzer targets for the wire parsers (Tests/Fuzz/README.md): builds them into .build-fuzz/
# with `swiftc -sanitize=fuzzer,address` and runs each for a bounded time.
#
#   scripts/fuzz.sh [--ci] [seconds-per-target] [target...]
#
# --ci: 20 s per target (default 300 s). Targets: json-parser envelope-codec addon-framing.
# Exits non-zero if any target crashes, breaks a property or times out, printing the saved input.
# New corpus entries go to .build-fuzz/corpus/<target>/; the committed seeds in
# Tests/Fuzz/swift/corpus/<target>/ are only read. Set BMCP_FUZZ_LOCK to a file to serialise the
# compiles with other builds on the machine (flock).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=300
targets=()
for arg in "$@"; do
    case "$arg" in
        --ci) seconds=20 ;;
        ''|*[!0-9]*) targets+=("$arg") ;;
        *) seconds=$arg ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(json-parser envelope-codec addon-framing)
for target in "${targets[@]}"; do
    case "$target" in
        json-parser|envelope-codec|addon-framing) ;;
        *) echo "fuzz.sh: unknown target '$target' (json-parser, envelope-codec, addon-framing)" >&2; exit 2 ;;
    esac
done

out=.build-fuzz
src=Tests/Fuzz/swift
mkdir -p "$out"

swiftc=${SWIFTC:-swiftc}
compile() {
    if [ -n "${BMCP_FUZZ_LOCK:-}" ] && command -v flock >/dev/null; then
        flock "$BMCP_FUZZ_LOCK" "$swiftc" "$@"
    else
        "$swiftc" "$@"
    fi
}
# ld.gold warns once per ASan helper symbol ("Cannot export local symbol"); nothing is wrong.
quiet() { grep -v "Cannot export local symbol" || true; }

command -v "$swiftc" >/dev/null || { echo "fuzz.sh: no swiftc on PATH (install a Swift toolchain from swift.org)" >&2; exit 2; }

# Does this swiftc link libFuzzer? (swift.org toolchains for Linux do; Xcode's does not.)
cat > "$out/probe.swift" <<'EOF'
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt { 0 }
EOF
if ! compile -sanitize=fuzzer,address -parse-as-library "$out/probe.swift" -o "$out/probe" > "$out/probe.log" 2>&1 \
    || ! "$out/probe" -runs=1 >> "$out/probe.log" 2>&1; then
    quiet < "$out/probe.log" | tail -20 >&2
    echo "fuzz.sh: $swiftc ($("$swiftc" --version 2>&1 | head -1)) cannot build libFuzzer targets" \
        "(swiftc -sanitize=fuzzer,address failed). Use a swift.org toolchain on Linux, whose" \
        "lib/clang/*/lib/linux/ has libclang_rt.fuzzer-*.a." >&2
    exit 2
fi

flags=(-sanitize=fuzzer,address -parse-as-library -O -wmo)
echo "== building into $out/ ($("$swiftc" --version 2>&1 | head -1))"
build_started=$SECONDS
# BusMessages as its own module, as the services import it (AddonFraming.swift does).
compile "${flags[@]}" -module-name BusMessages -emit-module -emit-module-path "$out/modules/BusMessages.swiftmodule" \
    -emit-library -static -o "$out/libBusMessages.a" Shared/BusMessages/*.swift > "$out/build.log" 2>&1 \
    || { quiet < "$out/build.log" >&2; echo "fuzz.sh: building BusMessages failed" >&2; exit 2; }
build_target() {  # name module sources...
    local name=$1 module=$2; shift 2
    compile "${flags[@]}" -module-name "$module" -I "$out/modules" "$src/FuzzSupport.swift" "$@" \
        "$out/libBusMessages.a" -o "$out/fuzz-$name" > "$out/build.log" 2>&1 \
        || { quiet < "$out/build.log" >&2; echo "fuzz.sh: building fuzz-$name failed" >&2; exit 2; }
    quiet < "$out/build.log"
}
for target in "${targets[@]}"; do
    rm -f "$out/fuzz-$target"
    case "$target" in
        json-parser) build_target json-parser FuzzJSONParser "$src/FuzzJSONParser.swift" ;;
        envelope-codec) build_target envelope-codec FuzzEnvelopeCodec "$src/FuzzEnvelopeCodec.swift" ;;
        addon-framing) build_target addon-framing FuzzAddonFraming "$src/FuzzAddonFraming.swift" \
            Services/blender-bridge/Core/AddonFraming.swift ;;
    esac
done
echo "== built in $((SECONDS - build_started)) s; fuzzing ${seconds} s per target"

# abort() on a broken property should reach libFuzzer, not Swift's backtracer (which then trips ASan).
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
failed=0
for target in "${targets[@]}"; do
    corpus="$out/corpus/$target"
    crashes="$out/crashes/$target"
    log="$out/$target.log"
    mkdir -p "$corpus" "$crashes"
    extra=()
    # A decoder that allocated a declared length (up to 4 GiB) would trip this.
    [ "$target" = addon-framing ] && extra+=(-malloc_limit_mb=64)
    echo "== $target"
    status=0
    "$out/fuzz-$target" "$corpus" "$src/corpus/$target" -max_total_time="$seconds" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "${extra[@]}" > "$log" 2>&1 || status=$?
    grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -1 || true
    grep -E "stat::(number_of_executed_units|average_exec_per_sec)" "$log" || true
    echo "corpus: $(find "$corpus" -type f | wc -l) entries in $corpus"
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "!! $target failed (exit $status); log: $log" >&2
        grep -E "property violated|ERROR: (libFuzzer|AddressSanitizer)|Fatal error|SUMMARY" "$log" | head -5 >&2 || true
        grep -E "Test unit written to|^artifact_prefix" "$log" | sed 's/^/!! /' >&2 || true
        echo "!! replay: $out/fuzz-$target <input>" >&2
    fi
done
exit $failed
