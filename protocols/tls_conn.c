/* tls_conn.c - the TLS stand-in on TCP: a session (tls.c) run over a TCP
 * connection with an unbounded queue of records for TCP, the node's TLS
 * state (identity, trusted CAs, open connections) and the key log that
 * lets dissectors decrypt a segment alone. See tls.h.
 *
 * Every handshake step, verification result and record protected or
 * opened is a layer-7 trace step with a why, formatted only when
 * TRACE_LAYERS is on. Handlers may end the connection while one of them
 * runs, so every entry from TCP counts its depth and a finished tls_conn
 * is freed only when the outermost entry returns (as textconn does). */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS_NODE_CONFS 4

struct tls_node {
    struct netstack *st;
    struct rng rng; /* TLS's own stream: other protocols' draws stay as they were */
    bool has_id;
    struct tls_identity id;
    struct tls_server_conf confs[TLS_NODE_CONFS];
    char conf_alpn[TLS_NODE_CONFS][TLS_ALPN_MAX + 1];
    int n_confs;
    struct tls_cert *trusted;
    int n_trusted;
    struct tls_conn *conns;
    struct tls_keylog_dir **logs;
    size_t n_logs, cap_logs;
};

struct tls_conn {
    struct tls_node *node;
    struct tls_conn *prev, *next;
    struct tcp_conn *c; /* NULL once TCP is done with it */
    struct tls_session *s;
    bool server;
    struct tls_client_conf ccf; /* the client's, with its strings here */
    char sni[TLS_SNI_MAX + 1], alpn[TLS_ALPN_MAX + 1];
    const struct tls_conn_callbacks *cb;
    void *ctx;
    bool orphan;  /* forgotten by the app: closes and frees itself */
    bool closing; /* FIN once out is empty */
    bool dead;    /* TCP is over: free at depth 0 */
    int depth;
    uint8_t *out; /* records for TCP: out[off..len) */
    size_t off, len, cap;
};

/* ---- the node ---- */

static struct tls_node *node_get(struct netstack *st)
{
    if (st->tls) return st->tls;
    struct tls_node *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->st = st;
    char label[160];
    snprintf(label, sizeof label, "tls:%s", st->node->name);
    rng_derive(&n->rng, sim_seed(st->sim), label);
    st->tls = n;
    return n;
}

void tls_node_set_identity(struct netstack *st, const struct tls_identity *id)
{
    struct tls_node *n = node_get(st);
    n->id = *id;
    n->has_id = true;
}

const struct tls_identity *tls_node_identity(const struct netstack *st)
{
    return st->tls && st->tls->has_id ? &st->tls->id : NULL;
}

void tls_node_trust(struct netstack *st, const struct tls_cert *ca)
{
    struct tls_node *n = node_get(st);
    struct tls_cert *t = realloc(n->trusted, (size_t)(n->n_trusted + 1) * sizeof *t);
    if (!t) abort();
    n->trusted = t;
    n->trusted[n->n_trusted++] = *ca;
}

const struct tls_cert *tls_node_trusted(const struct netstack *st, int *n)
{
    *n = st->tls ? st->tls->n_trusted : 0;
    return st->tls ? st->tls->trusted : NULL;
}

const struct tls_server_conf *tls_node_server_conf(struct netstack *st, const char *alpn)
{
    struct tls_node *n = st->tls;
    if (!n || !n->has_id) return NULL;
    const char *a = alpn ? alpn : "";
    for (int i = 0; i < n->n_confs; i++)
        if (strcmp(n->conf_alpn[i], a) == 0) return &n->confs[i];
    if (n->n_confs == TLS_NODE_CONFS || strlen(a) > TLS_ALPN_MAX) return NULL;
    int i = n->n_confs++;
    snprintf(n->conf_alpn[i], sizeof n->conf_alpn[i], "%s", a);
    n->confs[i].id = &n->id;
    n->confs[i].alpn = a[0] ? n->conf_alpn[i] : NULL;
    return &n->confs[i];
}

