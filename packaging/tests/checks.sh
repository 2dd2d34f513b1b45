# shellcheck shell=bash disable=SC2154  # globals come from scripts/package-test.sh
# Check functions for scripts/package-test.sh (sourced, not run). Each
# function prints what it saw and returns non-zero when the check fails;
# `check` runs one, captures its output and prints PASS or FAIL.
# Uses the caller's globals: work, packages, installed, dropped_plugin,
# all_packages, broker_plugins.

passed=0
failed=0

# check "description" command [args...]
check() {
  local name=$1
  shift
  local log="$work/check-$((passed + failed + 1)).log" start=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "PASS  $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1))
    echo "FAIL  $name ($((SECONDS - start))s)"
    tail -n 25 "$log" | sed 's/^/      /'
  fi
}

# Like check, but the rest of the run makes no sense without it.
require() {
  local before=$failed
  check "$@"
  if ((failed > before)); then
    echo "      (stopping: later checks depend on this one)"
    summary
  fi
}

summary() {
  echo "$passed passed, $failed failed"
  if ((failed > 0)); then exit 1; fi
  exit 0
}

# Purges whatever this run installed and removes its files, even after a
# failure or an interrupt; keeps the exit status.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((installed)); then
    local left
    left=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'sluice*' 2>/dev/null |
      awk '$1 !~ /^.n/ { print $2 }')
    if [[ -n $left ]]; then
      echo "cleanup: purging" $left
      # shellcheck disable=SC2086
      dpkg --purge $left >/dev/null 2>&1
    fi
  fi
  rm -f "$dropped_plugin"
  rmdir /usr/local/lib/sluice/plugins /usr/local/lib/sluice 2>/dev/null
  # man-db's cat page of sluice(1), cached when systemd-analyze ran man.
  rm -f /var/cache/man/cat1/sluice.1.gz
  if [[ ${SLUICE_PACKAGE_TEST_KEEP:-0} == 1 ]]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}

all_exist() {
  local ok=0 f
  for f in "$@"; do
    if [[ -z $f || ! -f $f ]]; then
      echo "missing package file: '${f}'"
      ok=1
    fi
  done
  ls -l "$packages"
  return $ok
}

# fields_match file.deb regex... : each (basic) regex matches the control.
fields_match() {
  local deb=$1 control ok=0 re
  shift
  control=$(dpkg-deb -f "$deb") || return 1
  echo "$control"
  for re in "$@"; do
    grep -q -e "$re" <<<"$control" || {
      echo "no line matches: $re"
      ok=1
    }
  done
  return $ok
}

# control_has file.deb member:regex... : control member (conffiles,
# postinst, ...) contains a line matching regex.
control_has() {
  local deb=$1 dir ok=0 spec
  shift
  dir=$(mktemp -d "$work/control.XXXXXX")
  dpkg-deb -e "$deb" "$dir" || return 1
  ls -l "$dir"
  for spec in "$@"; do
    local member=${spec%%:*} re=${spec#*:}
    if [[ ! -f $dir/$member ]]; then
      echo "no control file $member"
      ok=1
    elif ! grep -q -e "$re" "$dir/$member"; then
      echo "$member has no line matching $re"
      ok=1
    fi
  done
  return $ok
}

deb_paths() { dpkg-deb --contents "$1" | awk '{ print $6 }' | sed 's#^\./#/#; s#/$##'; }

# deb_contains file.deb path... : each path is in the package.
deb_contains() {
  local deb=$1 paths ok=0 p
  shift
  paths=$(deb_paths "$deb") || return 1
  for p in "$@"; do
    grep -qxF "$p" <<<"$paths" || {
      echo "not in $(basename "$deb"): $p"
      ok=1
    }
  done
  ((ok)) && echo "$paths"
  return $ok
}

each_plugin_once() {
  local deb all dups
  all=$(for deb in "$@"; do deb_paths "$deb"; done | grep '^/usr/lib/sluice/plugins/.*\.so$')
  echo "$all"
  dups=$(sort <<<"$all" | uniq -d)
  [[ -n $all && -z $dups ]] || {
    echo "in more than one package: $dups"
    return 1
  }
}

# rpm_query_has file.rpm query regex... with query one of -qpi -qpl
# --provides --requires --configfiles --scripts.
rpm_query_has() {
  local rpm=$1 query=$2 out ok=0 re
  shift 2
  case $query in
    -qpi | -qpl) out=$(rpm "$query" "$rpm" 2>&1) ;;
    *) out=$(rpm -qp "$query" "$rpm" 2>&1) ;;
  esac || return 1
  echo "$out"
  for re in "$@"; do
    grep -q -e "$re" <<<"$out" || {
      echo "rpm $query $(basename "$rpm"): nothing matches $re"
      ok=1
    }
  done
  return $ok
}

