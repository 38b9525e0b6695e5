/* whois.h - the WHOIS registry server (RFC 3912) a node runs on TCP port
 * 43 from its scenario's "services": {"whois": {"records": {...}}}.
 *
 * RFC 3912 2: "A WHOIS server listens on TCP port 43 for requests from
 * WHOIS clients. The WHOIS client makes a text request to the WHOIS
 * server, then the WHOIS server replies with text content. All requests
 * are terminated with ASCII CR and then ASCII LF. The response might
 * contain more than one line of text [...]. The WHOIS server closes its
 * connection as soon as the output is finished."
 *
 * The server reads one query line, looks it up (case-insensitively, see
 * whois_wire.h) among its records and sends the record's text, or `No
 * match for "NAME".` as Verisign's registry does, each followed by the
 * ">>> Last update of whois database: ... <<<" line with the simulated
 * date (time 0 is 2026-01-01T00:00:00Z), then closes. A client that sends
 * nothing for 60 s is disconnected. */
#ifndef NETSTEP_WHOIS_H
#define NETSTEP_WHOIS_H

#include "stack.h"
#include "whois_wire.h"

#define WHOIS_IDLE_TIMEOUT (60 * SIM_S)
#define WHOIS_EPOCH        SIM_EPOCH_UNIX

/* The registry: keys normalized as queries are (lower case). */
struct whois_db {
    int n, cap;
    char **key;
    char **text;
};
/* Adds a copy of a record; false when key is not a valid query or is
 * already there (case-insensitively). */
bool whois_db_add(struct whois_db *db, const char *key, const char *text);
/* The record for a normalized query, or NULL. */
const char *whois_db_find(const struct whois_db *db, const char *query);
void whois_db_free(struct whois_db *db);

/* The answer to a query line (as received, without CRLF) at unix_now:
 * malloc'ed text with CRLF line ends, its length in *len. *found says
 * whether a record matched. Pure: tests call it directly. */
char *whois_answer(const struct whois_db *db, const char *line, size_t line_len, int64_t unix_now,
                   size_t *len, bool *found);

/* Listens on TCP 43; takes ownership of db (*db is left empty). Returns 0,
 * or -1 when the port is taken. */
int whois_server_start(struct netstack *st, struct whois_db *db);
const struct whois_db *whois_server_db(const struct netstack *st);
/* Frees the node's server and its connections' state (from stack_free). */
void whois_free(struct netstack *st);

#endif