static void conn_free(struct tls_conn *tc);

void tls_free(struct netstack *st)
{
    struct tls_node *n = st->tls;
    if (!n) return;
    /* TCP frees its connections next, without callbacks */
    while (n->conns) {
        struct tls_conn *tc = n->conns;
        if (tc->c) tcp_set_callbacks(tc->c, NULL, NULL);
        conn_free(tc);
    }
    for (size_t i = 0; i < n->n_logs; i++) {
        free(n->logs[i]->recs);
        free(n->logs[i]);
    }
    free(n->logs);
    free(n->trusted);
    free(n);
    st->tls = NULL;
}

/* ---- trace ---- */

static struct sim *tc_sim(const struct tls_conn *tc)
{
    return tc->node->st->sim;
}

static void step(const struct tls_conn *tc, enum trace_kind kind, const char *summary,
                 const char *why)
{
    struct netstack *st = tc->node->st;
    stack_step(st->sim, TRACE_LAYERS, st->node, NULL, 7, kind, NULL, "TLS", "%s\n%s", summary, why);
}

static const char *hs_why(const struct tls_conn *tc, uint8_t type, bool out)
{
    switch (type) {
    case TLS_HS_CLIENT_HELLO:
        return out ? "The client opens TLS: it offers TLS 1.3, a cipher suite, its half of a "
                     "Diffie-Hellman exchange (key_share, in the toy group) and names the server "
                     "it wants (SNI). Up to ServerHello everything travels in the clear."
                   : "A client wants TLS: the server reads the versions, suites and key share it "
                     "offers and the name it asks for (SNI).";
    case TLS_HS_SERVER_HELLO:
        return "The server picks TLS 1.3 and sends its half of the Diffie-Hellman exchange: both "
               "sides now compute the same secret, which never crosses the wire. Everything "
               "after this message is encrypted and travels as Application Data records.";
    case TLS_HS_ENCRYPTED_EXTENSIONS:
        return "TLS 1.3 encrypts even the server's extensions; here it confirms the application "
               "protocol the client offered (ALPN).";
    case TLS_HS_CERTIFICATE:
        return tc->server ? "The server sends its certificate - encrypted, so an eavesdropper "
                            "cannot even see which one."
                          : "The client checks the certificate: is it signed by a CA it "
                            "trusts, is it valid now, does it name the server asked for?";
    case TLS_HS_CERTIFICATE_VERIFY:
        return "The server signs the handshake so far with its certificate's private key: "
               "proof that it owns the certificate and did not just copy it.";
    case TLS_HS_FINISHED:
        return "A MAC over the whole handshake with a key from the shared secret: had anyone "
               "changed a message on the way, the two sides' Finished would differ.";
    default:
        return "";
    }
}

