/*
 * jsoncheck.h — strict JSON (RFC 8259) for untrusted documents, checked
 * before json-c reads them, since json-c is lenient where an attacker
 * could use it: it takes trailing bytes after the value, keeps the last of
 * two equal keys, reads NaN and Infinity, and passes invalid UTF-8 and
 * "\u0000" through.  All of these are refused here.
 */
#ifndef DBT_JSONCHECK_H
#define DBT_JSONCHECK_H

#include <stddef.h>

/* 0 when text is one strict JSON value; -1 with err saying what and at which byte. */
int json_check_strict(const char *text, size_t len, char *err, size_t errsize);

#endif
