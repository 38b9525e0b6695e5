/* model.h - the scenario model: what a JSON (or, later, Lua) scenario says,
 * before it is built into a running simulation.
 *
 * Loaders fill it and check everything that can be checked without running
 * (types, names, addresses, references between nodes and links); build.c
 * turns it into a sim. Strings are owned by the model (model_free frees
 * them). Every entry keeps the source line it came from, so that errors found
 * later (while building) can still name file and line.
 */
#ifndef NETSTEP_MODEL_H
#define NETSTEP_MODEL_H

#include "../engine/sim.h"
#include "../engine/net.h"

struct model_iface {
    char *name;
    bool dhcp; /* "ip": "dhcp" */
    int n_addr;
    uint32_t addr[IFACE_MAX_ADDR]; /* host byte order */
    uint8_t plen[IFACE_MAX_ADDR];
    bool has_mac;
    uint8_t mac[6];
    int line;
};

struct model_route {
    uint32_t dst; /* host byte order, masked */
    uint8_t plen;
    uint32_t via; /* 0 = directly connected via dev */
    char *dev;    /* optional interface name */
    int line;
};

/* A DHCP server on one of a node's interfaces ("dhcp_server"). */
struct model_dhcp_server {
    char *iface;
    uint32_t pool_lo, pool_hi; /* inclusive, host byte order */
    uint32_t gateway;          /* option 3; 0 = none */
    int n_dns;
    uint32_t dns[4];
    sim_time lease;
    int line;
};

/* NAT on a router ("nat"): PAT from the inside interfaces to the outside
 * one, static port forwards and per-protocol timeouts (0 = the default). */
struct model_nat_forward {
    uint8_t proto; /* 6 = tcp, 17 = udp */
    uint16_t port; /* on the outside address */
    uint32_t to_addr;
    uint16_t to_port;
    int line;
};
struct model_nat {
    int n_inside;
    char **inside;
    char *outside;
    int n_forwards;
    struct model_nat_forward *forwards;
    sim_time tcp, tcp_transitory, udp, icmp;
    int line;
};

/* The services a node runs ("services"): one member per service, each
 * present when its key was given. A new service adds its struct here, a
 * `has_` flag, a loader in json_load.c's services table, a line in
 * model_free and its start in build.c. */
struct model_dns_record {
    char *name, *type, *value;
    uint32_t ttl;
    int line;
};
struct model_svc_dns {
    int n_records;
    struct model_dns_record *records;
};
struct model_svc_echo {
    int line; /* no options yet */
};
/* HTTP: files by path; a file is its text, or `size` bytes of generated
 * text (content NULL then). */
struct model_http_file {
    char *path;
    char *content; /* NULL: `size` bytes of generated text */
    size_t size;
    char *type; /* Content-Type, NULL = from the extension */
    bool chunked;
    int line;
};
struct model_svc_http {
    int n_files;
    struct model_http_file *files;
    sim_time idle_timeout; /* 0 = the server's default */
    bool tls, no_plain;    /* "tls": true (HTTPS on 443), "plain": false (no port 80) */
    int line;
};
/* WHOIS: a record's text per domain. */
struct model_whois_record {
    char *name, *text;
    int line;
};
struct model_svc_whois {
    int n_records;
    struct model_whois_record *records;
    int line;
};
/* SMTP, POP3 and IMAP: one mail store per node. The loader merges the
 * "accounts" and "mailboxes" of the three entries into this (a user given
 * twice must have the same password). */
struct model_mail_account {
    char *user, *password;
    const char *svc; /* the entry that gave it first: "smtp", "pop3" or "imap" */
    int line;
};
struct model_mail_msg {
    char *user, *folder, *from, *to, *subject, *body; /* folder, to: NULL = default */
    const char *svc;                                  /* the entry it came from */
    bool seen;
    int line;
};
struct model_svc_mail {
    bool smtp, pop3, imap; /* which of the entries were given */
    int smtp_line, pop3_line, imap_line;
    char *domain; /* smtp's "domain"; NULL = the node's name */
    /* "tls": true (SMTPS 465, POP3S 995, IMAPS 993), "plain": false */
    bool smtp_tls, pop3_tls, imap_tls;
    bool smtp_no_plain, pop3_no_plain, imap_no_plain;
    int n_accounts;
    struct model_mail_account *accounts;
    int n_msgs;
    struct model_mail_msg *msgs;
};
/* FTP and telnet: files (FTP by absolute path, telnet by name in the
 * home directory); a file is its text, or `size` bytes of generated text
 * (content NULL then). Accounts are user and password. */
struct model_svc_file {
    char *path;
    char *content;
    size_t size;
    int line;
};
struct model_svc_account {
    char *user, *password;
    int line;
};
struct model_svc_ftp {
    bool anonymous;
    bool tls, no_plain; /* "tls": FTPS on 990; "plain": false closes 21 */
    int n_accounts;
    struct model_svc_account *accounts;
    int n_files;
    struct model_svc_file *files;
    int line;
};
struct model_svc_telnet {
    int n_accounts;
    struct model_svc_account *accounts;
    char *banner; /* NULL = none */
    int n_files;
    struct model_svc_file *files;
    int line;
};
struct model_services {
    bool has_dns, has_echo, has_http, has_whois;
    struct model_svc_dns dns;
    struct model_svc_echo echo;
    struct model_svc_http http;
    struct model_svc_whois whois;
    bool has_ftp, has_telnet;
    struct model_svc_ftp ftp;
    struct model_svc_telnet telnet;
    struct model_svc_mail mail; /* smtp, pop3, imap */
    int line;
};

