#!/usr/bin/env bash
# A private MariaDB server for the fault runs (npm run bench:faults), which kill and restart it:
# its own data directory, socket and port under $FAULTS_DB_DIR; nothing here touches a MariaDB on
# 3306 or /run/mysqld.
#
#   mariadb.sh start    start it (installing the data directory on first use) and wait until it answers
#   mariadb.sh kill     SIGKILL it, as a crash would
#   mariadb.sh stop     shut it down cleanly
#   mariadb.sh reset    stop it and delete its data
#
# It listens on 127.0.0.1:$FAULTS_DB_PORT (13320 unless set); the application signs in as
# accountable:accountable.
set -euo pipefail

DIR="${FAULTS_DB_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/var/faults/mariadb}"
PORT="${FAULTS_DB_PORT:-13320}"
SOCK="$DIR/mysqld.sock"
PIDFILE="$DIR/mysqld.pid"

# shellcheck source=../lib/mariadb-server.sh
source "$(dirname "$0")/../lib/mariadb-server.sh"

sql() { mariadb --no-defaults --socket="$SOCK" -uroot -N -B -e "$1"; }
running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

install() {
  [[ -x /usr/sbin/mariadbd ]] || apt-get install -y mariadb-server
  mariadb_install_data "$DIR"
  {
    mariadb_base_config "$DIR" "$PORT" 200
    cat <<CNF
innodb_buffer_pool_size = 64M
# Every acknowledged commit is on disk, so a crash (SIGKILL) loses none of them.
innodb_flush_log_at_trx_commit = 1
CNF
  } >"$DIR/my.cnf"
  chown -R mysql:mysql "$DIR"
}

start() {
  running && return
  install
  setsid /usr/sbin/mariadbd --defaults-file="$DIR/my.cnf" </dev/null >>"$DIR/stdout.log" 2>&1 &
  for _ in $(seq 1 240); do
    if sql "SELECT 1" >/dev/null 2>&1; then
      sql "CREATE USER IF NOT EXISTS 'accountable'@'127.0.0.1' IDENTIFIED BY 'accountable'; GRANT ALL PRIVILEGES ON *.* TO 'accountable'@'127.0.0.1'"
      return
    fi
    sleep 0.25
  done
  echo "the private MariaDB did not start; see $DIR/error.log" >&2
  exit 1
}

stop() {
  running || return 0
  local pid
  pid=$(cat "$PIDFILE")
  mariadb-admin --no-defaults --socket="$SOCK" -uroot shutdown 2>/dev/null || kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill)
    if running; then
      pid=$(cat "$PIDFILE")
      kill -9 "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    fi
    ;;
  reset) stop && rm -rf "$DIR" ;;
  *) echo "usage: $0 start|stop|kill|reset" >&2 && exit 2 ;;
esac
