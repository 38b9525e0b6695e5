/* dns.h - DNS behaviour (RFC 1034/1035): an authoritative server that
 * answers from the records a scenario gives a node, and the stub resolver
 * hosts use to turn names into addresses (what glibc's res_send does).
 *
 * Server. A node's records make a small database. The zones it is
 * authoritative for are the owners of its SOA records; without any SOA,
 * the owners of its NS records; without either, each record's parent
 * domain (web.galaxy.test -> galaxy.test; a two-label name is its own
 * zone). For a name in one of its zones it answers with AA set: the
 * records of the asked type, following CNAMEs inside its zones (RFC 1034
 * 4.3.2), MX and NS answers with the A/AAAA records of their targets in
 * the additional section, NODATA (NOERROR, no answer) for a name that
 * exists without that type, NXDOMAIN for a name that does not exist, with
 * the zone's SOA in the authority section when the scenario gave one. A
 * name outside its zones is REFUSED, as an authoritative-only server with
 * recursion off answers (BIND's default for such a server). No wildcards,
 * no delegation. A UDP answer longer than 512 bytes is cut to the header
 * and question with TC set, so the client asks again over TCP. The server
 * listens on UDP 53 and TCP 53; over TCP each message has a 2-byte length
 * in front (RFC 1035 4.2.2), several may come on one connection, and the
 * client closes it (RFC 7766).
 *
 * Resolver. dns_query_start asks the node's resolvers (netstack.dns, from
 * the scenario's "dns" or from DHCP), over UDP from a fresh ephemeral port
 * with an id from the node's RNG, 5 s per attempt, two rounds over the
 * list (glibc's defaults); an ICMP port unreachable moves on at once. A
 * reply must come from the server's address and port 53 and carry the
 * query's id and question (RFC 5452), or it is ignored. A truncated
 * answer (TC) is asked again over TCP to the same server, within the same
 * timeout. No cache: each lookup asks again, as glibc does without nscd. */
#ifndef NETSTEP_DNS_H
#define NETSTEP_DNS_H

#include "dns_wire.h"
#include "stack.h"

#define DNS_TTL_DEFAULT  3600
#define DNS_TIMEOUT      (5 * SIM_S)
#define DNS_TRIES        2
#define DNS_CNAME_MAX    8 /* CNAME hops the server follows */
#define DNS_RESULT_ADDRS 16

/* One record of a zone, as the scenario declares it. */
struct dns_record {
    char *name;
    uint16_t type;
    uint32_t ttl;
    uint32_t a;       /* A */
    uint8_t aaaa[16]; /* AAAA */
    uint16_t pref;    /* MX */
    char *target;     /* CNAME, NS, PTR, MX exchange, SOA mname */
    char *rname;      /* SOA */
    uint32_t soa[5];  /* SOA serial, refresh, retry, expire, minimum */
    uint8_t *txt;     /* TXT rdata: character-strings of up to 255 bytes */
    size_t txt_len;
};

/* Parses a record of the scenario: type "A", "AAAA", "CNAME", "MX" ("10
 * mx1.galaxy.test"), "NS", "TXT", "PTR" or "SOA" ("ns1.x.test
 * hostmaster.x.test 1 3600 600 86400 300"). On error returns false with a
 * message in err ("value: ..." or "type: ..." or "name: ..." first, so the
 * caller can name the key). */
bool dns_record_parse(const char *name, const char *type, const char *value, uint32_t ttl,
                      struct dns_record *r, char *err, size_t errlen);
void dns_record_clear(struct dns_record *r);

struct dns_db {
    struct dns_record *rec;
    int n, cap;
    char **zones; /* apexes, in the order first found */
    int n_zones;
};
/* Takes ownership of r's strings. */
void dns_db_add(struct dns_db *db, struct dns_record *r);
/* Works out the zones (see above); call after the last add. */
void dns_db_finish(struct dns_db *db);
void dns_db_free(struct dns_db *db);

