# Shared by the scripts that run private MariaDB servers (scripts/faults/mariadb.sh, scripts/galera/cluster.sh).

# The [mysqld] lines every such server has: its own files under one folder, one port on loopback.
# Usage: mariadb_base_config DIR PORT MAX_CONNECTIONS (the caller appends its own lines).
mariadb_base_config() {
  cat <<CNF
[mysqld]
user = mysql
datadir = $1/data
tmpdir = $1/tmp
socket = $1/mysqld.sock
pid-file = $1/mysqld.pid
log-error = $1/error.log
port = $2
bind-address = 127.0.0.1
skip-name-resolve
max_connections = $3
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
CNF
}

# Creates the server's system tables once (root signs in through the socket only).
# Usage: mariadb_install_data DIR
mariadb_install_data() {
  mkdir -p "$1/data" "$1/tmp"
  if [[ ! -d "$1/data/mysql" ]]; then
    mariadb-install-db --no-defaults --datadir="$1/data" --user=mysql --auth-root-authentication-method=socket --skip-test-db >"$1/install.log" 2>&1
  fi
}