static void trace_event(struct tls_conn *tc, const struct tls_event *ev)
{
    char sum[400];
    const char *dir = ev->out ? "sent" : "received";
    switch (ev->kind) {
    case TLS_EV_HANDSHAKE: {
        const char *name = tls_hs_name(ev->type);
        const struct tls_session *s = tc->s;
        if (ev->type == TLS_HS_CLIENT_HELLO && ev->out && tc->sni[0])
            snprintf(sum, sizeof sum, "%s %s (SNI %s)", name, dir, tc->sni);
        else if (ev->type == TLS_HS_CLIENT_HELLO && !ev->out && tls_session_sni(s)[0])
            snprintf(sum, sizeof sum, "%s %s (SNI %s)", name, dir, tls_session_sni(s));
        else if (ev->type == TLS_HS_CERTIFICATE && tc->server && tc->node->has_id)
            snprintf(sum, sizeof sum, "%s %s: CN=%s, issuer CN=%s", name, dir,
                     tc->node->id.cert.subject, tc->node->id.cert.issuer);
        else
            snprintf(sum, sizeof sum, "%s %s", name ? name : "Handshake message", dir);
        step(tc, ev->out ? TK_ENCAP : TK_DECAP, sum, hs_why(tc, ev->type, ev->out));
        break;
    }
    case TLS_EV_DATA:
        if (ev->out) {
            snprintf(sum, sizeof sum, "Encrypted %zu bytes into an Application Data record",
                     ev->len);
            step(tc, TK_ENCAP, sum,
                 "TLS protects the application's bytes: XORed with a keystream from the "
                 "session's traffic key, plus a 16-byte tag that detects any change. " TLS_TOY_NOTE
                 " (real TLS uses AES-GCM here). The capture shows only random-looking bytes; "
                 "netstep's key log lets the inspector show the plaintext.");
        } else {
            snprintf(sum, sizeof sum, "Decrypted an Application Data record: %zu bytes", ev->len);
            step(tc, TK_DECAP, sum,
                 "The tag checks out, so the record was not changed on the way; the same "
                 "keystream XORed again gives back the plaintext, handed to the "
                 "application. " TLS_TOY_NOTE ".");
        }
        break;
    case TLS_EV_ALERT: {
        const char *name = tls_alert_name(ev->type);
        snprintf(sum, sizeof sum, "Alert %s: %s (%s)", dir, name ? name : "unknown",
                 ev->level == TLS_ALERT_FATAL ? "fatal" : "warning");
        step(tc, ev->out ? TK_ENCAP : TK_DECAP, sum,
             ev->type == TLS_AD_CLOSE_NOTIFY
                 ? "close_notify says no more data will come: without it an attacker could cut "
                   "the connection short and the receiver would not know."
                 : "A fatal alert ends the TLS session; the TCP connection closes after it.");
        break;
    }
    default:
        break;
    }
}

/* ---- the TCP side ---- */

static void tc_enter(struct tls_conn *tc)
{
    tc->depth++;
}

static void conn_free(struct tls_conn *tc)
{
    struct tls_node *n = tc->node;
    if (tc->prev)
        tc->prev->next = tc->next;
    else
        n->conns = tc->next;
    if (tc->next) tc->next->prev = tc->prev;
    tls_session_free(tc->s);
    free(tc->out);
    free(tc);
}

/* Returns false when tc is gone. */
static bool tc_leave(struct tls_conn *tc)
{
    if (--tc->depth > 0 || !tc->dead) return !tc->dead;
    conn_free(tc);
    return false;
}

static void tc_flush(struct tls_conn *tc)
{
    if (!tc->c || tc->dead) return;
    while (tc->off < tc->len) {
        size_t n = tcp_send(tc->c, tc->out + tc->off, tc->len - tc->off);
        tc->off += n;
        if (tc->off < tc->len) {
            tcp_want_writable(tc->c);
            return;
        }
    }
    tc->off = tc->len = 0;
    if (tc->closing) {
        tc->closing = false;
        tcp_close(tc->c);
    }
}

static void tc_queue(struct tls_conn *tc, const uint8_t *data, size_t len)
{
    if (!tc->c || tc->dead) return;
    if (tc->off == tc->len) {
        size_t n = tcp_send(tc->c, data, len);
        data += n;
        len -= n;
        tc->off = tc->len = 0;
        if (!len) return;
        tcp_want_writable(tc->c);
    }
    if (tc->len + len > tc->cap) {
        if (tc->off) {
            memmove(tc->out, tc->out + tc->off, tc->len - tc->off);
            tc->len -= tc->off;
            tc->off = 0;
        }
        size_t cap = tc->cap ? tc->cap : 16384;
        while (cap < tc->len + len)
            cap *= 2;
        uint8_t *o = realloc(tc->out, cap);
        if (!o) abort();
        tc->out = o;
        tc->cap = cap;
    }
    memcpy(tc->out + tc->len, data, len);
    tc->len += len;
}

static void tcp_recv_cb(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct tls_conn *tc = ctx;
    if (tc->orphan) return;
    tc_enter(tc);
    tls_session_input(tc->s, data, len);
    tc_leave(tc);
}