struct model_node {
    char *name;
    enum node_kind kind;
    int ports; /* switch/hub: number of ports (interfaces "1".."N") */
    int n_ifaces;
    struct model_iface *ifaces;
    uint32_t gateway; /* host: default gateway, 0 = none */
    int n_dns;
    uint32_t dns[4];
    int n_routes;
    struct model_route *routes;
    struct model_services *services;       /* NULL = no "services" */
    struct model_dhcp_server *dhcp_server; /* NULL = none */
    struct model_nat *nat;                 /* NULL = none */
    bool has_pos;
    double x, y;
    int line;
};

struct model_link {
    char *a_node, *a_iface, *b_node, *b_iface;
    struct link_params p;
    bool down; /* "up": false */
    int line;
};

/* One check on a command's output. */
struct model_expect {
    bool has_contains, has_not_contains, has_matches, has_exit;
    char *contains, *not_contains, *matches;
    int exit_code;
};

struct model_event {
    sim_time at;
    char *node;
    char *run;
    int n_input;
    char **input;
    bool paste; /* the input goes all at once, as from a file */
    bool has_expect;
    struct model_expect expect;
    int line;
};

struct model_pexpect {
    char *summary;  /* substring of the frame's one-line summary, required */
    char *on;       /* optional node name, or "node:iface" */
    char *protocol; /* optional protocol name ("ARP", "ICMP", ...) */
    bool has_min, has_max;
    long min, max;
    int line;
};

/* The scenario's certificate authority ("pki"): its name, the servers it
 * signs (with extra names for their certificates) and the nodes that
 * trust it (all, unless "trusted_by" says). */
struct model_pki_sign {
    char *node;
    int n_names;
    char **names;
    int valid_days;
    int line;
};
struct model_pki {
    char *ca_name;
    int ca_valid_days;
    int n_signs;
    struct model_pki_sign *signs;
    bool has_trusted_by;
    int n_trusted_by;
    char **trusted_by;
    int line;
};

struct model {
    char *file; /* path as given, for messages */
    char *name;
    char *description;
    uint64_t seed;
    sim_time until; /* default 60s */
    int n_nodes;
    struct model_node *nodes;
    int n_links;
    struct model_link *links;
    int n_events;
    struct model_event *events;
    int n_pexpects;
    struct model_pexpect *pexpects;
    struct model_pki *pki; /* NULL = no "pki": TLS servers are self-signed */
    /* A Lua scenario's script, which the runner runs again for the
     * callbacks it registers (lua_scenario.h); NULL for JSON. */
    struct lua_scenario *lua;
};

/* A loader's error: "FILE:LINE: PATH: message". */
struct model_error {
    char text[512];
};

/* Loads a JSON scenario. Returns NULL and fills err on any error. */
struct model *model_load_json(const char *path, struct model_error *err);
struct model *model_load_json_text(const char *file_label, const char *text, size_t len,
                                   struct model_error *err);
void model_free(struct model *m);
struct model_node *model_find_node(const struct model *m, const char *name);

/* Added by the JSON loader: */

/* Loads a scenario, choosing the loader by the file's extension: ".lua" is
 * a Lua scenario (lua_scenario.h), anything else is read as JSON. Returns
 * NULL and fills err on any error. */
struct model *model_load(const char *path, struct model_error *err);

/* What the command line can say about loading: the Lua limits
 * (--lua-instructions, --lua-memory) and --seed, which math.random uses
 * while a Lua script builds its network. Zeroes = the defaults. */
struct model_load_opts {
    uint64_t lua_instructions; /* 0 = LUA_DEFAULT_INSTRUCTIONS */
    uint64_t lua_memory;       /* bytes; 0 = LUA_DEFAULT_MEMORY */
    bool has_seed;
    uint64_t seed;
};
/* model_load with options; o may be NULL. */
struct model *model_load_with(const char *path, const struct model_load_opts *o,
                              struct model_error *err);

/* JSON text generated from another source (a Lua script): line_map[k - 1]
 * is the source line JSON line k came from (k = 1..n_lines), and errors
 * and the model's `line` fields use it. */
struct model *model_load_json_text_mapped(const char *file_label, const char *text, size_t len,
                                          const int *line_map, int n_lines,
                                          struct model_error *err);

/* The line (1-based) of the value at PATH in JSON text: "links[2].delay",
 * "nodes[0].interfaces[1]", "" for the top-level value. For a key the line
 * is that of the key itself. A part of the path that does not exist gives
 * the line of its nearest existing parent. Never fails: on text that is not
 * valid JSON it returns the best line it found. */
int model_json_line(const char *text, size_t len, const char *path);

#endif
