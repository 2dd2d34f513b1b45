#!/usr/bin/env bash
# Starts and stops the brokers the integration tests run against: redis-server,
# nats-server (JetStream), mosquitto, rabbitmq-server and a Kafka mock cluster,
# each on 127.0.0.1, on non-default ports, with its data in a private dir.
#
#   scripts/brokers.sh start [BROKER...]   start (all by default); prints export lines
#   scripts/brokers.sh stop [BROKER...]    stop what this script started
#   scripts/brokers.sh status [BROKER...]  report each; exit 3 if any is not running
#   scripts/brokers.sh env                 print the export lines of the running brokers
#
# BROKER is one of: redis nats mqtt rabbitmq kafka.
# `eval "$(scripts/brokers.sh start)"` sets, for the tests:
#   SLUICE_TEST_REDIS_ADDR=127.0.0.1:PORT   SLUICE_TEST_NATS_URL=nats://127.0.0.1:PORT
#   SLUICE_TEST_NATS_MONITOR=127.0.0.1:PORT (nats-server's HTTP monitoring: /connz, /varz)
#   SLUICE_TEST_MQTT_ADDR=127.0.0.1:PORT    SLUICE_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:PORT/
#   SLUICE_TEST_AMQPS_URL=amqps://guest:guest@127.0.0.1:PORT/ (TLS listener; server certificate for
#     127.0.0.1 and localhost signed by SLUICE_TEST_AMQP_CA=<state>/rabbitmq/tls/ca.pem, made at start)
#   SLUICE_TEST_KAFKA_BROKERS=127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
# The same lines are kept in $SLUICE_BROKERS_DIR/env.sh (source it from another shell).
# Progress and errors go to stderr, so stdout holds only the export lines.
#
# Settings (environment):
#   SLUICE_BROKERS_DIR            state, data and logs (default /tmp/sluice-brokers-$UID)
#   SLUICE_BROKERS_REDIS_PORT     16379
#   SLUICE_BROKERS_NATS_PORT      14222 (monitoring: SLUICE_BROKERS_NATS_MONITOR_PORT 18222)
#   SLUICE_BROKERS_MQTT_PORT      11883
#   SLUICE_BROKERS_AMQP_PORT      15673 (Erlang distribution: SLUICE_BROKERS_AMQP_DIST_PORT 25673,
#                                 its own epmd: SLUICE_BROKERS_EPMD_PORT 14369;
#                                 TLS: SLUICE_BROKERS_AMQPS_PORT 15674)
#   SLUICE_BROKERS_KAFKA_COUNT    3 mock brokers (their ports are picked by librdkafka)
#   SLUICE_BROKERS_KAFKA_TOPICS   topics to create up front, e.g. "orders:4 audit" (default none)
#   SLUICE_BROKERS_TIMEOUT        seconds to wait for each server (default 30; rabbitmq 90)
#
# Only processes this script started (recorded with their start time, so a
# reused PID is never mistaken for ours) are ever signalled.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${SLUICE_BROKERS_DIR:-/tmp/sluice-brokers-${UID}}"
redis_port="${SLUICE_BROKERS_REDIS_PORT:-16379}"
nats_port="${SLUICE_BROKERS_NATS_PORT:-14222}"
nats_monitor_port="${SLUICE_BROKERS_NATS_MONITOR_PORT:-18222}"
mqtt_port="${SLUICE_BROKERS_MQTT_PORT:-11883}"
amqp_port="${SLUICE_BROKERS_AMQP_PORT:-15673}"
amqp_dist_port="${SLUICE_BROKERS_AMQP_DIST_PORT:-25673}"
amqps_port="${SLUICE_BROKERS_AMQPS_PORT:-15674}"
epmd_port="${SLUICE_BROKERS_EPMD_PORT:-14369}"
kafka_count="${SLUICE_BROKERS_KAFKA_COUNT:-3}"
kafka_topics="${SLUICE_BROKERS_KAFKA_TOPICS:-}"
timeout="${SLUICE_BROKERS_TIMEOUT:-30}"
all_brokers=(redis nats mqtt rabbitmq kafka)

