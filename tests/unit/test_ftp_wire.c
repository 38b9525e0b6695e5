/* test_ftp_wire.c - FTP's wire format (protocols/ftp_wire.h): command
 * lines, reply lines and multi-line replies read and written, PORT and
 * PASV host-ports both ways, LIST lines as vsftpd writes them, ASCII line
 * ends both ways (also cut between pieces), the generated text, and the
 * dissector's FTP and FTP-DATA layers (Info as tshark words it, fields). */
#include "check.h"
#include "protocols/dissect.h"
#include "protocols/eth_wire.h"
#include "protocols/ftp_wire.h"
#include "protocols/ip4_wire.h"
#include "protocols/tcp_wire.h"

#include <stdlib.h>
#include <string.h>

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static int parse(const char *line, struct ftp_cmd *c)
{
    return ftp_cmd_parse(line, strlen(line), c);
}

static void test_commands(void)
{
    struct ftp_cmd c;
    CHECK_EQ(parse("USER anonymous", &c), FTP_OK);
    CHECK_STR(c.verb, "USER");
    CHECK_EQ(c.arg_len, 9);
    CHECK(!memcmp(c.arg, "anonymous", 9));
    /* case-blind verbs (RFC 959 5.3), the argument kept as is */
    CHECK_EQ(parse("retr Flag.TXT", &c), FTP_OK);
    CHECK_STR(c.verb, "RETR");
    CHECK(!memcmp(c.arg, "Flag.TXT", c.arg_len));
    CHECK_EQ(parse("PWD", &c), FTP_OK);
    CHECK_STR(c.verb, "PWD");
    CHECK_EQ(c.arg_len, 0);
    CHECK_STR(c.arg, "");
    /* a password with spaces stays whole */
    CHECK_EQ(parse("PASS a b  c", &c), FTP_OK);
    CHECK_EQ(c.arg_len, 6);
    CHECK_EQ(parse("", &c), FTP_ERR_EMPTY);
    CHECK_EQ(parse(" USER x", &c), FTP_ERR_VERB);
    CHECK_EQ(parse("USERS x", &c), FTP_ERR_VERB);
    CHECK_EQ(parse("US3R x", &c), FTP_ERR_VERB);
    CHECK_EQ(parse("GET / HTTP/1.1", &c), FTP_OK); /* a verb; the server calls it unknown */
    CHECK(!ftp_cmd_known("GET"));
    CHECK(ftp_cmd_known("EPSV"));
    CHECK(ftp_cmd_known("ACCT"));
    /* not NUL-terminated input: len rules */
    CHECK_EQ(ftp_cmd_parse("NOOPXYZ", 4, &c), FTP_OK);
    CHECK_STR(c.verb, "NOOP");
}

static void test_replies(void)
{
    struct ftp_reply_line r;
    const char *l = "230 Login successful.";
    CHECK_EQ(ftp_reply_line_parse(l, strlen(l), &r), FTP_OK);
    CHECK_EQ(r.code, 230);
    CHECK(!r.more);
    CHECK_EQ(r.text_len, strlen("Login successful."));
    l = "211-Features:";
    CHECK_EQ(ftp_reply_line_parse(l, strlen(l), &r), FTP_OK);
    CHECK(r.more);
    CHECK_EQ(ftp_reply_line_parse("230", 3, &r), FTP_OK);
    CHECK_EQ(ftp_reply_line_parse("23", 2, &r), FTP_ERR_CODE);
    CHECK_EQ(ftp_reply_line_parse("023 x", 5, &r), FTP_ERR_CODE);
    CHECK_EQ(ftp_reply_line_parse("2300 x", 6, &r), FTP_ERR_CODE);
    CHECK_EQ(ftp_reply_line_parse(" PASV", 5, &r), FTP_ERR_CODE);

    /* RFC 959 4.2: a multi-line reply ends with its code and a space */
    struct ftp_reply_reader rd = {0};
    int code = 0;
    const char *lines[] = {"211-Features:", " PASV", "211-not the end", "230 other code",
                           "211 End"};
    int want[] = {0, 0, 0, 0, 1};
    for (int i = 0; i < 5; i++)
        CHECK_EQ(ftp_reply_feed(&rd, lines[i], strlen(lines[i]), &code), want[i]);
    CHECK_EQ(code, 211);
    CHECK_EQ(ftp_reply_feed(&rd, "221 Goodbye.", 12, &code), 1);
    CHECK_EQ(code, 221);
    CHECK_EQ(ftp_reply_feed(&rd, "Goodbye", 7, &code), FTP_ERR_CODE);

    char buf[256];
    size_t n = ftp_reply_emit(buf, sizeof buf, 331, "Please specify the password.");
    CHECK_EQ(n, strlen("331 Please specify the password.\r\n"));
    CHECK_STR(buf, "331 Please specify the password.\r\n");
    n = ftp_reply_emit(buf, sizeof buf, 211, "Features:\n PASV\n230 looks like an end\nEnd");
    CHECK_STR(buf, "211-Features:\r\n PASV\r\n 230 looks like an end\r\n211 End\r\n");
    CHECK_EQ(n, strlen(buf));
    CHECK_EQ(ftp_reply_emit(buf, 10, 331, "Please specify the password."), 0);
    CHECK_EQ(ftp_reply_emit(buf, sizeof buf, 99, "x"), 0);
    CHECK_EQ(ftp_reply_emit(buf, sizeof buf, 600, "x"), 0);
}

