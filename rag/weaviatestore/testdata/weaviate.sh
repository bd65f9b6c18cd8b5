#!/usr/bin/env bash
# weaviate.sh runs Weaviate servers on loopback for citebot's tests.
#
#   weaviate.sh start                 one node at http://127.0.0.1:8089
#   weaviate.sh stop                  stop it (SIGTERM, SIGKILL after 30s)
#   weaviate.sh status                succeed if it runs (its pid on stdout)
#   weaviate.sh cluster-start         three nodes at http://127.0.0.1:8101..8103
#   weaviate.sh cluster-stop          stop them
#   weaviate.sh cluster-kill N        kill -9 node N (1..3), as a crash would
#   weaviate.sh cluster-start-node N  start node N again and wait until ready
#   weaviate.sh clean                 stop everything and delete the data
#
# Environment:
#   WEAVIATE_BIN  the weaviate-server binary (default: weaviate-server on
#                 PATH, else $(go env GOPATH)/bin/weaviate-server); build it
#                 with `go install github.com/weaviate/weaviate/cmd/weaviate-server@v1.29.0`
#   WEAVIATE_DIR  data, logs and pid files (default: ${TMPDIR:-/tmp}/citebot-weaviate)
#   WEAVIATE_READY_TIMEOUT  seconds to wait for readiness (default 90)
#
# Data survives stop/start (the tests rely on it to check persistence);
# `clean` removes it. Logs are in $WEAVIATE_DIR/*.log.
set -euo pipefail

dir=${WEAVIATE_DIR:-${TMPDIR:-/tmp}/citebot-weaviate}
ready_timeout=${WEAVIATE_READY_TIMEOUT:-90}

bin() {
	if [[ -n ${WEAVIATE_BIN:-} ]]; then
		echo "$WEAVIATE_BIN"
	elif command -v weaviate-server >/dev/null; then
		command -v weaviate-server
	else
		echo "$(go env GOPATH)/bin/weaviate-server"
	fi
}

die() {
	echo "weaviate.sh: $*" >&2
	exit 1
}