static void tcp_peer_closed_cb(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct tls_conn *tc = ctx;
    tc_enter(tc);
    if (!tc->orphan && tc->cb && tc->cb->peer_closed) tc->cb->peer_closed(tc->ctx, tc);
    tc_leave(tc);
}

static void tcp_writable_cb(void *ctx, struct tcp_conn *c, size_t space)
{
    (void)c;
    (void)space;
    struct tls_conn *tc = ctx;
    tc_enter(tc);
    tc_flush(tc);
    tc_leave(tc);
}

static void tcp_closed_cb(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct tls_conn *tc = ctx;
    tc_enter(tc);
    tc->c = NULL;
    if (!tc->dead) {
        tc->dead = true;
        tls_session_halt(tc->s);
        if (!tc->orphan && tc->cb && tc->cb->closed) tc->cb->closed(tc->ctx, tc, why);
    }
    tc_leave(tc);
}

static const struct tcp_callbacks tls_tcp_cb = {
    .recv = tcp_recv_cb,
    .peer_closed = tcp_peer_closed_cb,
    .writable = tcp_writable_cb,
    .closed = tcp_closed_cb,
};

/* ---- the session's side ---- */

static void io_send(void *ctx, const uint8_t *data, size_t len)
{
    tc_queue(ctx, data, len);
}

static void io_ready(void *ctx)
{
    struct tls_conn *tc = ctx;
    if (trace_on(tc_sim(tc), TRACE_LAYERS)) {
        char sum[200];
        const char *alpn = tls_session_alpn(tc->s);
        snprintf(sum, sizeof sum, "Handshake complete: TLSv1.3 / %s (toy cipher)%s%s",
                 TLS_SUITE_NAME, alpn[0] ? ", ALPN " : "", alpn);
        char why[1400];
        const struct tls_cert *cert = tls_session_peer_cert(tc->s);
        int v = tls_session_verify_result(tc->s);
        char check[900] = "";
        if (!tc->server && cert && !tc->ccf.verify)
            snprintf(check, sizeof check,
                     " The client was told not to check the certificate (curl -k): CN=%s, "
                     "issued by CN=%s, is %s, and it goes on anyway - encrypted, but with "
                     "whom?",
                     cert->subject, cert->issuer, v ? tls_verify_str(v) : "valid");
        else if (!tc->server && cert)
            snprintf(check, sizeof check,
                     " The certificate of CN=%s checked out: signed by CN=%s, which this node "
                     "trusts, valid today, and it names %s.",
                     cert->subject, cert->issuer, tc->sni);
        snprintf(why, sizeof why,
                 "Both Finished messages matched, so both sides hold the same keys: from now on "
                 "the application's data is encrypted and authenticated.%s " TLS_TOY_NOTE ".",
                 check);
        step(tc, TK_STATE, sum, why);
    }
    if (!tc->orphan && tc->cb && tc->cb->ready) tc->cb->ready(tc->ctx, tc);
}

static void io_data(void *ctx, const uint8_t *data, size_t len)
{
    struct tls_conn *tc = ctx;
    if (!tc->orphan && tc->cb && tc->cb->recv) tc->cb->recv(tc->ctx, tc, data, len);
}

static void io_close_notify(void *ctx)
{
    (void)ctx; /* TCP's FIN follows: the app hears of the end through peer_closed */
}

static void io_failed(void *ctx, const struct tls_error *e)
{
    struct tls_conn *tc = ctx;
    if (trace_on(tc_sim(tc), TRACE_LAYERS)) {
        char sum[200];
        const char *name = tls_alert_name(e->alert);
        if (e->verify)
            snprintf(sum, sizeof sum, "Certificate refused: %s", tls_verify_str(e->verify));
        else
            snprintf(sum, sizeof sum, "TLS failed: %s alert %s", e->sent ? "sent" : "received",
                     name ? name : "unknown");
        step(tc, TK_STATE, sum, e->why);
    }
    if (!tc->orphan && tc->cb && tc->cb->failed) tc->cb->failed(tc->ctx, tc, e);
    /* the alert is queued: close once it has gone */
    if (!tc->dead && tc->c) {
        tc->closing = true;
        tc_flush(tc);
    }
}

