#!/usr/bin/env bash
# Generate a realistic "small shop" dataset for benchmarks.
#
#   scripts/gen-realistic.sh [-d CONNINFO] [--size-mb N]
#
# Creates (dropping them first when they exist) the tables users, products,
# orders, order_items and events in the public schema of the target database
# and fills them server-side with INSERT ... SELECT generate_series.  Row
# counts scale linearly with --size-mb (default 500) so that
# pg_database_size() ends up near N MiB.  The data is deterministic: every
# value is derived from md5() of the row number, so two runs with the same
# size produce identical tables.  Text mixes words from fixed vocabularies,
# identifiers and tokens, numbers and timestamps spread over several years;
# the COPY text of the whole dataset compresses about 2.4x with gzip -1
# (events 2.3x, users 2.6x, the other tables 2.6x-3x).
#
# The helper functions live in pg_temp and disappear with the session.
#
# Prints the resulting database size and row counts on stderr.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: gen-realistic.sh [-d CONNINFO] [--size-mb N]
  -d, --dbname=CONNINFO  target database (default: libpq defaults / PGDATABASE)
      --size-mb=N        approximate resulting database size in MiB (default 500)
  -h, --help             show this help
The tables users, products, orders, order_items and events in schema public
are dropped and recreated.
EOF
}

conninfo=""
size_mb=500
while [ $# -gt 0 ]; do
    case "$1" in
        -d|--dbname) conninfo="${2:?missing value for $1}"; shift 2 ;;
        --dbname=*) conninfo="${1#*=}"; shift ;;
        --size-mb) size_mb="${2:?missing value for $1}"; shift 2 ;;
        --size-mb=*) size_mb="${1#*=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gen-realistic.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$size_mb" in
    ''|*[!0-9]*) echo "gen-realistic.sh: --size-mb must be a positive integer" >&2; exit 2 ;;
esac
[ "$size_mb" -ge 1 ] || { echo "gen-realistic.sh: --size-mb must be at least 1" >&2; exit 2; }

psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
[ -n "$conninfo" ] && psql_cmd+=(-d "$conninfo")

# Drop the tables of a previous run.
"${psql_cmd[@]}" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS order_items, orders, events, products, users CASCADE;
SQL
# Row counts depend on --size-mb alone (so the data is the same from run to run): the
# budget is N MiB less about 7.2 MiB, the size of a new, empty PostgreSQL 15 database.
budget_kib=$(( size_mb * 1024 - 7360 ))
[ "$budget_kib" -ge 512 ] || budget_kib=512

# Rows per MiB of total relation size (heap, TOAST and indexes), measured on
# this generator: events take about 58% of the bytes, users 16%,
# order_items 13%, orders 8% and products 5%.
n_users=$((    budget_kib * 215 / 1024 ))
n_products=$(( budget_kib * 87  / 1024 ))
n_orders=$((   budget_kib * 720 / 1024 ))
n_events=$((   budget_kib * 900 / 1024 ))
[ "$n_users" -ge 100 ] || n_users=100
[ "$n_products" -ge 500 ] || n_products=500
[ "$n_orders" -ge 100 ] || n_orders=100
[ "$n_events" -ge 100 ] || n_events=100

start=$(date +%s)
"${psql_cmd[@]}" \
    -v n_users="$n_users" -v n_products="$n_products" \
    -v n_orders="$n_orders" -v n_events="$n_events" <<'SQL'
SET synchronous_commit = off;
SET maintenance_work_mem = '128MB';
SET client_min_messages = warning;