# lintian_clean README.md file.deb... : no E: tags and only W: tags that
# the README's "Lintian" section lists as accepted (| `tag` | why |).
lintian_clean() {
  local readme=$1 accepted out ok=0 tag
  shift
  command -v lintian >/dev/null || {
    echo "lintian is missing: apt-get install lintian"
    return 1
  }
  accepted=$(sed -n '/^## Lintian/,/^## [^L]/p' "$readme" | sed -n 's/^| `\([a-z0-9.+-]*\)` |.*/\1/p')
  out=$(lintian --no-cfg "$@" 2>&1)
  echo "$out"
  echo "accepted warnings: $(echo $accepted)"
  if grep -q '^E: ' <<<"$out"; then
    echo "lintian reports errors"
    ok=1
  fi
  for tag in $(sed -n 's/^W: [^ ]* \([^ ]*\).*/\1/p' <<<"$out" | sort -u); do
    grep -qxF "$tag" <<<"$accepted" || {
      echo "warning not accepted in packaging/README.md: $tag"
      ok=1
    }
  done
  return $ok
}

# Paths named *sluice* outside the source, build and temporary folders,
# plus the sluice user and group: compared before install and after purge.
snapshot_system() {
  {
    find / \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
      -o -path "$root" -o -path "$build" -o -path "$packages" -o -path /work -o -path /root \
      -o -path /var/cache -o -path /var/tmp \) -prune -o -iname '*sluice*' -print 2>/dev/null
    getent passwd sluice | sed 's/^/passwd: /'
    getent group sluice | sed 's/^/group: /'
  } | sort >"$1"
}

user_and_dirs_ok() {
  local entry uid shell ok=0 dir
  entry=$(getent passwd sluice) || {
    echo "no user sluice"
    return 1
  }
  echo "$entry"
  uid=$(cut -d: -f3 <<<"$entry")
  shell=$(cut -d: -f7 <<<"$entry")
  ((uid < 1000)) || {
    echo "uid $uid is not a system uid"
    ok=1
  }
  [[ $shell == */nologin ]] || {
    echo "shell $shell is not nologin"
    ok=1
  }
  getent group sluice || {
    echo "no group sluice"
    ok=1
  }
  for dir in /var/lib/sluice /var/log/sluice; do
    stat -c '%n %U:%G %a' "$dir" || {
      ok=1
      continue
    }
    [[ $(stat -c '%U:%G %a' "$dir") == "sluice:sluice 750" ]] || {
      echo "$dir should be sluice:sluice 750"
      ok=1
    }
  done
  [[ -d /usr/local/lib/sluice/plugins ]] || {
    echo "no /usr/local/lib/sluice/plugins"
    ok=1
  }
  return $ok
}

# output_matches regex command... : command succeeds and prints regex.
output_matches() {
  local re=$1 out status
  shift
  out=$("$@" 2>&1)
  status=$?
  echo "$out"
  ((status == 0)) || {
    echo "exit status $status"
    return 1
  }
  grep -q -e "$re" <<<"$out"
}

# output_matches_all regex... -- command... : every regex matches a line.
output_matches_all() {
  local patterns=() out ok=0 re
  while [[ $1 != -- ]]; do
    patterns+=("$1")
    shift
  done
  shift
  out=$("$@" 2>&1)
  local status=$?
  echo "$out"
  ((status == 0)) || {
    echo "exit status $status"
    ok=1
  }
  for re in "${patterns[@]}"; do
    grep -q -e "$re" <<<"$out" || {
      echo "no line matches: $re"
      ok=1
    }
  done
  return $ok
}

