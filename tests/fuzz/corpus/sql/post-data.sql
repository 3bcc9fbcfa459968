--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

--
-- Name: Order Items Order Items_pkey; Type: CONSTRAINT; Schema: Mixed Schema; Owner: postgres
--

ALTER TABLE ONLY "Mixed Schema"."Order Items"
    ADD CONSTRAINT "Order Items_pkey" PRIMARY KEY ("Select");


--
-- Name: t.dot t.dot_pkey; Type: CONSTRAINT; Schema: Mixed Schema; Owner: postgres
--

ALTER TABLE ONLY "Mixed Schema"."t.dot"
    ADD CONSTRAINT "t.dot_pkey" PRIMARY KEY (id);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);


--
-- Name: tickets tickets_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);


--
-- Name: all_types all_types_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.all_types
    ADD CONSTRAINT all_types_pkey PRIMARY KEY (id);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq);


--
-- Name: audited audited_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.audited
    ADD CONSTRAINT audited_pkey PRIMARY KEY (id);


--
-- Name: big_values big_values_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.big_values
    ADD CONSTRAINT big_values_pkey PRIMARY KEY (id);


--
-- Name: binary_data binary_data_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.binary_data
    ADD CONSTRAINT binary_data_pkey PRIMARY KEY (id);


--
-- Name: by_default_ids by_default_ids_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.by_default_ids
    ADD CONSTRAINT by_default_ids_pkey PRIMARY KEY (id);


--
-- Name: ci_users ci_users_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.ci_users
    ADD CONSTRAINT ci_users_pkey PRIMARY KEY (email);


--
-- Name: departments departments_name_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT departments_name_key UNIQUE (name);


--
-- Name: departments departments_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT departments_pkey PRIMARY KEY (code);


--
-- Name: documents documents_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);


--
-- Name: employees employees_email_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_email_key UNIQUE (email);


--
-- Name: employees employees_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_pkey PRIMARY KEY (id);


--
-- Name: empty_table empty_table_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.empty_table
    ADD CONSTRAINT empty_table_pkey PRIMARY KEY (id);


--
-- Name: guarded guarded_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.guarded
    ADD CONSTRAINT guarded_pkey PRIMARY KEY (id);


--
-- Name: hashed hashed_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.hashed
    ADD CONSTRAINT hashed_pkey PRIMARY KEY (id);


--
-- Name: legacy_rows legacy_rows_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.legacy_rows
    ADD CONSTRAINT legacy_rows_pkey PRIMARY KEY (id);


--
-- Name: legacy_rows legacy_rows_qty_positive; Type: CHECK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE public.legacy_rows
    ADD CONSTRAINT legacy_rows_qty_positive CHECK ((qty > 0)) NOT VALID;


--
-- Name: order_lines order_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_pkey PRIMARY KEY (id);


--
-- Name: products products_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (id);


--
-- Name: room_bookings room_bookings_guest_key; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.room_bookings
    ADD CONSTRAINT room_bookings_guest_key UNIQUE NULLS NOT DISTINCT (room, guest);


--
-- Name: room_bookings room_bookings_no_overlap; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.room_bookings
    ADD CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (during WITH &&);


--
-- Name: room_bookings room_bookings_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.room_bookings
    ADD CONSTRAINT room_bookings_pkey PRIMARY KEY (id);


--
-- Name: secrets secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.secrets
    ADD CONSTRAINT secrets_pkey PRIMARY KEY (id);


--
-- Name: serial_things serial_things_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.serial_things
    ADD CONSTRAINT serial_things_pkey PRIMARY KEY (id);


--
-- Name: text_edge_cases text_edge_cases_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.text_edge_cases
    ADD CONSTRAINT text_edge_cases_pkey PRIMARY KEY (id);


--
-- Name: tz_samples tz_samples_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.tz_samples
    ADD CONSTRAINT tz_samples_pkey PRIMARY KEY (id);


--
-- Name: unlogged_cache unlogged_cache_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.unlogged_cache
    ADD CONSTRAINT unlogged_cache_pkey PRIMARY KEY (k);


