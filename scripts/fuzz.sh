#!/usr/bin/env bash
# Fuzzes sluice's parsers with libFuzzer (Clang, ASan, UBSan): the config
# loader, env interpolation, templates, the JSON scanner and paths, route
# compilation, subject patterns, the admin HTTP server, the WebSocket control
# protocol, URLs and JWTs, and the file checkpoint. Harnesses and seed corpora
# are in tests/fuzz/ (see its README).
#
#   scripts/fuzz.sh [TARGET...] [-t SECONDS]   fuzz each target (default: all, 60 s each)
#   scripts/fuzz.sh --smoke                    every target for 20,000 runs from seed 1, on the
#                                              seed corpora only: the same inputs every time, so
#                                              a failure is a bug that reproduces (scripts/test.sh)
#   scripts/fuzz.sh --list                     the targets
#
# New inputs that reach new code are kept in $build/corpus/<target> (not in
# git); a crash is written to $build/artifacts/<target>/ and the script says
# how to keep it as a regression input, which ctest then replays forever.
# SLUICE_FUZZ_BUILD_DIR overrides the build directory (default build-fuzz/).
#
# Exit status: non-zero if the build failed or any target found a crash.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build="${SLUICE_FUZZ_BUILD_DIR:-$repo/build-fuzz}"
fuzz_dir="$repo/tests/fuzz"

all_targets() { (cd "$fuzz_dir" && ls -- *_fuzz.cpp | sed 's/_fuzz\.cpp$//'); }

seconds=60
smoke=0
targets=()
while (($#)); do
  case "$1" in
    --list)
      all_targets
      exit 0
      ;;
    --smoke) smoke=1 ;;
    -t)
      [[ ${2:-} =~ ^[0-9]+$ ]] || {
        echo "fuzz: -t takes whole seconds" >&2
        exit 2
      }
      seconds=$2
      shift
      ;;
    -h | --help)
      sed -n '2,17p' "$0"
      exit 0
      ;;
    -*)
      echo "fuzz: unknown option $1 (see --help)" >&2
      exit 2
      ;;
    *)
      [[ -f $fuzz_dir/${1}_fuzz.cpp ]] || {
        echo "fuzz: no target '$1'; targets: $(all_targets | tr '\n' ' ')" >&2
        exit 2
      }
      targets+=("$1")
      ;;
  esac
  shift
done
((${#targets[@]})) || mapfile -t targets < <(all_targets)

command -v clang++ >/dev/null || {
  echo "fuzz: clang++ is missing (run scripts/bootstrap.sh)" >&2
  exit 1
}
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$repo}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
started=$SECONDS
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLUICE_SANITIZE=ON -DSLUICE_FUZZ=ON -DSLUICE_BUILD_BENCH=OFF -DSLUICE_PACKAGING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
echo "fuzz: built ${#targets[@]} target(s) in $((SECONDS - started)) s"

# intercept_tls_get_addr=0: GCC 12's sanitizer runtime can mistake a
# plugin's dynamic TLS block for glibc 2.19's layout and crash LeakSanitizer's
# tracer at exit ("Tracer caught signal 11"; google/sanitizers#1322). It
# depends on where malloc puts the block, so it comes and goes with the build.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
summary=()
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
  if ((smoke)); then
    # A fixed seed and run count from the seed corpora alone: reproducible.
    corpus="$build/smoke-corpus/$target"
    rm -rf "$corpus"
    args+=(-seed=1 -runs=20000)
  else
    args+=(-max_total_time="$seconds")
  fi
  mkdir -p "$corpus" "$artifacts"
  [[ -f $fuzz_dir/dict/$target.dict ]] && args+=(-dict="$fuzz_dir/dict/$target.dict")
  log="$build/$target.log"
  target_started=$SECONDS
  if ((smoke)); then echo "fuzz: $target, 20000 runs from seed 1"; else echo "fuzz: $target for $seconds s"; fi
  if "$build/fuzz/fuzz_$target" "${args[@]}" "$corpus" "$fuzz_dir/corpus/$target" \
    "$fuzz_dir/regressions/$target" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$target")
    grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
    echo "fuzz: $target failed; full log: $log" >&2
    echo "fuzz: keep the input as a regression once fixed:" \
      "cp $artifacts/<crash-file> tests/fuzz/regressions/$target/" >&2
  fi
  runs="$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')"
  summary+=("$(printf "%-18s %-7s %10s runs %6d corpus files %4d s" "$target" "$result" "$runs" \
    "$(find "$corpus" -type f | wc -l)" $((SECONDS - target_started)))")
done

if ((smoke)); then echo "fuzz: summary (smoke)"; else echo "fuzz: summary ($seconds s per target)"; fi
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