# The installed unit, with the installed binary and man page: any message
# at all (unknown key, bad value, missing command) fails.
unit_verifies() {
  command -v systemd-analyze >/dev/null || {
    echo "systemd-analyze is missing: apt-get install systemd"
    return 1
  }
  local out man=()
  # Documentation=man:sluice(1) is checked through man(1) when it exists.
  command -v man >/dev/null || man=(--man=no)
  out=$(systemd-analyze verify "${man[@]}" /usr/lib/systemd/system/sluice.service 2>&1)
  local status=$?
  echo "$out"
  ((status == 0)) && [[ -z $out ]]
}

# Runs the packaged default config as the service would (user sluice,
# STATE_DIRECTORY set, cwd /var/lib/sluice) for $1 seconds, then SIGINT. The
# default pipeline serves the live viewer over the websocket sink and prints a
# fleet summary on stdout every 3 s. The admin and websocket listeners get free
# ports so that a sluice already running here does not make the test fail.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

default_pipeline_runs() {
  local seconds=$1 start status errors port ws_port lines viewer pid
  port=$(free_port)
  ws_port=$(free_port)
  start=$SECONDS
  (cd /var/lib/sluice && runuser -u sluice -- env STATE_DIRECTORY=/var/lib/sluice \
    LOGS_DIRECTORY=/var/log/sluice SLUICE_ADMIN_LISTEN="127.0.0.1:$port" \
    SLUICE_WS_LISTEN="127.0.0.1:$ws_port" \
    timeout --preserve-status -s INT "$seconds" \
    sluice run -c /etc/sluice/sluice.yaml --log-format text \
    </dev/null >"$work/default-run.out" 2>"$work/default-run.err") &
  pid=$!
  sleep 2
  viewer=$(python3 -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:" + sys.argv[1] + "/", timeout=5).read().decode())' \
    "$ws_port" 2>&1 | grep -c '<html')
  wait "$pid"
  status=$?
  local elapsed=$((SECONDS - start))
  lines=$(grep -c '"summary":"fleet"' "$work/default-run.out")
  tail -n 15 "$work/default-run.err"
  head -n 3 "$work/default-run.out"
  echo "exit status $status after ${elapsed}s; $lines summary lines on stdout;" \
    "viewer page served: $viewer"
  errors=$(grep -E '^[0-9T:.-]+Z error ' "$work/default-run.err")
  [[ -z $errors ]] || echo "error lines: $errors"
  ((status == 0 && elapsed >= seconds && lines > 0 && viewer > 0)) && [[ -z $errors ]]
}

build_template() {
  cmake -S "$root/examples/plugin-template" -B "$work/template-build" \
    -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$work/template-build" &&
    grep -x 'sluice-sdk_DIR:PATH=/usr/lib/cmake/sluice-sdk' "$work/template-build/CMakeCache.txt"
}

template_pipeline_runs() {
  local dir="$work/template-run"
  mkdir -p "$dir"
  printf 'hello\nsluice packages\n{"n":1}\n' >"$dir/input.txt"
  cat >"$dir/sluice.yaml" <<EOF
node_id: package-test
state_dir: $dir/state
admin:
  enabled: false
connectors:
  input:
    plugin: file
    mode: source
    path: $dir/input.txt
  shout:
    plugin: template
    path: $dir/upper.txt
routes:
  - from: input
    to: shout
EOF
  chown -R sluice:sluice "$dir"
  runuser -u sluice -- sluice check -c "$dir/sluice.yaml" || return 1
  runuser -u sluice -- timeout 30 sluice run --exit-when-done -c "$dir/sluice.yaml" </dev/null ||
    return 1
  diff <(printf 'HELLO\nSLUICE PACKAGES\n{"N":1}\n') "$dir/upper.txt"
}

remove_keeps_state() {
  apt-get remove -y -q "${all_packages[@]}" || return 1
  local ok=0 path
  for path in /etc/sluice/sluice.yaml /etc/sluice/routes.lua /var/lib/sluice /var/log/sluice \
    "$dropped_plugin"; do
    [[ -e $path ]] || {
      echo "removed but should stay: $path"
      ok=1
    }
  done
  for path in /usr/bin/sluice /usr/lib/systemd/system/sluice.service /usr/include/sluice; do
    [[ ! -e $path ]] || {
      echo "still there after remove: $path"
      ok=1
    }
  done
  getent passwd sluice || {
    echo "user sluice removed on remove"
    ok=1
  }
  return $ok
}

# dpkg --purge: apt-get no longer knows removed packages that had no
# conffiles (sluice-dev, the plugins), so it cannot purge them.
purge_cleans() {
  dpkg --purge "${all_packages[@]}" || return 1
  local ok=0 path left
  for path in /etc/sluice /var/lib/sluice /var/log/sluice /usr/lib/sluice /usr/include/sluice \
    /usr/lib/cmake/sluice-sdk /usr/lib/systemd/system/sluice.service; do
    [[ ! -e $path ]] || {
      echo "still there after purge: $path"
      ok=1
    }
  done
  if getent passwd sluice || getent group sluice; then
    echo "user or group sluice still there after purge"
    ok=1
  fi
  left=$(ls /var/lib/systemd/deb-systemd-helper-*/*sluice* 2>/dev/null)
  [[ -z $left ]] || {
    echo "systemd helper state left: $left"
    ok=1
  }
  left=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'sluice*' 2>/dev/null |
    awk '$1 !~ /^.n/')
  [[ -z $left ]] || {
    echo "packages not purged: $left"
    ok=1
  }
  return $ok
}

# nothing_left_but before.txt allowed-path... : compared with the snapshot
# taken before install, only the allowed paths appeared and nothing vanished.
nothing_left_but() {
  local before=$1 after="$work/after.txt" ok=0 line allowed
  shift
  snapshot_system "$after"
  while read -r line; do
    allowed=0
    for path in "$@" /usr/local/lib/sluice /usr/local/lib/sluice/plugins; do
      [[ $line == "$path" ]] && allowed=1
    done
    ((allowed)) && echo "left, as the policy says: $line" && continue
    echo "left behind: $line"
    ok=1
  done < <(comm -13 "$before" "$after")
  while read -r line; do
    echo "gone although it was there before: $line"
    ok=1
  done < <(comm -23 "$before" "$after")
  [[ -e $1 ]] || {
    echo "the dropped-in plugin $1 should survive the purge"
    ok=1
  }
  return $ok
}

rpm_root() { echo "$work/rpm-root"; }

rpm_scratch_install() {
  local r
  r=$(rpm_root)
  mkdir -p "$r"
  rpm --root "$r" --initdb &&
    rpm --root "$r" -i --nodeps --noscripts "$packages"/*.rpm &&
    rpm --root "$r" -qa | sort
}

rpm_scratch_has() {
  local r ok=0 path
  r=$(rpm_root)
  for path in "$@"; do
    [[ -e $r$path ]] || {
      echo "missing in the scratch root: $path"
      ok=1
    }
  done
  ((ok)) && (cd "$r" && find . -type f | sort)
  return $ok
}

rpm_scratch_owners() {
  local r ok=0 p owner
  r=$(rpm_root)
  owner=$(rpm --root "$r" -qf --qf '%{NAME}\n' /usr/bin/sluice)
  echo "/usr/bin/sluice: $owner"
  [[ $owner == sluice ]] || ok=1
  for p in "${broker_plugins[@]}"; do
    owner=$(rpm --root "$r" -qf --qf '%{NAME}\n' "/usr/lib/sluice/plugins/sluice-$p.so")
    echo "sluice-$p.so: $owner"
    [[ $owner == "sluice-plugin-$p" ]] || ok=1
  done
  rpm --root "$r" -V -a --nodeps || ok=1
  return $ok
}
