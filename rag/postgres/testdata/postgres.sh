#!/usr/bin/env bash
# postgres.sh runs a throwaway PostgreSQL cluster on loopback for
# citebot's tests (Debian's postgresql package: apt-get install postgresql).
#
#   postgres.sh start   initdb (once) and start it; print the database's URL
#   postgres.sh stop    stop it (fast shutdown)
#   postgres.sh status  succeed if it runs
#   postgres.sh url     print the URL to set as CITEBOT_POSTGRES_URL
#   postgres.sh clean   stop it and delete the cluster
#
# Environment:
#   POSTGRES_DIR   the cluster, its socket and its log (default:
#                  ${TMPDIR:-/tmp}/citebot-postgres); owned by the postgres
#                  user when run as root, since PostgreSQL refuses root
#   POSTGRES_PORT  the TCP port on 127.0.0.1 (default 5433)
#   POSTGRES_BIN   the folder of initdb and pg_ctl (default: the newest
#                  /usr/lib/postgresql/*/bin, else PATH)
#
# The cluster trusts every local connection and does not fsync: it is for
# tests only. Its database is "citebot", its user "postgres".
set -euo pipefail

dir=${POSTGRES_DIR:-${TMPDIR:-/tmp}/citebot-postgres}
port=${POSTGRES_PORT:-5433}
url="postgres://postgres@127.0.0.1:$port/citebot?sslmode=disable"

die() {
	echo "postgres.sh: $*" >&2
	exit 1
}

bindir() {
	if [[ -n ${POSTGRES_BIN:-} ]]; then
		echo "$POSTGRES_BIN"
		return
	fi
	local d
	d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
	if [[ -n $d ]]; then
		echo "$d"
	elif command -v pg_ctl >/dev/null; then
		dirname "$(command -v pg_ctl)"
	else
		die "no PostgreSQL found: apt-get install postgresql, or set POSTGRES_BIN"
	fi
}

# as_pg runs a command as the postgres user when this script runs as root.
as_pg() {
	if [[ $(id -u) == 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_ctl() {
	as_pg "$(bindir)/pg_ctl" -D "$dir/data" "$@"
}

running() {
	[[ -f $dir/data/postmaster.pid ]] && pg_ctl status >/dev/null 2>&1
}

case ${1:-} in
start)
	if running; then
		die "already running (data $dir/data)"
	fi
	mkdir -p "$dir"
	if [[ $(id -u) == 0 ]]; then
		id postgres >/dev/null 2>&1 || die "no postgres user: apt-get install postgresql"
		chown postgres: "$dir"
	fi
	if [[ ! -f $dir/data/PG_VERSION ]]; then
		as_pg "$(bindir)/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
			{ tail -n 20 "$dir/initdb.log" >&2; die "initdb failed (log: $dir/initdb.log)"; }
	fi
	pg_ctl -w -t 60 -l "$dir/postgres.log" \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start (log: $dir/postgres.log)"; }
	if ! as_pg "$(bindir)/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'citebot'" | grep -q 1; then
		as_pg "$(bindir)/createdb" -h "$dir" -p "$port" -U postgres citebot
	fi
	echo "postgres ready at $url (data $dir/data)"
	;;
stop)
	if running; then
		pg_ctl -m fast -w stop >/dev/null
	fi
	;;
status)
	running
	;;
url)
	echo "$url"
	;;
clean)
	if running; then
		pg_ctl -m immediate -w stop >/dev/null || true
	fi
	rm -rf "${dir:?}"
	;;
*)
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit 2
	;;
esac
