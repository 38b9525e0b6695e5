/* imap.c - the IMAP server session: gathering commands with their
 * literals, the state machine, the per-session view of the selected
 * folder, and the commands themselves. See imap.h.
 *
 * Choices: the hierarchy separator is "/"; keywords (flags without a
 * backslash) are not kept, so PERMANENTFLAGS has no \*; messages are not
 * parsed as MIME, so BODYSTRUCTURE describes every message as one part
 * (its Content-Type when it has a single-part one, text/plain
 * otherwise); SEARCH compares strings without regard to case, dates by
 * internal date. */
#include "imap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FETCH_ITEMS    32
#define SEARCH_KEYS    64
#define SEARCH_STR_MAX 1024

static const char caps_pre[] = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN UNSELECT MOVE";
static const char caps_post[] = "IMAP4rev1 SASL-IR LITERAL+ UNSELECT MOVE";

const char *imap_capabilities(bool authenticated)
{
    return authenticated ? caps_post : caps_pre;
}

/* ---- responses ---- */

static void untagged(struct imap_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void untagged(struct imap_session *s, const char *fmt, ...)
{
    va_list ap;
    mbuf_puts(&s->out, "* ");
    va_start(ap, fmt);
    mbuf_vprintf(&s->out, fmt, ap);
    va_end(ap);
    mbuf_put(&s->out, "\r\n", 2);
}

static void sync_view(struct imap_session *s, bool expunges);

/* The tagged completion: what other sessions changed first (except for
 * BAD), then "tag STATUS text", and the note that explains it. */
static void tagged(struct imap_session *s, const char *tag, const char *status, const char *why,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void tagged(struct imap_session *s, const char *tag, const char *status, const char *why,
                   const char *fmt, ...)
{
    if (strcmp(status, "BAD") != 0) sync_view(s, s->allow_expunge);
    size_t start = s->out.len;
    mbuf_printf(&s->out, "%s %s ", tag, status);
    va_list ap;
    va_start(ap, fmt);
    mbuf_vprintf(&s->out, fmt, ap);
    va_end(ap);
    mail_reply_note(s->env, "IMAP", s->cmd.p ? s->cmd.p : "", s->out.p + start, why);
    mbuf_put(&s->out, "\r\n", 2);
}

/* "tag BAD Error in IMAP command NAME: what." */
static void bad(struct imap_session *s, const char *tag, const char *what, const char *why)
{
    tagged(s, tag, "BAD", why, "Error in IMAP command %s: %s", s->cmdname, what);
}

static void bad_args(struct imap_session *s, const char *tag)
{
    if (s->env->trace) {
        char why[200];
        snprintf(why, sizeof why,
                 "The arguments after %s do not have the form RFC 9051 gives for it, so the "
                 "server rejects the command with BAD.",
                 s->cmdname);
        bad(s, tag, "Invalid arguments.", why);
    } else {
        bad(s, tag, "Invalid arguments.", NULL);
    }
}

static void put_flags(struct mail_buf *b, uint32_t flags, bool recent)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{MAIL_ANSWERED, "\\Answered"},
                 {MAIL_FLAGGED, "\\Flagged"},
                 {MAIL_DELETED, "\\Deleted"},
                 {MAIL_SEEN, "\\Seen"},
                 {MAIL_DRAFT, "\\Draft"}};
    bool first = true;
    mbuf_put(b, "(", 1);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit)) continue;
        if (!first) mbuf_put(b, " ", 1);
        mbuf_puts(b, names[i].name);
        first = false;
    }
    if (recent) mbuf_puts(b, first ? "\\Recent" : " \\Recent");
    mbuf_put(b, ")", 1);
}

/* ---- the session's view of the selected folder ---- */

static void u32_push(uint32_t **a, uint32_t *n, uint32_t *cap, uint32_t v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        uint32_t *p = realloc(*a, *cap * sizeof *p);
        if (!p) abort();
        *a = p;
    }
    (*a)[(*n)++] = v;
}

static bool is_recent(const struct imap_session *s, uint32_t uid)
{
    for (uint32_t i = 0; i < s->n_recent; i++)
        if (s->recent[i] == uid) return true;
    return false;
}

static uint32_t recent_count(const struct imap_session *s)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n_recent; i++)
        n += mail_folder_index(s->sel, s->recent[i]) >= 0;
    return n;
}

/* Adds the folder's messages newer than the view; returns how many. */
static uint32_t view_add_new(struct imap_session *s)
{
    struct mail_folder *f = s->sel;
    uint32_t last = s->n_view ? s->view[s->n_view - 1] : 0, added = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        struct mail_msg *m = &f->msgs[i];
        if (m->uid <= last) continue;
        u32_push(&s->view, &s->n_view, &s->cap_view, m->uid);
        added++;
        /* RFC 9051 2.3.2: \Recent belongs to the first session to see it */
        if (!s->readonly && (m->flags & MAIL_RECENT)) {
            m->flags &= ~MAIL_RECENT;
            u32_push(&s->recent, &s->n_recent, &s->cap_recent, m->uid);
        }
    }
    return added;
}

/* Removes sequence number seq from the view and says so. */
static void view_expunged(struct imap_session *s, uint32_t seq)
{
    untagged(s, "%u EXPUNGE", seq);
    memmove(s->view + seq - 1, s->view + seq, (s->n_view - seq) * sizeof *s->view);
    s->n_view--;
}

static void sync_view(struct imap_session *s, bool expunges)
{
    if (s->state != IMAP_SELECTED) return;
    if (expunges) {
        for (uint32_t i = 0; i < s->n_view;) {
            if (mail_folder_index(s->sel, s->view[i]) < 0)
                view_expunged(s, i + 1);
            else
                i++;
        }
    }
    if (view_add_new(s)) {
        untagged(s, "%u EXISTS", s->n_view);
        untagged(s, "%u RECENT", recent_count(s));
    }
}

static void deselect(struct imap_session *s)
{
    if (s->sel) s->sel->open--;
    s->sel = NULL;
    s->n_view = s->n_recent = 0;
    s->state = IMAP_AUTHENTICATED;
}

/* The stored message at sequence number seq, or NULL when another session
 * expunged it and this one has not been told yet. */
static struct mail_msg *msg_at(const struct imap_session *s, uint32_t seq)
{
    long k = mail_folder_index(s->sel, s->view[seq - 1]);
    return k < 0 ? NULL : &s->sel->msgs[k];
}

/* Reads a sequence set (UIDs when uid) and resolves it; false after a BAD
 * reply. */
static bool read_set(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid,
                     struct imap_seqset *set)
{
    if (!imap_read_seqset(ps, set)) {
        bad(s, tag, "Invalid messageset",
            "A message set is a list of numbers and ranges: 1, 2:4, 1:* (* is the last "
            "message), 1,3:5.");
        return false;
    }
    if (!uid) {
        for (uint32_t i = 0; i < set->n; i++) {
            if (set->r[i].lo > s->n_view || set->r[i].hi > s->n_view) {
                if (s->env->trace) {
                    char why[200];
                    snprintf(why, sizeof why,
                             "The mailbox holds messages 1 to %u; a sequence number above that "
                             "names no message.",
                             s->n_view);
                    bad(s, tag, "Invalid messageset", why);
                } else {
                    bad(s, tag, "Invalid messageset", NULL);
                }
                return false;
            }
        }
        imap_seq_resolve(set, s->n_view);
    } else {
        imap_seq_resolve(set, s->n_view ? s->view[s->n_view - 1] : 0);
    }
    return true;
}

static bool in_set(const struct imap_session *s, const struct imap_seqset *set, bool uid,
                   uint32_t seq)
{
    return imap_seq_contains(set, uid ? s->view[seq - 1] : seq);
}

/* ---- Not Authenticated ---- */

static void logged_in(struct imap_session *s, const char *tag, struct mail_user *u)
{
    s->u = u;
    s->state = IMAP_AUTHENTICATED;
    if (s->env->trace) {
        char why[300];
        snprintf(why, sizeof why,
                 "The password matches %s's account: the session is now in the Authenticated "
                 "state and may SELECT a mailbox. (Without TLS the password crossed the network "
                 "in clear text.)",
                 u->name);
        tagged(s, tag, "OK", why, "[CAPABILITY %s] Logged in", caps_post);
    } else {
        tagged(s, tag, "OK", NULL, "[CAPABILITY %s] Logged in", caps_post);
    }
}

static void login_failed(struct imap_session *s, const char *tag)
{
    tagged(s, tag, "NO",
           "No account has this user name and password; the server does not say which was "
           "wrong.",
           "[AUTHENTICATIONFAILED] Authentication failed.");
}

