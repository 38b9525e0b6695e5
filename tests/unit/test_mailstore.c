/* test_mailstore.c - the mail store (protocols/mailstore.h): accounts and
 * their conflicts, folders and INBOX, UIDs, message composition with CRLF,
 * header lookup with folded lines, dates from simulated time, base64, and
 * dot-stuffing both ways (smtp_wire.h, shared by SMTP and POP3). */
#include "check.h"
#include "protocols/mailstore.h"
#include "protocols/smtp_wire.h"

#include <stdlib.h>

static void test_accounts(void)
{
    struct mail_store *st = mail_store_new();
    CHECK_EQ(mail_account_add(st, "nadia", "pw"), MAIL_ACC_ADDED);
    CHECK_EQ(mail_account_add(st, "nadia", "pw"), MAIL_ACC_SAME);
    CHECK_EQ(mail_account_add(st, "Nadia", "other"), MAIL_ACC_CONFLICT);
    CHECK_EQ(mail_account_add(st, "", "pw"), MAIL_ACC_BAD);
    CHECK_EQ(mail_account_add(st, "bad name", "pw"), MAIL_ACC_BAD);
    CHECK_EQ(mail_account_add(st, "omar.b-1_x", ""), MAIL_ACC_ADDED);
    CHECK_EQ(st->n_users, 2);
    CHECK(mail_user_find(st, "NADIA") == st->users[0]);
    CHECK(mail_user_find(st, "nobody") == NULL);
    CHECK(mail_login(st, "nadia", "pw") == st->users[0]);
    CHECK(mail_login(st, "NaDia", "pw") == st->users[0]);
    CHECK(mail_login(st, "nadia", "PW") == NULL);
    CHECK(mail_login(st, "omar.b-1_x", "") == st->users[1]);
    mail_store_free(st);
}

static void test_folders(void)
{
    struct mail_store *st = mail_store_new();
    mail_account_add(st, "nadia", "pw");
    struct mail_user *u = mail_user_find(st, "nadia");
    struct mail_folder *in = mail_inbox(u);
    CHECK_STR(in->name, "INBOX");
    CHECK(mail_folder_find(u, "inbox") == in);
    CHECK(mail_folder_find(u, "Archive") == NULL);
    struct mail_folder *a = mail_folder_create(st, u, "Archive");
    CHECK(a != NULL);
    CHECK(a->uidvalidity != in->uidvalidity);
    CHECK(mail_folder_create(st, u, "Archive") == NULL);
    CHECK(mail_folder_create(st, u, "INBOX") == NULL);
    CHECK(mail_folder_create(st, u, "Inbox") == NULL);
    CHECK(mail_folder_create(st, u, "/lead") == NULL);
    CHECK(mail_folder_create(st, u, "a//b") == NULL);
    CHECK(mail_folder_create(st, u, "wild*") == NULL);
    CHECK(mail_folder_create(st, u, "Work/2024") != NULL);
    CHECK(mail_folder_find(u, "archive") == NULL); /* only INBOX ignores case */
    CHECK_EQ(mail_folder_rename(u, "Archive", "Old"), 0);
    CHECK(mail_folder_find(u, "Old") == a);
    CHECK_EQ(mail_folder_rename(u, "INBOX", "X"), -1);
    CHECK_EQ(mail_folder_rename(u, "Old", "Work/2024"), -1);
    a->open = 1;
    CHECK_EQ(mail_folder_delete(u, "Old"), -1); /* a session has it selected */
    a->open = 0;
    CHECK_EQ(mail_folder_delete(u, "Old"), 0);
    CHECK_EQ(mail_folder_delete(u, "INBOX"), -1);
    CHECK_EQ(mail_folder_delete(u, "Old"), -1);
    CHECK_EQ(u->n_folders, 2);
    mail_store_free(st);
}

static void test_messages(void)
{
    struct mail_store *st = mail_store_new();
    mail_account_add(st, "nadia", "pw");
    struct mail_folder *f = mail_inbox(mail_user_find(st, "nadia"));
    for (int i = 0; i < 20; i++)
        CHECK(mail_append(f, "x\r\n", 3, MAIL_RECENT, i * SIM_S) != NULL);
    CHECK_EQ(f->n, 20);
    CHECK_EQ(f->msgs[0].uid, 1);
    CHECK_EQ(f->msgs[19].uid, 20);
    CHECK_EQ(f->uidnext, 21);
    mail_remove(f, 4); /* UID 5 */
    CHECK_EQ(mail_folder_index(f, 5), -1);
    CHECK_EQ(mail_folder_index(f, 6), 4);
    CHECK_EQ(mail_folder_index(f, 1), 0);
    CHECK_EQ(mail_folder_index(f, 20), 18);
    CHECK_EQ(mail_folder_index(f, 21), -1);
    struct mail_msg *m = mail_append(f, "y", 1, 0, 0);
    CHECK_EQ(m->uid, 21); /* UIDs are never reused */
    mail_store_free(st);
}