say() { echo "brokers: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# --- process records -------------------------------------------------------

# Start time of a PID in clock ticks since boot (field 22 of /proc/PID/stat).
start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }" # the command name may contain spaces; skip past it
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# record NAME PID: remember that we started PID for NAME.
record() { echo "$2 $(start_time "$2")" >>"$state/$1.pids"; }

# The recorded PIDs of NAME that are still the processes we started.
live_pids() {
  local file="$state/$1.pids" pid started
  [[ -f $file ]] || return 0
  while read -r pid started; do
    [[ -n $pid && "$(start_time "$pid" || true)" == "$started" ]] && echo "$pid"
  done <"$file"
  return 0
}

is_running() { [[ -n "$(live_pids "$1")" ]]; }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# wait_for NAME SECONDS CHECK...: polls CHECK every 0.2 s while NAME is alive.
wait_for() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if "$@"; then return 0; fi
    is_running "$name" || return 1
    sleep 0.2
  done
  "$@"
}

fail_start() {
  local name=$1 why=$2
  say "$name did not come up: $why"
  say "last lines of $state/logs/$name.log:"
  tail -n 30 "$state/logs/$name.log" >&2 || true
  stop_one "$name"
  exit 1
}

# launch NAME CMD...: runs CMD in its own session (so its whole process group
# can be signalled) with output to the broker's log, and records its PID.
launch() {
  local name=$1
  shift
  rm -f "$state/$name.pids" "$state/$name.env"
  setsid "$@" </dev/null >"$state/logs/$name.log" 2>&1 &
  record "$name" $!
}

require_free_port() {
  local name=$1 port=$2 var=$3
  if port_open 127.0.0.1 "$port"; then
    die "$name: port $port on 127.0.0.1 is already taken by a process this script did not start; \
choose another with $var=PORT"
  fi
}

fresh_dir() {
  rm -rf "$1"
  mkdir -p "$1"
}

# --- the brokers ------------------------------------------------------------

start_redis() {
  require_free_port redis "$redis_port" SLUICE_BROKERS_REDIS_PORT
  fresh_dir "$state/redis"
  launch redis redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$state/redis"
  wait_for redis "$timeout" port_open 127.0.0.1 "$redis_port" || fail_start redis "port $redis_port"
  echo "export SLUICE_TEST_REDIS_ADDR=127.0.0.1:$redis_port" >"$state/redis.env"
}

start_nats() {
  require_free_port nats "$nats_port" SLUICE_BROKERS_NATS_PORT
  require_free_port nats "$nats_monitor_port" SLUICE_BROKERS_NATS_MONITOR_PORT
  fresh_dir "$state/nats"
  # The monitoring port lets tests see which clients the server still
  # counts (a killed node's queue-group membership, for one).
  launch nats nats-server -a 127.0.0.1 -p "$nats_port" -m "$nats_monitor_port" -js -sd "$state/nats"
  wait_for nats "$timeout" port_open 127.0.0.1 "$nats_port" || fail_start nats "port $nats_port"
  wait_for nats "$timeout" port_open 127.0.0.1 "$nats_monitor_port" ||
    fail_start nats "monitoring port $nats_monitor_port"
  {
    echo "export SLUICE_TEST_NATS_URL=nats://127.0.0.1:$nats_port"
    echo "export SLUICE_TEST_NATS_MONITOR=127.0.0.1:$nats_monitor_port"
  } >"$state/nats.env"
}

start_mqtt() {
  require_free_port mqtt "$mqtt_port" SLUICE_BROKERS_MQTT_PORT
  fresh_dir "$state/mqtt"
  # mosquitto 2.0 refuses anonymous clients unless told otherwise; `user`
  # keeps it from switching to the mosquitto account when started as root.
  cat >"$state/mqtt/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
user $(id -un)
CONF
  launch mqtt mosquitto -c "$state/mqtt/mosquitto.conf"
  wait_for mqtt "$timeout" port_open 127.0.0.1 "$mqtt_port" || fail_start mqtt "port $mqtt_port"
  echo "export SLUICE_TEST_MQTT_ADDR=127.0.0.1:$mqtt_port" >"$state/mqtt.env"
}

