#!/usr/bin/env bash
# Run the RealWorld Postman collection against a fresh Broadsheet on a fresh database.
#
#   scripts/conformance.sh sqlite|postgresql|mariadb
#
# SQLite uses a file in a temporary folder. PostgreSQL and MariaDB use a database created for
# the run (and dropped after it) on the server of BROADSHEET_TEST_POSTGRES_URL or
# BROADSHEET_TEST_MARIADB_URL, or with CI=true on the machine's own servers. Without a server,
# or without Node.js, the run is skipped with a message, except under CI=true, where it fails.
# CONFORMANCE_PORT picks the port (default: a free one).
set -euo pipefail

engine=${1:?usage: scripts/conformance.sh sqlite|postgresql|mariadb}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.venv/bin"
collection="$root/tests/conformance/Conduit.postman_collection.json"
in_ci=false
[[ "${CI:-}" == "true" ]] && in_ci=true

skip() {
    if $in_ci; then
        echo "conformance ($engine): $1 (CI=true: failing instead of skipping)" >&2
        exit 1
    fi
    echo "conformance ($engine): SKIPPED: $1"
    exit 0
}

case "$engine" in
    sqlite) server_url="" ;;
    postgresql)
        server_url=${BROADSHEET_TEST_POSTGRES_URL:-}
        $in_ci && server_url=${server_url:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}
        [[ -n "$server_url" ]] || skip "no PostgreSQL server; set BROADSHEET_TEST_POSTGRES_URL"
        ;;
    mariadb)
        server_url=${BROADSHEET_TEST_MARIADB_URL:-}
        $in_ci && server_url=${server_url:-mysql+asyncmy://root@127.0.0.1:3306/test}
        [[ -n "$server_url" ]] || skip "no MariaDB server; set BROADSHEET_TEST_MARIADB_URL"
        ;;
    *) echo "unknown engine '$engine': use sqlite, postgresql or mariadb" >&2; exit 2 ;;
esac

command -v npm >/dev/null || skip "Node.js is not installed (newman runs on it)"
if [[ ! -x "$root/node_modules/.bin/newman" \
    || "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
    (cd "$root" && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d)
server_pid=""
database_url=""

stop() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n "$server_url" && -n "$database_url" ]]; then
        "$bin/python" "$root/scripts/scratch_database.py" drop "$server_url" "$database_url" || true
    fi
    rm -rf "$work"
}
trap stop EXIT

if [[ "$engine" == "sqlite" ]]; then
    database_url="sqlite+aiosqlite:///$work/broadsheet.db"
else
    database_url=$("$bin/python" "$root/scripts/scratch_database.py" create "$server_url") \
        || skip "cannot create a database on the $engine server (see above)"
fi

port=${CONFORMANCE_PORT:-$("$bin/python" -c '
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])')}
api_url="http://127.0.0.1:$port/api"
run_id="$(date +%s)$RANDOM"

# The server runs in the scratch folder, so anything it keeps under ./var/ goes with it.
cd "$work"
export DATABASE_URL="$database_url"
export BROADSHEET_SECRET_KEY="conformance-$run_id-$RANDOM$RANDOM$RANDOM"
"$bin/broadsheet" migrate >/dev/null
"$bin/broadsheet" serve --workers 2 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!

for attempt in $(seq 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "conformance ($engine): the server exited before answering:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    "$bin/python" -c "import urllib.request as u; u.urlopen('$api_url/tags', timeout=1)" \
        2>/dev/null && break
    if [[ $attempt -eq 100 ]]; then
        echo "conformance ($engine): the server did not answer on $api_url" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.2
done

echo "conformance ($engine): running the RealWorld collection against $api_url"
status=0
"$root/node_modules/.bin/newman" run "$collection" \
    --global-var "APIURL=$api_url" \
    --global-var "USERNAME=reader$run_id" \
    --global-var "EMAIL=reader$run_id@example.com" \
    --global-var "PASSWORD=password-$run_id" \
    --timeout-request 30000 \
    --reporters cli,json --reporter-json-export "$work/report.json" \
    --reporter-cli-no-console --reporter-cli-no-success-assertions \
    --color off --disable-unicode || status=$?

"$bin/python" - "$work/report.json" "$engine" "$status" <<'EOF'
import json
import sys

report, engine, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
stats = json.load(open(report))["run"]["stats"]["assertions"]
print(f"conformance ({engine}): {stats['total']} assertions, {stats['failed']} failed")
sys.exit(1 if status or stats["failed"] or not stats["total"] else 0)
EOF
