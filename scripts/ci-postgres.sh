#!/usr/bin/env bash
# Installs and starts Debian's PostgreSQL for the server half of the lock-model suite, and prints
# the URL to export as ZERODOWN_TEST_DATABASE_URL. Root is needed (CI runs as root).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
# Prints "Cluster is already running." when it is: only the URL may reach stdout.
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'zerodown'\"" >&2
echo "postgres://postgres:zerodown@127.0.0.1:5432/postgres"