static void io_event(void *ctx, const struct tls_event *ev)
{
    struct tls_conn *tc = ctx;
    if (trace_on(tc_sim(tc), TRACE_LAYERS)) trace_event(tc, ev);
    if (!tc->orphan && tc->cb && tc->cb->event) tc->cb->event(tc->ctx, tc, ev);
}

static const struct tls_session_io conn_io = {
    .send = io_send,
    .ready = io_ready,
    .data = io_data,
    .close_notify = io_close_notify,
    .failed = io_failed,
    .event = io_event,
};

/* ---- the key log ---- */

/* sent, rcvd: plaintext bytes the connection carried before TLS began */
static struct tls_keylog_dir *keylog_new(struct tls_node *n, struct tcp_conn *c, uint64_t sent,
                                         uint64_t rcvd)
{
    struct tls_keylog_dir *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->seq0 = tcp_send_seq0(c) + (uint32_t)sent;
    d->peer_seq0 = tcp_recv_seq0(c) + (uint32_t)rcvd;
    if (n->n_logs == n->cap_logs) {
        n->cap_logs = n->cap_logs ? 2 * n->cap_logs : 8;
        struct tls_keylog_dir **l = realloc(n->logs, n->cap_logs * sizeof *l);
        if (!l) abort();
        n->logs = l;
    }
    n->logs[n->n_logs++] = d;
    return d;
}

static struct tls_conn *conn_new(struct tcp_conn *c, struct netstack *st,
                                 const struct tls_conn_callbacks *cb, void *ctx)
{
    struct tls_conn *tc = calloc(1, sizeof *tc);
    if (!tc) abort();
    struct tls_node *n = node_get(st);
    tc->node = n;
    tc->c = c;
    tc->cb = cb;
    tc->ctx = ctx;
    tc->next = n->conns;
    if (n->conns) n->conns->prev = tc;
    n->conns = tc;
    tcp_set_callbacks(c, &tls_tcp_cb, tc);
    return tc;
}

struct tls_conn *tls_conn_client_at(struct tcp_conn *c, uint64_t sent, uint64_t rcvd,
                                    const struct tls_client_conf *cf,
                                    const struct tls_conn_callbacks *cb, void *ctx)
{
    struct netstack *st = tcp_conn_stack(c);
    struct tls_conn *tc = conn_new(c, st, cb, ctx);
    tc->ccf = *cf;
    if (cf->sni) snprintf(tc->sni, sizeof tc->sni, "%s", cf->sni);
    if (cf->alpn) snprintf(tc->alpn, sizeof tc->alpn, "%s", cf->alpn);
    tc->ccf.sni = tc->sni[0] ? tc->sni : NULL;
    tc->ccf.alpn = tc->alpn[0] ? tc->alpn : NULL;
    tc->s = tls_session_client(&tc->ccf, &tc->node->rng, &conn_io, tc);
    if (trace_on(st->sim, TRACE_LAYERS))
        tls_session_set_log(tc->s, keylog_new(tc->node, c, sent, rcvd));
    tc_enter(tc);
    tls_session_start(tc->s);
    tc_leave(tc);
    return tc; /* nothing above can end it: no input has been read */
}

struct tls_conn *tls_conn_client(struct tcp_conn *c, const struct tls_client_conf *cf,
                                 const struct tls_conn_callbacks *cb, void *ctx)
{
    return tls_conn_client_at(c, 0, 0, cf, cb, ctx);
}

struct tls_conn *tls_conn_server_at(struct tcp_conn *c, uint64_t sent, uint64_t rcvd,
                                    const struct tls_server_conf *cf,
                                    const struct tls_conn_callbacks *cb, void *ctx)
{
    struct netstack *st = tcp_conn_stack(c);
    struct tls_conn *tc = conn_new(c, st, cb, ctx);
    tc->server = true;
    tc->s = tls_session_server(cf, &tc->node->rng, &conn_io, tc);
    if (trace_on(st->sim, TRACE_LAYERS))
        tls_session_set_log(tc->s, keylog_new(tc->node, c, sent, rcvd));
    return tc;
}