# The epmd that the Erlang VM starts on our private epmd port, once it is up.
find_epmd() {
  local dir pid
  for dir in /proc/[0-9]*; do
    [[ "$(cat "$dir/comm" 2>/dev/null)" == epmd ]] || continue
    pid=${dir#/proc/}
    if tr '\0' '\n' <"$dir/environ" 2>/dev/null | grep -qx "ERL_EPMD_PORT=$epmd_port"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# make_test_ca DIR: a throw-away CA and a server certificate for 127.0.0.1 and
# localhost signed by it (ca.pem, server.pem, server.key), so TLS clients can
# be tested with verification on.
make_test_ca() {
  local dir="$1"
  mkdir -p "$dir"
  command -v openssl >/dev/null || die "openssl is missing (run scripts/bootstrap.sh)"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=sluice test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" &&
      openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$dir/server.key" -out "$dir/server.csr" &&
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext" &&
      openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 30 -extfile "$dir/san.ext" -out "$dir/server.pem"
  } >"$dir/openssl.log" 2>&1 || die "cannot make the test CA: $(cat "$dir/openssl.log")"
  chmod 644 "$dir/server.key"
}

start_rabbitmq() {
  require_free_port rabbitmq "$amqp_port" SLUICE_BROKERS_AMQP_PORT
  require_free_port rabbitmq "$amqp_dist_port" SLUICE_BROKERS_AMQP_DIST_PORT
  require_free_port rabbitmq "$amqps_port" SLUICE_BROKERS_AMQPS_PORT
  local dir="$state/rabbitmq"
  fresh_dir "$dir"
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  echo "[]." >"$dir/enabled_plugins"
  # A TLS listener next to the plain one (the plain one comes from
  # RABBITMQ_NODE_PORT below), with a certificate from a CA made here.
  make_test_ca "$dir/tls"
  cat >"$dir/rabbitmq.conf" <<CONF
listeners.ssl.default = 127.0.0.1:$amqps_port
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
CONF
  # Run the server script directly (not the /usr/sbin wrapper, which insists
  # on root or the rabbitmq account and su's to it): it then runs as whoever
  # runs this script, with its Erlang cookie in our own HOME, and a private
  # epmd port keeps it apart from any system RabbitMQ.
  local server=/usr/lib/rabbitmq/bin/rabbitmq-server
  [[ -x $server ]] || server="$(command -v rabbitmq-server)"
  launch rabbitmq env HOME="$dir/home" \
    ERL_EPMD_PORT="$epmd_port" \
    RABBITMQ_NODENAME="sluicetest-${UID}@localhost" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$amqp_port" \
    RABBITMQ_DIST_PORT="$amqp_dist_port" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_LOGS=- \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    "$server"
  local epmd
  if wait_for rabbitmq 20 find_epmd >/dev/null; then
    epmd="$(find_epmd)"
    record rabbitmq "$epmd"
  fi
  wait_for rabbitmq "${SLUICE_BROKERS_TIMEOUT:-90}" port_open 127.0.0.1 "$amqp_port" ||
    fail_start rabbitmq "AMQP port $amqp_port"
  wait_for rabbitmq "$timeout" port_open 127.0.0.1 "$amqps_port" ||
    fail_start rabbitmq "AMQPS port $amqps_port"
  {
    echo "export SLUICE_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:$amqp_port/"
    echo "export SLUICE_TEST_AMQPS_URL=amqps://guest:guest@127.0.0.1:$amqps_port/"
    echo "export SLUICE_TEST_AMQP_CA=$dir/tls/ca.pem"
  } >"$state/rabbitmq.env"
}

# The kafka-mock-cluster helper (tests/tools): from the build, else compiled here.
kafka_mock_binary() {
  local candidate
  for candidate in "${SLUICE_BUILD_DIR:+$SLUICE_BUILD_DIR/bin/kafka-mock-cluster}" \
    "$repo/build/bin/kafka-mock-cluster"; do
    [[ -n $candidate && -x $candidate ]] && {
      echo "$candidate"
      return 0
    }
  done
  local source="$repo/tests/tools/kafka_mock_cluster.c" built="$state/kafka-mock-cluster"
  if [[ ! -x $built || $source -nt $built ]]; then
    say "building $built from $source"
    cc -O2 -std=c99 -o "$built" "$source" -lrdkafka -lpthread >&2 ||
      die "cannot build the Kafka mock cluster (is librdkafka-dev installed? run scripts/bootstrap.sh)"
  fi
  echo "$built"
}

start_kafka() {
  local binary args=(-b "$kafka_count") topic
  binary="$(kafka_mock_binary)"
  for topic in $kafka_topics; do args+=(-t "$topic"); done
  launch kafka "$binary" "${args[@]}"
  # The mock picks its own ports and prints them as its first stdout line.
  bootstraps() { grep -m1 -E '^127\.0\.0\.1:[0-9]+' "$state/logs/kafka.log"; }
  wait_for kafka "$timeout" bootstraps >/dev/null || fail_start kafka "no bootstrap line"
  local servers first
  servers="$(bootstraps)"
  first="${servers%%,*}"
  wait_for kafka "$timeout" port_open 127.0.0.1 "${first#*:}" || fail_start kafka "port ${first#*:}"
  echo "export SLUICE_TEST_KAFKA_BROKERS=$servers" >"$state/kafka.env"
}

# --- commands ---------------------------------------------------------------

stop_one() {
  local name=$1 pid pids remaining
  pids="$(live_pids "$name")"
  if [[ -n $pids ]]; then
    for pid in $pids; do
      # Each server leads its own process group (launch uses setsid).
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 20))
    while remaining="$(live_pids "$name")" && [[ -n $remaining ]] && ((SECONDS < deadline)); do
      sleep 0.2
    done
    for pid in $remaining; do
      say "$name: pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
    say "$name stopped"
  fi
  rm -f "$state/$name.pids" "$state/$name.env"
}

