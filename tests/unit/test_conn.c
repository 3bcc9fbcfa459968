/*
 * test_conn.c — unit tests for conn.c: conn_redact (the passwords of URIs
 * and key/value connection strings quoted in libpq's messages are hidden)
 * and conn_addr_is_local (what the production guard calls local).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/un.h>

#include "pg/conn.h"

static void
expect(const char *msg, const char *want)
{
	char *got = conn_redact(msg);

	assert_string_equal(got, want);
	free(got);
}

static void
test_redact(void **state)
{
	(void) state;
	expect("end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
	    "\"postgresql://u:SeCrEt@[::1/db\"",
	    "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
	    "\"postgresql://u:***@[::1/db\"");
	expect("postgres://me:p%40ss@db.example.com:5432/app", "postgres://me:***@db.example.com:5432/app");
	/* no password: nothing to hide */
	expect("postgresql://me@localhost/app", "postgresql://me@localhost/app");
	expect("postgresql://localhost:5433/app", "postgresql://localhost:5433/app");
	expect("missing \"=\" after \"x\" in connection info string: host=h password=SeCrEt x",
	    "missing \"=\" after \"x\" in connection info string: host=h password=*** x");
	expect("dbname=a password='Se cr\\'Et' sslpassword=K3y port=1",
	    "dbname=a password=*** sslpassword=*** port=1");
	expect("postgresql:///app?password=SeCrEt&sslmode=require",
	    "postgresql:///app?password=***&sslmode=require");
	/* a word that only ends in password= is someone else's */
	expect("mypassword=x", "mypassword=x");
	expect("", "");
}

static bool
v4_local(const char *text)
{
	struct sockaddr_in a = {.sin_family = AF_INET};

	assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
	return conn_addr_is_local((const struct sockaddr *) &a);
}

static bool
v6_local(const char *text)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};

	assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
	return conn_addr_is_local((const struct sockaddr *) &a);
}

static void
test_addr_is_local(void **state)
{
	struct sockaddr_un u = {.sun_family = AF_UNIX};

	(void) state;
	assert_true(conn_addr_is_local((const struct sockaddr *) &u));
	assert_true(v4_local("127.0.0.1"));
	assert_true(v4_local("127.200.3.4"));
	assert_false(v4_local("10.0.0.1"));
	assert_false(v4_local("128.0.0.1"));
	assert_false(v4_local("192.168.1.127"));
	assert_true(v6_local("::1"));
	assert_true(v6_local("::ffff:127.0.0.1"));
	assert_false(v6_local("::ffff:10.1.2.3"));
	assert_false(v6_local("2001:db8::1"));
	assert_false(v6_local("::2"));
}

static void
test_host_is_local(void **state)
{
	(void) state;
	assert_true(conn_host_is_local(NULL));
	assert_true(conn_host_is_local(""));
	assert_true(conn_host_is_local("/var/run/postgresql"));
	assert_true(conn_host_is_local("@abstract"));
	assert_true(conn_host_is_local("localhost"));
	assert_true(conn_host_is_local("127.0.0.1"));
	assert_true(conn_host_is_local("127.1.2.3"));
	assert_true(conn_host_is_local("::1"));
	assert_false(conn_host_is_local("127.example.com"));
	assert_false(conn_host_is_local("localhost.example.com"));
	assert_false(conn_host_is_local("db.example.test"));
	assert_false(conn_host_is_local("10.0.0.1"));
	assert_false(conn_host_is_local("::2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_addr_is_local),
		cmocka_unit_test(test_host_is_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
