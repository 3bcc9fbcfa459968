#!/usr/bin/env bash
# demo.sh - a short tour of db-tools on a throw-away server.
#
# Usage: scripts/demo.sh
#
# Builds the tools, starts the sandbox server (scripts/sandbox.sh), creates a small
# "demo_shop" database (users, products, orders), snapshots it with db-snapshot, lists
# the snapshots and shows what is inside the archive; then restores it with db-restore
# (from the archive, then from the cached template), takes an instant snapshot (a copy on
# the server) and restores it, and rebuilds the example project of
# share/example with db-reset (full, other counts, --fast). Everything it creates is
# removed at exit; the sandbox is stopped only if this script started it and no other run
# (scripts/test.sh, another demo) holds it by then.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bin=$repo/build/tools

step() { printf '\n==> %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }


demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-demo.XXXXXX")
held=0
cleanup() {
    if [ -n "${PGHOST:-}" ]; then
        # the server may keep running (for another user of it): remove what the demo made on it
        # the demo's restore templates: found by the key (the SHA-256 of the .meta) in their comment
        for meta in "$demo_dir"/backups/*.meta; do
            [ -f "$meta" ] || continue
            psql -X -q -v key="$(sha256sum "$meta" | cut -c1-64)" -d postgres >/dev/null 2>&1 <<'EOF' || true
SELECT format('DROP DATABASE IF EXISTS %I', datname) FROM pg_database
 WHERE datname LIKE 'db\_tools\_cache\_%'
   AND shobj_description(oid, 'pg_database') LIKE '% key=' || :'key' || ' %'
\gexec
EOF
        done
        "$bin/db-reset" --cache=clear -q >/dev/null 2>&1 || true
        # the instant snapshot's database, if the demo stopped before deleting it
        psql -X -q -d postgres >/dev/null 2>&1 <<'EOF' || true
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname LIKE 'db\_tools\_cache\_%'
   AND shobj_description(oid, 'pg_database') LIKE '% kind=instant %"demo_shop"'
\gexec
EOF
        psql -X -q -d postgres >/dev/null 2>&1 <<'EOF' || true
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname IN ('demo_shop', 'demo_example') OR datname LIKE 'demo\_shop\_\_%'
    OR datname LIKE 'demo\_example\_\_%'
\gexec
EOF
    fi
    # stopped here only when the demo started it and nobody else holds it now
    [ "$held" = 0 ] || bash "$repo/scripts/sandbox.sh" release $$ >/dev/null 2>&1 || true
    rm -rf -- "$demo_dir"
}
trap cleanup EXIT

step "Installing missing packages and building"
bash scripts/deps.sh
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDB_TOOLS_WERROR=ON &&
       cmake --build build -j2; } >"$demo_dir/build.log" 2>&1; then
    cat "$demo_dir/build.log" >&2
    echo "demo.sh: build failed" >&2
    exit 1
fi

step "Starting the sandbox PostgreSQL server"
unset DATABASE_URL DB_TOOLS_CONFIG PGHOSTADDR PGSERVICE
eval "$(bash scripts/sandbox.sh hold $$)"
held=1
echo "server: $PGHOST port $PGPORT"

step "Creating the demo_shop database"
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'EOF'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS demo_shop WITH (FORCE);
CREATE DATABASE demo_shop;
EOF
psql -X -q -v ON_ERROR_STOP=1 -d demo_shop <<'EOF'
CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    title       text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0)
);
CREATE TABLE orders (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users,
    product_id bigint NOT NULL REFERENCES products,
    quantity   integer NOT NULL CHECK (quantity > 0),
    total_cents integer GENERATED ALWAYS AS (quantity * 100) STORED,
    ordered_at timestamptz NOT NULL
);
CREATE INDEX orders_user_id_idx ON orders (user_id);

INSERT INTO users (email, name, created_at)
SELECT format('user%s@example.com', g), format('User %s', g),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '7 hours'
FROM generate_series(1, 200) g;

INSERT INTO products (sku, title, price_cents)
SELECT format('SKU-%s', lpad(g::text, 4, '0')), format('Product %s', g), 199 + (g * 137) % 9800
FROM generate_series(1, 50) g;

INSERT INTO orders (user_id, product_id, quantity, ordered_at)
SELECT 1 + (g * 7) % 200, 1 + (g * 11) % 50, 1 + g % 5,
       timestamptz '2024-03-01 00:00:00+00' + g * interval '53 minutes'
FROM generate_series(1, 600) g;
EOF
counts() {
    psql -X -q -d demo_shop -c "SELECT (SELECT count(*) FROM users) AS users,
        (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM orders) AS orders"
}
counts

step "Taking a snapshot named \"demo\""
run "$bin/db-snapshot" -d demo_shop -o "$demo_dir/backups" demo

step "Listing the snapshots"
run "$bin/db-snapshot" --list -o "$demo_dir/backups"

archive=$(ls "$demo_dir"/backups/*_demo.tar)
step "Inside the archive (a plain tar file)"
run tar tf "$archive"

step "One table's rows, read with tar and gunzip"
member=$(tar tf "$archive" | grep '_public\.users\.gz$')
printf '$ tar xOf %s %s | gunzip | sed -n 1,3p\n' "$archive" "$member"
tar xOf "$archive" "$member" | gunzip | sed -n 1,3p

step "Resetting the example project's database with db-reset (share/example)"
cp -R share/example "$demo_dir/example"
(
    cd "$demo_dir/example"
    run "$bin/db-reset" -d demo_example --yes
    run "$bin/db-reset" -d demo_example --yes -c users=20 -c orders=50
    step "The same inputs again, from the cache: db-reset --fast"
    run "$bin/db-reset" -d demo_example --yes --fast -c users=20 -c orders=50
    run "$bin/db-reset" -d demo_example --status
)
psql -X -q -d demo_example -c "SELECT (SELECT count(*) FROM users) AS users,
    (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM events) AS events"

step "Restoring the snapshot after losing some orders"
psql -X -q -d demo_shop -c "DELETE FROM orders WHERE id > 100"
counts
run "$bin/db-restore" -d demo_shop --yes "$archive"
counts

step "The replaced database is kept beside it (and the next restore prunes it)"
psql -X -q -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'demo\_shop%' ORDER BY 1"

step "Restoring the same archive again: a file copy of the cached template"
run "$bin/db-restore" -d demo_shop --yes "$archive"
run "$bin/db-restore" --cache=list
counts

step "An instant snapshot: a copy of the database on its server, in about the time of a file copy"
run "$bin/db-snapshot" -d demo_shop -o "$demo_dir/backups" --instant --yes before-cleanup
psql -X -q -d demo_shop -c "DELETE FROM orders WHERE id > 10"
counts
run "$bin/db-restore" -d demo_shop -o "$demo_dir/backups" --yes --keep-previous=0 before-cleanup
counts
run "$bin/db-snapshot" --list -o "$demo_dir/backups"
run "$bin/db-snapshot" -d demo_shop -o "$demo_dir/backups" --delete --yes before-cleanup

step "Done"