write_env() {
  local name
  : >"$state/env.sh.tmp"
  for name in "${all_brokers[@]}"; do
    if is_running "$name" && [[ -f $state/$name.env ]]; then cat "$state/$name.env"; fi
  done >>"$state/env.sh.tmp"
  mv "$state/env.sh.tmp" "$state/env.sh"
}

selected() {
  local name
  if (($# == 0)); then
    echo "${all_brokers[@]}"
    return
  fi
  for name in "$@"; do
    [[ " ${all_brokers[*]} " == *" $name "* ]] || die "unknown broker '$name' (one of: ${all_brokers[*]})"
  done
  echo "$@"
}

cmd_start() {
  local name
  mkdir -p "$state/logs"
  for name in $(selected "$@"); do
    if is_running "$name" && [[ -f $state/$name.env ]]; then
      say "$name already running (pid $(live_pids "$name" | head -1))"
      continue
    fi
    stop_one "$name" # clears a half-started or stale record
    say "starting $name"
    "start_$name"
    say "$name up: $(cut -d' ' -f2 "$state/$name.env")"
  done
  write_env
  cat "$state/env.sh"
}

cmd_stop() {
  local name
  [[ -d $state ]] || return 0
  for name in $(selected "$@"); do stop_one "$name"; done
  write_env
}

cmd_status() {
  local name rc=0
  for name in $(selected "$@"); do
    if is_running "$name"; then
      printf '%-9s running  pids %-14s %s\n' "$name" "$(live_pids "$name" | tr '\n' ' ')" \
        "$(cut -d' ' -f2 "$state/$name.env" 2>/dev/null)"
    else
      printf '%-9s stopped\n' "$name"
      rc=3
    fi
  done
  return $rc
}

case "${1:-}" in
  start | stop | status)
    command="$1"
    shift
    "cmd_$command" "$@"
    ;;
  env) [[ -f $state/env.sh ]] && cat "$state/env.sh" ;;
  *)
    sed -n '2,30p' "$0" >&2
    exit 2
    ;;
esac
