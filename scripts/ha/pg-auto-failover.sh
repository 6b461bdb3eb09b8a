#!/usr/bin/env bash
# A PostgreSQL primary and a synchronous standby with automatic failover by pg_auto_failover
# (Debian's postgresql-15-auto-failover), on one machine: a monitor and two nodes on their own
# ports and data folders under PGAF_DIR, trust authentication on 127.0.0.1 (a test set-up, not
# a production one). Run as root it runs PostgreSQL as the `postgres` user (pg_ctl refuses root).
#
#   scripts/ha/pg-auto-failover.sh start     create (first time) or restart the monitor and both nodes;
#                                            prints DATABASE_URL=... and how long it took
#   scripts/ha/pg-auto-failover.sh status    pg_autoctl show state
#   scripts/ha/pg-auto-failover.sh url       the multi-host DATABASE_URL for puente
#   scripts/ha/pg-auto-failover.sh primary   the current primary's port
#   scripts/ha/pg-auto-failover.sh kill-primary
#                                            SIGKILL the primary's pg_autoctl and postgres (a crash)
#   scripts/ha/pg-auto-failover.sh start-node N
#                                            start node N (1 or 2) again, e.g. after kill-primary: it rejoins as standby
#   scripts/ha/pg-auto-failover.sh stop      stop everything (data kept)
#   scripts/ha/pg-auto-failover.sh destroy   stop everything and remove PGAF_DIR
#
# PGAF_DIR (default /tmp/puente-pgaf), PGAF_PORT (default 15430: monitor; the nodes take the
# next two ports), PGAF_DB (default puente), PGAF_FAST (default 1: monitor health checks tuned
# so a failover takes seconds, not the defaults' ~30 s).
set -euo pipefail

DIR=${PGAF_DIR:-/tmp/puente-pgaf}
PORT=${PGAF_PORT:-15430}
DB=${PGAF_DB:-puente}
FAST=${PGAF_FAST:-1}
HOST=127.0.0.1
MONITOR_PORT=$PORT
NODE_PORTS=($((PORT + 1)) $((PORT + 2)))
MONITOR_URL="postgres://autoctl_node@$HOST:$MONITOR_PORT/pg_auto_failover?sslmode=disable"

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PGBIN/pg_ctl" ] || { echo "pg-auto-failover: no PostgreSQL server binaries (set PGBIN)" >&2; exit 2; }
command -v pg_autoctl >/dev/null || { echo "pg-auto-failover: pg_autoctl not installed (apt-get install -y postgresql-15-auto-failover)" >&2; exit 2; }

# pg_ctl refuses root: as root, everything runs as the postgres user.
if [ "$(id -u)" = 0 ]; then
  RUN_AS=(runuser -u postgres --)
  OWNER=postgres
else
  RUN_AS=()
  OWNER=$(id -un)
fi

# Every pg_autoctl file (its configuration and state) stays under $DIR, none in a home directory.
as_owner() {
  "${RUN_AS[@]}" env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" \
    XDG_RUNTIME_DIR="$DIR/xdg/run" "$@"
}