static void test_hostport(void)
{
    uint32_t a;
    uint16_t p;
    const char *s = "10,0,5,10,195,80";
    CHECK_EQ(ftp_hostport_parse(s, strlen(s), &a, &p), FTP_OK);
    CHECK_EQ(a, IP(10, 0, 5, 10));
    CHECK_EQ(p, 195 * 256 + 80);
    s = " 10, 0,5 ,10,0,20 ";
    CHECK_EQ(ftp_hostport_parse(s, strlen(s), &a, &p), FTP_OK);
    CHECK_EQ(p, 20);
    const char *bad[] = {"10,0,5,10,195",    "10,0,5,10,195,80,1", "10,0,5,256,1,1",
                         "10,0,5,10,195,-1", "10.0.5.10,195,80",   "",
                         "1,2,3,4,5,0006",   "a,b,c,d,e,f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(ftp_hostport_parse(bad[i], strlen(bad[i]), &a, &p), FTP_ERR_SYNTAX);
    char buf[32];
    CHECK_EQ(ftp_hostport_fmt(buf, sizeof buf, IP(192, 168, 1, 2), 50000), 18);
    CHECK_STR(buf, "192,168,1,2,195,80");
    /* a 227 reply, read as clients read it */
    s = "Entering Passive Mode (10,0,5,21,156,64).";
    CHECK_EQ(ftp_pasv_parse(s, strlen(s), &a, &p), FTP_OK);
    CHECK_EQ(a, IP(10, 0, 5, 21));
    CHECK_EQ(p, 156 * 256 + 64);
    s = "=10,0,5,21,156,64";
    CHECK_EQ(ftp_pasv_parse(s, strlen(s), &a, &p), FTP_OK);
    s = "Entering Passive Mode";
    CHECK_EQ(ftp_pasv_parse(s, strlen(s), &a, &p), FTP_ERR_SYNTAX);
}

static void test_list_line(void)
{
    char buf[128];
    struct ftp_stat f = {false, 1480, 1, 0, "coffee.txt"};
    ftp_list_line(buf, sizeof buf, &f);
    CHECK_STR(buf, "-rw-r--r--    1 0        0            1480 Mar 14  2025 coffee.txt");
    struct ftp_stat d = {true, 4096, 3, 1000, "pub"};
    ftp_list_line(buf, sizeof buf, &d);
    CHECK_STR(buf, "drwxr-xr-x    3 1000     1000         4096 Mar 14  2025 pub");
    /* cut to fit, terminated */
    CHECK_EQ(ftp_list_line(buf, 12, &f), 11);
    CHECK_EQ(strlen(buf), 11);
}

static void test_ascii(void)
{
    const uint8_t in[] = "one\ntwo\r\nthree\n";
    uint8_t out[64], back[64];
    size_t n = ftp_ascii_encode(in, sizeof in - 1, out);
    CHECK_EQ(n, sizeof in - 1 + 2);
    CHECK(!memcmp(out, "one\r\ntwo\r\nthree\r\n", n));
    /* back, a piece at a time, the CRLF cut between pieces */
    bool cr = false;
    size_t m = ftp_ascii_decode(out, 4, back, &cr);
    CHECK(cr);
    m += ftp_ascii_decode(out + 4, n - 4, back + m, &cr);
    CHECK(!cr);
    CHECK_EQ(m, 14);
    CHECK(!memcmp(back, "one\ntwo\nthree\n", m));
    /* a lone CR stays */
    cr = false;
    m = ftp_ascii_decode((const uint8_t *)"a\rb", 3, back, &cr);
    CHECK_EQ(m, 3);
    CHECK(!memcmp(back, "a\rb", 3));
    cr = false;
    CHECK_EQ(ftp_bare_lfs((const uint8_t *)"a\nb\r\nc\n", 7, &cr), 2);
    cr = true; /* a CR ended the last piece */
    CHECK_EQ(ftp_bare_lfs((const uint8_t *)"\nx", 2, &cr), 0);
}

static void test_fill(void)
{
    uint8_t a[200], b[200];
    ftp_fill_text(a, sizeof a);
    ftp_fill_text(b, sizeof b);
    CHECK(!memcmp(a, b, sizeof a));
    CHECK(!memcmp(a, "000001 netstep sample data", 26));
    CHECK_EQ(a[63], '\n');
    CHECK(!memcmp(a + 64, "000002 ", 7));
    uint8_t one[1];
    ftp_fill_text(one, 1);
    CHECK_EQ(one[0], '0');
}

/* Ethernet + IPv4 + TCP (sport -> dport) around a payload, dissected. */
static void dissect_payload(const char *payload, uint16_t sport, uint16_t dport,
                            struct dissection *d)
{
    size_t n = strlen(payload);
    size_t len = ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN + n;
    uint8_t *f = calloc(1, len);
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    eth_emit(&e, f);
    struct ip4_hdr ip = {.ihl = 20,
                         .total_len = (uint16_t)(len - ETH_HDR_LEN),
                         .ttl = 64,
                         .proto = IP4_PROTO_TCP,
                         .src = IP(10, 0, 0, 1),
                         .dst = IP(10, 0, 0, 2)};
    ip4_emit(&ip, f + ETH_HDR_LEN);
    uint8_t *seg = f + ETH_HDR_LEN + IP4_HDR_LEN;
    memcpy(seg + TCP_HDR_LEN, payload, n);
    struct tcp_hdr t = {.sport = sport,
                        .dport = dport,
                        .seq = 1,
                        .ack = 1,
                        .hlen = 20,
                        .flags = TCP_ACK | TCP_PSH,
                        .window = 512};
    tcp_emit(seg, &t);
    tcp_checksum_fill(seg, TCP_HDR_LEN + n, ip.src, ip.dst);
    dissect_frame(f, len, d);
    free(f);
}

static const char *field(const struct dissection *d, const char *name)
{
    for (uint32_t i = 0; i < d->n_fields; i++)
        if (!strcmp(d->fields[i].name, name)) return d->fields[i].value;
    return NULL;
}

static void test_dissector(void)
{
    struct dissection d;
    dissect_payload("USER anonymous\r\n", 40000, 21, &d);
    CHECK_STR(d.protocol, "FTP");
    CHECK_STR(d.info, "Request: USER anonymous");
    CHECK_STR(field(&d, "Request command"), "USER");
    CHECK_STR(field(&d, "Request arg"), "anonymous");
    CHECK_STR(field(&d, "Request"), "USER anonymous\\r\\n");
    CHECK(!d.malformed);
    dissect_free(&d);
    dissect_payload("227 Entering Passive Mode (10,0,0,2,195,80).\r\n", 21, 40000, &d);
    CHECK_STR(d.info, "Response: 227 Entering Passive Mode (10,0,0,2,195,80).");
    CHECK_STR(field(&d, "Response code"), "Entering Passive Mode (227)");
    CHECK_STR(field(&d, "Passive IP address"), "10.0.0.2");
    CHECK_STR(field(&d, "Passive port"), "50000");
    dissect_free(&d);
    dissect_payload("PORT 10,0,0,1,156,64\r\n", 40000, 21, &d);
    CHECK_STR(field(&d, "Active IP address"), "10.0.0.1");
    CHECK_STR(field(&d, "Active port"), "40000");
    dissect_free(&d);
    /* a multi-line reply: Info from its first line, a field per line */
    dissect_payload("211-Features:\r\n PASV\r\n211 End\r\n", 21, 40000, &d);
    CHECK_STR(d.info, "Response: 211-Features:");
    int lines = 0;
    for (uint32_t i = 0; i < d.n_fields; i++)
        lines += !strcmp(d.fields[i].name, "Response");
    CHECK_EQ(lines, 3);
    dissect_free(&d);
    dissect_payload("-rw-r--r--    1 0        0              14 Mar 14  2025 f\r\n", 20, 40000, &d);
    CHECK_STR(d.protocol, "FTP-DATA");
    CHECK_STR(d.info, "FTP Data: 59 bytes");
    dissect_free(&d);
}

int main(void)
{
    test_dissector();
    test_commands();
    test_replies();
    test_hostport();
    test_list_line();
    test_ascii();
    test_fill();
    return check_done();
}
