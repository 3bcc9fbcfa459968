ÿ-- Orders: the orders count from db-tools.json (or -c orders=N), ids 1..N,
-- placed from 2021 to mid-2025 in id order by users who had signed up by then,
-- with 1 to 5 lines each (2.25 on average) in order_items.  Needs users and
-- products; with no users or no products there are no orders.
CREATE TEMP TABLE seed_orders AS
SELECT o AS id,
       -- a user who had signed up by then (users sign up from 2020-01-01 over 1826
       -- days in id order, orders come from 2021-01-01 over 1641 days)
       u.lo + floor(r_user * greatest(1, floor(u.n * least(1.0, (366 + (o - 1) * 1641.0 / (:orders)) / 1826))))::bigint
           AS user_id,
       CASE WHEN placed_at >= timestamptz '2025-06-16 00:00:00+00'
            THEN (ARRAY['pending', 'paid', 'paid', 'shipped', 'shipped', 'shipped'])[1 + floor(r_status * 6)::int]
            WHEN r_status < 0.88 THEN 'delivered'
            WHEN r_status < 0.95 THEN 'cancelled'
            ELSE 'refunded' END AS status,
       placed_at,
       n_lines,
       -- line k gets product number (first + (k - 1) * stride) mod the count
       floor(r_first * p.n)::bigint AS first_product,
       1 + floor(r_stride * greatest(p.n - 1, 1))::bigint AS stride
FROM (
    SELECT o,
           timestamptz '2021-01-01 00:00:00+00'
               + (o - 1 + random()) / (:orders) * interval '1641 days' AS placed_at,
           random() AS r_user,
           random() AS r_status,
           1 + floor(5 * random() ^ 2)::int AS n_lines,
           random() AS r_first,
           random() AS r_stride
    FROM generate_series(1, :orders) AS o
) AS s,
(SELECT min(id) AS lo, count(*) AS n FROM users) AS u,
(SELECT count(*) AS n FROM products) AS p
WHERE u.n > 0 AND p.n > 0;

-- The lines: different products (unless there are very few), mostly one of
-- each, sometimes 10% off.
CREATE TEMP TABLE seed_order_lines AS
SELECT l.order_id, l.line, pr.id AS product_id, l.quantity,
       CASE WHEN l.discounted THEN round(pr.price * 0.9, 2) ELSE pr.price END AS unit_price
FROM (
    SELECT so.id AS order_id,
           line::smallint AS line,
           p.lo + (so.first_product + (line - 1) * so.stride) % p.n AS product_id,
           CASE WHEN random() < 0.8 THEN 1 ELSE 2 + floor(random() * 4)::int END AS quantity,
           random() < 0.1 AS discounted
    FROM seed_orders AS so,
         LATERAL generate_series(1, so.n_lines) AS line,
         (SELECT min(id) AS lo, count(*) AS n FROM products) AS p
) AS l
JOIN products AS pr ON pr.id = l.product_id;

INSERT INTO orders (id, user_id, status, total, created_at)
SELECT so.id, so.user_id, so.status, t.total, so.placed_at
FROM seed_orders AS so
JOIN (SELECT order_id, sum(quantity * unit_price) AS total
      FROM seed_order_lines GROUP BY order_id) AS t ON t.order_id = so.id
ORDER BY so.id;

INSERT INTO order_items (order_id, line, product_id, quantity, unit_price)
SELECT order_id, line, product_id, quantity, unit_price
FROM seed_order_lines
ORDER BY order_id, line;

DROP TABLE seed_order_lines, seed_orders;

-- New rows get ids after the seeded ones.
SELECT setval(pg_get_serial_sequence('public.orders', 'id'), coalesce(max(id), 0) + 1, false) AS next_orders_id
FROM orders;

ANALYZE orders, order_items;