-- n-th 16-bit slice (0..7) of an md5 hex digest, as 0..65535
CREATE FUNCTION pg_temp.hb(h text, k int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ('x' || substr(h, 1 + k * 4, 4))::bit(16)::int $$;

CREATE FUNCTION pg_temp.word(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'time','person','year','way','day','thing','man','world','life','hand',
 'part','child','eye','woman','place','work','week','case','point','number',
 'group','problem','fact','good','new','first','last','long','great','little',
 'own','other','old','right','big','high','different','small','large','next',
 'early','young','important','few','public','bad','same','able','quick','bright',
 'soft','warm','cold','light','dark','heavy','clean','fresh','smooth','strong',
 'water','coffee','table','chair','lamp','window','garden','kitchen','bottle','glass',
 'paper','pencil','notebook','bag','shoe','jacket','shirt','hat','scarf','glove',
 'phone','cable','charger','speaker','screen','keyboard','mouse','camera','battery','watch',
 'wood','metal','cotton','leather','wool','plastic','ceramic','stone','silver','steel',
 'red','blue','green','yellow','black','white','grey','orange','purple','brown',
 'make','take','use','find','give','tell','work','call','try','ask',
 'need','feel','become','leave','put','mean','keep','let','begin','seem',
 'help','show','hear','play','run','move','live','believe','bring','happen',
 'write','provide','sit','stand','lose','pay','meet','include','continue','set',
 'with','without','for','from','into','over','under','about','after','before',
 'perfect','ideal','classic','modern','vintage','compact','portable','durable','elegant','simple',
 'everyday','outdoor','indoor','travel','home','office','summer','winter','spring','autumn',
 'the','a','an','and','or','but','very','really','quite','also',
 'design','quality','comfort','style','size','color','fit','price','value','detail',
 'feature','pocket','handle','strap','lid','base','edge','corner','surface','finish',
 'gift','set','pack','pair','kit','box','case','cover','holder','stand',
 'recommend','love','like','return','order','deliver','arrive','expect','fit','last',
 'easy','hard','nice','fine','great','poor','solid','cheap','premium','basic'
])[1 + n % 240] $$;

CREATE FUNCTION pg_temp.first_name(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth',
 'William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen',
 'Daniel','Lisa','Matthew','Nancy','Anthony','Betty','Mark','Sandra','Paul','Ashley',
 'Steven','Emily','Andrew','Donna','Joshua','Michelle','Kevin','Carol','Brian','Amanda',
 'Lukas','Sofia','Mateo','Emma','Noah','Olivia','Liam','Mia','Elias','Lea',
 'Hiroshi','Yuki','Wei','Mei','Arjun','Priya','Omar','Fatima','Ivan','Olga'
])[1 + n % 60] $$;

CREATE FUNCTION pg_temp.last_name(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
 'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin',
 'Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson',
 'Walker','Young','Allen','King','Wright','Scott','Torres','Nguyen','Hill','Flores',
 'Mueller','Schmidt','Schneider','Fischer','Weber','Rossi','Russo','Dubois','Martins','Silva',
 'Tanaka','Suzuki','Wang','Li','Kumar','Singh','Haddad','Ivanov','Novak','Kowalski'
])[1 + n % 60] $$;

CREATE FUNCTION pg_temp.city(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'New York','Chicago','Houston','Phoenix','Seattle','Denver','Boston','Austin','Portland','Atlanta',
 'London','Manchester','Dublin','Paris','Lyon','Berlin','Hamburg','Munich','Vienna','Zurich',
 'Madrid','Barcelona','Lisbon','Rome','Milan','Amsterdam','Brussels','Copenhagen','Stockholm','Oslo',
 'Warsaw','Prague','Tokyo','Osaka','Seoul','Singapore','Sydney','Melbourne','Toronto','Montreal'
])[1 + n % 40] $$;

CREATE FUNCTION pg_temp.country(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'US','US','US','US','US','US','US','US','US','US',
 'GB','GB','IE','FR','FR','DE','DE','DE','AT','CH',
 'ES','ES','PT','IT','IT','NL','BE','DK','SE','NO',
 'PL','CZ','JP','JP','KR','SG','AU','AU','CA','CA'
])[1 + n % 40] $$;

CREATE FUNCTION pg_temp.domain(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'gmail.com','gmail.com','gmail.com','yahoo.com','outlook.com','hotmail.com','icloud.com',
 'proton.me','example.com','example.org','mail.de','web.de','orange.fr','libero.it','fastmail.com','gmx.net'
])[1 + n % 16] $$;

CREATE FUNCTION pg_temp.tag(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'new','sale','bestseller','eco','handmade','limited','gift','bundle','clearance','premium',
 'kids','outdoor','kitchen','office','travel','sport','vintage','organic','wireless','waterproof'
])[1 + n % 20] $$;