psql_at() { as_owner psql -X -h "$HOST" -p "$1" -U "${3:-postgres}" -d "$2" -Atqc "$4"; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2
  shift 2
  for _ in $(seq 1 $((limit * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "pg-auto-failover: timed out after ${limit}s waiting for $what" >&2
  tail -n 30 "$DIR"/*.log >&2 || true
  return 1
}

# Starts `pg_autoctl run` for a data folder in the background, in its own session (its id in
# $DIR/NAME.pgid: the whole group can be killed at once), logging to $DIR/NAME.log.
run_bg() { # run_bg NAME PGDATA
  setsid "${RUN_AS[@]}" env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" \
    XDG_RUNTIME_DIR="$DIR/xdg/run" pg_autoctl run --pgdata "$2" >>"$DIR/$1.log" 2>&1 </dev/null &
  echo $! >"$DIR/$1.pgid"
}

supervised() { # supervised NAME: is its pg_autoctl session alive?
  [ -f "$DIR/$1.pgid" ] && kill -0 -- "-$(cat "$DIR/$1.pgid")" 2>/dev/null
}

node_state() { # node_state PORT -> reported state of the node on that port
  psql_at "$MONITOR_PORT" pg_auto_failover autoctl_node "select reportedstate from pgautofailover.node where nodeport = $1"
}

node_is_primary() { [ "$(node_state "$1")" = single ] || [ "$(node_state "$1")" = primary ] || [ "$(node_state "$1")" = wait_primary ]; }

primary_port() {
  psql_at "$MONITOR_PORT" pg_auto_failover autoctl_node \
    "select nodeport from pgautofailover.node where reportedstate in ('primary','wait_primary','single') and goalstate = reportedstate order by nodeid limit 1"
}

cluster_ready() { # a primary, and a secondary it replicates to synchronously
  [ "$(psql_at "$MONITOR_PORT" pg_auto_failover autoctl_node "select count(*) from pgautofailover.node where reportedstate = goalstate and reportedstate in ('primary','secondary')")" = 2 ]
}

url() {
  echo "postgres://postgres@$HOST:${NODE_PORTS[0]},$HOST:${NODE_PORTS[1]}/$DB?target_session_attrs=read-write"
}

start() {
  local t0 t1
  t0=$(date +%s.%N)
  mkdir -p "$DIR"/xdg/config "$DIR"/xdg/data "$DIR"/xdg/run
  chown -R "$OWNER" "$DIR"
  chmod 700 "$DIR"/xdg/run
  if [ ! -f "$DIR/monitor/PG_VERSION" ]; then
    as_owner pg_autoctl create monitor --pgdata "$DIR/monitor" --pgport "$MONITOR_PORT" --hostname "$HOST" --listen "$HOST" \
      --auth trust --no-ssl --pgctl "$PGBIN/pg_ctl" >>"$DIR/monitor.log" 2>&1
  fi
  supervised monitor || run_bg monitor "$DIR/monitor"
  wait_for 60 "the monitor" psql_at "$MONITOR_PORT" pg_auto_failover autoctl_node "select 1"
  if [ "$FAST" = 1 ]; then
    # Defaults: a 5 s health check period, 20 s before a node is unhealthy, 30 s for the primary to
    # demote. Tuned for one machine, where a dead node is seen at once.
    local setting
    for setting in health_check_period=1000 health_check_timeout=1000 health_check_max_retries=1 health_check_retry_delay=500 \
      node_considered_unhealthy_timeout=2000 primary_demote_timeout=3000; do
      psql_at "$MONITOR_PORT" pg_auto_failover postgres "alter system set pgautofailover.${setting%%=*} = ${setting#*=}" >/dev/null
    done
    psql_at "$MONITOR_PORT" pg_auto_failover postgres "select pg_reload_conf()" >/dev/null
  fi
  local i
  for i in 1 2; do
    local data="$DIR/node$i" port=${NODE_PORTS[$((i - 1))]}
    if [ ! -f "$data/PG_VERSION" ]; then
      # The first node becomes the primary; the second one is cloned from it as its standby.
      as_owner pg_autoctl create postgres --pgdata "$data" --pgport "$port" --hostname "$HOST" --listen "$HOST" --name "node$i" \
        --dbname "$DB" --auth trust --no-ssl --pgctl "$PGBIN/pg_ctl" --monitor "$MONITOR_URL" \
        --replication-quorum true --candidate-priority 50 >>"$DIR/node$i.log" 2>&1
    fi
    supervised "node$i" || run_bg "node$i" "$data"
    wait_for 120 "node$i to run" psql_at "$port" "$DB" postgres "select 1"
    # The standby is cloned from a running primary.
    if [ "$i" = 1 ]; then wait_for 120 "node1 to be the primary" node_is_primary "$port"; fi
  done
  wait_for 120 "a primary with a synchronous standby" cluster_ready
  t1=$(date +%s.%N)
  echo "DATABASE_URL=$(url)"
  printf 'pg-auto-failover: monitor on %s, nodes on %s and %s, ready in %.1f s (%s)\n' \
    "$MONITOR_PORT" "${NODE_PORTS[0]}" "${NODE_PORTS[1]}" "$(awk "BEGIN { print $t1 - $t0 }")" "$DIR"
}

# SIGKILL to every process of one node: its pg_autoctl session, its postgres and the backends.
kill_node() { # kill_node NAME
  local data="$DIR/$1" pm=
  [ -f "$data/postmaster.pid" ] && pm=$(head -n 1 "$data/postmaster.pid")
  if [ -f "$DIR/$1.pgid" ]; then kill -KILL -- "-$(cat "$DIR/$1.pgid")" 2>/dev/null || true; fi
  if [ -n "$pm" ]; then
    { pgrep -P "$pm" || true; echo "$pm"; } | xargs -r kill -KILL 2>/dev/null || true
  fi
}

kill_primary() {
  local port name= i
  port=$(primary_port)
  [ -n "$port" ] || { echo "pg-auto-failover: no primary" >&2; exit 1; }
  for i in 1 2; do if [ "${NODE_PORTS[$((i - 1))]}" = "$port" ]; then name=node$i; fi; done
  # Its supervisor (it would restart postgres) and postgres itself: a crash, no shutdown.
  kill_node "$name"
  echo "pg-auto-failover: killed the primary on port $port ($name)"
}

start_node() {
  supervised "node$1" || run_bg "node$1" "$DIR/node$1"
  echo "pg-auto-failover: started node$1"
}

stop() {
  local name
  for name in node2 node1 monitor; do
    [ -d "$DIR/$name" ] || continue
    as_owner pg_autoctl stop --pgdata "$DIR/$name" --immediate >/dev/null 2>&1 || true
  done
  sleep 0.5
  for name in node2 node1 monitor; do
    [ -d "$DIR/$name" ] || continue
    kill_node "$name"
  done
  echo "pg-auto-failover: stopped ($DIR)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  destroy)
    stop
    rm -rf "$DIR"
    ;;
  status) as_owner pg_autoctl show state --monitor "$MONITOR_URL" ;;
  url) url ;;
  primary) primary_port ;;
  kill-primary) kill_primary ;;
  start-node) start_node "${2:?node 1 or 2}" ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
