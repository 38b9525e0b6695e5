/* fuzz_ftp.c - libFuzzer target for FTP and Telnet: the input as command
 * and reply lines for ftp_wire's parsers (what they accept lies inside the
 * line; a reply emitted reads back with its code; a host-port parsed
 * formats and parses back the same), as paths to resolve, as the payload
 * of TCP frames on ports 21 (both ways), 20 and 23 for the dissector (tree
 * and summary agree, every field inside the frame), through the Telnet
 * decoder (never more bytes out than in) and, on a live network, sent
 * verbatim on a logged-in FTP control connection and on a telnet session,
 * and typed line by line into the `ftp` client and, over FTPS (990) after
 * PROT P, into openssl s_client; curl fetches an FTPS listing meanwhile;
 * the dissector also sees the input on 990 and on a port of its own (the
 * TLS heuristic of FTPS data connections). */
#include "fuzz.h"
#include "fuzz_dissect.h"
#include "../unit/fixture.h"
#include "protocols/dissect.h"
#include "protocols/ftp.h"
#include "protocols/tcp.h"
#include "protocols/tcp_wire.h"
#include "protocols/telnet_wire.h"
#include "protocols/textconn.h"
#include "scenarios/shell.h"

static const char net_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}]},\n"
    " {\"name\": \"srv\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.2/24\"}],\n"
    "  \"services\": {\"ftp\": {\"anonymous\": true, \"accounts\": {\"ann\": \"pw\"}, \"tls\": "
    "true,\n"
    "   \"files\": {\"/pub/a.txt\": \"a\\nb\\n\", \"/pub/b\": {\"size\": 5000}}},\n"
    "   \"telnet\": {\"accounts\": {\"root\": \"toor\"}, \"files\": {\"f\": \"x\"}}}}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"srv:eth0\"}]}\n";

static void fuzz_wire(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct ftp_cmd c;
    if (ftp_cmd_parse(s, size, &c) == FTP_OK) {
        FUZZ_ASSERT(strlen(c.verb) >= 1 && strlen(c.verb) <= 4);
        FUZZ_ASSERT(c.arg_len == 0 || (c.arg > s && c.arg + c.arg_len == s + size));
    }
    struct ftp_reply_line r;
    if (ftp_reply_line_parse(s, size, &r) == FTP_OK) {
        FUZZ_ASSERT(r.code >= 100 && r.code <= 599);
        FUZZ_ASSERT(r.text_len <= size);
    }
    struct ftp_reply_reader rd = {0};
    int code;
    for (size_t i = 0; i < size;) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        size_t n = nl ? (size_t)(nl - data) - i : size - i;
        if (ftp_reply_feed(&rd, s + i, n, &code) == 1) FUZZ_ASSERT(code >= 100 && code <= 599);
        i += n + 1;
    }
    uint32_t a, a2;
    uint16_t p, p2;
    char hp[32];
    if (ftp_hostport_parse(s, size, &a, &p) == FTP_OK) {
        size_t n = ftp_hostport_fmt(hp, sizeof hp, a, p);
        FUZZ_ASSERT(ftp_hostport_parse(hp, n, &a2, &p2) == FTP_OK && a == a2 && p == p2);
    }
    if (ftp_pasv_parse(s, size, &a, &p) == FTP_OK) {
        size_t n = ftp_hostport_fmt(hp, sizeof hp, a, p);
        FUZZ_ASSERT(n > 0);
    }
    /* a reply made of the input reads back with its code */
    char text[512], buf[FTP_REPLY_MAX];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\r' || text[i] == 0) text[i] = ' ';
    size_t len = ftp_reply_emit(buf, sizeof buf, 250, text);
    if (len) {
        struct ftp_reply_reader rr = {0};
        int got = 0, done = 0;
        for (size_t i = 0; i < len;) {
            const char *e = memchr(buf + i, '\n', len - i);
            FUZZ_ASSERT(e && e > buf + i && e[-1] == '\r');
            size_t k = (size_t)(e - buf) - i - 1;
            FUZZ_ASSERT(!done);
            done = ftp_reply_feed(&rr, buf + i, k, &got) == 1;
            i += k + 2;
        }
        FUZZ_ASSERT(done && got == 250);
    }
    char path[FTP_PATH_MAX];
    if (ftp_path_resolve("/pub", s, size, path, sizeof path))
        FUZZ_ASSERT(path[0] == '/' && strlen(path) < FTP_PATH_MAX);
    uint8_t *out = malloc(2 * size + 1);
    if (!out) return;
    bool cr = false;
    FUZZ_ASSERT(ftp_ascii_decode(data, size, out, &cr) <= size);
    FUZZ_ASSERT(ftp_ascii_encode(data, size, out) <= 2 * size);
    struct telnet_decoder d = {0};
    FUZZ_ASSERT(telnet_decode(&d, data, size, out, NULL, NULL) <= size);
    struct telnet_item it;
    size_t off = 0, items = 0;
    while (telnet_item_next(data, size, off, &it)) {
        FUZZ_ASSERT(it.len > 0 && it.off == off && off + it.len <= size);
        off += it.len;
        items++;
    }
    FUZZ_ASSERT(off == size && items <= size);
    free(out);
}

