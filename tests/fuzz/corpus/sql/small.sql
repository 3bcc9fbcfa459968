SELECT 1; CREATE TABLE "a""b" (x int); ALTER TABLE ONLY public.t OWNER TO "Bob"; COPY t FROM stdin;
1
\.
$$ x $$; E'\''; /* /* */ */ \restrict k