# wait_ready PORT NAME PID waits for GET /v1/.well-known/ready on PORT.
wait_ready() {
	local port=$1 name=$2 pid=$3 i
	for ((i = 0; i < ready_timeout * 4; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$dir/$name.log" >&2 || true
			die "$name exited before it was ready (log: $dir/$name.log)"
		fi
		if curl -fsS -o /dev/null -m 2 "http://127.0.0.1:$port/v1/.well-known/ready" 2>/dev/null; then
			return 0
		fi
		sleep 0.25
	done
	die "$name not ready on port $port after ${ready_timeout}s (log: $dir/$name.log)"
}

# running NAME prints the pid of a running server, or fails.
running() {
	local pidfile=$dir/$1.pid pid
	[[ -f $pidfile ]] || return 1
	pid=$(<"$pidfile")
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

# launch NAME PORT ENV... starts one server in the background.
launch() {
	local name=$1 port=$2 b pid
	shift 2
	if running "$name" >/dev/null; then
		die "$name is already running (pid $(running "$name"))"
	fi
	b=$(bin)
	[[ -x $b ]] || die "no weaviate-server at $b: set WEAVIATE_BIN or go install github.com/weaviate/weaviate/cmd/weaviate-server@v1.29.0"
	mkdir -p "$dir/$name"
	env PERSISTENCE_DATA_PATH="$dir/$name" \
		AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true \
		DEFAULT_VECTORIZER_MODULE=none \
		DISABLE_TELEMETRY=true \
		LOG_LEVEL=${WEAVIATE_LOG_LEVEL:-info} \
		"$@" \
		setsid "$b" --host 127.0.0.1 --port "$port" --scheme http >>"$dir/$name.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$dir/$name.pid"
	echo "$pid"
}

# halt NAME SIGNAL stops a server and waits until it has exited.
halt() {
	local name=$1 sig=$2 pid i
	pid=$(running "$name") || {
		rm -f "$dir/$name.pid"
		return 0
	}
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 120; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "$dir/$name.pid"
}

# node_env I prints the environment of cluster node I (1..3): issue 6's
# recipe, except that every node joins through all three gossip ports, not
# node1's alone, so that node1 finds the others again after a crash. Every
# port is below Linux's ephemeral range (32768 and up): a gRPC port of
# 50052 was once taken by a test's outgoing connection, and node2 could
# not start.
node_env() {
	local i=$1 j=$((2 * ($1 - 1)))
	echo CLUSTER_HOSTNAME=node$i \
		CLUSTER_IN_LOCALHOST=true \
		CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
		CLUSTER_ADVERTISE_PORT=$((7100 + j)) \
		CLUSTER_GOSSIP_BIND_PORT=$((7100 + j)) \
		CLUSTER_DATA_BIND_PORT=$((7101 + j)) \
		CLUSTER_JOIN=localhost:7100,localhost:7102,localhost:7104 \
		RAFT_PORT=$((8300 + j)) \
		RAFT_INTERNAL_RPC_PORT=$((8301 + j)) \
		RAFT_JOIN=node1:8300,node2:8302,node3:8304 \
		RAFT_BOOTSTRAP_EXPECT=3 \
		GRPC_PORT=2905$i \
		PROMETHEUS_MONITORING_PORT=20${i}0 \
		GO_PROFILING_PORT=60${i}0
}

start_node() {
	local i=$1 pid
	[[ $i =~ ^[123]$ ]] || die "node must be 1, 2 or 3, not '$i'"
	# shellcheck disable=SC2046 # node_env's words are separate variables
	pid=$(launch "node$i" "810$i" $(node_env "$i"))
	echo "$pid"
}

mkdir -p "$dir"
case ${1:-} in
start)
	# Issue 6's single-node recipe, with Raft, gRPC and profiling ports of
	# its own so that it can run beside the cluster.
	pid=$(launch single 8089 \
		CLUSTER_HOSTNAME=node1 \
		CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
		CLUSTER_GOSSIP_BIND_PORT=7946 \
		CLUSTER_DATA_BIND_PORT=7947 \
		RAFT_BOOTSTRAP_EXPECT=1 \
		RAFT_PORT=8390 \
		RAFT_INTERNAL_RPC_PORT=8391 \
		RAFT_JOIN=node1:8390 \
		GRPC_PORT=29050 \
		GO_PROFILING_PORT=6090)
	wait_ready 8089 single "$pid"
	echo "weaviate ready at http://127.0.0.1:8089 (pid $pid, data $dir/single)"
	;;
stop)
	halt single TERM
	;;
status)
	running single
	;;
cluster-start)
	pids=()
	for i in 1 2 3; do
		pids+=("$(start_node "$i")")
		[[ $i == 3 ]] || sleep 3
	done
	for i in 1 2 3; do
		wait_ready "810$i" "node$i" "${pids[i - 1]}"
	done
	echo "weaviate cluster ready at http://127.0.0.1:8101, :8102, :8103 (data $dir/node1..3)"
	;;
cluster-stop)
	for i in 3 2 1; do
		halt "node$i" TERM
	done
	;;
cluster-kill)
	[[ ${2:-} =~ ^[123]$ ]] || die "usage: weaviate.sh cluster-kill 1|2|3"
	halt "node$2" KILL
	;;
cluster-start-node)
	[[ ${2:-} =~ ^[123]$ ]] || die "usage: weaviate.sh cluster-start-node 1|2|3"
	pid=$(start_node "$2")
	wait_ready "810$2" "node$2" "$pid"
	echo "node$2 ready at http://127.0.0.1:810$2 (pid $pid)"
	;;
clean)
	halt single TERM
	for i in 3 2 1; do
		halt "node$i" TERM
	done
	rm -rf "${dir:?}"
	;;
*)
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit 2
	;;
esac