/* ---- live: a raw control connection and a telnet session ---- */

struct raw {
    struct tcp_conn *c;
    const uint8_t *data;
    size_t size;
    const char *login;
};

static void raw_connected(void *ctx, struct tcp_conn *c)
{
    struct raw *r = ctx;
    tcp_send(c, r->login, strlen(r->login));
    tcp_send(c, r->data, r->size);
}

static void raw_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c);
}

static const struct tcp_callbacks raw_cb = {.connected = raw_connected,
                                            .peer_closed = raw_peer_closed};

/* Listens to every step, so each why sentence is formatted. */
static void sink(void *ctx, const struct trace_step *st)
{
    size_t *n = ctx;
    *n += strlen(st->summary) + strlen(st->why);
}

static void fuzz_live(const uint8_t *data, size_t size)
{
    if (size > 4096) return;
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) return;
    size_t chars = 0;
    trace_subscribe(sim, TRACE_ALL, sink, &chars);
    struct netstack *h1 = node_stack(sim_find_node(sim, "h1"));
    struct raw ftp = {NULL, data, size, "USER ann\r\nPASS pw\r\nPASV\r\n"};
    struct raw tel = {NULL, data, size, "root\r\ntoor\r\n"};
    tcp_connect(h1, IP(10, 0, 0, 2), 21, &raw_cb, &ftp);
    tcp_connect(h1, IP(10, 0, 0, 2), 23, &raw_cb, &tel);
    /* the ftp client, typing the input's lines */
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "h1"), "ftp srv", NULL, NULL);
    shell_input(p, "ann");
    shell_input(p, "pw");
    char line[256];
    int lines = 0;
    for (size_t i = 0; i < size && lines < 24;) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        size_t n = nl ? (size_t)(nl - data) - i : size - i;
        size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, data + i, k);
        line[k] = 0;
        shell_input(p, line);
        lines++;
        i += n + 1;
    }
    /* FTPS (990): the same lines typed over TLS after PROT P, and curl */
    struct shell_proc *q = shell_run(sim, sim_find_node(sim, "h1"),
                                     "openssl s_client -connect srv:990 -quiet -crlf", NULL, NULL);
    shell_input(q, "USER ann");
    shell_input(q, "PASS pw");
    shell_input(q, "PBSZ 0");
    shell_input(q, "PROT P");
    lines = 0;
    for (size_t i = 0; i < size && lines < 24;) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        size_t n = nl ? (size_t)(nl - data) - i : size - i;
        size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, data + i, k);
        line[k] = 0;
        shell_input(q, line);
        lines++;
        i += n + 1;
    }
    struct shell_proc *r =
        shell_run(sim, sim_find_node(sim, "h1"), "curl -k ftps://srv/pub/", NULL, NULL);
    sim_run_until(sim, 10 * SIM_S);
    shell_interrupt(p);
    shell_proc_free(p);
    shell_interrupt(q);
    shell_proc_free(q);
    shell_interrupt(r);
    shell_proc_free(r);
    sim_free(sim);
    FUZZ_ASSERT(chars > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_wire(data, size);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 2), 21, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 2), 40000, 21);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 2), 20, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 2), 990, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 2), 40000, 41234); /* FTPS data: heuristic */
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 2), 23, 40000);
    fuzz_live(data, size);
    return 0;
}