static void cmd_login(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char user[300], pw[300];
    if (!imap_sp(ps) || !imap_read_astring(ps, user, sizeof user) || !imap_sp(ps) ||
        !imap_read_astring(ps, pw, sizeof pw) || !imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    struct mail_user *u = mail_login(s->env->store, user, pw);
    if (u)
        logged_in(s, tag, u);
    else
        login_failed(s, tag);
}

static void sasl_plain(struct imap_session *s, const char *tag, const char *b64, size_t n)
{
    uint8_t raw[700];
    long k = mail_b64_decode(b64, n, raw, sizeof raw - 1);
    if (k < 0) {
        tagged(s, tag, "BAD",
               "The AUTHENTICATE PLAIN response must be base64 of \"\\0user\\0password\".",
               "Invalid base64 data in continued response");
        return;
    }
    raw[k] = 0;
    size_t al = strlen((char *)raw);
    if ((long)al + 1 >= k) {
        login_failed(s, tag);
        return;
    }
    const char *user = (char *)raw + al + 1;
    size_t ul = strlen(user);
    if ((long)(al + ul + 2) > k) {
        login_failed(s, tag);
        return;
    }
    const char *pw = user + ul + 1;
    struct mail_user *u =
        (long)(al + ul + 2 + strlen(pw)) == k && (al == 0 || !strcmp((char *)raw, user))
            ? mail_login(s->env->store, user, pw)
            : NULL;
    if (u)
        logged_in(s, tag, u);
    else
        login_failed(s, tag);
}

static void cmd_authenticate(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char mech[32], ir[700];
    if (!imap_sp(ps) || !imap_read_atom(ps, mech, sizeof mech, false)) {
        bad_args(s, tag);
        return;
    }
    if (strcasecmp(mech, "PLAIN") != 0) {
        tagged(s, tag, "NO", "The server offers only AUTH=PLAIN (and LOGIN).",
               "Unsupported authentication mechanism.");
        return;
    }
    if (imap_sp(ps)) { /* SASL-IR: the initial response on the same line */
        if (!imap_read_atom(ps, ir, sizeof ir, false) || !imap_at_end(ps)) {
            bad_args(s, tag);
            return;
        }
        if (!strcmp(ir, "="))
            login_failed(s, tag);
        else
            sasl_plain(s, tag, ir, strlen(ir));
        return;
    }
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    s->sasl_wait = true;
    snprintf(s->sasl_tag, sizeof s->sasl_tag, "%s", tag);
    mbuf_puts(&s->out, "+ \r\n");
}

/* ---- Authenticated: mailboxes ---- */

/* Reads a mailbox name; false after a BAD reply. */
static bool read_mailbox(struct imap_session *s, const char *tag, struct imap_parser *ps,
                         char *name, size_t cap)
{
    if (!imap_sp(ps) || !imap_read_astring(ps, name, cap)) {
        bad_args(s, tag);
        return false;
    }
    return true;
}

static void no_mailbox(struct imap_session *s, const char *tag, const char *name, bool trycreate)
{
    if (s->env->trace) {
        char why[200];
        snprintf(why, sizeof why,
                 "%s has no mailbox called \"%.60s\" (LIST shows the ones there are; INBOX "
                 "always exists).",
                 s->u->name, name);
        tagged(s, tag, "NO", why, "%sMailbox doesn't exist: %s", trycreate ? "[TRYCREATE] " : "",
               name);
    } else {
        tagged(s, tag, "NO", NULL, "%sMailbox doesn't exist: %s", trycreate ? "[TRYCREATE] " : "",
               name);
    }
}

static void cmd_select(struct imap_session *s, const char *tag, struct imap_parser *ps,
                       bool examine)
{
    char name[MAIL_NAME_MAX * 2];
    if (!read_mailbox(s, tag, ps, name, sizeof name)) return;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    /* RFC 9051 6.3.2: a SELECT first deselects, even if it then fails */
    if (s->state == IMAP_SELECTED) deselect(s);
    struct mail_folder *f = mail_folder_find(s->u, name);
    if (!f) {
        no_mailbox(s, tag, name, false);
        return;
    }
    s->sel = f;
    f->open++;
    s->readonly = examine;
    s->state = IMAP_SELECTED;
    s->n_view = s->n_recent = 0;
    uint32_t store_recent = 0;
    for (uint32_t i = 0; i < f->n; i++)
        store_recent += (f->msgs[i].flags & MAIL_RECENT) != 0;
    view_add_new(s);
    untagged(s, "FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    untagged(s, examine ? "OK [PERMANENTFLAGS ()] Read-only mailbox."
                        : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] "
                          "Flags permitted.");
    untagged(s, "%u EXISTS", s->n_view);
    untagged(s, "%u RECENT", examine ? store_recent : s->n_recent);
    for (uint32_t i = 0; i < s->n_view; i++) {
        struct mail_msg *m = msg_at(s, i + 1);
        if (m && !(m->flags & MAIL_SEEN)) {
            untagged(s, "OK [UNSEEN %u] First unseen.", i + 1);
            break;
        }
    }
    untagged(s, "OK [UIDVALIDITY %u] UIDs valid", f->uidvalidity);
    untagged(s, "OK [UIDNEXT %u] Predicted next UID", f->uidnext);
    if (s->env->trace) {
        char why[400];
        snprintf(why, sizeof why,
                 "%s is now selected%s: %u message%s EXISTS, numbered 1 to %u. UIDVALIDITY and "
                 "UIDNEXT let a client know whether the unique ids it cached still hold.",
                 f->name, examine ? " read-only (EXAMINE: flags will not change)" : "", s->n_view,
                 s->n_view == 1 ? "" : "s", s->n_view);
        tagged(s, tag, "OK", why, "[%s] %s completed.", examine ? "READ-ONLY" : "READ-WRITE",
               examine ? "Examine" : "Select");
    } else {
        tagged(s, tag, "OK", NULL, "[%s] %s completed.", examine ? "READ-ONLY" : "READ-WRITE",
               examine ? "Examine" : "Select");
    }
}

/* LIST's wildcards (RFC 9051 6.3.9): '*' matches anything, '%' anything
 * but the hierarchy separator. */
static bool list_match(const char *pat, const char *name)
{
    for (; *pat; pat++) {
        if (*pat == '*' || *pat == '%') {
            for (const char *n = name;; n++) {
                if (list_match(pat + 1, n)) return true;
                if (!*n || (*pat == '%' && *n == '/')) return false;
            }
        }
        if (*pat != *name) return false;
        name++;
    }
    return *name == 0;
}

static bool list_match_box(const char *pat, const char *name)
{
    if (list_match(pat, name)) return true;
    if (strcmp(name, "INBOX") != 0) return false;
    char up[MAIL_NAME_MAX * 2 + 8];
    size_t i = 0;
    for (; pat[i] && i + 1 < sizeof up; i++)
        up[i] = i < 5 ? (char)toupper((unsigned char)pat[i]) : pat[i];
    up[i] = 0;
    return list_match(up, name);
}

/* LIST-mailbox: an astring that may also hold '%' and '*'. */
static bool read_list_mailbox(struct imap_parser *ps, char *buf, size_t cap)
{
    char c = imap_peek(ps);
    if (c == '"' || c == '{') return imap_read_astring(ps, buf, cap);
    size_t k = 0;
    while (!imap_at_end(ps)) {
        c = imap_peek(ps);
        if (!(imap_is_atom_char(c) || c == ']' || c == '%' || c == '*')) break;
        if (k + 1 >= cap) return false;
        buf[k++] = c;
        ps->pos++;
    }
    buf[k] = 0;
    return k > 0;
}

