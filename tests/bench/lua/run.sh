#!/usr/bin/env bash
# Scenario "lua": Lua handlers against the native filter and pass-through.
#   file -> null                               the pass-through baseline
#   (a) file -> where SPEED != "0.00" -> null  native filter
#   (b) the same filter as a Lua handler
#   (c) a Lua handler keeping 100 device ids and adding routed = "yes"
# brokers:
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../common/bench_lib.sh
source "$here/../common/bench_lib.sh"

lines=$BENCH_LINES
bytes=$BENCH_BYTES
cat "$BENCH_DATA" >/dev/null # warm the page cache

expect_discarded() {
  local got
  got="$(sed -n 's/.*null sink final: \([0-9]*\) messages.*/\1/p' "$1" | tail -n 1)"
  if [[ $got != "$2" ]]; then
    echo "lua: FAILED: the null sink completed '${got:-?}' messages, expected $2 (see $1)" >&2
    exit 1
  fi
}

bench_sluice "file -> null" "$here/../file/file-to-null.yaml" "$lines" "$bytes" baseline

moving="$(grep -vc '"SPEED":"0.00"' "$BENCH_DATA" || true)"
bench_sluice "native SPEED!=0.00 -> null" "$here/native-where-null.yaml" "$lines" "$bytes" \
  "$moving passed"
expect_discarded "$BENCH_OUT/native-SPEED-0-00-null.log" "$moving"

bench_sluice "lua SPEED!=0.00 -> null" "$here/lua-filter-null.yaml" "$lines" "$bytes" \
  "$moving passed"
expect_discarded "$BENCH_OUT/lua-SPEED-0-00-null.log" "$moving"

kept="$(grep -c '"DEVICE_ID":"08480860[0-9][0-9]"' "$BENCH_DATA" || true)"
bench_sluice "lua 100 devices +field -> null" "$here/lua-devices-null.yaml" "$lines" "$bytes" \
  "$kept kept"
expect_discarded "$BENCH_OUT/lua-100-devices-field-null.log" "$kept"
