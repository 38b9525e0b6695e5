/* whois_wire.h - the WHOIS protocol's few rules of syntax (RFC 3912): the
 * client sends one query line ended by CRLF; the server answers with text
 * and closes the connection, which ends the answer. What the query means
 * and what the answer says are in whois.c.
 *
 * A query is normalized before it is looked up: surrounding spaces off,
 * lower case, one trailing dot off (domain names are case-insensitive and
 * "galaxy.test." is the same name), and the "domain " keyword or "="
 * prefix that Verisign's server accepts dropped. */
#ifndef NETSTEP_WHOIS_WIRE_H
#define NETSTEP_WHOIS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WHOIS_PORT      43
#define WHOIS_QUERY_MAX 255 /* characters of a normalized query */

/* Normalizes the query line[0..len) into out (cap bytes, at least
 * WHOIS_QUERY_MAX + 1). Returns false, with out empty, when it holds a
 * control character or a NUL, or is longer than WHOIS_QUERY_MAX once
 * trimmed. An empty query is valid (it matches nothing). */
bool whois_query_parse(const char *line, size_t len, char *out, size_t cap);

/* ">>> Last update of whois database: 2026-01-01T00:00:05Z <<<" for
 * seconds since 1970 (UTC), into buf (>= 64 bytes). */
char *whois_last_update(int64_t unix_seconds, char *buf, size_t cap);

#endif
