#!/usr/bin/env bash
# Starts a single-node Kafka 4.x in KRaft mode (combined broker + controller) on
# 127.0.0.1, in the background, and waits until it serves metadata.
# Prints the bootstrap address on stdout (with --sasl, the SASL one on a 2nd line).
#
# Usage: start-kafka.sh [--port 9092] [--controller-port PORT+1] [--dir DIR]
#                       [--sasl [--sasl-port PORT+2]] [--fresh] [--timeout 60]
#   --dir      state dir: config, data, logs, pidfile (default deploy/local/run/kafka);
#              data is kept between runs unless --fresh
#   --sasl     also listen with SASL_PLAINTEXT + SCRAM-SHA-256 on --sasl-port, user
#              "modelwatch", password from $KAFKA_SASL_PASSWORD (set at format time)
# Env: KAFKA_JAVA (java binary), KAFKA_HEAP_OPTS (heap and GC, default
#      -Xms128m -Xmx512m -XX:+UseSerialGC), KAFKA_JVM_OPTS (extra JVM options).
#      Run install.sh first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port=9092 controller_port='' sasl_port='' dir="$LOCAL_DIR/run/kafka" sasl=false fresh=false timeout=60
while (($#)); do
  case $1 in
    --sasl | --fresh | -h | --help) ;;
    *) (($# >= 2)) || die "$1: unknown option or missing value (see --help)" ;;
  esac
  case $1 in
    --port) port=$2; shift 2 ;;
    --controller-port) controller_port=$2; shift 2 ;;
    --sasl-port) sasl_port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --sasl) sasl=true; shift ;;
    --fresh) fresh=true; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
check_port "$port" --port
controller_port=${controller_port:-$((port + 1))}
sasl_port=${sasl_port:-$((port + 2))}
check_port "$controller_port" --controller-port
check_port "$sasl_port" --sasl-port
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/kafka.pid"
# Marker on the java command line so stop-kafka.sh only ever kills this broker.
marker="-Dmodelwatch.local.kafka=$dir"

bootstrap="127.0.0.1:$port"
sasl_bootstrap="127.0.0.1:$sasl_port"
print_addresses() {
  echo "$bootstrap"
  if $sasl; then echo "$sasl_bootstrap"; fi
}

if pid_alive "$pidfile" "$marker"; then
  log "already running (pid $(<"$pidfile")), state in $dir"
  print_addresses
  exit 0
fi
rm -f "$pidfile"

libs="$CACHE_DIR/kafka/libs"
compgen -G "$libs/kafka_2.13-*.jar" >/dev/null || die "Kafka not installed: run $LOCAL_DIR/install.sh"
java=$(find_java 17 "${KAFKA_JAVA:-}") || die "Kafka 4.x needs Java 17+; none found (set KAFKA_JAVA or JAVA_HOME)"

ports=("$port" "$controller_port")
if $sasl; then ports+=("$sasl_port"); fi
for p in "${ports[@]}"; do
  port_open "$p" && die "port $p on 127.0.0.1 is already in use"
done