static void test_compose_headers(void)
{
    size_t len;
    char *t = mail_compose("ann@example.test", "nadia@harbor.test", "hi",
                           "line one\nline two\r\n.dot\n", 5 * SIM_S, &len);
    CHECK_STR(t, "From: ann@example.test\r\nTo: nadia@harbor.test\r\nSubject: hi\r\n"
                 "Date: Thu, 1 Jan 2026 00:00:05 +0000\r\n\r\nline one\r\nline two\r\n.dot\r\n");
    CHECK_EQ(len, strlen(t));
    CHECK_EQ(mail_header_len(t, len), strstr(t, "\r\n\r\n") - t + 4);
    char v[64];
    CHECK(mail_header_get(t, len, "subject", v, sizeof v));
    CHECK_STR(v, "hi");
    CHECK(!mail_header_get(t, len, "Cc", v, sizeof v));
    CHECK(!mail_header_get(t, len, "line one", v, sizeof v)); /* body lines are no headers */
    CHECK_EQ(mail_count_lines(t, len), 8);
    free(t);
    const char *folded = "Subject: a long\r\n  folded\tsubject\r\nX: y\r\n\r\nbody";
    CHECK(mail_header_get(folded, strlen(folded), "Subject", v, sizeof v));
    CHECK_STR(v, "a long folded subject");
    char small[6];
    CHECK(mail_header_get(folded, strlen(folded), "Subject", small, sizeof small));
    CHECK_STR(small, "a lon");
    t = mail_compose("a@b", "c@d", "", "no final newline", 0, &len);
    CHECK(len > 2 && !memcmp(t + len - 2, "\r\n", 2));
    free(t);
}

static void test_dates(void)
{
    char b[64];
    mail_date_rfc5322(0, b, sizeof b);
    CHECK_STR(b, "Thu, 1 Jan 2026 00:00:00 +0000");
    mail_date_rfc5322((sim_time)86400 * 40 * SIM_S + 3723 * SIM_S, b, sizeof b);
    CHECK_STR(b, "Tue, 10 Feb 2026 01:02:03 +0000");
    mail_date_imap(5 * SIM_S, b, sizeof b);
    CHECK_STR(b, "01-Jan-2026 00:00:05 +0000");
    CHECK_EQ(mail_parse_imap_date("1-Jan-1970"), 0);
    CHECK_EQ(mail_parse_imap_date("1-Jan-2026"), MAIL_EPOCH / 86400);
    CHECK_EQ(mail_parse_imap_date("10-feb-1970"), 40);
    CHECK_EQ(mail_parse_imap_date("01-Mar-2000"), 11017);
    CHECK_EQ(mail_parse_imap_date("32-Jan-1970"), -1);
    CHECK_EQ(mail_parse_imap_date("1-Foo-1970"), -1);
    CHECK_EQ(mail_parse_imap_date("1-Jan-70"), -1);
    CHECK_EQ(mail_parse_imap_date(""), -1);
}

static void test_base64(void)
{
    uint8_t out[64];
    /* RFC 4616's example: "\0tim\0tanstaaftanstaaf" */
    long n = mail_b64_decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm", 28, out, sizeof out);
    CHECK_EQ(n, 21);
    CHECK_MEM(out, "\0tim\0tanstaaftanstaaf", 21);
    CHECK_EQ(mail_b64_decode("Zm8=", 4, out, sizeof out), 2);
    CHECK_EQ(mail_b64_decode("Zg==", 4, out, sizeof out), 1);
    CHECK_EQ(mail_b64_decode("Zg=a", 4, out, sizeof out), -1);
    CHECK_EQ(mail_b64_decode("Zm9", 3, out, sizeof out), -1);
    CHECK_EQ(mail_b64_decode("Zm9v", 4, out, 2), -1);
    CHECK_EQ(mail_b64_decode("", 0, out, sizeof out), 0);
    CHECK_EQ(mail_b64_decode("Z!9v", 4, out, sizeof out), -1);
}

static void test_dot_stuffing(void)
{
    struct mail_buf b = {0};
    const char *msg = "Subject: x\r\n\r\n.hidden\r\n..two\r\nend.\r\n";
    smtp_dot_stuff(&b, msg, strlen(msg));
    CHECK_STR(b.p, "Subject: x\r\n\r\n..hidden\r\n...two\r\nend.\r\n.\r\n");
    b.len = 0;
    smtp_dot_stuff(&b, ".", 1); /* no final CRLF: one is added before the end line */
    CHECK_STR(b.p, "..\r\n.\r\n");
    b.len = 0;
    smtp_dot_stuff(&b, "", 0);
    CHECK_STR(b.p, ".\r\n");
    mbuf_free(&b);
    const char *l = "..hidden";
    size_t n = strlen(l);
    CHECK(!smtp_dot_unstuff(&l, &n));
    CHECK_EQ(n, 7);
    CHECK(!strncmp(l, ".hidden", n));
    l = ".";
    n = 1;
    CHECK(smtp_dot_unstuff(&l, &n));
    l = "plain";
    n = 5;
    CHECK(!smtp_dot_unstuff(&l, &n) && n == 5);
    l = "..";
    n = 2;
    CHECK(!smtp_dot_unstuff(&l, &n) && n == 1 && l[0] == '.');
}

static void test_buf(void)
{
    struct mail_buf b = {0};
    for (int i = 0; i < 1000; i++)
        mbuf_printf(&b, "%d,", i);
    CHECK(b.len > 3000);
    CHECK(!strncmp(b.p, "0,1,2,", 6));
    char big[2000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    size_t before = b.len;
    mbuf_printf(&b, "%s", big);
    CHECK_EQ(b.len, before + sizeof big - 1);
    CHECK(mail_contains_ci(b.p, b.len, "ZZZ"));
    CHECK(!mail_contains_ci("abc", 3, "abcd"));
    CHECK(mail_contains_ci("abc", 3, ""));
    mbuf_free(&b);
    CHECK(b.p == NULL && b.len == 0);
}

int main(void)
{
    test_accounts();
    test_folders();
    test_messages();
    test_compose_headers();
    test_dates();
    test_base64();
    test_dot_stuffing();
    test_buf();
    return check_done();
}