--
-- Name: order_items_semicolon_idx; Type: INDEX; Schema: Mixed Schema; Owner: postgres
--

CREATE INDEX order_items_semicolon_idx ON "Mixed Schema"."Order Items" USING btree ("semi;colon", "a""b");


--
-- Name: all_types_jsonb_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX all_types_jsonb_idx ON public.all_types USING gin (c_jsonb);


--
-- Name: employees_email_per_dept_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE UNIQUE INDEX employees_email_per_dept_idx ON public.employees USING btree (dept_code, email) WHERE (email IS NOT NULL);


--
-- Name: employees_lower_name_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX employees_lower_name_idx ON public.employees USING btree (lower(name));


--
-- Name: INDEX employees_lower_name_idx; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON INDEX public.employees_lower_name_idx IS 'expression index';


--
-- Name: employees_salary_desc_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX employees_salary_desc_idx ON public.employees USING btree (salary DESC) INCLUDE (name);


--
-- Name: measurement_totals_region_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE UNIQUE INDEX measurement_totals_region_idx ON public.measurement_totals USING btree (region);


--
-- Name: employees_dept_salary_stats; Type: STATISTICS; Schema: public; Owner: postgres
--

CREATE STATISTICS public.employees_dept_salary_stats (dependencies) ON salary, dept_code FROM public.employees;


ALTER STATISTICS public.employees_dept_salary_stats OWNER TO postgres;

--
-- Name: blackhole blackhole_ignore_inserts; Type: RULE; Schema: public; Owner: postgres
--

CREATE RULE blackhole_ignore_inserts AS
    ON INSERT TO public.blackhole DO INSTEAD NOTHING;


--
-- Name: products products_log_price; Type: RULE; Schema: public; Owner: postgres
--

CREATE RULE products_log_price AS
    ON UPDATE TO public.products
   WHERE (old.price IS DISTINCT FROM new.price) DO  INSERT INTO public.price_changes (product_id, old_price, new_price)
  VALUES (old.id, old.price, new.price);


--
-- Name: audited audited_audit; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER audited_audit AFTER INSERT OR UPDATE ON public.audited FOR EACH ROW EXECUTE FUNCTION public.audit_row();


--
-- Name: guarded guarded_before_insert; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER guarded_before_insert BEFORE INSERT ON public.guarded FOR EACH ROW EXECUTE FUNCTION public.reject_unless_loading();


--
-- Name: TRIGGER guarded_before_insert ON guarded; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TRIGGER guarded_before_insert ON public.guarded IS 'raises unless fixture.loading = on';


--
-- Name: accounts accounts_employee_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.accounts
    ADD CONSTRAINT accounts_employee_id_fkey FOREIGN KEY (employee_id) REFERENCES public.employees(id) ON DELETE CASCADE;


--
-- Name: departments departments_head_fk; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT departments_head_fk FOREIGN KEY (head_id) REFERENCES public.employees(id) DEFERRABLE;


--
-- Name: employees employees_dept_fk; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_dept_fk FOREIGN KEY (dept_code) REFERENCES public.departments(code) DEFERRABLE INITIALLY DEFERRED;


--
-- Name: employees employees_manager_fk; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_manager_fk FOREIGN KEY (manager_id) REFERENCES public.employees(id);


--
-- Name: CONSTRAINT employees_manager_fk ON employees; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON CONSTRAINT employees_manager_fk ON public.employees IS 'self-reference with a cycle';


--
-- Name: legacy_rows legacy_rows_employee_fk; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.legacy_rows
    ADD CONSTRAINT legacy_rows_employee_fk FOREIGN KEY (employee_id) REFERENCES public.employees(id) NOT VALID;


--
-- Name: secrets; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: secrets secrets_nobody; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY secrets_nobody ON public.secrets USING (false);


--
-- Name: measurement_totals; Type: MATERIALIZED VIEW DATA; Schema: public; Owner: postgres
--

REFRESH MATERIALIZED VIEW public.measurement_totals;


--
-- PostgreSQL database dump complete
--


