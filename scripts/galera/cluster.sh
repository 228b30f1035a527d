#!/usr/bin/env bash
# A 3-node MariaDB Galera cluster on this machine, for the cluster run (see the README's "Running
# on a Galera cluster"). Each node has its own data directory, socket and ports under $GALERA_DIR;
# nothing here touches a MariaDB on 3306 or /run/mysqld.
#
#   cluster.sh start       start the nodes that are not running (bootstrapping when none is), wait for 3
#   cluster.sh stop        shut every node down cleanly (the first one last, so it can bootstrap again)
#   cluster.sh kill N      SIGKILL node N, as a crash would
#   cluster.sh join N      start node N again; it rejoins (IST) and the script waits for 3 nodes
#   cluster.sh status      each node's state and the cluster's size
#   cluster.sh reset       stop and delete every node's data
#
# Node N (1..3) listens for clients on 13300+N, group communication on 14560+N, IST on 14570+N and
# SST (rsync) on 14580+N. The application connects as accountable:accountable.
set -euo pipefail
# shellcheck source=../lib/mariadb-server.sh
source "$(dirname "$0")/../lib/mariadb-server.sh"

GALERA_DIR="${GALERA_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/var/galera}"
PROVIDER="${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}"
NODES=(1 2 3)
APP_USER=accountable
APP_PASSWORD=accountable

client_port() { echo $((13300 + $1)); }
gcomm_port() { echo $((14560 + $1)); }
node_dir() { echo "$GALERA_DIR/node$1"; }
sock() { echo "$(node_dir "$1")/mysqld.sock"; }
sql() { mariadb --no-defaults --socket="$(sock "$1")" -uroot -N -B -e "$2"; }

install_packages() {
  if [[ -x /usr/sbin/mariadbd && -f "$PROVIDER" ]]; then return; fi
  apt-get install -y mariadb-server galera-4 rsync
}

write_config() {
  local n=$1 dir peers=""
  dir=$(node_dir "$n")
  for m in "${NODES[@]}"; do peers+="${peers:+,}127.0.0.1:$(gcomm_port "$m")"; done
  mariadb_install_data "$dir"
  {
    mariadb_base_config "$dir" "$(client_port "$n")" 300
    cat <<CNF
# What Galera needs: row-based replication, InnoDB, interleaved auto-increment locks.
binlog_format = ROW
default_storage_engine = InnoDB
enforce_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
innodb_buffer_pool_size = 128M
innodb_flush_log_at_trx_commit = 2
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = accountable
wsrep_cluster_address = gcomm://$peers
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:$(gcomm_port "$n")
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$((14570 + n));gcache.size=128M"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$((14580 + n))
wsrep_slave_threads = 2
# Refuse, rather than silently mis-replicate, a table without a primary key or on another engine.
wsrep_mode = REQUIRED_PRIMARY_KEY,STRICT_REPLICATION
CNF
  } >"$dir/my.cnf"
  chown -R mysql:mysql "$dir"
}

running() {
  local pidfile
  pidfile="$(node_dir "$1")/mysqld.pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

cluster_size() {
  local n
  for n in "${NODES[@]}"; do
    if running "$n"; then sql "$n" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | awk '{print $2}' && return; fi
  done
  echo 0
}

start_node() {
  local n=$1 bootstrap=${2:-} dir
  dir=$(node_dir "$n")
  running "$n" && return
  write_config "$n"
  if [[ -n "$bootstrap" && -f "$dir/data/grastate.dat" ]]; then
    # Only ever bootstrapped when no node runs: this node's state becomes the cluster's.
    sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$dir/data/grastate.dat"
  fi
  setsid /usr/sbin/mariadbd --defaults-file="$dir/my.cnf" $bootstrap </dev/null >>"$dir/stdout.log" 2>&1 &
  for _ in $(seq 1 240); do
    if [[ "$(sql "$n" "SHOW STATUS LIKE 'wsrep_ready'" 2>/dev/null | awk '{print $2}')" == ON ]]; then return; fi
    sleep 0.5
  done
  echo "node$n did not become ready; see $dir/error.log" >&2
  exit 1
}

wait_for_size() {
  for _ in $(seq 1 240); do
    [[ "$(cluster_size)" == "$1" ]] && return
    sleep 0.5
  done
  echo "the cluster did not reach $1 nodes (it has $(cluster_size))" >&2
  exit 1
}

start() {
  install_packages
  mkdir -p "$GALERA_DIR"
  local any=""
  for n in "${NODES[@]}"; do running "$n" && any=$n; done
  if [[ -z "$any" ]]; then start_node 1 --wsrep-new-cluster; any=1; fi
  # The first node is bootstrapped; the others join and receive its state (SST or IST).
  for n in "${NODES[@]}"; do start_node "$n"; done
  wait_for_size 3
  sql "$any" "CREATE USER IF NOT EXISTS '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD'; GRANT ALL PRIVILEGES ON *.* TO '$APP_USER'@'127.0.0.1'"
  echo "Galera cluster of $(cluster_size) nodes: mysql://$APP_USER:$APP_PASSWORD@127.0.0.1:{13301,13302,13303}/"
}

stop_node() {
  local n=$1 pid
  running "$n" || return 0
  pid=$(cat "$(node_dir "$n")/mysqld.pid")
  mariadb-admin --no-defaults --socket="$(sock "$n")" -uroot shutdown 2>/dev/null || kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

stop() {
  for n in 3 2 1; do stop_node "$n"; done
}

status() {
  for n in "${NODES[@]}"; do
    if running "$n"; then
      echo "node$n port $(client_port "$n"): $(sql "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" | awk '{print $2}')"
    else
      echo "node$n port $(client_port "$n"): down"
    fi
  done
  echo "cluster size: $(cluster_size)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill)
    running "$2" && kill -9 "$(cat "$(node_dir "$2")/mysqld.pid")"
    ;;
  join) start_node "$2" && wait_for_size 3 ;;
  status) status ;;
  reset) stop && rm -rf "$GALERA_DIR" ;;
  *) echo "usage: $0 start|stop|kill N|join N|status|reset" >&2 && exit 2 ;;
esac