struct tls_conn *tls_conn_server(struct tcp_conn *c, const struct tls_server_conf *cf,
                                 const struct tls_conn_callbacks *cb, void *ctx)
{
    return tls_conn_server_at(c, 0, 0, cf, cb, ctx);
}

void tls_conn_set_callbacks(struct tls_conn *tc, const struct tls_conn_callbacks *cb, void *ctx)
{
    tc->cb = cb;
    tc->ctx = ctx;
}

void tls_conn_send(struct tls_conn *tc, const void *data, size_t len)
{
    if (tc->dead || !tc->c || tc->closing) return;
    tc_enter(tc);
    tls_session_write(tc->s, data, len);
    tc_leave(tc);
}

void tls_conn_close(struct tls_conn *tc)
{
    if (tc->dead || !tc->c) return;
    tc_enter(tc);
    if (!tc->closing) {
        tls_session_close(tc->s);
        tc->closing = true;
    }
    if (tc->off == tc->len) tc_flush(tc);
    tc_leave(tc);
}

void tls_conn_abort(struct tls_conn *tc)
{
    if (tc->dead) return;
    tc_enter(tc);
    if (tc->c) tcp_abort(tc->c);
    tc->c = NULL;
    tc->dead = true;
    tls_session_halt(tc->s);
    if (!tc->orphan && tc->cb && tc->cb->closed) tc->cb->closed(tc->ctx, tc, TCP_REASON_RESET);
    tc_leave(tc);
}

void tls_conn_forget(struct tls_conn *tc)
{
    tc->cb = NULL;
    tc->ctx = NULL;
    tc->orphan = true;
    tc_enter(tc);
    if (!tc->dead && tc->c && !tc->closing) {
        tls_session_close(tc->s);
        tc->closing = true;
        if (tc->off == tc->len) tc_flush(tc);
    }
    if (!tc->c) tc->dead = true;
    tc_leave(tc);
}

void tls_conn_release(struct tls_conn *tc)
{
    if (!tc) return;
    if (tc->c) tcp_set_callbacks(tc->c, NULL, NULL);
    conn_free(tc);
}

size_t tls_conn_pending(const struct tls_conn *tc)
{
    return tc->len - tc->off + tls_session_pending(tc->s);
}

struct tcp_conn *tls_conn_tcp(const struct tls_conn *tc)
{
    return tc->c;
}

const struct tls_session *tls_conn_session(const struct tls_conn *tc)
{
    return tc->s;
}

/* ---- the key log, read by dissectors ---- */

static const struct tls_keylog_dir *keylog_find(const struct sim *sim, uint32_t seq, uint32_t ack)
{
    uint32_t nn = sim_node_count(sim);
    for (uint32_t i = 0; i < nn; i++) {
        const struct netstack *st = node_stack(sim_node(sim, i));
        if (!st || !st->tls) continue;
        const struct tls_node *n = st->tls;
        for (size_t k = 0; k < n->n_logs; k++) {
            const struct tls_keylog_dir *d = n->logs[k];
            /* sequence numbers are random 32-bit values: a segment inside
             * this stream that also acknowledges the other way is this
             * session's, but for a chance of about one in 2^33 */
            uint32_t at = seq - d->seq0;
            int32_t back = (int32_t)(ack - d->peer_seq0);
            if (at < d->bytes && back >= 0) return d;
        }
    }
    return NULL;
}