if $sasl; then
  password=${KAFKA_SASL_PASSWORD:-}
  [[ -n $password ]] || die "--sasl needs the password in \$KAFKA_SASL_PASSWORD"
  # StorageTool's --add-scram splits its value on ',' and strips quotes/blanks.
  [[ $password != *[,\"\']* && $password == "${password#[[:space:]]}" && $password == "${password%[[:space:]]}" ]] ||
    die "KAFKA_SASL_PASSWORD must not contain , \" or ' nor start/end with blanks"
fi

$fresh && rm -rf "$dir/data" "$dir/logs" "$dir/format.stamp"
mkdir -p "$dir/data" "$dir/logs"

listeners="PLAINTEXT://$bootstrap,CONTROLLER://127.0.0.1:$controller_port"
protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
if $sasl; then
  listeners+=",SASL_PLAINTEXT://$sasl_bootstrap"
  protocols+=",SASL_PLAINTEXT:SASL_PLAINTEXT"
fi
config="$dir/server.properties"
cat >"$config" <<EOF
# Written by start-kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listeners=$listeners
advertised.listeners=$listeners
listener.security.protocol.map=$protocols
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
# Test-friendly settings: one node, so replication factors of 1; few partitions
# for the internal topics so the first consumer group and transaction start fast.
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
EOF
if $sasl; then
  cat >>"$config" <<'EOF'
sasl.enabled.mechanisms=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOF
fi

log_opts=(-Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$LOCAL_DIR/log4j2.properties")
# shellcheck disable=SC2206 # the *_OPTS variables are lists of words on purpose
jvm_opts=(${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC} -XX:-UsePerfData
  -Djava.awt.headless=true ${KAFKA_JVM_OPTS:-})

# Format the storage once. The controller port is written into the metadata log
# (standalone quorum) and SCRAM users are only added at format time, so a data
# dir formatted with other values cannot be reused: ask for --fresh instead.
format_stamp="controller_port=$controller_port sasl=$sasl"
if [[ ! -f $dir/data/meta.properties ]]; then
  # A cluster id is 16 random bytes in URL-safe base64 (what `random-uuid` prints),
  # made here to save a JVM start; one starting with '-' would look like an option.
  cluster_id=-
  while [[ $cluster_id == -* ]]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  format_args=(format --config "$config" --cluster-id "$cluster_id" --standalone)
  $sasl && format_args+=(--add-scram "SCRAM-SHA-256=[name=modelwatch,password=$password]")
  "$java" "${log_opts[@]}" -Xmx256m -XX:+UseSerialGC -XX:-UsePerfData -cp "$libs/*" \
    kafka.tools.StorageTool "${format_args[@]}" >"$dir/logs/format.log" 2>&1 ||
    { show_logs "$dir/logs/format.log"; die "formatting $dir/data failed"; }
  echo "$format_stamp" >"$dir/format.stamp"
elif [[ $(cat "$dir/format.stamp" 2>/dev/null) != "$format_stamp" ]]; then
  die "$dir/data was formatted with other settings ($(cat "$dir/format.stamp" 2>/dev/null || echo unknown)); use --fresh"
fi

# nohup + own log files: the broker outlives this script, and must not hold the
# caller's stdout/stderr open (Node's execFile waits for those to close).
start=$(date +%s%N)
nohup "$java" "$marker" "${jvm_opts[@]}" "${log_opts[@]}" -cp "$libs/*" kafka.Kafka "$config" \
  >"$dir/logs/stdout.log" 2>&1 </dev/null &
echo $! >"$pidfile"

# Ready = the broker answers a Metadata request (v4) listing at least one broker,
# i.e. it has joined the quorum and is unfenced. Raw bytes over /dev/tcp so the
# check needs no extra JVM: size=15, api_key=3, version=4, correlation_id=7,
# client_id=null, topics=[] (none), allow_auto_topic_creation=false.
# Reply: size(4) correlation_id(4) throttle_ms(4) broker_count(4) ...
brokers_listed() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x0f\x00\x03\x00\x04\x00\x00\x00\x07\xff\xff\x00\x00\x00\x00\x00" >&3
    reply=$(head -c 16 <&3 | od -An -tx1 | tr -d " \n")
    [[ ${#reply} -eq 32 && ${reply:8:8} == 00000007 && ${reply:24:8} != 00000000 ]]
  ' _ "$1" 2>/dev/null
}
deadline=$((SECONDS + timeout))
until brokers_listed "$port"; do
  # Our own background child: kill -0 is enough, and unlike the marker check it holds before nohup has
  # exec'd java (a loaded machine can take seconds to get there).
  if ! kill -0 "$(<"$pidfile")" 2>/dev/null; then
    show_logs "$dir/logs/stdout.log" "$dir/logs/server.log"
    rm -f "$pidfile"
    die "Kafka exited during startup"
  fi
  if ((SECONDS >= deadline)); then
    show_logs "$dir/logs/stdout.log" "$dir/logs/server.log"
    "$LOCAL_DIR/stop-kafka.sh" --dir "$dir" >&2 || true
    die "Kafka not ready after ${timeout}s"
  fi
  sleep 0.2
done
log "Kafka ready in $((($(date +%s%N) - start) / 1000000)) ms (pid $(<"$pidfile"), state in $dir)"
print_addresses
