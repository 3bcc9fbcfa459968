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

--
-- Name: Mixed Schema; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA "Mixed Schema";


ALTER SCHEMA "Mixed Schema" OWNER TO postgres;

--
-- Name: SCHEMA "Mixed Schema"; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON SCHEMA "Mixed Schema" IS 'schema whose name needs "quoting"';


--
-- Name: app; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA app;


ALTER SCHEMA app OWNER TO postgres;

--
-- Name: ext; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA ext;


ALTER SCHEMA ext OWNER TO postgres;

--
-- Name: user; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA "user";


ALTER SCHEMA "user" OWNER TO postgres;

--
-- Name: SCHEMA "user"; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON SCHEMA "user" IS 'named by a reserved SQL keyword';


--
-- Name: citext; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA ext;


--
-- Name: EXTENSION citext; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA ext;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: mood; Type: TYPE; Schema: public; Owner: postgres
--

CREATE TYPE public.mood AS ENUM (
    'sad',
    'ok',
    'happy',
    'très "heureux"',
    'with,comma',
    'NULL'
);


ALTER TYPE public.mood OWNER TO postgres;

--
-- Name: TYPE mood; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TYPE public.mood IS 'enum with labels that need quoting in arrays';


--
-- Name: positive_int; Type: DOMAIN; Schema: public; Owner: postgres
--

CREATE DOMAIN public.positive_int AS integer
	CONSTRAINT positive_int_check CHECK ((VALUE > 0));


ALTER DOMAIN public.positive_int OWNER TO postgres;

--
-- Name: DOMAIN positive_int; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON DOMAIN public.positive_int IS 'integer > 0';


--
-- Name: postal_address; Type: TYPE; Schema: public; Owner: postgres
--

CREATE TYPE public.postal_address AS (
	street text,
	city text,
	zip character varying(10)
);


ALTER TYPE public.postal_address OWNER TO postgres;

--
-- Name: zip_code; Type: DOMAIN; Schema: public; Owner: postgres
--

CREATE DOMAIN public.zip_code AS text
	CONSTRAINT zip_code_format CHECK ((VALUE ~ '^[0-9]{5}(-[0-9]{4})?$'::text));


ALTER DOMAIN public.zip_code OWNER TO postgres;