int tls_keylog_decrypt(const struct sim *sim, uint32_t seq, uint32_t ack, uint8_t *seg, size_t n,
                       struct tls_piece *pieces, int max)
{
    const struct tls_keylog_dir *d = n ? keylog_find(sim, seq, ack) : NULL;
    if (!d) return -1;
    uint64_t lo = (uint32_t)(seq - d->seq0), hi = lo + n;
    /* the last record starting at or before lo */
    size_t a = 0, b = d->n;
    while (b - a > 1) {
        size_t mid = a + (b - a) / 2;
        if (d->recs[mid].off <= lo)
            a = mid;
        else
            b = mid;
    }
    int np = 0;
    for (size_t i = a; i < d->n && d->recs[i].off < hi && np < max; i++) {
        const struct tls_log_rec *r = &d->recs[i];
        uint64_t rs = r->off, re = rs + TLS_RECORD_HDR + r->len;
        if (re <= lo) continue;
        uint64_t ws = rs > lo ? rs : lo, we = re < hi ? re : hi;
        struct tls_piece *p = &pieces[np++];
        memset(p, 0, sizeof *p);
        p->off = (size_t)(ws - lo);
        p->len = (size_t)(we - ws);
        p->rec_at = (size_t)(ws - rs);
        p->rec_len = r->len;
        p->type = r->type;
        p->inner = r->inner;
        p->epoch = r->epoch;
        if (!r->epoch || r->type != TLS_CT_APPDATA || r->len < 1 + TLS_TAG_LEN) continue;
        const struct toy_key *key = r->epoch == 1 ? &d->hs_key : &d->ap_key;
        if (!(r->epoch == 1 ? d->has_hs : d->has_ap)) continue;
        /* in record coordinates: content + type byte = [5, 5 + len - 16) */
        uint64_t cs = rs + TLS_RECORD_HDR, ce = cs + r->len - TLS_TAG_LEN;
        uint64_t xs = cs > ws ? cs : ws, xe = ce < we ? ce : we;
        if (xs < xe) toy_xor(key, r->seq, (size_t)(xs - cs), seg + (xs - lo), (size_t)(xe - xs));
        uint64_t pe = ce - 1; /* the content, without the type byte */
        uint64_t ps = cs > ws ? cs : ws, pend = pe < we ? pe : we;
        if (ps < pend) {
            p->plain_off = (size_t)(ps - lo);
            p->plain_len = (size_t)(pend - ps);
        }
        p->plain_first = ws <= cs;
        p->plain_last = we >= pe;
    }
    return np;
}

static size_t keylog_line(char *out, size_t cap, size_t len, const char *label, const uint8_t *cr,
                          const uint8_t *secret)
{
    char hex[2 * TOY_HASH_LEN + 1], crh[2 * TLS_RANDOM_LEN + 1];
    for (int i = 0; i < TOY_HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", secret[i]);
    for (int i = 0; i < TLS_RANDOM_LEN; i++)
        snprintf(crh + 2 * i, 3, "%02x", cr[i]);
    int k = snprintf(out && len < cap ? out + len : NULL, out && len < cap ? cap - len : 0,
                     "%s %s %s\n", label, crh, hex);
    return k > 0 ? (size_t)k : 0;
}

size_t tls_keylog_text(const struct sim *sim, char *out, size_t cap)
{
    size_t len = 0;
    uint32_t nn = sim_node_count(sim);
    for (uint32_t i = 0; i < nn; i++) {
        const struct netstack *st = node_stack(sim_node(sim, i));
        if (!st || !st->tls) continue;
        for (size_t k = 0; k < st->tls->n_logs; k++) {
            const struct tls_keylog_dir *d = st->tls->logs[k];
            const char *who = d->server ? "SERVER" : "CLIENT";
            char label[64];
            if (d->has_hs) {
                snprintf(label, sizeof label, "%s_HANDSHAKE_TRAFFIC_SECRET", who);
                len += keylog_line(out, cap, len, label, d->client_random, d->hs_secret);
            }
            if (d->has_ap) {
                snprintf(label, sizeof label, "%s_TRAFFIC_SECRET_0", who);
                len += keylog_line(out, cap, len, label, d->client_random, d->ap_secret);
            }
        }
    }
    return len;
}
