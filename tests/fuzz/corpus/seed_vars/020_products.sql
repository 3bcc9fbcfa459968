ÿ-- The catalogue: the products count from db-tools.json (or -c products=N),
-- ids 1..N, with a few sentences of description each.
INSERT INTO products (id, sku, name, category, description, price, stock, active, created_at)
SELECT i,
       upper(left(category, 3)) || '-' || lpad(i::text, 6, '0'),
       initcap(adjective) || ' ' || initcap(material) || ' ' || initcap(noun),
       category,
       initcap(adjective) || ' ' || noun || ' made of ' || material || ', for ' || use_case || '. '
           || feature || ' ' || care || ' ' || shipping,
       round((5 + 295 * r_price ^ 3)::numeric) - 0.01,
       CASE WHEN r_stock < 0.08 THEN 0 ELSE 1 + floor(r_stock * 480)::int END,
       r_active < 0.95,
       created_at
FROM (
    SELECT i,
           v.categories[1 + floor(random() * array_length(v.categories, 1))::int] AS category,
           v.adjectives[1 + floor(random() * array_length(v.adjectives, 1))::int] AS adjective,
           v.materials[1 + floor(random() * array_length(v.materials, 1))::int] AS material,
           v.nouns[1 + floor(random() * array_length(v.nouns, 1))::int] AS noun,
           v.use_cases[1 + floor(random() * array_length(v.use_cases, 1))::int] AS use_case,
           v.features[1 + floor(random() * array_length(v.features, 1))::int] AS feature,
           v.cares[1 + floor(random() * array_length(v.cares, 1))::int] AS care,
           v.shippings[1 + floor(random() * array_length(v.shippings, 1))::int] AS shipping,
           random() AS r_price,
           random() AS r_stock,
           random() AS r_active,
           timestamptz '2019-06-01 00:00:00+00' + random() * interval '1500 days' AS created_at
    FROM generate_series(1, :products) AS i,
         (SELECT ARRAY['kitchen', 'home', 'garden', 'office', 'outdoor', 'travel', 'fashion',
                       'sports', 'electronics', 'toys'] AS categories,
                 ARRAY['classic', 'modern', 'vintage', 'compact', 'portable', 'durable',
                       'elegant', 'minimalist', 'everyday', 'premium', 'lightweight',
                       'handmade'] AS adjectives,
                 ARRAY['oak', 'walnut', 'bamboo', 'steel', 'aluminium', 'ceramic', 'glass',
                       'cotton', 'linen', 'wool', 'leather', 'recycled plastic'] AS materials,
                 ARRAY['mug', 'lamp', 'chair', 'bottle', 'backpack', 'notebook', 'kettle',
                       'blanket', 'planter', 'desk organizer', 'speaker', 'watch', 'tote bag',
                       'cutting board', 'water bottle', 'headphones'] AS nouns,
                 ARRAY['daily use', 'small apartments', 'long trips', 'the home office',
                       'weekend hikes', 'gifting', 'busy mornings', 'kids and adults'] AS use_cases,
                 ARRAY['Designed to last for years and tested for everyday wear.',
                       'Its slim profile fits on any shelf and it weighs next to nothing.',
                       'Each piece is finished by hand, so no two are exactly alike.',
                       'Comes in five colours, from soft sand to deep forest green.',
                       'Rated 4.7 out of 5 by more than a thousand customers.',
                       'Made in small batches in a family-run workshop in Portugal.'] AS features,
                 ARRAY['Wipe clean with a damp cloth.', 'Dishwasher safe.',
                       'Machine washable at 30 degrees.', 'Avoid direct sunlight to keep the colour.',
                       'Oil the surface twice a year.', 'No special care needed.'] AS cares,
                 ARRAY['Ships within 2 business days.', 'Free returns within 30 days.',
                       'Plastic-free packaging.', 'Two-year warranty included.',
                       'Ships in 1-3 business days; express delivery available.'] AS shippings) AS v
) AS s
ORDER BY i;

-- New rows get ids after the seeded ones.
SELECT setval(pg_get_serial_sequence('public.products', 'id'), coalesce(max(id), 0) + 1, false) AS next_products_id
FROM products;

ANALYZE products;