static void cmd_list(struct imap_session *s, const char *tag, struct imap_parser *ps, bool lsub)
{
    char ref[MAIL_NAME_MAX * 2], pat[MAIL_NAME_MAX * 2], full[MAIL_NAME_MAX * 4 + 2];
    if (!imap_sp(ps) || !imap_read_astring(ps, ref, sizeof ref) || !imap_sp(ps) ||
        !read_list_mailbox(ps, pat, sizeof pat) || !imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    const char *what = lsub ? "LSUB" : "LIST";
    if (!pat[0]) { /* RFC 9051 6.3.9: the hierarchy delimiter and root */
        if (!lsub) untagged(s, "LIST (\\Noselect) \"/\" \"\"");
    } else {
        snprintf(full, sizeof full, "%s%s", ref, pat);
        for (uint32_t i = 0; i < s->u->n_folders; i++) {
            const struct mail_folder *f = s->u->folders[i];
            if (!list_match_box(full, f->name) || (lsub && !f->subscribed)) continue;
            bool kids = false;
            size_t nl = strlen(f->name);
            for (uint32_t k = 0; k < s->u->n_folders; k++)
                kids |= !strncmp(s->u->folders[k]->name, f->name, nl) &&
                        s->u->folders[k]->name[nl] == '/';
            mbuf_printf(&s->out, "* %s (%s) \"/\" ", what,
                        lsub   ? ""
                        : kids ? "\\HasChildren"
                               : "\\HasNoChildren");
            imap_put_astring(&s->out, f->name, strlen(f->name));
            mbuf_put(&s->out, "\r\n", 2);
        }
    }
    tagged(s, tag, "OK",
           lsub ? "LSUB lists the subscribed mailboxes whose names match the pattern."
                : "LIST names the mailboxes that match the pattern (* matches any name, % any "
                  "name up to the next \"/\"), with the hierarchy separator \"/\".",
           "%s completed.", lsub ? "Lsub" : "List");
}

static void cmd_status(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char name[MAIL_NAME_MAX * 2], item[32];
    if (!read_mailbox(s, tag, ps, name, sizeof name)) return;
    if (!imap_sp(ps) || !imap_accept(ps, '(')) {
        bad_args(s, tag);
        return;
    }
    struct mail_folder *f = mail_folder_find(s->u, name);
    struct mail_buf b = {0};
    bool ok = true, first = true;
    do {
        if (!imap_read_atom(ps, item, sizeof item, false)) {
            ok = false;
            break;
        }
        uint32_t v = 0;
        if (!strcasecmp(item, "MESSAGES")) {
            v = f ? f->n : 0;
        } else if (!strcasecmp(item, "RECENT")) {
            for (uint32_t i = 0; f && i < f->n; i++)
                v += (f->msgs[i].flags & MAIL_RECENT) != 0;
        } else if (!strcasecmp(item, "UIDNEXT")) {
            v = f ? f->uidnext : 0;
        } else if (!strcasecmp(item, "UIDVALIDITY")) {
            v = f ? f->uidvalidity : 0;
        } else if (!strcasecmp(item, "UNSEEN")) {
            for (uint32_t i = 0; f && i < f->n; i++)
                v += !(f->msgs[i].flags & MAIL_SEEN);
        } else {
            ok = false;
            break;
        }
        for (char *c = item; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        mbuf_printf(&b, "%s%s %u", first ? "" : " ", item, v);
        first = false;
    } while (imap_sp(ps));
    if (!ok || !imap_accept(ps, ')') || !imap_at_end(ps)) {
        mbuf_free(&b);
        bad_args(s, tag);
        return;
    }
    if (!f) {
        mbuf_free(&b);
        no_mailbox(s, tag, name, false);
        return;
    }
    mbuf_puts(&s->out, "* STATUS ");
    imap_put_astring(&s->out, f->name, strlen(f->name));
    mbuf_printf(&s->out, " (%s)\r\n", b.p);
    mbuf_free(&b);
    tagged(s, tag, "OK", "STATUS counts a mailbox's messages without selecting it.",
           "Status completed.");
}

static void cmd_create(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char name[MAIL_NAME_MAX * 2];
    if (!read_mailbox(s, tag, ps, name, sizeof name)) return;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == '/') name[n - 1] = 0; /* RFC 9051 6.3.4 */
    if (mail_folder_find(s->u, name)) {
        tagged(s, tag, "NO", "A mailbox with this name exists already.",
               "[ALREADYEXISTS] Mailbox already exists");
        return;
    }
    if (!mail_folder_create(s->env->store, s->u, name)) {
        tagged(s, tag, "NO",
               "Mailbox names here are at most 64 characters, without control characters, "
               "quotes, backslashes or wildcards, and a user has at most 64 mailboxes.",
               "[CANNOT] Invalid mailbox name");
        return;
    }
    tagged(s, tag, "OK", "The new mailbox exists now, empty; COPY and MOVE can fill it.",
           "Create completed.");
}

static void cmd_delete(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char name[MAIL_NAME_MAX * 2];
    if (!read_mailbox(s, tag, ps, name, sizeof name)) return;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    if (!strcasecmp(name, "INBOX")) {
        tagged(s, tag, "NO", "INBOX is where new mail arrives: it cannot be deleted.",
               "INBOX can't be deleted.");
        return;
    }
    struct mail_folder *f = mail_folder_find(s->u, name);
    if (!f) {
        no_mailbox(s, tag, name, false);
        return;
    }
    if (mail_folder_delete(s->u, name) < 0) {
        tagged(s, tag, "NO", "A session has this mailbox selected; deselect it (CLOSE) first.",
               "[INUSE] Mailbox is in use.");
        return;
    }
    tagged(s, tag, "OK", "The mailbox and every message in it are gone.", "Delete completed.");
}

static void cmd_rename(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char old[MAIL_NAME_MAX * 2], name[MAIL_NAME_MAX * 2];
    if (!read_mailbox(s, tag, ps, old, sizeof old) || !read_mailbox(s, tag, ps, name, sizeof name))
        return;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    if (!mail_folder_find(s->u, old)) {
        no_mailbox(s, tag, old, false);
        return;
    }
    if (mail_folder_rename(s->u, old, name) < 0) {
        tagged(s, tag, "NO",
               "The new name is taken or not valid, or the old one is INBOX (which this server "
               "does not rename).",
               "[CANNOT] Can't rename mailbox.");
        return;
    }
    tagged(s, tag, "OK", "The mailbox has its new name; its messages and UIDs are kept.",
           "Rename completed.");
}

static void cmd_subscribe(struct imap_session *s, const char *tag, struct imap_parser *ps, bool on)
{
    char name[MAIL_NAME_MAX * 2];
    if (!read_mailbox(s, tag, ps, name, sizeof name)) return;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    struct mail_folder *f = mail_folder_find(s->u, name);
    if (!f) {
        no_mailbox(s, tag, name, false);
        return;
    }
    f->subscribed = on;
    tagged(s, tag, "OK", "The subscription list (LSUB) is what a client shows by default.",
           "%s completed.", on ? "Subscribe" : "Unsubscribe");
}

/* flag-list or the flags of STORE: system flags only. Returns false after
 * a reply. */
static bool read_flags(struct imap_session *s, const char *tag, struct imap_parser *ps,
                       uint32_t *out)
{
    bool paren = imap_accept(ps, '(');
    *out = 0;
    if (paren && imap_accept(ps, ')')) return true;
    do {
        char name[64];
        bool sys = imap_accept(ps, '\\');
        if (!imap_read_atom(ps, name, sizeof name, false)) {
            bad_args(s, tag);
            return false;
        }
        static const struct {
            const char *name;
            uint32_t bit;
        } sysflags[] = {{"Seen", MAIL_SEEN},
                        {"Answered", MAIL_ANSWERED},
                        {"Flagged", MAIL_FLAGGED},
                        {"Deleted", MAIL_DELETED},
                        {"Draft", MAIL_DRAFT}};
        uint32_t bit = 0;
        for (size_t i = 0; sys && i < sizeof sysflags / sizeof sysflags[0]; i++)
            if (!strcasecmp(name, sysflags[i].name)) bit = sysflags[i].bit;
        if (!sys) {
            tagged(s, tag, "NO",
                   "Flags without a backslash are keywords; this server keeps only the system "
                   "flags (\\Seen \\Answered \\Flagged \\Deleted \\Draft).",
                   "[CANNOT] Keywords are not supported here.");
            return false;
        }
        if (!bit) {
            char what[100];
            snprintf(what, sizeof what, "Invalid system flag \\%s", name);
            bad(s, tag, what,
                "The system flags are \\Seen \\Answered \\Flagged \\Deleted \\Draft (\\Recent is "
                "set by the server only).");
            return false;
        }
        *out |= bit;
    } while (imap_sp(ps));
    if (paren && !imap_accept(ps, ')')) {
        bad_args(s, tag);
        return false;
    }
    return true;
}

static void cmd_append(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    char name[MAIL_NAME_MAX * 2], buf[128];
    if (!read_mailbox(s, tag, ps, name, sizeof name)) return;
    if (!imap_sp(ps)) {
        bad_args(s, tag);
        return;
    }
    uint32_t flags = 0;
    if (imap_peek(ps) == '(') {
        if (!read_flags(s, tag, ps, &flags)) return;
        if (!imap_sp(ps)) {
            bad_args(s, tag);
            return;
        }
    }
    const char *data;
    size_t n;
    if (imap_peek(ps) == '"') { /* date-time: accepted, the internal date is "now" */
        if (!imap_read_string(ps, buf, sizeof buf, &data, &n) || !imap_sp(ps)) {
            bad_args(s, tag);
            return;
        }
    }
    if (imap_peek(ps) != '{' || !imap_read_string(ps, buf, sizeof buf, &data, &n) ||
        !imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    struct mail_folder *f = mail_folder_find(s->u, name);
    if (!f) {
        no_mailbox(s, tag, name, true);
        return;
    }
    if (!mail_append(f, data, n, flags | MAIL_RECENT, s->env->now)) {
        tagged(s, tag, "NO", "The mailbox is full.", "[LIMIT] Mailbox is full.");
        return;
    }
    tagged(s, tag, "OK", "The message from the literal is stored in the mailbox.",
           "Append completed.");
}

/* ---- Selected: FETCH ---- */

enum fetch_kind {
    FI_FLAGS,
    FI_UID,
    FI_SIZE,
    FI_INTERNALDATE,
    FI_ENVELOPE,
    FI_BODYSTRUCTURE,
    FI_BODY, /* BODY without a section: the structure, no extensions */
    FI_SECTION,
    FI_RFC822,
    FI_RFC822_HEADER,
    FI_RFC822_TEXT,
};

enum fetch_section { SEC_ALL, SEC_HEADER, SEC_TEXT, SEC_FIELDS, SEC_FIELDS_NOT };

struct fetch_item {
    enum fetch_kind kind;
    enum fetch_section sec;
    bool peek, partial;
    uint32_t origin, count;
    char spec[200];   /* the section as echoed: "HEADER.FIELDS (FROM SUBJECT)" */
    char fields[200]; /* " FROM SUBJECT " for matching */
};

/* section-spec inside BODY[...]: "", HEADER, TEXT, 1 (the one part),
 * HEADER.FIELDS (names), HEADER.FIELDS.NOT (names). */
static bool read_section(struct imap_parser *ps, struct fetch_item *it)
{
    char word[32];
    it->sec = SEC_ALL;
    it->spec[0] = 0;
    if (imap_peek(ps) == ']') return true;
    size_t k = 0;
    while (!imap_at_end(ps) && k + 1 < sizeof word &&
           (isalnum((unsigned char)imap_peek(ps)) || imap_peek(ps) == '.'))
        word[k++] = (char)toupper((unsigned char)ps->p[ps->pos++]);
    word[k] = 0;
    if (!strcmp(word, "HEADER")) {
        it->sec = SEC_HEADER;
    } else if (!strcmp(word, "TEXT") || !strcmp(word, "1")) {
        it->sec = SEC_TEXT;
    } else if (!strcmp(word, "HEADER.FIELDS") || !strcmp(word, "HEADER.FIELDS.NOT")) {
        it->sec = strlen(word) > 13 ? SEC_FIELDS_NOT : SEC_FIELDS;
        if (!imap_sp(ps) || !imap_accept(ps, '(')) return false;
        size_t o = (size_t)snprintf(it->spec, sizeof it->spec, "%s (", word);
        size_t f = 1;
        it->fields[0] = ' ';
        do {
            char name[64];
            if (!imap_read_astring(ps, name, sizeof name)) return false;
            for (char *c = name; *c; c++)
                *c = (char)toupper((unsigned char)*c);
            size_t nl = strlen(name);
            if (o + nl + 3 >= sizeof it->spec || f + nl + 2 >= sizeof it->fields) return false;
            o += (size_t)snprintf(it->spec + o, sizeof it->spec - o, "%s%s",
                                  it->spec[o - 1] == '(' ? "" : " ", name);
            f += (size_t)snprintf(it->fields + f, sizeof it->fields - f, "%s ", name);
        } while (imap_sp(ps));
        if (!imap_accept(ps, ')')) return false;
        snprintf(it->spec + o, sizeof it->spec - o, ")");
        return true;
    } else {
        return false;
    }
    snprintf(it->spec, sizeof it->spec, "%s", word);
    return true;
}

static bool read_fetch_item(struct imap_parser *ps, struct fetch_item *it)
{
    char name[32];
    size_t k = 0;
    memset(it, 0, sizeof *it);
    while (!imap_at_end(ps) && k + 1 < sizeof name &&
           (isalnum((unsigned char)imap_peek(ps)) || imap_peek(ps) == '.'))
        name[k++] = (char)toupper((unsigned char)ps->p[ps->pos++]);
    name[k] = 0;
    static const struct {
        const char *name;
        enum fetch_kind kind;
    } simple[] = {
        {"FLAGS", FI_FLAGS},
        {"UID", FI_UID},
        {"RFC822.SIZE", FI_SIZE},
        {"INTERNALDATE", FI_INTERNALDATE},
        {"ENVELOPE", FI_ENVELOPE},
        {"BODYSTRUCTURE", FI_BODYSTRUCTURE},
        {"RFC822", FI_RFC822},
        {"RFC822.HEADER", FI_RFC822_HEADER},
        {"RFC822.TEXT", FI_RFC822_TEXT},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (!strcmp(name, simple[i].name)) {
            it->kind = simple[i].kind;
            return true;
        }
    }
    bool body = !strcmp(name, "BODY"), peek = !strcmp(name, "BODY.PEEK");
    if (!body && !peek) return false;
    if (!imap_accept(ps, '[')) {
        it->kind = FI_BODY;
        return body;
    }
    it->kind = FI_SECTION;
    it->peek = peek;
    if (!read_section(ps, it) || !imap_accept(ps, ']')) return false;
    if (imap_accept(ps, '<')) {
        it->partial = true;
        if (!imap_read_number(ps, &it->origin) || !imap_accept(ps, '.') ||
            !imap_read_number(ps, &it->count) || it->count == 0 || !imap_accept(ps, '>'))
            return false;
    }
    return true;
}

/* The FETCH items: a macro, one item, or a parenthesized list. */
static int read_fetch_items(struct imap_parser *ps, struct fetch_item *items)
{
    static const struct {
        const char *name;
        enum fetch_kind kinds[5];
        int n;
    } macros[] = {
        {"ALL", {FI_FLAGS, FI_INTERNALDATE, FI_SIZE, FI_ENVELOPE}, 4},
        {"FAST", {FI_FLAGS, FI_INTERNALDATE, FI_SIZE}, 3},
        {"FULL", {FI_FLAGS, FI_INTERNALDATE, FI_SIZE, FI_ENVELOPE, FI_BODY}, 5},
    };
    for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++) {
        size_t l = strlen(macros[i].name);
        if (ps->len - ps->pos == l && !strncasecmp(ps->p + ps->pos, macros[i].name, l)) {
            ps->pos += l;
            for (int k = 0; k < macros[i].n; k++) {
                memset(&items[k], 0, sizeof items[k]);
                items[k].kind = macros[i].kinds[k];
            }
            return macros[i].n;
        }
    }
    if (!imap_accept(ps, '(')) return read_fetch_item(ps, &items[0]) ? 1 : -1;
    int n = 0;
    do {
        if (n == FETCH_ITEMS || !read_fetch_item(ps, &items[n])) return -1;
        n++;
    } while (imap_sp(ps));
    return imap_accept(ps, ')') ? n : -1;
}

/* The header lines of m whose names are (or, for .NOT, are not) in
 * fields, then the blank line (RFC 9051 6.4.5). */
static void header_fields(struct mail_buf *b, const struct mail_msg *m, const char *fields,
                          bool not )
{
    size_t hl = mail_header_len(m->data, m->len), i = 0;
    bool keep = false;
    while (i < hl) {
        const char *nl = memchr(m->data + i, '\n', hl - i);
        size_t e = nl ? (size_t)(nl - m->data) + 1 : hl;
        const char *line = m->data + i;
        if (line[0] == '\r' || line[0] == '\n') break;
        if (line[0] != ' ' && line[0] != '\t') {
            const char *colon = memchr(line, ':', e - i);
            keep = false;
            if (colon && colon - line < 60) {
                char name[64];
                name[0] = ' ';
                size_t k = 1;
                for (const char *c = line; c < colon; c++)
                    name[k++] = (char)toupper((unsigned char)*c);
                name[k++] = ' ';
                name[k] = 0;
                keep = (strstr(fields, name) != NULL) != not ;
            }
        }
        if (keep) mbuf_put(b, line, e - i);
        i = e;
    }
    mbuf_put(b, "\r\n", 2);
}

/* ENVELOPE's address list from a header value: "Name <a@b>, c@d". */
static void put_addresses(struct mail_buf *b, const char *v)
{
    if (!v || !*v) {
        mbuf_puts(b, "NIL");
        return;
    }
    mbuf_put(b, "(", 1);
    const char *p = v;
    bool any = false;
    while (*p) {
        /* one address: up to a comma outside quotes and angle brackets */
        const char *e = p;
        bool q = false;
        int angle = 0;
        for (; *e && (q || angle || *e != ','); e++) {
            if (*e == '"') q = !q;
            if (!q && *e == '<') angle++;
            if (!q && *e == '>' && angle) angle--;
        }
        const char *lt = NULL, *gt = NULL;
        for (const char *c = p; c < e; c++) {
            if (*c == '<' && !lt) lt = c;
            if (*c == '>' && lt) gt = c;
        }
        const char *as = lt && gt ? lt + 1 : p, *ae = lt && gt ? gt : e;
        while (as < ae && isspace((unsigned char)*as))
            as++;
        while (ae > as && isspace((unsigned char)ae[-1]))
            ae--;
        if (ae > as) {
            const char *ns = p, *ne = lt && gt ? lt : p;
            while (ns < ne && isspace((unsigned char)*ns))
                ns++;
            while (ne > ns && isspace((unsigned char)ne[-1]))
                ne--;
            if (ne - ns >= 2 && *ns == '"' && ne[-1] == '"') {
                ns++;
                ne--;
            }
            const char *at = memchr(as, '@', (size_t)(ae - as));
            mbuf_put(b, "(", 1);
            imap_put_nstring(b, ne > ns ? ns : NULL, (size_t)(ne - ns));
            mbuf_puts(b, " NIL ");
            imap_put_nstring(b, as, (size_t)((at ? at : ae) - as));
            mbuf_put(b, " ", 1);
            imap_put_nstring(b, at ? at + 1 : NULL, at ? (size_t)(ae - at - 1) : 0);
            mbuf_put(b, ")", 1);
            any = true;
        }
        p = *e ? e + 1 : e;
    }
    if (!any) {
        b->len--; /* the "(" */
        mbuf_puts(b, "NIL");
        return;
    }
    mbuf_put(b, ")", 1);
}

static void put_envelope(struct mail_buf *b, const struct mail_msg *m)
{
    static const char *const strs[] = {"Date", "Subject"};
    static const char *const addrs[] = {"From", "Sender", "Reply-To", "To", "Cc", "Bcc"};
    char v[1024], from[1024];
    mbuf_put(b, "(", 1);
    for (int i = 0; i < 2; i++) {
        bool has = mail_header_get(m->data, m->len, strs[i], v, sizeof v);
        imap_put_nstring(b, has ? v : NULL, strlen(v));
        mbuf_put(b, " ", 1);
    }
    bool has_from = mail_header_get(m->data, m->len, "From", from, sizeof from);
    for (int i = 0; i < 6; i++) {
        bool has = mail_header_get(m->data, m->len, addrs[i], v, sizeof v);
        /* RFC 9051 7.5.2: Sender and Reply-To default to From */
        if (!has && (i == 1 || i == 2) && has_from)
            put_addresses(b, from);
        else
            put_addresses(b, has ? v : NULL);
        mbuf_put(b, " ", 1);
    }
    bool has = mail_header_get(m->data, m->len, "In-Reply-To", v, sizeof v);
    imap_put_nstring(b, has ? v : NULL, strlen(v));
    mbuf_put(b, " ", 1);
    has = mail_header_get(m->data, m->len, "Message-ID", v, sizeof v);
    imap_put_nstring(b, has ? v : NULL, strlen(v));
    mbuf_put(b, ")", 1);
}

/* One part: its Content-Type when it is not multipart, else text/plain. */
static void put_bodystructure(struct mail_buf *b, const struct mail_msg *m, bool ext)
{
    char ct[256], type[64] = "text", sub[64] = "plain", cs[64] = "us-ascii";
    if (mail_header_get(m->data, m->len, "Content-Type", ct, sizeof ct)) {
        char t[64] = "", st[64] = "";
        if (sscanf(ct, "%63[^/ ;]/%63[^ ;]", t, st) == 2 && strcasecmp(t, "multipart") != 0) {
            snprintf(type, sizeof type, "%s", t);
            snprintf(sub, sizeof sub, "%s", st);
            for (char *c = type; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            for (char *c = sub; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            const char *p = strstr(ct, "charset=");
            if (!p) p = strstr(ct, "CHARSET=");
            if (p && sscanf(p + 8, "\"%63[^\"]", cs) != 1) sscanf(p + 8, "%63[^ ;]", cs);
        }
    }
    size_t hl = mail_header_len(m->data, m->len);
    mbuf_put(b, "(", 1);
    imap_put_nstring(b, type, strlen(type));
    mbuf_put(b, " ", 1);
    imap_put_nstring(b, sub, strlen(sub));
    mbuf_puts(b, " (\"charset\" ");
    imap_put_nstring(b, cs, strlen(cs));
    mbuf_printf(b, ") NIL NIL \"7bit\" %zu", m->len - hl);
    if (!strcasecmp(type, "text"))
        mbuf_printf(b, " %u", mail_count_lines(m->data + hl, m->len - hl));
    if (ext) mbuf_puts(b, " NIL NIL NIL NIL");
    mbuf_put(b, ")", 1);
}

/* The bytes a body item names, with its partial range applied. */
static void put_body_item(struct mail_buf *b, const struct fetch_item *it, const struct mail_msg *m)
{
    size_t hl = mail_header_len(m->data, m->len);
    struct mail_buf part = {0};
    const char *p = m->data;
    size_t n = m->len;
    enum fetch_section sec = it->sec;
    if (it->kind == FI_RFC822_HEADER) sec = SEC_HEADER;
    if (it->kind == FI_RFC822_TEXT) sec = SEC_TEXT;
    if (it->kind == FI_RFC822) sec = SEC_ALL;
    switch (sec) {
    case SEC_ALL:
        break;
    case SEC_HEADER:
        n = hl;
        break;
    case SEC_TEXT:
        p = m->data + hl;
        n = m->len - hl;
        break;
    case SEC_FIELDS:
    case SEC_FIELDS_NOT:
        header_fields(&part, m, it->fields, sec == SEC_FIELDS_NOT);
        p = part.p;
        n = part.len;
        break;
    }
    if (it->kind == FI_SECTION) {
        mbuf_printf(b, "BODY[%s]", it->spec);
        if (it->partial) {
            mbuf_printf(b, "<%u>", it->origin);
            if (it->origin >= n) {
                n = 0;
            } else {
                p += it->origin;
                n -= it->origin;
                if (n > it->count) n = it->count;
            }
        }
    } else {
        mbuf_puts(b, it->kind == FI_RFC822          ? "RFC822"
                     : it->kind == FI_RFC822_HEADER ? "RFC822.HEADER"
                                                    : "RFC822.TEXT");
    }
    mbuf_put(b, " ", 1);
    imap_put_literal(b, p ? p : "", n);
    mbuf_free(&part);
}

static void fetch_one(struct imap_session *s, uint32_t seq, struct mail_msg *m,
                      const struct fetch_item *items, int n, bool uid)
{
    struct mail_buf *b = &s->out;
    bool flags_asked = false, uid_asked = false, set_seen = false;
    for (int i = 0; i < n; i++) {
        flags_asked |= items[i].kind == FI_FLAGS;
        uid_asked |= items[i].kind == FI_UID;
        /* RFC 9051 6.4.5: BODY[...] (not .PEEK), RFC822 and RFC822.TEXT set \Seen */
        set_seen |= (items[i].kind == FI_SECTION && !items[i].peek) || items[i].kind == FI_RFC822 ||
                    items[i].kind == FI_RFC822_TEXT;
    }
    bool changed = false;
    if (set_seen && !s->readonly && !(m->flags & MAIL_SEEN)) {
        m->flags |= MAIL_SEEN;
        changed = true;
    }
    mbuf_printf(b, "* %u FETCH (", seq);
    bool first = true;
    if (uid && !uid_asked) { /* RFC 9051 6.4.9: UID FETCH always gives the UID */
        mbuf_printf(b, "UID %u", m->uid);
        first = false;
    }
    for (int i = 0; i < n; i++) {
        const struct fetch_item *it = &items[i];
        if (!first) mbuf_put(b, " ", 1);
        first = false;
        switch (it->kind) {
        case FI_FLAGS:
            mbuf_puts(b, "FLAGS ");
            put_flags(b, m->flags, is_recent(s, m->uid));
            break;
        case FI_UID:
            mbuf_printf(b, "UID %u", m->uid);
            break;
        case FI_SIZE:
            mbuf_printf(b, "RFC822.SIZE %zu", m->len);
            break;
        case FI_INTERNALDATE: {
            char d[40];
            mail_date_imap(m->date, d, sizeof d);
            mbuf_printf(b, "INTERNALDATE \"%s\"", d);
            break;
        }
        case FI_ENVELOPE:
            mbuf_puts(b, "ENVELOPE ");
            put_envelope(b, m);
            break;
        case FI_BODYSTRUCTURE:
            mbuf_puts(b, "BODYSTRUCTURE ");
            put_bodystructure(b, m, true);
            break;
        case FI_BODY:
            mbuf_puts(b, "BODY ");
            put_bodystructure(b, m, false);
            break;
        case FI_SECTION:
        case FI_RFC822:
        case FI_RFC822_HEADER:
        case FI_RFC822_TEXT:
            put_body_item(b, it, m);
            break;
        }
    }
    if (changed && !flags_asked) { /* the client learns of the \Seen it caused */
        mbuf_puts(b, " FLAGS ");
        put_flags(b, m->flags, is_recent(s, m->uid));
    }
    mbuf_puts(b, ")\r\n");
}

static void cmd_fetch(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid)
{
    struct imap_seqset *set = malloc(sizeof *set);
    struct fetch_item *items = malloc(FETCH_ITEMS * sizeof *items);
    if (!set || !items) abort();
    int n = 0;
    if (!imap_sp(ps) || !read_set(s, tag, ps, uid, set)) goto out;
    if (!imap_sp(ps) || (n = read_fetch_items(ps, items)) < 0 || !imap_at_end(ps)) {
        if (s->env->trace) {
            bad(s, tag, "Invalid arguments.",
                "FETCH takes a message set and what to fetch: one item (FLAGS, UID, "
                "RFC822.SIZE, ENVELOPE, BODY[], BODY.PEEK[], BODY[HEADER], BODY[TEXT]...) or a "
                "list of them in parentheses.");
        } else {
            bad(s, tag, "Invalid arguments.", NULL);
        }
        goto out;
    }
    uint32_t count = 0;
    for (uint32_t seq = 1; seq <= s->n_view; seq++) {
        if (!in_set(s, set, uid, seq)) continue;
        struct mail_msg *m = msg_at(s, seq);
        if (!m) continue;
        fetch_one(s, seq, m, items, n, uid);
        count++;
    }
    if (s->env->trace) {
        char why[300];
        snprintf(why, sizeof why,
                 "One untagged FETCH response per message (%u here), each item as asked; message "
                 "text comes as a literal, {size} then exactly that many bytes.",
                 count);
        tagged(s, tag, "OK", why, "Fetch completed.");
    } else {
        tagged(s, tag, "OK", NULL, "Fetch completed.");
    }
out:
    free(set);
    free(items);
}

/* ---- Selected: STORE ---- */

static void cmd_store(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid)
{
    struct imap_seqset *set = malloc(sizeof *set);
    if (!set) abort();
    char what[32];
    uint32_t flags;
    if (!imap_sp(ps) || !read_set(s, tag, ps, uid, set)) goto out;
    if (!imap_sp(ps)) {
        bad_args(s, tag);
        goto out;
    }
    char op = imap_accept(ps, '+') ? '+' : imap_accept(ps, '-') ? '-' : '=';
    if (!imap_read_atom(ps, what, sizeof what, false) || !imap_sp(ps)) {
        bad_args(s, tag);
        goto out;
    }
    bool silent = !strcasecmp(what, "FLAGS.SILENT");
    if (!silent && strcasecmp(what, "FLAGS") != 0) {
        bad_args(s, tag);
        goto out;
    }
    if (!read_flags(s, tag, ps, &flags)) goto out;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        goto out;
    }
    if (s->readonly) {
        tagged(s, tag, "NO",
               "The mailbox was opened with EXAMINE (read-only): flags cannot change. SELECT "
               "opens it read-write.",
               "Mailbox is read-only.");
        goto out;
    }
    for (uint32_t seq = 1; seq <= s->n_view; seq++) {
        if (!in_set(s, set, uid, seq)) continue;
        struct mail_msg *m = msg_at(s, seq);
        if (!m) continue;
        uint32_t keep = m->flags & MAIL_RECENT;
        if (op == '+')
            m->flags |= flags;
        else if (op == '-')
            m->flags &= ~flags;
        else
            m->flags = flags | keep;
        if (silent) continue;
        mbuf_printf(&s->out, "* %u FETCH (", seq);
        if (uid) mbuf_printf(&s->out, "UID %u ", m->uid);
        mbuf_puts(&s->out, "FLAGS ");
        put_flags(&s->out, m->flags, is_recent(s, m->uid));
        mbuf_puts(&s->out, ")\r\n");
    }
    tagged(s, tag, "OK",
           silent ? "The flags are set; .SILENT asks the server not to echo them back."
                  : "The flags are set; an untagged FETCH shows each message's flags now. "
                    "\\Deleted only marks: EXPUNGE or CLOSE removes the message.",
           "Store completed.");
out:
    free(set);
}

/* ---- Selected: SEARCH ---- */

enum skind {
    SK_ALL,
    SK_AND,
    SK_OR,
    SK_NOT,
    SK_FLAG,   /* num = flag bit set */
    SK_UNFLAG, /* num = flag bit clear */
    SK_NEW,
    SK_OLD,
    SK_RECENT,
    SK_NONE, /* KEYWORD x: no keywords here */
    SK_HEADER,
    SK_BODY,
    SK_TEXT,
    SK_LARGER,
    SK_SMALLER,
    SK_BEFORE,
    SK_ON,
    SK_SINCE,
    SK_SEQ,
    SK_UIDSET,
};

struct skey {
    enum skind kind;
    int child, next; /* first child (AND, OR, NOT) and next sibling, -1 = none */
    uint32_t num;
    long day;
    char hdr[64];
    char *str;
    struct imap_seqset *set;
};

struct search {
    struct skey k[SEARCH_KEYS];
    int n;
};

static int skey_new(struct search *sr, enum skind kind)
{
    if (sr->n == SEARCH_KEYS) return -1;
    struct skey *k = &sr->k[sr->n];
    memset(k, 0, sizeof *k);
    k->kind = kind;
    k->child = k->next = -1;
    return sr->n++;
}

static void search_free(struct search *sr)
{
    for (int i = 0; i < sr->n; i++) {
        free(sr->k[i].str);
        free(sr->k[i].set);
    }
}

static int read_skey(struct imap_session *s, struct search *sr, struct imap_parser *ps, int depth);

/* Keys separated by spaces, up to ')' or the end: an AND. */
static int read_skeys(struct imap_session *s, struct search *sr, struct imap_parser *ps, int depth,
                      bool paren)
{
    int and = skey_new(sr, SK_AND), last = -1;
    if (and < 0) return -1;
    do {
        int k = read_skey(s, sr, ps, depth + 1);
        if (k < 0) return -1;
        if (last < 0)
            sr->k[and].child = k;
        else
            sr->k[last].next = k;
        last = k;
    } while (imap_sp(ps));
    if (paren ? !imap_accept(ps, ')') : !imap_at_end(ps)) return -1;
    return and;
}

static int read_skey(struct imap_session *s, struct search *sr, struct imap_parser *ps, int depth)
{
    if (depth > 16) return -1;
    if (imap_accept(ps, '(')) return read_skeys(s, sr, ps, depth, true);
    char c = imap_peek(ps);
    if (isdigit((unsigned char)c) || c == '*') {
        int k = skey_new(sr, SK_SEQ);
        if (k < 0) return -1;
        sr->k[k].set = malloc(sizeof *sr->k[k].set);
        if (!sr->k[k].set) abort();
        if (!imap_read_seqset(ps, sr->k[k].set)) return -1;
        imap_seq_resolve(sr->k[k].set, s->n_view);
        return k;
    }
    char w[32];
    if (!imap_read_atom(ps, w, sizeof w, false)) return -1;
    for (char *p = w; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    static const struct {
        const char *name;
        enum skind kind;
        uint32_t bit;
    } flagkeys[] = {
        {"ALL", SK_ALL, 0},
        {"ANSWERED", SK_FLAG, MAIL_ANSWERED},
        {"DELETED", SK_FLAG, MAIL_DELETED},
        {"DRAFT", SK_FLAG, MAIL_DRAFT},
        {"FLAGGED", SK_FLAG, MAIL_FLAGGED},
        {"SEEN", SK_FLAG, MAIL_SEEN},
        {"UNANSWERED", SK_UNFLAG, MAIL_ANSWERED},
        {"UNDELETED", SK_UNFLAG, MAIL_DELETED},
        {"UNDRAFT", SK_UNFLAG, MAIL_DRAFT},
        {"UNFLAGGED", SK_UNFLAG, MAIL_FLAGGED},
        {"UNSEEN", SK_UNFLAG, MAIL_SEEN},
        {"NEW", SK_NEW, 0},
        {"OLD", SK_OLD, 0},
        {"RECENT", SK_RECENT, 0},
    };
    for (size_t i = 0; i < sizeof flagkeys / sizeof flagkeys[0]; i++) {
        if (strcmp(w, flagkeys[i].name) != 0) continue;
        int k = skey_new(sr, flagkeys[i].kind);
        if (k >= 0) sr->k[k].num = flagkeys[i].bit;
        return k;
    }
    if (!strcmp(w, "NOT")) {
        int k = skey_new(sr, SK_NOT);
        if (k < 0 || !imap_sp(ps)) return -1;
        int a = read_skey(s, sr, ps, depth + 1);
        if (a < 0) return -1;
        sr->k[k].child = a;
        return k;
    }
    if (!strcmp(w, "OR")) {
        int k = skey_new(sr, SK_OR);
        if (k < 0 || !imap_sp(ps)) return -1;
        int a = read_skey(s, sr, ps, depth + 1);
        if (a < 0 || !imap_sp(ps)) return -1;
        int b = read_skey(s, sr, ps, depth + 1);
        if (b < 0) return -1;
        sr->k[k].child = a;
        sr->k[a].next = b;
        return k;
    }
    if (!strcmp(w, "UID")) {
        int k = skey_new(sr, SK_UIDSET);
        if (k < 0 || !imap_sp(ps)) return -1;
        sr->k[k].set = malloc(sizeof *sr->k[k].set);
        if (!sr->k[k].set) abort();
        if (!imap_read_seqset(ps, sr->k[k].set)) return -1;
        imap_seq_resolve(sr->k[k].set, s->n_view ? s->view[s->n_view - 1] : 0);
        return k;
    }
    if (!strcmp(w, "LARGER") || !strcmp(w, "SMALLER")) {
        int k = skey_new(sr, w[0] == 'L' ? SK_LARGER : SK_SMALLER);
        if (k < 0 || !imap_sp(ps) || !imap_read_number(ps, &sr->k[k].num)) return -1;
        return k;
    }
    if (!strcmp(w, "BEFORE") || !strcmp(w, "ON") || !strcmp(w, "SINCE")) {
        int k = skey_new(sr, w[0] == 'B' ? SK_BEFORE : w[0] == 'O' ? SK_ON : SK_SINCE);
        char d[32];
        if (k < 0 || !imap_sp(ps) || !imap_read_astring(ps, d, sizeof d)) return -1;
        sr->k[k].day = mail_parse_imap_date(d);
        return sr->k[k].day < 0 ? -1 : k;
    }
    if (!strcmp(w, "KEYWORD") || !strcmp(w, "UNKEYWORD")) {
        char kw[64];
        int k = skey_new(sr, w[0] == 'K' ? SK_NONE : SK_ALL);
        if (k < 0 || !imap_sp(ps) || !imap_read_atom(ps, kw, sizeof kw, false)) return -1;
        return k;
    }
    /* the string keys */
    static const struct {
        const char *name;
        enum skind kind;
        const char *hdr;
    } strkeys[] = {
        {"BCC", SK_HEADER, "Bcc"},         {"CC", SK_HEADER, "Cc"},     {"FROM", SK_HEADER, "From"},
        {"SUBJECT", SK_HEADER, "Subject"}, {"TO", SK_HEADER, "To"},     {"BODY", SK_BODY, NULL},
        {"TEXT", SK_TEXT, NULL},           {"HEADER", SK_HEADER, NULL},
    };
    for (size_t i = 0; i < sizeof strkeys / sizeof strkeys[0]; i++) {
        if (strcmp(w, strkeys[i].name) != 0) continue;
        int k = skey_new(sr, strkeys[i].kind);
        if (k < 0 || !imap_sp(ps)) return -1;
        if (strkeys[i].hdr) {
            snprintf(sr->k[k].hdr, sizeof sr->k[k].hdr, "%s", strkeys[i].hdr);
        } else if (strkeys[i].kind == SK_HEADER) {
            if (!imap_read_astring(ps, sr->k[k].hdr, sizeof sr->k[k].hdr) || !imap_sp(ps))
                return -1;
        }
        char *buf = malloc(SEARCH_STR_MAX);
        if (!buf) abort();
        sr->k[k].str = buf;
        return imap_read_astring(ps, buf, SEARCH_STR_MAX) ? k : -1;
    }
    return -1;
}

static bool search_eval(const struct imap_session *s, const struct search *sr, int i, uint32_t seq,
                        const struct mail_msg *m)
{
    const struct skey *k = &sr->k[i];
    char v[2048];
    switch (k->kind) {
    case SK_ALL:
        return true;
    case SK_NONE:
        return false;
    case SK_AND:
        for (int c = k->child; c >= 0; c = sr->k[c].next)
            if (!search_eval(s, sr, c, seq, m)) return false;
        return true;
    case SK_OR:
        return search_eval(s, sr, k->child, seq, m) ||
               search_eval(s, sr, sr->k[k->child].next, seq, m);
    case SK_NOT:
        return !search_eval(s, sr, k->child, seq, m);
    case SK_FLAG:
        return (m->flags & k->num) != 0;
    case SK_UNFLAG:
        return (m->flags & k->num) == 0;
    case SK_RECENT:
        return is_recent(s, m->uid);
    case SK_OLD:
        return !is_recent(s, m->uid);
    case SK_NEW:
        return is_recent(s, m->uid) && !(m->flags & MAIL_SEEN);
    case SK_HEADER:
        if (!mail_header_get(m->data, m->len, k->hdr, v, sizeof v)) return false;
        return mail_contains_ci(v, strlen(v), k->str);
    case SK_BODY: {
        size_t hl = mail_header_len(m->data, m->len);
        return mail_contains_ci(m->data + hl, m->len - hl, k->str);
    }
    case SK_TEXT:
        return mail_contains_ci(m->data, m->len, k->str);
    case SK_LARGER:
        return m->len > k->num;
    case SK_SMALLER:
        return m->len < k->num;
    case SK_BEFORE:
        return mail_unix_time(m->date) / 86400 < k->day;
    case SK_ON:
        return mail_unix_time(m->date) / 86400 == k->day;
    case SK_SINCE:
        return mail_unix_time(m->date) / 86400 >= k->day;
    case SK_SEQ:
        return imap_seq_contains(k->set, seq);
    case SK_UIDSET:
        return imap_seq_contains(k->set, m->uid);
    }
    return false;
}

static void cmd_search(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid)
{
    struct search *sr = calloc(1, sizeof *sr);
    if (!sr) abort();
    if (!imap_sp(ps)) {
        bad_args(s, tag);
        goto out;
    }
    size_t at = ps->pos;
    char w[16], cs[32];
    if (imap_read_atom(ps, w, sizeof w, false) && !strcasecmp(w, "CHARSET")) {
        if (!imap_sp(ps) || !imap_read_astring(ps, cs, sizeof cs) || !imap_sp(ps)) {
            bad_args(s, tag);
            goto out;
        }
        if (strcasecmp(cs, "UTF-8") && strcasecmp(cs, "US-ASCII")) {
            tagged(s, tag, "NO", "The server searches in US-ASCII and UTF-8 only.",
                   "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
            goto out;
        }
    } else {
        ps->pos = at;
    }
    int root = read_skeys(s, sr, ps, 0, false);
    if (root < 0) {
        bad(s, tag, "Invalid search arguments.",
            "SEARCH takes criteria such as ALL, SEEN, UNSEEN, FROM \"ann\", SUBJECT \"hi\", "
            "NOT x, OR x y, combined by spaces (all must hold).");
        goto out;
    }
    mbuf_puts(&s->out, "* SEARCH");
    uint32_t hits = 0;
    for (uint32_t seq = 1; seq <= s->n_view; seq++) {
        struct mail_msg *m = msg_at(s, seq);
        if (!m || !search_eval(s, sr, root, seq, m)) continue;
        mbuf_printf(&s->out, " %u", uid ? m->uid : seq);
        hits++;
    }
    mbuf_puts(&s->out, "\r\n");
    if (s->env->trace) {
        char why[200];
        snprintf(why, sizeof why,
                 "The untagged SEARCH response lists the %s of the %u message%s that match "
                 "every criterion.",
                 uid ? "UIDs" : "sequence numbers", hits, hits == 1 ? "" : "s");
        tagged(s, tag, "OK", why, "Search completed.");
    } else {
        tagged(s, tag, "OK", NULL, "Search completed.");
    }
out:
    search_free(sr);
    free(sr);
}

/* ---- Selected: COPY, MOVE, EXPUNGE, CLOSE ---- */

static void cmd_copy(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid,
                     bool move)
{
    struct imap_seqset *set = malloc(sizeof *set);
    if (!set) abort();
    char name[MAIL_NAME_MAX * 2];
    if (!imap_sp(ps) || !read_set(s, tag, ps, uid, set)) goto out;
    if (!read_mailbox(s, tag, ps, name, sizeof name)) goto out;
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        goto out;
    }
    struct mail_folder *dst = mail_folder_find(s->u, name);
    if (!dst) {
        no_mailbox(s, tag, name, true);
        goto out;
    }
    if (move && s->readonly) {
        tagged(s, tag, "NO", "MOVE removes messages, which a read-only (EXAMINE) mailbox forbids.",
               "Mailbox is read-only.");
        goto out;
    }
    if (move && dst == s->sel) {
        tagged(s, tag, "NO", "MOVE needs another mailbox than the selected one.",
               "[CANNOT] Source and destination mailbox are the same.");
        goto out;
    }
    /* the UIDs first: sequence numbers shift as messages are expunged */
    uint32_t *uids = malloc((s->n_view ? s->n_view : 1) * sizeof *uids), n = 0;
    if (!uids) abort();
    for (uint32_t seq = 1; seq <= s->n_view; seq++) {
        if (!in_set(s, set, uid, seq)) continue;
        struct mail_msg *m = msg_at(s, seq);
        if (!m) continue;
        uint32_t flags = m->flags | MAIL_RECENT;
        if (!mail_append(dst, m->data, m->len, flags, m->date)) break;
        uids[n++] = m->uid;
    }
    for (uint32_t i = 0; move && i < n; i++) {
        long k = mail_folder_index(s->sel, uids[i]);
        if (k >= 0) mail_remove(s->sel, (uint32_t)k);
        for (uint32_t seq = 1; seq <= s->n_view; seq++) {
            if (s->view[seq - 1] != uids[i]) continue;
            view_expunged(s, seq);
            break;
        }
    }
    free(uids);
    if (s->env->trace) {
        char why[300];
        snprintf(why, sizeof why,
                 move ? "%u message%s moved to %s: copied there, then expunged here (the "
                        "untagged EXPUNGE responses)."
                      : "%u message%s copied to %s with their flags; the originals stay.",
                 n, n == 1 ? "" : "s", dst->name);
        tagged(s, tag, "OK", why, "%s completed.", move ? "Move" : "Copy");
    } else {
        tagged(s, tag, "OK", NULL, "%s completed.", move ? "Move" : "Copy");
    }
out:
    free(set);
}

/* Removes the \Deleted messages of the view, each with its untagged
 * EXPUNGE; returns how many. */
static uint32_t expunge(struct imap_session *s)
{
    uint32_t n = 0;
    for (uint32_t seq = 1; seq <= s->n_view;) {
        long k = mail_folder_index(s->sel, s->view[seq - 1]);
        if (k >= 0 && (s->sel->msgs[k].flags & MAIL_DELETED)) {
            mail_remove(s->sel, (uint32_t)k);
            view_expunged(s, seq);
            n++;
        } else {
            seq++;
        }
    }
    return n;
}

static void cmd_expunge(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    if (s->readonly) {
        tagged(s, tag, "NO", "A mailbox opened with EXAMINE is read-only: nothing is removed.",
               "Mailbox is read-only.");
        return;
    }
    uint32_t n = expunge(s);
    if (s->env->trace) {
        char why[300];
        snprintf(why, sizeof why,
                 "EXPUNGE removes the %u message%s flagged \\Deleted for good; each untagged "
                 "EXPUNGE gives a sequence number, and the messages after it move down by one.",
                 n, n == 1 ? "" : "s");
        tagged(s, tag, "OK", why, "Expunge completed.");
    } else {
        tagged(s, tag, "OK", NULL, "Expunge completed.");
    }
}

static void cmd_close(struct imap_session *s, const char *tag, struct imap_parser *ps,
                      bool unselect)
{
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    if (!unselect && !s->readonly) {
        /* RFC 9051 6.4.1: CLOSE expunges silently */
        struct mail_folder *f = s->sel;
        for (uint32_t i = 0; i < f->n;) {
            if (f->msgs[i].flags & MAIL_DELETED)
                mail_remove(f, i);
            else
                i++;
        }
    }
    deselect(s);
    tagged(s, tag, "OK",
           unselect ? "UNSELECT leaves the mailbox without removing \\Deleted messages; the "
                      "session is back in the Authenticated state."
                    : "CLOSE leaves the mailbox, removing the messages flagged \\Deleted without "
                      "untagged EXPUNGE responses; the session is back in the Authenticated "
                      "state.",
           "%s completed.", unselect ? "Unselect" : "Close");
}

/* ---- any state ---- */

static void cmd_capability(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    untagged(s, "CAPABILITY %s", imap_capabilities(s->state != IMAP_NOT_AUTHENTICATED));
    tagged(s, tag, "OK",
           "The untagged CAPABILITY lists what this server supports: IMAP4rev1, LITERAL+ (no "
           "wait before a {n+} literal), MOVE, UNSELECT, AUTH=PLAIN.",
           "Capability completed.");
}

static void cmd_noop(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    tagged(s, tag, "OK",
           "NOOP does nothing itself, but the server takes the chance to report changes to the "
           "selected mailbox (new messages, expunges) in untagged responses.",
           "%s completed.", !strcmp(s->cmdname, "CHECK") ? "Check" : "NOOP");
}

static void cmd_logout(struct imap_session *s, const char *tag, struct imap_parser *ps)
{
    if (!imap_at_end(ps)) {
        bad_args(s, tag);
        return;
    }
    untagged(s, "BYE Logging out");
    if (s->state == IMAP_SELECTED) deselect(s);
    s->state = IMAP_LOGOUT;
    tagged(s, tag, "OK",
           "LOGOUT: the server says BYE (untagged), completes the command, and closes the "
           "connection. \\Deleted messages are not expunged by a logout.",
           "Logout completed.");
    s->close = true;
}

/* ---- dispatch ---- */

/* Every command handler has this shape; those that serve two commands
 * are wrapped. */
typedef void (*imap_cmd_fn)(struct imap_session *s, const char *tag, struct imap_parser *ps,
                            bool uid);

#define PLAIN_CMD(name, call)                                                                      \
    static void name(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid)    \
    {                                                                                              \
        (void)uid;                                                                                 \
        call;                                                                                      \
    }
PLAIN_CMD(run_capability, cmd_capability(s, tag, ps))
PLAIN_CMD(run_noop, cmd_noop(s, tag, ps))
PLAIN_CMD(run_logout, cmd_logout(s, tag, ps))
PLAIN_CMD(run_login, cmd_login(s, tag, ps))
PLAIN_CMD(run_authenticate, cmd_authenticate(s, tag, ps))
PLAIN_CMD(run_select, cmd_select(s, tag, ps, false))
PLAIN_CMD(run_examine, cmd_select(s, tag, ps, true))
PLAIN_CMD(run_create, cmd_create(s, tag, ps))
PLAIN_CMD(run_delete, cmd_delete(s, tag, ps))
PLAIN_CMD(run_rename, cmd_rename(s, tag, ps))
PLAIN_CMD(run_subscribe, cmd_subscribe(s, tag, ps, true))
PLAIN_CMD(run_unsubscribe, cmd_subscribe(s, tag, ps, false))
PLAIN_CMD(run_list, cmd_list(s, tag, ps, false))
PLAIN_CMD(run_lsub, cmd_list(s, tag, ps, true))
PLAIN_CMD(run_status, cmd_status(s, tag, ps))
PLAIN_CMD(run_append, cmd_append(s, tag, ps))
PLAIN_CMD(run_close, cmd_close(s, tag, ps, false))
PLAIN_CMD(run_unselect, cmd_close(s, tag, ps, true))
PLAIN_CMD(run_expunge, cmd_expunge(s, tag, ps))

static void run_copy(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid)
{
    cmd_copy(s, tag, ps, uid, false);
}

static void run_move(struct imap_session *s, const char *tag, struct imap_parser *ps, bool uid)
{
    cmd_copy(s, tag, ps, uid, true);
}

enum { ANY, NOT_AUTH, AUTH, SELECTED }; /* where a command is valid; AUTH includes Selected */

static const struct {
    const char *name;
    int where;
    bool uid_ok;     /* has a UID form */
    bool no_expunge; /* FETCH, STORE, SEARCH: no EXPUNGE responses during them */
    imap_cmd_fn fn;
} commands[] = {
    {"CAPABILITY", ANY, false, false, run_capability},
    {"NOOP", ANY, false, false, run_noop},
    {"LOGOUT", ANY, false, false, run_logout},
    {"LOGIN", NOT_AUTH, false, false, run_login},
    {"AUTHENTICATE", NOT_AUTH, false, false, run_authenticate},
    {"SELECT", AUTH, false, false, run_select},
    {"EXAMINE", AUTH, false, false, run_examine},
    {"CREATE", AUTH, false, false, run_create},
    {"DELETE", AUTH, false, false, run_delete},
    {"RENAME", AUTH, false, false, run_rename},
    {"SUBSCRIBE", AUTH, false, false, run_subscribe},
    {"UNSUBSCRIBE", AUTH, false, false, run_unsubscribe},
    {"LIST", AUTH, false, false, run_list},
    {"LSUB", AUTH, false, false, run_lsub},
    {"STATUS", AUTH, false, false, run_status},
    {"APPEND", AUTH, false, false, run_append},
    {"CHECK", SELECTED, false, false, run_noop},
    {"CLOSE", SELECTED, false, false, run_close},
    {"UNSELECT", SELECTED, false, false, run_unselect},
    {"EXPUNGE", SELECTED, false, false, run_expunge},
    {"SEARCH", SELECTED, true, true, cmd_search},
    {"FETCH", SELECTED, true, true, cmd_fetch},
    {"STORE", SELECTED, true, true, cmd_store},
    {"COPY", SELECTED, true, false, run_copy},
    {"MOVE", SELECTED, true, false, run_move},
};

static void execute(struct imap_session *s)
{
    struct imap_parser ps;
    char tag[IMAP_TAG_MAX], name[24];
    imap_parser_init(&ps, s->cmd.p ? s->cmd.p : "", s->cmd.len);
    snprintf(s->cmdname, sizeof s->cmdname, "%s", "");
    s->allow_expunge = true;
    if (!imap_read_tag(&ps, tag, sizeof tag) || !imap_sp(&ps)) {
        untagged(s, "BAD Error in IMAP command received by server.");
        if (s->env->trace)
            mail_note(s->env, "IMAP", "* BAD Error in IMAP command received by server.",
                      "Every IMAP command starts with a tag the client chooses (a1, a2, ...), a "
                      "space and the command; the server's answer ends with the same tag.");
        return;
    }
    if (!imap_read_atom(&ps, name, sizeof name, false)) {
        tagged(s, tag, "BAD", "After the tag and a space comes the command name.",
               "Error in IMAP command received by server.");
        return;
    }
    for (char *c = name; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    bool uid = false;
    if (!strcmp(name, "UID")) {
        uid = true;
        if (!imap_sp(&ps) || !imap_read_atom(&ps, name, sizeof name, false)) {
            snprintf(s->cmdname, sizeof s->cmdname, "UID");
            bad_args(s, tag);
            return;
        }
        for (char *c = name; *c; c++)
            *c = (char)toupper((unsigned char)*c);
    }
    snprintf(s->cmdname, sizeof s->cmdname, "%s%s", uid ? "UID " : "", name);
    size_t i = 0, n = sizeof commands / sizeof commands[0];
    while (i < n && strcmp(commands[i].name, name) != 0)
        i++;
    if (i == n || (uid && !commands[i].uid_ok)) {
        if (s->env->trace) {
            char why[200];
            snprintf(why, sizeof why, "%s is not an IMAP command this server knows.", s->cmdname);
            bad(s, tag, "Unknown command.", why);
        } else {
            bad(s, tag, "Unknown command.", NULL);
        }
        return;
    }
    s->allow_expunge = !commands[i].no_expunge;
    int where = commands[i].where;
    if (where == NOT_AUTH && s->state != IMAP_NOT_AUTHENTICATED) {
        bad(s, tag, "Already logged in.",
            "The session is already authenticated; LOGIN is valid only before that.");
        return;
    }
    if ((where == AUTH || where == SELECTED) && s->state == IMAP_NOT_AUTHENTICATED) {
        bad(s, tag, "Log in first.",
            "In the Not Authenticated state only CAPABILITY, NOOP, LOGOUT, LOGIN and "
            "AUTHENTICATE are valid: log in first (a1 LOGIN user password).");
        return;
    }
    if (where == SELECTED && s->state != IMAP_SELECTED) {
        tagged(s, tag, "BAD",
               "This command works on the messages of a selected mailbox: SELECT (or EXAMINE) "
               "one first, e.g. a2 SELECT INBOX.",
               "No mailbox selected.");
        return;
    }
    commands[i].fn(s, tag, &ps, uid);
}

/* ---- input ---- */

struct imap_session *imap_session_new(const struct mail_env *env)
{
    struct imap_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->env = env;
    untagged(s, "OK [CAPABILITY %s] Dovecot ready.", caps_pre);
    mail_note(env, "IMAP", "S: * OK [CAPABILITY ...] Dovecot ready.",
              "An IMAP server greets with an untagged OK that lists its capabilities; the "
              "session starts in the Not Authenticated state.");
    return s;
}

void imap_session_free(struct imap_session *s)
{
    if (!s) return;
    if (s->sel) s->sel->open--;
    mbuf_free(&s->out);
    mbuf_free(&s->cmd);
    free(s->view);
    free(s->recent);
    free(s);
}

static void sasl_line(struct imap_session *s, const char *line, size_t len)
{
    s->sasl_wait = false;
    s->cmd.len = 0;
    mbuf_put(&s->cmd, line, len);
    snprintf(s->cmdname, sizeof s->cmdname, "AUTHENTICATE");
    if (len == 1 && line[0] == '*')
        tagged(s, s->sasl_tag, "BAD", "The client cancelled the authentication with \"*\".",
               "Authentication aborted by client.");
    else
        sasl_plain(s, s->sasl_tag, line, len);
    s->cmd.len = 0;
}

void imap_session_line(struct imap_session *s, const char *line, size_t len, bool overlong)
{
    if (s->close) return;
    if (s->sasl_wait) {
        sasl_line(s, line, len);
        return;
    }
    uint64_t lit;
    bool nonsync;
    bool has_lit = !overlong && imap_line_literal(line, len, &lit, &nonsync);
    if (s->discarding) {
        /* the rest of a command whose literal was too large */
        if (has_lit && nonsync) {
            s->literal_left = s->want_bytes = (size_t)lit;
            return;
        }
        s->discarding = false;
        tagged(s, s->discard_tag, "BAD",
               "A command may be at most 1 MiB long with its literals; the server dropped this "
               "one.",
               "Error in IMAP command: Literal too large.");
        return;
    }
    if (overlong) {
        s->cmd.len = 0;
        untagged(s, "BAD Error in IMAP command received by server: Line too long.");
        return;
    }
    if (s->cmd.len == 0 && len == 0) return; /* a blank line is no command */
    mbuf_put(&s->cmd, line, len);
    if (has_lit) {
        if (s->cmd.len + 2 + lit > IMAP_CMD_MAX) {
            struct imap_parser ps;
            imap_parser_init(&ps, s->cmd.p, s->cmd.len);
            if (!imap_read_tag(&ps, s->discard_tag, sizeof s->discard_tag))
                snprintf(s->discard_tag, sizeof s->discard_tag, "*");
            s->cmd.len = 0;
            if (nonsync) {
                s->discarding = true;
                s->literal_left = s->want_bytes = (size_t)lit;
            } else {
                /* without "+" the client sends no literal (RFC 9051 4.3) */
                tagged(s, s->discard_tag, "BAD",
                       "A command may be at most 1 MiB long with its literals; the server "
                       "refuses the literal instead of asking for it.",
                       "Error in IMAP command: Literal too large.");
            }
            return;
        }
        mbuf_put(&s->cmd, "\r\n", 2);
        s->literal_left = s->want_bytes = (size_t)lit;
        if (!nonsync) mbuf_puts(&s->out, "+ Ready for literal data\r\n");
        return;
    }
    execute(s);
    s->cmd.len = 0;
}

void imap_session_bytes(struct imap_session *s, const uint8_t *data, size_t len)
{
    if (len > s->literal_left) len = s->literal_left;
    s->literal_left -= len;
    if (!s->discarding && !s->close) mbuf_put(&s->cmd, data, len);
}