/* What the server decided about a query, for the trace and the tests. */
struct dns_verdict {
    bool answered; /* false: nothing is sent back (a response, or runt) */
    uint8_t rcode;
    bool aa, tc;
    int an, ns, ar;  /* records in the sections actually sent */
    int zone;        /* index of the zone that held the name, -1 = none */
    int cnames;      /* CNAMEs followed */
    bool cname_out;  /* the chain left the server's zones */
    bool nodata;     /* NOERROR without an answer */
    size_t full_len; /* length before truncation */
    struct dns_question q;
};

/* Answers the query q (qlen bytes) into out (cap bytes), truncating to
 * max_len (512 for UDP, 65535 for TCP). Returns the length (0 when nothing
 * is to be sent). Pure: no simulation needed. */
size_t dns_db_respond(const struct dns_db *db, const uint8_t *q, size_t qlen, size_t max_len,
                      uint8_t *out, size_t cap, struct dns_verdict *v);

/* Starts the server on a node; takes ownership of db (moved into the
 * server; *db is left empty). Returns 0, or -1 when UDP 53 is taken. */
int dns_server_start(struct netstack *st, struct dns_db *db);
const struct dns_db *dns_server_db(const struct netstack *st);

/* ---- stub resolver ---- */

enum dns_status {
    DNS_ST_OK,        /* an answer (for A/AAAA: at least one address) */
    DNS_ST_NODATA,    /* the name exists, without records of that type */
    DNS_ST_NXDOMAIN,  /* the name does not exist */
    DNS_ST_SERVFAIL,  /* the server answered SERVFAIL, REFUSED, FORMERR, NOTIMP */
    DNS_ST_TIMEOUT,   /* no server answered in time */
    DNS_ST_REFUSED,   /* every server's port 53 was closed (ICMP unreachable) */
    DNS_ST_NO_SERVER, /* no resolver configured */
    DNS_ST_BAD_NAME,  /* not a valid domain name */
    DNS_ST_NO_ROUTE,  /* no route to any resolver */
};

/* Progress a client such as dig reports as it happens. */
enum dns_progress {
    DNS_PR_TIMEOUT,   /* a try timed out */
    DNS_PR_REFUSED,   /* ICMP port unreachable from the server */
    DNS_PR_TRUNCATED, /* TC set: retrying over TCP */
    DNS_PR_NO_ROUTE,  /* no route to the server */
    DNS_PR_UNREACH,   /* ICMP host or network unreachable about the server */
};

struct dns_result {
    enum dns_status status;
    uint8_t rcode;
    uint32_t server; /* who answered, or the last one asked */
    bool tcp;        /* the answer came over TCP */
    uint16_t id;
    sim_time rtt;       /* from the last send to the answer */
    const uint8_t *msg; /* the whole response, valid during the callback */
    size_t len;
    int n_addr; /* A queries: the addresses, CNAMEs followed */
    uint32_t addr[DNS_RESULT_ADDRS];
    char canon[DNS_NAME_TEXT_MAX]; /* the name the addresses belong to */
};

typedef void (*dns_done_fn)(void *ctx, const struct dns_result *r);
typedef void (*dns_progress_fn)(void *ctx, enum dns_progress what, uint32_t server);

struct dns_query_opts {
    uint32_t server;  /* 0 = the node's resolvers */
    sim_time timeout; /* per try; 0 = DNS_TIMEOUT */
    int tries;        /* rounds over the servers; 0 = DNS_TRIES */
    bool any_rcode;   /* take any answer (dig); else fail over on SERVFAIL/REFUSED */
    bool tcp;         /* ask over TCP from the start (dig +tcp) */
    const char *who;  /* "dig", "nslookup"; NULL = "the resolver" */
    dns_progress_fn progress;
};

struct dns_query;
/* Starts a lookup; fn runs exactly once, later in simulated time (never
 * inside this call), unless the query is cancelled first. Never NULL. */
struct dns_query *dns_query_start(struct netstack *st, const char *name, uint16_t type,
                                  const struct dns_query_opts *o, dns_done_fn fn, void *ctx);
/* Stops a lookup; its callback will not run. NULL is fine. */
void dns_query_cancel(struct dns_query *q);

/* Frees the node's server and pending queries (from stack_free). */
void dns_free(struct netstack *st);

#endif
