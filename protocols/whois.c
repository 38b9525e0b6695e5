/* whois.c - the WHOIS registry: records, answers, and the server on TCP
 * port 43 (one textconn per connection: one query, one answer, close).
 * See whois.h. */
#include "whois.h"
#include "tcp.h"
#include "textconn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) abort();
    memcpy(d, s, n);
    return d;
}

bool whois_db_add(struct whois_db *db, const char *key, const char *text)
{
    char q[WHOIS_QUERY_MAX + 1];
    if (!whois_query_parse(key, strlen(key), q, sizeof q) || !q[0]) return false;
    if (whois_db_find(db, q)) return false;
    if (db->n == db->cap) {
        db->cap = db->cap ? 2 * db->cap : 8;
        char **k = realloc(db->key, (size_t)db->cap * sizeof *k);
        if (!k) abort();
        db->key = k;
        char **t = realloc(db->text, (size_t)db->cap * sizeof *t);
        if (!t) abort();
        db->text = t;
    }
    db->key[db->n] = xstrdup(q);
    db->text[db->n] = xstrdup(text);
    db->n++;
    return true;
}

const char *whois_db_find(const struct whois_db *db, const char *query)
{
    for (int i = 0; i < db->n; i++)
        if (strcmp(db->key[i], query) == 0) return db->text[i];
    return NULL;
}

void whois_db_free(struct whois_db *db)
{
    for (int i = 0; i < db->n; i++) {
        free(db->key[i]);
        free(db->text[i]);
    }
    free(db->key);
    free(db->text);
    memset(db, 0, sizeof *db);
}

char *whois_answer(const struct whois_db *db, const char *line, size_t line_len, int64_t unix_now,
                   size_t *len, bool *found)
{
    char q[WHOIS_QUERY_MAX + 1], last[80];
    bool ok = whois_query_parse(line, line_len, q, sizeof q);
    const char *rec = ok && q[0] ? whois_db_find(db, q) : NULL;
    *found = rec != NULL;
    whois_last_update(unix_now, last, sizeof last);
    size_t cap = (rec ? 2 * strlen(rec) : 0) + WHOIS_QUERY_MAX + 128;
    char *out = malloc(cap);
    if (!out) abort();
    size_t o = 0;
    if (rec) {
        /* the record as written, each line ended by CRLF */
        for (const char *p = rec; *p; p++) {
            if (*p == '\r') continue;
            if (*p == '\n') out[o++] = '\r';
            out[o++] = *p;
        }
        if (o && out[o - 1] != '\n') {
            out[o++] = '\r';
            out[o++] = '\n';
        }
    } else {
        /* Verisign's words, with the name in capitals */
        char up[WHOIS_QUERY_MAX + 1];
        size_t k = 0;
        for (; ok && q[k]; k++)
            up[k] = (q[k] >= 'a' && q[k] <= 'z') ? (char)(q[k] - 32) : q[k];
        up[k] = 0;
        o += (size_t)snprintf(out + o, cap - o, "No match for \"%s\".\r\n", up);
    }
    o += (size_t)snprintf(out + o, cap - o, "%s\r\n", last);
    *len = o;
    return out;
}

/* ---- the server on TCP 43 ---- */

struct whois_sess;

struct whois_server {
    struct netstack *st;
    struct whois_db db;
    struct tcp_listener *ls;
    struct whois_sess *sess;
};

struct whois_sess {
    struct whois_sess *next, *prev;
    struct whois_server *srv;
    struct text_conn *t;
    struct sim_timer idle;
    bool answered;
};

static void sess_unlink(struct whois_sess *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        s->srv->sess = s->next;
    if (s->next) s->next->prev = s->prev;
}

static void sess_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    struct whois_sess *s = ctx;
    if (s->answered) return;
    s->answered = true;
    struct whois_server *srv = s->srv;
    struct sim *sim = srv->st->sim;
    sim_cancel(sim, &s->idle);
    size_t n;
    bool found;
    char *a = whois_answer(&srv->db, line, len, WHOIS_EPOCH + sim_now(sim) / SIM_S, &n, &found);
    if (trace_on(sim, TRACE_LAYERS)) {
        char q[WHOIS_QUERY_MAX + 1];
        whois_query_parse(line, len, q, sizeof q);
        if (found)
            stack_step(sim, TRACE_LAYERS, srv->st->node, NULL, 7, TK_DELIVER, NULL, "WHOIS",
                       "Query: %s \xe2\x86\x92 record found\nThe registry holds a record for "
                       "%s, so the server sends it and closes the connection: in WHOIS (RFC "
                       "3912) the server's close marks the end of the answer.",
                       q, q);
        else
            stack_step(sim, TRACE_LAYERS, srv->st->node, NULL, 7, TK_DELIVER, NULL, "WHOIS",
                       "Query: %s \xe2\x86\x92 no match\nThe registry holds no record for "
                       "\"%s\", so it answers \"No match\", as real registries do, and closes "
                       "the connection.",
                       q, q);
    }
    text_send(t, a, n);
    free(a);
    text_close(t);
}

static void sess_peer_closed(void *ctx, struct text_conn *t)
{
    struct whois_sess *s = ctx;
    sim_cancel(s->srv->st->sim, &s->idle);
    s->answered = true;
    text_close(t);
}

static void sess_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct whois_sess *s = ctx;
    sim_cancel(s->srv->st->sim, &s->idle);
    sess_unlink(s);
    free(s);
}

static void sess_idle(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct whois_sess *s = ctx;
    s->idle = (struct sim_timer){0, 0};
    if (s->answered) return;
    s->answered = true;
    if (trace_on(sim, TRACE_LAYERS))
        stack_step(sim, TRACE_LAYERS, s->srv->st->node, NULL, 7, TK_STATE, NULL, "WHOIS",
                   "Idle connection closed\nNo query arrived within 60 s, so the server "
                   "closes the connection.");
    text_close(s->t);
}

static const struct text_handler sess_handler = {
    .line = sess_line,
    .peer_closed = sess_peer_closed,
    .closed = sess_closed,
};

static void server_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct whois_server *srv = ctx;
    struct whois_sess *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->srv = srv;
    s->next = srv->sess;
    if (srv->sess) srv->sess->prev = s;
    srv->sess = s;
    s->t = text_conn_new(c, &sess_handler, s);
    s->idle = sim_schedule(srv->st->sim, WHOIS_IDLE_TIMEOUT, sess_idle, s, 0);
}

int whois_server_start(struct netstack *st, struct whois_db *db)
{
    if (st->whois) return -1;
    struct whois_server *srv = calloc(1, sizeof *srv);
    if (!srv) abort();
    srv->st = st;
    srv->ls = tcp_listen(st, 0, WHOIS_PORT, server_accept, srv);
    if (!srv->ls) {
        free(srv);
        return -1;
    }
    srv->db = *db;
    memset(db, 0, sizeof *db);
    st->whois = srv;
    return 0;
}

const struct whois_db *whois_server_db(const struct netstack *st)
{
    return st->whois ? &st->whois->db : NULL;
}

void whois_free(struct netstack *st)
{
    struct whois_server *srv = st->whois;
    if (!srv) return;
    /* the stack is going away: TCP frees its connections itself */
    while (srv->sess) {
        struct whois_sess *s = srv->sess;
        srv->sess = s->next;
        sim_cancel(st->sim, &s->idle);
        text_conn_release(s->t);
        free(s);
    }
    whois_db_free(&srv->db);
    free(srv);
    st->whois = NULL;
}
