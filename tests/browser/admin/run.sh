#!/usr/bin/env bash
# Browser test of the admin status page (ctest: admin_browser_status_page):
# runs sluice with two live connectors and the admin server, then loads the
# page with playwright-core in Debian's headless Chromium.
# Environment from ctest: SLUICE_BIN, SLUICE_PLUGIN_DIR, SLUICE_BUILD_DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${SLUICE_BUILD_DIR:?SLUICE_BUILD_DIR is not set (run through ctest)}"
sluice="${SLUICE_BIN:?SLUICE_BIN is not set (run through ctest)}"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/bootstrap.sh installs it)"; exit 1; }
done
chromium="${CHROMIUM:-/usr/bin/chromium}"
[[ -x $chromium ]] || { echo "FAIL: no Chromium at $chromium (apt-get install chromium)"; exit 1; }

# npm packages go into the build tree, never the source tree.
work="$build/browser-admin"
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/status_page.test.mjs" "$work/"
if [[ ! -d $work/node_modules/playwright-core ]]; then
  (cd "$work" && { npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; })
fi

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
cat >"$work/sluice.yaml" <<YAML
node_id: browser-admin
admin: { listen: 127.0.0.1:$port }
connectors:
  tracking:
    plugin: generate
    rate: 200
    payload: '{"n":\${counter}}'
  spare:
    plugin: generate
    rate: 50
    payload: '{"n":\${counter}}'
  discard:
    plugin: "null"
routes:
  - { name: everything, from: tracking, to: discard }
  - { name: feed, from: { priority: [tracking, spare] }, to: discard }
YAML

SLUICE_PLUGIN_PATH="${SLUICE_PLUGIN_DIR:-$build/plugins}" "$sluice" run -c "$work/sluice.yaml" \
  >"$work/sluice.log" 2>&1 &
sluice_pid=$!
trap 'kill $sluice_pid 2>/dev/null; wait $sluice_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $sluice_pid 2>/dev/null || { echo "FAIL: sluice exited:"; cat "$work/sluice.log"; exit 1; }
  sleep 0.1
done

status=0
(cd "$work" && CHROMIUM="$chromium" node status_page.test.mjs "http://127.0.0.1:$port/" \
  "$build/admin-status-page.png") || status=$?
if ((status != 0)); then
  echo "--- sluice log"
  tail -n 30 "$work/sluice.log"
fi
exit $status
