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
struct model_services {
    bool has_dns, has_echo;
    struct model_svc_dns dns;
    struct model_svc_echo echo;
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
 * an error for now (Lua scenarios come in a later release), anything else is
 * read as JSON. Returns NULL and fills err on any error. */
struct model *model_load(const char *path, struct model_error *err);

/* The line (1-based) of the value at PATH in JSON text: "links[2].delay",
 * "nodes[0].interfaces[1]", "" for the top-level value. For a key the line
 * is that of the key itself. A part of the path that does not exist gives
 * the line of its nearest existing parent. Never fails: on text that is not
 * valid JSON it returns the best line it found. */
int model_json_line(const char *text, size_t len, const char *path);

#endif
