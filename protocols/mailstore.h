/* mailstore.h - the mail store of a node: accounts (user -> password) and
 * each user's folders of messages, one store shared by the SMTP, POP3 and
 * IMAP servers of that node (DESIGN.md: what SMTP delivers, POP3 and IMAP
 * read).
 *
 * A message is kept as its RFC 5322 text with CRLF line ends: exactly the
 * octets POP3's LIST counts and IMAP's RFC822.SIZE gives. It carries
 * IMAP's system flags, a UID (unique and ascending within its folder, RFC
 * 9051 2.3.1.1) and an internal date (the simulated time it arrived).
 * Folders keep their messages in UID order, so a session's view of a
 * folder is a list of UIDs and a lookup is a binary search.
 *
 * User names are matched without regard to case (as Dovecot and Postfix's
 * local delivery do); folder names exactly, except INBOX, which every user
 * has and which is matched without regard to case (RFC 9051 5.1).
 *
 * Also here, because the three protocols share them: a growable output
 * buffer, dates from simulated time (time 0 is 2026-01-01 00:00:00 UTC, as
 * for the other application servers; never the wall clock), header lookup,
 * and base64 for SASL PLAIN.
 *
 * Ownership: the store owns its users, folders and messages. User and
 * folder pointers stay valid until the store is freed (a folder until it
 * is deleted, which mail_folder_delete refuses while a session has it
 * open); message pointers only until their folder changes. */
#ifndef NETSTEP_MAILSTORE_H
#define NETSTEP_MAILSTORE_H

#include "engine/sim.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_NAME_MAX   64     /* user and folder names */
#define MAIL_FOLDER_MAX 64     /* folders per user */
#define MAIL_MSG_MAX    100000 /* messages per folder */
#define MAIL_EPOCH      SIM_EPOCH_UNIX

/* IMAP's system flags (RFC 9051 2.3.2). \Recent is kept until the first
 * IMAP session to select the folder claims it. */
enum {
    MAIL_SEEN = 1u << 0,
    MAIL_ANSWERED = 1u << 1,
    MAIL_FLAGGED = 1u << 2,
    MAIL_DELETED = 1u << 3,
    MAIL_DRAFT = 1u << 4,
    MAIL_RECENT = 1u << 5,
};

struct mail_msg {
    uint32_t uid;
    uint32_t flags;
    sim_time date; /* internal date */
    char *data;    /* RFC 5322 text, CRLF line ends; NUL after len for convenience */
    size_t len;
};

struct mail_folder {
    char *name;
    struct mail_msg *msgs; /* ascending UIDs */
    uint32_t n, cap;
    uint32_t uidvalidity, uidnext;
    bool subscribed;
    int open; /* IMAP sessions that have it selected */
};

struct mail_user {
    char *name, *password;
    struct mail_folder **folders; /* folders[0] is INBOX */
    uint32_t n_folders;
};

struct mail_store {
    struct mail_user **users;
    uint32_t n_users;
    uint32_t next_uidvalidity; /* counts up from MAIL_EPOCH, like Dovecot's creation times */
    uint32_t serial;           /* SMTP queue ids */
};

struct mail_store *mail_store_new(void);
void mail_store_free(struct mail_store *st);

enum mail_acc_result { MAIL_ACC_ADDED, MAIL_ACC_SAME, MAIL_ACC_CONFLICT, MAIL_ACC_BAD };
/* Adds an account with an empty INBOX. Giving the same user again with
 * the same password is fine (MAIL_ACC_SAME); another password is a
 * conflict; an empty or overlong name, or one with characters outside
 * [A-Za-z0-9._-], is MAIL_ACC_BAD. */
enum mail_acc_result mail_account_add(struct mail_store *st, const char *user, const char *pw);
struct mail_user *mail_user_find(const struct mail_store *st, const char *name);
/* The user when name and password match, else NULL. */
struct mail_user *mail_login(const struct mail_store *st, const char *name, const char *pw);
/* True when name is a valid account name (see mail_account_add). */
bool mail_user_name_ok(const char *name);

/* True when name can name a folder: 1 to 64 characters, no control
 * characters, quotes, backslashes or wildcards, no '/' at either end or
 * twice in a row ('/' separates levels). */
bool mail_folder_name_ok(const char *name);
struct mail_folder *mail_folder_find(const struct mail_user *u, const char *name);
struct mail_folder *mail_inbox(const struct mail_user *u);
/* Creates a folder; NULL when it exists, the name is not valid, or there
 * are too many. */
struct mail_folder *mail_folder_create(struct mail_store *st, struct mail_user *u,
                                       const char *name);
/* 0, or -1 when it is INBOX, missing, or open in a session. */
int mail_folder_delete(struct mail_user *u, const char *name);
/* 0, or -1 when old is INBOX or missing, or new exists or is not valid. */
int mail_folder_rename(struct mail_user *u, const char *old, const char *name);
/* The index of the message with this UID, or -1. */
long mail_folder_index(const struct mail_folder *f, uint32_t uid);

/* Appends a copy of data (with the next UID). NULL when the folder is
 * full. */
struct mail_msg *mail_append(struct mail_folder *f, const char *data, size_t len, uint32_t flags,
                             sim_time date);
/* Removes the message at index i. */
void mail_remove(struct mail_folder *f, uint32_t i);

/* An RFC 5322 message from its parts (the store's pre-filled mail): From,
 * To, Subject and Date headers, a blank line, the body with every line end
 * made CRLF and a final CRLF added when missing. Freed by the caller. */
char *mail_compose(const char *from, const char *to, const char *subject, const char *body,
                   sim_time date, size_t *len);

/* Where the body starts: after the first empty line, or len when none. */
size_t mail_header_len(const char *data, size_t len);
/* The value of the first header field called name (case-insensitive),
 * unfolded and trimmed, cut to cap - 1 bytes. False when absent. */
bool mail_header_get(const char *data, size_t len, const char *name, char *out, size_t cap);
/* Lines in data (CRLF-ended), counting a last line without its end. */
uint32_t mail_count_lines(const char *data, size_t len);

/* Seconds since 1970 (UTC) at simulated time t. */
int64_t mail_unix_time(sim_time t);
/* "Thu, 1 Jan 2026 00:00:05 +0000" (RFC 5322 3.3). */
void mail_date_rfc5322(sim_time t, char *buf, size_t cap);
/* IMAP's date-time: "01-Jan-2026 00:00:05 +0000" (RFC 9051 9). */
void mail_date_imap(sim_time t, char *buf, size_t cap);
/* Days since 1970-01-01 of an IMAP date "1-Jan-2026" (search keys), or -1. */
long mail_parse_imap_date(const char *s);

/* Decodes base64 (RFC 4648, padding required). Returns the length, or -1
 * when the text is not base64 or does not fit in cap. */
long mail_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap);

/* A growable byte buffer: what a session has to send. */
struct mail_buf {
    char *p;
    size_t len, cap;
};
void mbuf_put(struct mail_buf *b, const void *data, size_t n);
void mbuf_puts(struct mail_buf *b, const char *s);
void mbuf_printf(struct mail_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mbuf_vprintf(struct mail_buf *b, const char *fmt, va_list ap);
void mbuf_free(struct mail_buf *b);

/* Case-insensitive substring search over n bytes (SEARCH, relay checks). */
bool mail_contains_ci(const char *hay, size_t n, const char *needle);

#endif
