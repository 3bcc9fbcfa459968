ÿ-- Analytics events: the events count from db-tools.json (or -c events=N),
-- ids 1..N, from 2023 to mid-2025 in id order.  A third of the page views and
-- searches are anonymous (user_id NULL); the payload is a JSON object of
-- 100 to 300 bytes whose keys depend on the kind.
INSERT INTO events (id, user_id, kind, at, payload)
SELECT e.id,
       CASE WHEN e.kind = 'checkout' AND o.id IS NOT NULL THEN o.user_id ELSE e.user_id END,
       e.kind,
       e.at,
       jsonb_build_object('session', e.session, 'device', e.device)
       || CASE e.kind
          WHEN 'page_view' THEN jsonb_build_object(
               'path', CASE WHEN pr.id IS NOT NULL
                            THEN '/products/' || pr.id || '-' || replace(lower(pr.name), ' ', '-')
                            ELSE '/c/' || e.word END,
               'referrer', e.referrer,
               'duration_ms', e.n1 % 120000,
               'scroll_pct', e.n2 % 101)
          WHEN 'search' THEN jsonb_build_object(
               'query', e.query,
               'results', e.n1 % 400,
               'page', 1 + e.n2 % 3)
          WHEN 'add_to_cart' THEN jsonb_build_object(
               'product_id', pr.id,
               'sku', pr.sku,
               'quantity', 1 + e.n1 % 3,
               'price', pr.price)
          WHEN 'checkout' THEN jsonb_build_object(
               'order_id', o.id,
               'total', o.total,
               'currency', o.currency,
               'payment_method', (ARRAY['card', 'card', 'card', 'paypal', 'apple_pay', 'klarna'])[1 + e.n1 % 6])
          ELSE jsonb_build_object(
               'method', (ARRAY['password', 'password', 'magic_link', 'google', 'apple'])[1 + e.n1 % 5],
               'ip', '198.51.' || e.n1 % 256 || '.' || e.n2 % 256,
               'user_agent', e.user_agent)
          END
FROM (
    SELECT s.*,
           CASE WHEN uc.n = 0 OR (s.kind IN ('page_view', 'search') AND s.r_anon < 0.33) THEN NULL
                -- a user who had signed up by then (from 2020-01-01 over 1826 days, in id order)
                ELSE uc.lo + floor(s.r_user
                                   * greatest(1, floor(uc.n * least(1.0, (1096 + (s.id - 1) * 911.0 / (:events)) / 1826))))::bigint
           END AS user_id,
           CASE WHEN pc.n > 0 AND (s.kind = 'add_to_cart' OR (s.kind = 'page_view' AND s.r_page < 0.7))
                THEN pc.lo + floor(s.r_product * pc.n)::bigint END AS product_id,
           -- checkout: the order placed at about the same time (orders run from 2021-01-01
           -- over 1641 days, in id order); the event then belongs to its user
           CASE WHEN s.kind = 'checkout' AND oc.n > 0
                THEN oc.lo + least(floor(oc.n * (730 + s.id * 911.0 / (:events)) / 1641)::bigint, oc.n - 1)
           END AS order_id
    FROM (
        SELECT id,
               v.kinds[1 + floor(random() * array_length(v.kinds, 1))::int] AS kind,
               timestamptz '2023-01-01 00:00:00+00'
                   + (id - 1 + random()) / (:events) * interval '911 days' AS at,
               random() AS r_anon,
               random() AS r_user,
               random() AS r_product,
               random() AS r_page,
               substr(md5(random()::text), 1, 20) AS session,
               v.devices[1 + floor(random() * array_length(v.devices, 1))::int] AS device,
               v.words[1 + floor(random() * array_length(v.words, 1))::int] AS word,
               v.words[1 + floor(random() * array_length(v.words, 1))::int] || ' '
                   || v.words[1 + floor(random() * array_length(v.words, 1))::int] AS query,
               v.referrers[1 + floor(random() * array_length(v.referrers, 1))::int] AS referrer,
               v.user_agents[1 + floor(random() * array_length(v.user_agents, 1))::int] AS user_agent,
               floor(random() * 1000000)::int AS n1,
               floor(random() * 1000000)::int AS n2
        FROM generate_series(1, :events) AS id,
             (SELECT ARRAY['page_view', 'page_view', 'page_view', 'page_view', 'page_view',
                           'page_view', 'page_view', 'page_view', 'page_view', 'page_view',
                           'page_view', 'search', 'search', 'search', 'add_to_cart',
                           'add_to_cart', 'add_to_cart', 'checkout', 'login', 'login'] AS kinds,
                     ARRAY['desktop', 'desktop', 'mobile', 'mobile', 'mobile', 'tablet'] AS devices,
                     ARRAY['mug', 'lamp', 'chair', 'bottle', 'backpack', 'notebook', 'kettle',
                           'blanket', 'planter', 'speaker', 'watch', 'oak', 'linen', 'ceramic',
                           'leather', 'vintage', 'gift', 'kitchen', 'garden', 'travel'] AS words,
                     ARRAY['https://www.google.com/', 'https://www.google.com/', 'https://www.bing.com/',
                           'https://duckduckgo.com/', 'https://www.instagram.com/',
                           'https://shop.example/newsletter/2025-spring', 'https://shop.example/',
                           'https://shop.example/cart', ''] AS referrers,
                     ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
                           'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
                           'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
                           'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
                           'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'] AS user_agents) AS v
    ) AS s,
    (SELECT min(id) AS lo, count(*) AS n FROM users) AS uc,
    (SELECT min(id) AS lo, count(*) AS n FROM products) AS pc,
    (SELECT min(id) AS lo, count(*) AS n FROM orders) AS oc
) AS e
LEFT JOIN products AS pr ON pr.id = e.product_id
LEFT JOIN orders AS o ON o.id = e.order_id
ORDER BY e.id;

-- New rows get ids after the seeded ones.
SELECT setval(pg_get_serial_sequence('public.events', 'id'), coalesce(max(id), 0) + 1, false) AS next_events_id
FROM events;

ANALYZE events;
