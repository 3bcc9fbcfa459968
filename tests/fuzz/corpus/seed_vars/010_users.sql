ÿ-- Customers: the users count from db-tools.json (or -c users=N), ids 1..N,
-- signed up between 2020 and the end of 2024 in id order.  Values come from
-- random() only, which db-reset seeds with setseed() before each file, so the
-- same counts and rng_seed give the same rows.
INSERT INTO users (id, email, full_name, country, status, created_at, last_login_at)
SELECT i,
       lower(fn || '.' || ln) || i || '@' || dom,
       fn || ' ' || ln,
       country,
       CASE WHEN r_status < 0.94 THEN 'active'
            WHEN r_status < 0.985 THEN 'suspended'
            ELSE 'deleted' END,
       created_at,
       CASE WHEN r_login < 0.85
            THEN created_at + (r_login / 0.85) ^ 0.5 * (timestamptz '2025-06-30 23:59:59+00' - created_at) END
FROM (
    SELECT i,
           v.first_names[1 + floor(random() * array_length(v.first_names, 1))::int] AS fn,
           v.last_names[1 + floor(random() * array_length(v.last_names, 1))::int] AS ln,
           v.domains[1 + floor(random() * array_length(v.domains, 1))::int] AS dom,
           v.countries[1 + floor(random() * array_length(v.countries, 1))::int] AS country,
           timestamptz '2020-01-01 00:00:00+00'
               + (i - 1 + random()) / (:users) * interval '1826 days' AS created_at,
           random() AS r_status,
           random() AS r_login
    FROM generate_series(1, :users) AS i,
         (SELECT ARRAY['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael',
                       'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan',
                       'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Daniel', 'Karen', 'Emma',
                       'Noah', 'Olivia', 'Liam', 'Sofia', 'Mateo', 'Lukas', 'Lea', 'Elias',
                       'Mia', 'Hiroshi', 'Yuki', 'Wei', 'Mei', 'Arjun', 'Priya', 'Omar',
                       'Fatima', 'Ivan', 'Olga'] AS first_names,
                 ARRAY['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller',
                       'Davis', 'Martinez', 'Wilson', 'Anderson', 'Taylor', 'Moore', 'Martin',
                       'Lee', 'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Mueller', 'Schmidt',
                       'Fischer', 'Weber', 'Rossi', 'Russo', 'Dubois', 'Silva', 'Tanaka',
                       'Suzuki', 'Wang', 'Kumar', 'Singh', 'Haddad', 'Ivanov', 'Novak',
                       'Kowalski', 'Jansen', 'Larsen', 'Murphy'] AS last_names,
                 ARRAY['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'yahoo.com',
                       'icloud.com', 'proton.me', 'gmx.net', 'web.de', 'orange.fr',
                       'example.com', 'example.org'] AS domains,
                 ARRAY['US', 'US', 'US', 'US', 'GB', 'GB', 'DE', 'DE', 'DE', 'FR', 'FR', 'ES',
                       'IT', 'NL', 'SE', 'PL', 'IE', 'JP', 'CA', 'AU'] AS countries) AS v
) AS s
ORDER BY i;

-- New users get ids after the seeded ones.
SELECT setval(pg_get_serial_sequence('public.users', 'id'), coalesce(max(id), 0) + 1, false) AS next_users_id
FROM users;

ANALYZE users;