--
-- Name: ticket_prefix(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.ticket_prefix() RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'app', 'pg_temp'
    AS $$ SELECT prefix FROM ticket_settings LIMIT 1 $$;


ALTER FUNCTION app.ticket_prefix() OWNER TO postgres;

--
-- Name: FUNCTION ticket_prefix(); Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON FUNCTION app.ticket_prefix() IS 'pins its own search_path';


--
-- Name: audit_row(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.audit_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO public.audit_log (table_name, op, row_id) VALUES (TG_TABLE_NAME, TG_OP, NEW.id);
    RETURN NEW;
END
$$;


ALTER FUNCTION public.audit_row() OWNER TO postgres;

--
-- Name: reject_unless_loading(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.reject_unless_loading() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('fixture.loading', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'insert into %.% refused: fixture.loading is not on', TG_TABLE_SCHEMA, TG_TABLE_NAME;
    END IF;
    NEW.val := NEW.val || ' [checked]';
    RETURN NEW;
END
$$;


ALTER FUNCTION public.reject_unless_loading() OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: ../escape; Type: TABLE; Schema: Mixed Schema; Owner: postgres
--

CREATE TABLE "Mixed Schema"."../escape" (
    id integer,
    v text
);


ALTER TABLE "Mixed Schema"."../escape" OWNER TO postgres;

--
-- Name: Order Items; Type: TABLE; Schema: Mixed Schema; Owner: postgres
--

CREATE TABLE "Mixed Schema"."Order Items" (
    "Select" integer NOT NULL,
    "a""b" text,
    "semi;colon" text,
    "ünïcödé" text,
    ctid_x bigint,
    "UPPER" text,
    "with space" text,
    oid integer
);


ALTER TABLE "Mixed Schema"."Order Items" OWNER TO postgres;

--
-- Name: TABLE "Order Items"; Type: COMMENT; Schema: Mixed Schema; Owner: postgres
--

COMMENT ON TABLE "Mixed Schema"."Order Items" IS 'table and columns need quoting; it''s "fine"';


--
-- Name: COLUMN "Order Items"."a""b"; Type: COMMENT; Schema: Mixed Schema; Owner: postgres
--

COMMENT ON COLUMN "Mixed Schema"."Order Items"."a""b" IS 'column name holds a double quote';


--
-- Name: Order View; Type: VIEW; Schema: Mixed Schema; Owner: postgres
--

CREATE VIEW "Mixed Schema"."Order View" AS
 SELECT "Order Items"."Select",
    "Order Items"."a""b",
    "Order Items"."semi;colon"
   FROM "Mixed Schema"."Order Items";


ALTER TABLE "Mixed Schema"."Order View" OWNER TO postgres;

--
-- Name: Seq "Quoted" Name; Type: SEQUENCE; Schema: Mixed Schema; Owner: postgres
--

CREATE SEQUENCE "Mixed Schema"."Seq ""Quoted"" Name"
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE "Mixed Schema"."Seq ""Quoted"" Name" OWNER TO postgres;

--
-- Name: a/b; Type: TABLE; Schema: Mixed Schema; Owner: postgres
--

CREATE TABLE "Mixed Schema"."a/b" (
    id integer,
    v text
);


ALTER TABLE "Mixed Schema"."a/b" OWNER TO postgres;

--
-- Name: events; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events (
    id integer NOT NULL,
    kind text,
    payload jsonb,
    kind_len integer GENERATED ALWAYS AS (length(kind)) STORED
)
PARTITION BY LIST (kind);


ALTER TABLE public.events OWNER TO postgres;

--
-- Name: events view; Type: TABLE; Schema: Mixed Schema; Owner: postgres
--

CREATE TABLE "Mixed Schema"."events view" (
    id integer NOT NULL,
    kind text,
    payload jsonb,
    kind_len integer GENERATED ALWAYS AS (length(kind)) STORED
);


ALTER TABLE "Mixed Schema"."events view" OWNER TO postgres;

--
-- Name: t.dot; Type: TABLE; Schema: Mixed Schema; Owner: postgres
--

CREATE TABLE "Mixed Schema"."t.dot" (
    id integer NOT NULL,
    "x.y" text
);


ALTER TABLE "Mixed Schema"."t.dot" OWNER TO postgres;

--
-- Name: accounts; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.accounts (
    id integer NOT NULL,
    employee_id integer NOT NULL,
    balance money DEFAULT 0 NOT NULL
);


ALTER TABLE app.accounts OWNER TO postgres;

--
-- Name: stepped_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

CREATE SEQUENCE app.stepped_seq
    AS integer
    START WITH 100
    INCREMENT BY 7
    MINVALUE 100
    MAXVALUE 100000
    CACHE 5;


ALTER TABLE app.stepped_seq OWNER TO postgres;

--
-- Name: ticket_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

CREATE SEQUENCE app.ticket_seq
    START WITH 500
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE app.ticket_seq OWNER TO postgres;

--
-- Name: ticket_settings; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.ticket_settings (
    prefix text NOT NULL
);


ALTER TABLE app.ticket_settings OWNER TO postgres;

--
-- Name: tickets; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.tickets (
    id integer DEFAULT nextval('app.ticket_seq'::regclass) NOT NULL,
    code text DEFAULT ((app.ticket_prefix() || '-'::text) || (currval('app.ticket_seq'::regclass))::text) NOT NULL,
    status public.mood DEFAULT 'ok'::public.mood NOT NULL,
    zip public.zip_code
);


ALTER TABLE app.tickets OWNER TO postgres;

--
-- Name: COLUMN tickets.code; Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON COLUMN app.tickets.code IS 'default depends on a function and a sequence
resolved through search_path';


--
-- Name: vehicles; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.vehicles (
    id integer NOT NULL,
    name text
);


ALTER TABLE public.vehicles OWNER TO postgres;

--
-- Name: trucks; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.trucks (
    payload_tons numeric(6,2)
)
INHERITS (public.vehicles);


ALTER TABLE app.trucks OWNER TO postgres;

--
-- Name: Foo; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public."Foo" (
    id integer,
    v text
);


ALTER TABLE public."Foo" OWNER TO postgres;

--
-- Name: all_columns_dropped; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.all_columns_dropped (
);


ALTER TABLE public.all_columns_dropped OWNER TO postgres;

--
-- Name: all_types; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.all_types (
    id integer NOT NULL,
    label text NOT NULL,
    c_smallint smallint,
    c_int integer,
    c_bigint bigint,
    c_numeric numeric(20,5),
    c_numeric_any numeric,
    c_real real,
    c_double double precision,
    c_bool boolean,
    c_text text,
    c_varchar character varying(12),
    c_char character(6),
    c_bytea bytea,
    c_date date,
    c_timestamp timestamp without time zone,
    c_timestamptz timestamp with time zone,
    c_time time without time zone,
    c_timetz time with time zone,
    c_interval interval,
    c_uuid uuid,
    c_json json,
    c_jsonb jsonb,
    c_int_arr integer[],
    c_text_arr text[],
    c_inet inet,
    c_cidr cidr,
    c_macaddr macaddr,
    c_macaddr8 macaddr8,
    c_money money,
    c_bit bit(8),
    c_varbit bit varying(16),
    c_xml xml,
    c_tsvector tsvector,
    c_tsquery tsquery,
    c_point point,
    c_box box,
    c_circle circle,
    c_polygon polygon,
    c_int4range int4range,
    c_tstzrange tstzrange,
    c_multirange int4multirange,
    c_mood public.mood,
    c_mood_arr public.mood[],
    c_address public.postal_address,
    c_address_arr public.postal_address[],
    c_positive public.positive_int,
    c_zip public.zip_code,
    c_oid oid,
    c_pg_lsn pg_lsn
);


ALTER TABLE public.all_types OWNER TO postgres;

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.audit_log (
    seq integer NOT NULL,
    table_name text NOT NULL,
    op text NOT NULL,
    row_id integer
);


ALTER TABLE public.audit_log OWNER TO postgres;

--
-- Name: audit_log_seq_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.audit_log_seq_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.audit_log_seq_seq OWNER TO postgres;

--
-- Name: audit_log_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.audit_log_seq_seq OWNED BY public.audit_log.seq;


--
-- Name: audited; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.audited (
    id integer NOT NULL,
    val text
);


ALTER TABLE public.audited OWNER TO postgres;

--
-- Name: big_values; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.big_values (
    id integer NOT NULL,
    note text,
    big_text text
);


ALTER TABLE public.big_values OWNER TO postgres;

--
-- Name: binary_data; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.binary_data (
    id integer NOT NULL,
    label text NOT NULL,
    data bytea
);
ALTER TABLE ONLY public.binary_data ALTER COLUMN data SET STORAGE EXTERNAL;


ALTER TABLE public.binary_data OWNER TO postgres;

--
-- Name: blackhole; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.blackhole (
    id integer,
    note text
);


ALTER TABLE public.blackhole OWNER TO postgres;

--
-- Name: by_default_ids; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.by_default_ids (
    id integer NOT NULL,
    note text
);


ALTER TABLE public.by_default_ids OWNER TO postgres;

--
-- Name: by_default_ids_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

ALTER TABLE public.by_default_ids ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.by_default_ids_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: cars; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.cars (
    doors integer
)
INHERITS (public.vehicles);


ALTER TABLE public.cars OWNER TO postgres;

--
-- Name: ci_users; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.ci_users (
    email ext.citext NOT NULL,
    name text
);


ALTER TABLE public.ci_users OWNER TO postgres;

--
-- Name: cycle_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.cycle_seq
    AS smallint
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    MAXVALUE 3
    CACHE 1
    CYCLE;


ALTER TABLE public.cycle_seq OWNER TO postgres;

--
-- Name: departments; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.departments (
    code text NOT NULL,
    name text NOT NULL,
    head_id integer
);


ALTER TABLE public.departments OWNER TO postgres;

--
-- Name: descending_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.descending_seq
    START WITH -10
    INCREMENT BY -3
    MINVALUE -1000
    MAXVALUE -10
    CACHE 1;


ALTER TABLE public.descending_seq OWNER TO postgres;

--
-- Name: documents; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.documents (
    id integer NOT NULL,
    name text NOT NULL,
    content_oid oid
);


ALTER TABLE public.documents OWNER TO postgres;

--
-- Name: dropped_cols; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.dropped_cols (
    a integer,
    d text,
    e text DEFAULT 'added later'::text
);


ALTER TABLE public.dropped_cols OWNER TO postgres;

--
-- Name: employees; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.employees (
    id integer NOT NULL,
    name text NOT NULL,
    email text,
    manager_id integer,
    salary numeric(10,2),
    dept_code text,
    CONSTRAINT employees_name_not_blank CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT employees_salary_positive CHECK ((salary > (0)::numeric))
);


ALTER TABLE public.employees OWNER TO postgres;

--
-- Name: employee_directory; Type: VIEW; Schema: public; Owner: postgres
--

CREATE VIEW public.employee_directory AS
 SELECT e.id,
    e.name,
    d.name AS department,
    m.name AS manager
   FROM ((public.employees e
     LEFT JOIN public.departments d ON ((d.code = e.dept_code)))
     LEFT JOIN public.employees m ON ((m.id = e.manager_id)));


ALTER TABLE public.employee_directory OWNER TO postgres;

--
-- Name: VIEW employee_directory; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON VIEW public.employee_directory IS 'joins a self-referencing table';


--
-- Name: empty_table; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.empty_table (
    id integer NOT NULL,
    note text
);


ALTER TABLE public.empty_table OWNER TO postgres;

--
-- Name: events_click; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events_click (
    id integer NOT NULL,
    kind text,
    payload jsonb,
    kind_len integer GENERATED ALWAYS AS (length(kind)) STORED
);


ALTER TABLE public.events_click OWNER TO postgres;

--
-- Name: events_null; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.events_null (
    id integer NOT NULL,
    kind text,
    payload jsonb,
    kind_len integer GENERATED ALWAYS AS (length(kind)) STORED
);


ALTER TABLE public.events_null OWNER TO postgres;

--
-- Name: foo; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.foo (
    id integer,
    v text
);


ALTER TABLE public.foo OWNER TO postgres;

--
-- Name: guarded; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.guarded (
    id integer NOT NULL,
    val text
);


ALTER TABLE public.guarded OWNER TO postgres;

--
-- Name: hashed; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.hashed (
    id integer NOT NULL,
    input text NOT NULL,
    digest bytea DEFAULT ext.digest(''::text, 'sha256'::text)
);


ALTER TABLE public.hashed OWNER TO postgres;

--
-- Name: legacy_rows; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.legacy_rows (
    id integer NOT NULL,
    qty integer,
    employee_id integer
);


ALTER TABLE public.legacy_rows OWNER TO postgres;

--
-- Name: measurements; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
)
PARTITION BY RANGE (taken_on);


ALTER TABLE public.measurements OWNER TO postgres;

--
-- Name: measurement_totals; Type: MATERIALIZED VIEW; Schema: public; Owner: postgres
--

CREATE MATERIALIZED VIEW public.measurement_totals AS
 SELECT measurements.region,
    count(*) AS n,
    sum(measurements.reading) AS total
   FROM public.measurements
  GROUP BY measurements.region
  WITH NO DATA;


ALTER TABLE public.measurement_totals OWNER TO postgres;

--
-- Name: MATERIALIZED VIEW measurement_totals; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON MATERIALIZED VIEW public.measurement_totals IS 'populated at creation';


--
-- Name: measurements_2023; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_2023 (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
);


ALTER TABLE public.measurements_2023 OWNER TO postgres;

--
-- Name: measurements_2024; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_2024 (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
)
PARTITION BY LIST (region);


ALTER TABLE public.measurements_2024 OWNER TO postgres;

--
-- Name: measurements_2024_eu; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_2024_eu (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
);


ALTER TABLE public.measurements_2024_eu OWNER TO postgres;

--
-- Name: measurements_2024_other; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_2024_other (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
);


ALTER TABLE public.measurements_2024_other OWNER TO postgres;

--
-- Name: measurements_2024_us; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_2024_us (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
);


ALTER TABLE public.measurements_2024_us OWNER TO postgres;

--
-- Name: measurements_2025; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_2025 (
    region text NOT NULL,
    reading numeric(8,2),
    taken_on date NOT NULL,
    id bigint NOT NULL
);


ALTER TABLE public.measurements_2025 OWNER TO postgres;

--
-- Name: measurements_default; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.measurements_default (
    id bigint NOT NULL,
    taken_on date NOT NULL,
    region text NOT NULL,
    reading numeric(8,2)
);


ALTER TABLE public.measurements_default OWNER TO postgres;

--
-- Name: near_max_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.near_max_seq
    START WITH 9223372036854775800
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.near_max_seq OWNER TO postgres;

--
-- Name: products; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.products (
    id integer NOT NULL,
    name text NOT NULL,
    price numeric(10,2)
)
WITH (fillfactor='50');
ALTER TABLE ONLY public.products ALTER COLUMN name SET STATISTICS 500;


ALTER TABLE public.products OWNER TO postgres;

--
-- Name: never_refreshed; Type: MATERIALIZED VIEW; Schema: public; Owner: postgres
--

CREATE MATERIALIZED VIEW public.never_refreshed AS
 SELECT products.id,
    products.name
   FROM public.products
  WITH NO DATA;


ALTER TABLE public.never_refreshed OWNER TO postgres;

--
-- Name: not_called_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.not_called_seq
    START WITH 50
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.not_called_seq OWNER TO postgres;

--
-- Name: SEQUENCE not_called_seq; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON SEQUENCE public.not_called_seq IS 'setval(..., false): is_called must stay false';


--
-- Name: order_lines; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.order_lines (
    id bigint NOT NULL,
    qty integer NOT NULL,
    unit_price numeric(10,2) NOT NULL,
    total numeric(12,2) GENERATED ALWAYS AS (((qty)::numeric * unit_price)) STORED,
    label text,
    label_upper text GENERATED ALWAYS AS (upper(label)) STORED
);


ALTER TABLE public.order_lines OWNER TO postgres;

--
-- Name: order_lines_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

ALTER TABLE public.order_lines ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.order_lines_id_seq
    START WITH 1000
    INCREMENT BY 10
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: plain_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.plain_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.plain_seq OWNER TO postgres;

--
-- Name: price_changes; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.price_changes (
    product_id integer,
    old_price numeric(10,2),
    new_price numeric(10,2)
);


ALTER TABLE public.price_changes OWNER TO postgres;

--
-- Name: room_bookings; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.room_bookings (
    id integer NOT NULL,
    room text NOT NULL,
    guest text,
    during tstzrange NOT NULL
);


ALTER TABLE public.room_bookings OWNER TO postgres;

--
-- Name: secrets; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.secrets (
    id integer NOT NULL,
    body text
);


ALTER TABLE public.secrets OWNER TO postgres;

--
-- Name: serial_things; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.serial_things (
    id integer NOT NULL,
    big bigint NOT NULL,
    name text
);


ALTER TABLE public.serial_things OWNER TO postgres;

--
-- Name: serial_things_big_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.serial_things_big_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.serial_things_big_seq OWNER TO postgres;

--
-- Name: serial_things_big_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.serial_things_big_seq OWNED BY public.serial_things.big;


--
-- Name: serial_things_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.serial_things_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.serial_things_id_seq OWNER TO postgres;

--
-- Name: serial_things_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.serial_things_id_seq OWNED BY public.serial_things.id;


--
-- Name: text_edge_cases; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.text_edge_cases (
    id integer NOT NULL,
    label text NOT NULL,
    val text,
    val_varchar character varying(40),
    val_char character(3) COLLATE pg_catalog."C"
);


ALTER TABLE public.text_edge_cases OWNER TO postgres;

--
-- Name: tz_samples; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.tz_samples (
    id integer NOT NULL,
    zone text NOT NULL,
    ts timestamp with time zone NOT NULL,
    local_ts timestamp without time zone,
    t_tz time with time zone
);


ALTER TABLE public.tz_samples OWNER TO postgres;

--
-- Name: unlogged_cache; Type: TABLE; Schema: public; Owner: postgres
--

CREATE UNLOGGED TABLE public.unlogged_cache (
    k text NOT NULL,
    v jsonb
);


ALTER TABLE public.unlogged_cache OWNER TO postgres;

--
-- Name: unused_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.unused_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.unused_seq OWNER TO postgres;

--
-- Name: zero_cols; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.zero_cols (
);


ALTER TABLE public.zero_cols OWNER TO postgres;

--
-- Name: Ünïcödé name of 63 bytes, the longest PostgreSQL allows: ok; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public."Ünïcödé name of 63 bytes, the longest PostgreSQL allows: ok" (
    id integer
);


ALTER TABLE public."Ünïcödé name of 63 bytes, the longest PostgreSQL allows: ok" OWNER TO postgres;

--
-- Name: table; Type: TABLE; Schema: user; Owner: postgres
--

CREATE TABLE "user"."table" (
    "from" integer,
    "order" text,
    "select" boolean,
    "user" text
);


ALTER TABLE "user"."table" OWNER TO postgres;

--
-- Name: events view; Type: TABLE ATTACH; Schema: Mixed Schema; Owner: postgres
--

ALTER TABLE ONLY public.events ATTACH PARTITION "Mixed Schema"."events view" FOR VALUES IN ('view', 'impression');


--
-- Name: events_click; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events ATTACH PARTITION public.events_click FOR VALUES IN ('click');


--
-- Name: events_null; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.events ATTACH PARTITION public.events_null FOR VALUES IN (NULL);


--
-- Name: measurements_2023; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements ATTACH PARTITION public.measurements_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');


--
-- Name: measurements_2024; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements ATTACH PARTITION public.measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');


--
-- Name: measurements_2024_eu; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements_2024 ATTACH PARTITION public.measurements_2024_eu FOR VALUES IN ('eu');


--
-- Name: measurements_2024_other; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements_2024 ATTACH PARTITION public.measurements_2024_other DEFAULT;


--
-- Name: measurements_2024_us; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements_2024 ATTACH PARTITION public.measurements_2024_us FOR VALUES IN ('us', 'ca');


--
-- Name: measurements_2025; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements ATTACH PARTITION public.measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');


--
-- Name: measurements_default; Type: TABLE ATTACH; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements ATTACH PARTITION public.measurements_default DEFAULT;


--
-- Name: audit_log seq; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN seq SET DEFAULT nextval('public.audit_log_seq_seq'::regclass);


--
-- Name: serial_things id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.serial_things ALTER COLUMN id SET DEFAULT nextval('public.serial_things_id_seq'::regclass);


--
-- Name: serial_things big; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.serial_things ALTER COLUMN big SET DEFAULT nextval('public.serial_things_big_seq'::regclass);


--
-- PostgreSQL database dump complete
--