CREATE FUNCTION pg_temp.category(n int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ARRAY[
 'electronics','home','kitchen','garden','fashion','shoes','books','toys','sports','beauty',
 'office','outdoor','music','grocery','pets','tools'
])[1 + n % 16] $$;

-- URL-safe base64 token of len (1..86) characters derived from seed
CREATE FUNCTION pg_temp.token(seed text, len int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT substr(translate(encode(decode(md5(seed) || md5(seed || '/') || md5(seed || '//')
                                          || md5(seed || '///'), 'hex'), 'base64'), E'+/=\n', '-_'), 1, len) $$;

CREATE FUNCTION pg_temp.title(h text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT initcap((ARRAY['classic','modern','vintage','compact','portable','durable','elegant','simple',
                          'everyday','outdoor','travel','premium','basic','soft','heavy','slim','large',
                          'mini','deluxe','ultra'])[1 + pg_temp.hb(h, 1) % 20]
                   || ' ' ||
                   (ARRAY['wood','metal','cotton','leather','wool','plastic','ceramic','stone','silver',
                          'steel','red','blue','green','black','white','grey','bamboo','glass','linen',
                          'canvas'])[1 + pg_temp.hb(h, 2) % 20]
                   || ' ' ||
                   (ARRAY['lamp','chair','bottle','mug','notebook','backpack','wallet','jacket','scarf',
                          'glove','speaker','charger','cable','keyboard','mouse','watch','kettle','pan',
                          'vase','blanket','pillow','towel','candle','planter','tote','cap','sneaker',
                          'headphones','tripod','desk organizer'])[1 + pg_temp.hb(h, 3) % 30]) $$;

-- a sentence of len words taken from the vocabulary by hashing seed
CREATE FUNCTION pg_temp.sentence(seed text, len int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg(pg_temp.word(pg_temp.hb(md5(seed || ':' || (k / 8)::text), k % 8)), ' ' ORDER BY k)
    FROM generate_series(0, greatest(len, 1) - 1) AS k $$;

-- list price of a product, also used for order lines and order totals
CREATE FUNCTION pg_temp.price(pid bigint) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN pg_temp.hb(md5('p' || pid), 0) % 10 < 7
                 THEN 1 + pg_temp.hb(md5('p' || pid), 1) % 60
                 ELSE 20 + pg_temp.hb(md5('p' || pid), 1) % 480 END)
           + (ARRAY[0.99, 0.99, 0.49, 0.95, 0.50, 0.00])[1 + pg_temp.hb(md5('p' || pid), 2) % 6] $$;

-- the lines of an order: line 1..n (n = 1..5), distinct products
CREATE FUNCTION pg_temp.lines(oid bigint, np int)
    RETURNS TABLE (line int, product_id int, qty int)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT l,
           1 + ((pg_temp.hb(md5('o' || oid), 2) * 37 + pg_temp.hb(md5('o' || oid), 3))
                + (l - 1) * (1 + pg_temp.hb(md5('o' || oid), 4) % 97)) % np,
           CASE WHEN pg_temp.hb(md5('q' || oid || ':' || l), 0) % 10 < 7 THEN 1
                ELSE 1 + pg_temp.hb(md5('q' || oid || ':' || l), 0) % 4 END
    FROM generate_series(1, 1 + (CASE WHEN pg_temp.hb(md5('o' || oid), 5) % 10 < 5 THEN 0
                                      ELSE pg_temp.hb(md5('o' || oid), 5) % 5 END)) AS l $$;

CREATE TABLE users (
    id          bigint NOT NULL,
    email       text NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL,
    profile     jsonb NOT NULL
);
CREATE TABLE products (
    id          int NOT NULL,
    sku         text NOT NULL,
    title       text NOT NULL,
    description text NOT NULL,
    price       numeric(10,2) NOT NULL,
    tags        text[] NOT NULL
);
CREATE TABLE orders (
    id          bigint NOT NULL,
    user_id     bigint NOT NULL,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    total       numeric(12,2) NOT NULL
);
CREATE TABLE order_items (
    order_id    bigint NOT NULL,
    product_id  int NOT NULL,
    qty         int NOT NULL,
    unit_price  numeric(10,2) NOT NULL
);
CREATE TABLE events (
    id          bigint NOT NULL,
    user_id     bigint,
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    payload     jsonb NOT NULL
);

-- users: created 2018..2025, increasing with id
INSERT INTO users
SELECT i,
       lower(fn) || '.' || lower(ln) || i::text
           || '@' || pg_temp.domain(pg_temp.hb(h, 2)),
       fn || ' ' || ln,
       timestamptz '2018-01-01 00:00:00+00'
           + (i::float8 / :n_users) * interval '2700 days'
           + pg_temp.hb(h, 3) * interval '1 second',
       jsonb_strip_nulls(jsonb_build_object(
           'locale', (ARRAY['en_US','en_GB','de_DE','fr_FR','es_ES','it_IT','ja_JP','pt_PT'])[1 + pg_temp.hb(h, 4) % 8],
           'newsletter', pg_temp.hb(h, 4) % 3 = 0,
           'phone', CASE WHEN pg_temp.hb(h, 5) % 4 <> 0
                         THEN '+' || (1 + pg_temp.hb(h, 5) % 49) || ' ' || (100 + pg_temp.hb(h2, 0) % 900)
                              || ' ' || lpad((pg_temp.hb(h2, 1) * 17 % 1000000)::text, 7, '0') END,
           'address', jsonb_build_object(
               'street', (1 + pg_temp.hb(h2, 2) % 400) || ' ' || initcap(pg_temp.word(pg_temp.hb(h2, 3)))
                         || (ARRAY[' Street',' Road',' Avenue',' Lane',' Way'])[1 + pg_temp.hb(h2, 3) % 5],
               'city', pg_temp.city(pg_temp.hb(h2, 4)),
               'zip', lpad((pg_temp.hb(h2, 5) * 7 % 99999)::text, 5, '0'),
               'country', pg_temp.country(pg_temp.hb(h2, 4))),
           'birth_year', CASE WHEN pg_temp.hb(h2, 6) % 3 = 0 THEN 1950 + pg_temp.hb(h2, 6) % 55 END,
           'referral', CASE WHEN pg_temp.hb(h2, 7) % 5 = 0 THEN substr(h2, 1, 10) END,
           'avatar', CASE WHEN pg_temp.hb(h2, 7) % 5 < 3
                          THEN 'https://cdn.shop.example/avatars/' || pg_temp.token('a' || i, 22) || '.jpg' END,
           'push_tokens', CASE WHEN pg_temp.hb(h2, 4) % 10 < 4 THEN jsonb_build_array(
                   pg_temp.token('t' || i, 22) || ':APA91b' || pg_temp.token('T' || i, 86) || pg_temp.token('X' || i, 40))
               WHEN pg_temp.hb(h2, 4) % 10 < 6 THEN jsonb_build_array(
                   pg_temp.token('t' || i, 22) || ':APA91b' || pg_temp.token('T' || i, 86) || pg_temp.token('X' || i, 40),
                   pg_temp.token('k' || i, 22) || ':APA91b' || pg_temp.token('K' || i, 86) || pg_temp.token('Y' || i, 40)) END,
           'payment_customer', 'cus_' || translate(pg_temp.token('c' || i, 14), '-_', 'Qz'),
           'last_login', jsonb_build_object(
               'at', to_char(timestamptz '2024-01-01 00:00:00+00'
                             + (pg_temp.hb(h2, 0)::bigint * 65536 + pg_temp.hb(h2, 5)) % 63072000 * interval '1 second',
                             'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'ip', (pg_temp.hb(h2, 5) % 223 + 1) || '.' || pg_temp.hb(h2, 3) % 256 || '.'
                     || pg_temp.hb(h2, 0) % 256 || '.' || pg_temp.hb(h2, 6) % 256),
           'preferences', jsonb_build_object(
               'theme', (ARRAY['light','dark','system'])[1 + pg_temp.hb(h, 6) % 3],
               'currency', (ARRAY['USD','EUR','GBP','JPY'])[1 + pg_temp.hb(h, 6) % 4],
               'categories', jsonb_build_array(pg_temp.category(pg_temp.hb(h, 7)),
                                               pg_temp.category(pg_temp.hb(h, 7) / 16)))))
FROM (SELECT i, md5('u' || i) AS h, md5('U' || i) AS h2,
             pg_temp.first_name(pg_temp.hb(md5('u' || i), 0)) AS fn,
             pg_temp.last_name(pg_temp.hb(md5('u' || i), 1)) AS ln
      FROM generate_series(1, :n_users) AS i) s;

-- products: descriptions of 5..120 words
INSERT INTO products
SELECT i,
       upper(substr(pg_temp.category(pg_temp.hb(h, 0)), 1, 3)) || '-' || lpad(i::text, 6, '0')
           || '-' || upper(substr(h, 9, 4)),
       pg_temp.title(h),
       pg_temp.sentence('d' || i, 5 + pg_temp.hb(h, 4) % 116) || '.',
       pg_temp.price(i),
       (SELECT array_agg(DISTINCT pg_temp.tag(pg_temp.hb(h, 5 + t) / 3))
        FROM generate_series(0, pg_temp.hb(h, 5) % 3) AS t)
FROM (SELECT i, md5('p' || i) AS h FROM generate_series(1, :n_products) AS i) s;

-- order lines
INSERT INTO order_items
SELECT o, l.product_id, l.qty, pg_temp.price(l.product_id)
FROM generate_series(1, :n_orders) AS o,
     LATERAL pg_temp.lines(o, :n_products) AS l;

-- orders: placed 2019..2025, older ones mostly delivered
INSERT INTO orders
SELECT o,
       -- a user who had signed up by then
       1 + (pg_temp.hb(h, 0)::bigint * 65536 + pg_temp.hb(h, 1))
           % greatest(1, floor(:n_users * least(1.0, (423 + o::float8 / :n_orders * 2400) / 2700)))::bigint,
       CASE WHEN o > :n_orders * 0.97 THEN
                (ARRAY['pending','paid','paid','shipped','shipped','cancelled'])[1 + pg_temp.hb(h, 6) % 6]
            ELSE (ARRAY['delivered','delivered','delivered','delivered','delivered','delivered',
                        'delivered','delivered','delivered','delivered','delivered','delivered',
                        'cancelled','refunded','delivered','delivered'])[1 + pg_temp.hb(h, 6) % 16] END,
       timestamptz '2019-03-01 00:00:00+00'
           + (o::float8 / :n_orders) * interval '2400 days'
           + pg_temp.hb(h, 7) * interval '1 second',
       (SELECT sum(l.qty * pg_temp.price(l.product_id)) FROM pg_temp.lines(o, :n_products) AS l)
FROM (SELECT o, md5('o' || o) AS h FROM generate_series(1, :n_orders) AS o) s;

-- events: 2021..2025, payload depends on the kind
INSERT INTO events
SELECT e,
       CASE WHEN pg_temp.hb(h, 0) % 10 = 0 THEN NULL
            ELSE 1 + (pg_temp.hb(h, 0)::bigint * 65536 + pg_temp.hb(h, 1))
                     % greatest(1, floor(:n_users * least(1.0, (1095 + e::float8 / :n_events * 1800) / 2700)))::bigint END,
       kind,
       timestamptz '2021-01-01 00:00:00+00'
           + (e::float8 / :n_events) * interval '1800 days'
           + pg_temp.hb(h, 2) % 3600 * interval '1 second'
           + pg_temp.hb(h2, 7) * interval '1 millisecond',
       jsonb_strip_nulls(jsonb_build_object(
           'session', pg_temp.token('s' || pg_temp.hb(h, 0) || ':' || pg_temp.hb(h, 1) || ':' || (e * 1800 / :n_events), 32),
           'request_id', pg_temp.token('q' || e, 22),
           'geo', jsonb_build_object('lat', round((pg_temp.hb(h, 5)::numeric * 65536 + pg_temp.hb(h2, 6)) / 31818572.0 - 67.5, 5),
                                     'lon', round((pg_temp.hb(h, 1)::numeric * 65536 + pg_temp.hb(h2, 6)) / 11930464.0 - 180, 5)),
           'ip', CASE WHEN pg_temp.hb(h, 4) % 5 < 2
                      THEN '2a0' || (pg_temp.hb(h, 4) % 8) || ':' || substr(h2, 9, 4) || ':' || substr(h2, 13, 4) || ':'
                           || substr(h2, 17, 4) || ':' || substr(h, 21, 4) || ':' || substr(h, 25, 4) || ':'
                           || substr(h, 29, 4) || ':' || substr(h2, 29, 4)
                      ELSE (pg_temp.hb(h2, 0) % 223 + 1) || '.' || pg_temp.hb(h2, 0) / 256 || '.'
                           || pg_temp.hb(h2, 1) % 256 || '.' || pg_temp.hb(h2, 1) / 256 END,
           'traceparent', '00-' || md5('t' || e) || '-' || substr(md5('T' || e), 1, 16) || '-01',
           'device', jsonb_build_object(
               'type', (ARRAY['desktop','mobile','mobile','tablet'])[1 + pg_temp.hb(h, 3) % 4],
               'os', (ARRAY['Windows','macOS','iOS','Android','Linux'])[1 + pg_temp.hb(h, 3) / 4 % 5],
               'browser', (ARRAY['Chrome','Safari','Firefox','Edge'])[1 + pg_temp.hb(h, 3) / 32 % 4]
                          || ' ' || (90 + pg_temp.hb(h, 3) / 256 % 40),
               'fingerprint', translate(pg_temp.token('f' || (e % 9973), 20), '-_', 'Xy')),
           'utm', CASE WHEN pg_temp.hb(h, 4) % 4 = 0 THEN jsonb_build_object(
               'source', (ARRAY['google','newsletter','facebook','instagram','partner'])[1 + pg_temp.hb(h, 4) / 4 % 5],
               'campaign', pg_temp.word(pg_temp.hb(h, 5)) || '-' || (2021 + pg_temp.hb(h, 5) % 5)) END)
       || CASE kind
          WHEN 'page_view' THEN jsonb_build_object(
               'path', '/' || pg_temp.category(pg_temp.hb(h, 6)) || '/' || pg_temp.word(pg_temp.hb(h, 7))
                       || '-' || pg_temp.word(pg_temp.hb(h2, 2)) || '-' || (1 + pg_temp.hb(h2, 3) % 50000),
               'duration_ms', pg_temp.hb(h2, 4) % 90000,
               'scroll', round((pg_temp.hb(h2, 5) % 1000) / 1000.0, 3),
               'referrer', CASE pg_temp.hb(h2, 6) % 4
                   WHEN 0 THEN 'https://www.google.com/search?q=' || pg_temp.word(pg_temp.hb(h, 7)) || '+'
                               || pg_temp.category(pg_temp.hb(h, 6)) || '&gclid='
                               || pg_temp.token('g' || e, 40 + pg_temp.hb(h2, 7) % 48)
                   WHEN 1 THEN 'https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2F'
                               || pg_temp.category(pg_temp.hb(h, 6)) || '&fbclid=IwAR'
                               || pg_temp.token('b' || e, 50 + pg_temp.hb(h2, 7) % 20)
                   WHEN 2 THEN 'https://shop.example/' || pg_temp.category(pg_temp.hb(h2, 7)) || '?page='
                               || (1 + pg_temp.hb(h2, 7) % 20)
                   ELSE NULL END)
          WHEN 'search' THEN jsonb_build_object(
               'query', pg_temp.word(pg_temp.hb(h, 6)) || ' ' || pg_temp.word(pg_temp.hb(h, 7)),
               'results', pg_temp.hb(h2, 2) % 500,
               'filters', jsonb_strip_nulls(jsonb_build_object(
                   'category', CASE WHEN pg_temp.hb(h2, 3) % 2 = 0 THEN pg_temp.category(pg_temp.hb(h2, 3) / 2) END,
                   'price_max', CASE WHEN pg_temp.hb(h2, 4) % 3 = 0 THEN 10 * (1 + pg_temp.hb(h2, 4) % 50) END,
                   'tags', CASE WHEN pg_temp.hb(h2, 5) % 4 = 0 THEN jsonb_build_array(
                       pg_temp.tag(pg_temp.hb(h2, 5)), pg_temp.tag(pg_temp.hb(h2, 6))) END)))
          WHEN 'add_to_cart' THEN jsonb_build_object(
               'product_id', 1 + pg_temp.hb(h, 6) % :n_products,
               'qty', 1 + pg_temp.hb(h, 7) % 3,
               'price', pg_temp.price(1 + pg_temp.hb(h, 6) % :n_products),
               'cart', jsonb_build_object('items', 1 + pg_temp.hb(h2, 2) % 8,
                                          'value', round(pg_temp.hb(h2, 3) / 100.0, 2)))
          WHEN 'checkout' THEN jsonb_build_object(
               'order_id', 1 + pg_temp.hb(h, 6) * 3 % :n_orders,
               'items', jsonb_build_array(
                   jsonb_build_object('product_id', 1 + pg_temp.hb(h2, 2) % :n_products, 'qty', 1 + pg_temp.hb(h2, 2) % 3),
                   jsonb_build_object('product_id', 1 + pg_temp.hb(h2, 3) % :n_products, 'qty', 1 + pg_temp.hb(h2, 3) % 2)),
               'payment', (ARRAY['card','card','paypal','apple_pay','invoice'])[1 + pg_temp.hb(h, 7) % 5],
               'payment_intent', 'pi_' || translate(pg_temp.token('i' || e, 24), '-_', 'Kx'),
               'coupon', CASE WHEN pg_temp.hb(h, 7) % 7 = 0 THEN upper(pg_temp.word(pg_temp.hb(h2, 4))) || (pg_temp.hb(h2, 4) % 50) END)
          WHEN 'review' THEN jsonb_build_object(
               'product_id', 1 + pg_temp.hb(h, 6) % :n_products,
               'rating', 5 - (pg_temp.hb(h, 7) % 100) * (pg_temp.hb(h, 7) % 100) / 2000,
               'text', pg_temp.sentence('r' || e, 4 + pg_temp.hb(h2, 2) % 30))
          WHEN 'login' THEN jsonb_build_object(
               'method', (ARRAY['password','password','google','apple','magic_link'])[1 + pg_temp.hb(h, 6) % 5],
               'mfa', pg_temp.hb(h, 6) % 3 = 0,
               'refresh_token', pg_temp.token('r' || e, 43))
          ELSE jsonb_build_object(
               'product_id', 1 + pg_temp.hb(h, 6) % :n_products,
               'list', pg_temp.word(pg_temp.hb(h, 7)))
          END)
FROM (SELECT e, md5('e' || e) AS h, md5('E' || e) AS h2,
             (ARRAY['page_view','page_view','page_view','page_view','page_view','page_view',
                    'page_view','search','search','search','add_to_cart','add_to_cart',
                    'checkout','review','login','login','wishlist_add','remove_from_cart',
                    'page_view','search'])[1 + pg_temp.hb(md5('e' || e), 0) / 16 % 20] AS kind
      FROM generate_series(1, :n_events) AS e) s;

ALTER TABLE users ADD PRIMARY KEY (id);
ALTER TABLE products ADD PRIMARY KEY (id);
ALTER TABLE orders ADD PRIMARY KEY (id);
ALTER TABLE order_items ADD PRIMARY KEY (order_id, product_id);
ALTER TABLE events ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX products_sku_key ON products (sku);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
CREATE INDEX events_user_id_at_idx ON events (user_id, at);
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('pending','paid','shipped','delivered','cancelled','refunded'));
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE order_items ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE order_items ADD CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id);
ALTER TABLE events ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
SQL
"${psql_cmd[@]}" -c 'VACUUM ANALYZE users, products, orders, order_items, events'

{
    echo "gen-realistic: loaded in $(( $(date +%s) - start ))s"
    "${psql_cmd[@]}" -A -t -F ' ' <<'SQL'
SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))
       || ' (' || pg_database_size(current_database()) || ' bytes)';
SELECT rpad(t.name, 12) || lpad(t.n::text, 12) || ' rows  '
       || lpad(pg_size_pretty(pg_total_relation_size(t.name::regclass)), 10)
FROM (SELECT 'users' AS name, count(*) AS n FROM users
      UNION ALL SELECT 'products', count(*) FROM products
      UNION ALL SELECT 'orders', count(*) FROM orders
      UNION ALL SELECT 'order_items', count(*) FROM order_items
      UNION ALL SELECT 'events', count(*) FROM events) t;
SQL
} >&2
