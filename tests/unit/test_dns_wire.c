/* test_dns_wire.c - the DNS message format (protocols/dns_wire.h): a query
 * byte for byte, name compression on emit (exact bytes, case-insensitive
 * matches), pointer-following on parse, escapes in the text form, and
 * malformed messages: pointer loops, forward pointers, pointers out of
 * range, labels past the end, over-long labels and names, record data that
 * does not fit its type, counts larger than the message. Also tshark's
 * Info strings. */
#include "check.h"
#include "protocols/dns_wire.h"

#include <stdlib.h>

static const uint8_t query_web[] = {
    0x1a, 0x2b, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header */
    3,    'w',  'e',  'b',  6,    'g',  'a',  'l',  'a',  'x',  'y',  4,
    't',  'e',  's',  't',  0,    0x00, 0x01, 0x00, 0x01};

static void test_query_bytes(void)
{
    uint8_t buf[512];
    int n = dns_query_build(buf, sizeof buf, 0x1a2b, true, "web.galaxy.test", DNS_T_A);
    CHECK_EQ(n, (int)sizeof query_web);
    CHECK_MEM(buf, query_web, sizeof query_web);
    /* a trailing dot is the same name */
    n = dns_query_build(buf, sizeof buf, 0x1a2b, true, "web.galaxy.test.", DNS_T_A);
    CHECK_EQ(n, (int)sizeof query_web);
    CHECK_MEM(buf, query_web, sizeof query_web);
    /* no room */
    CHECK_EQ(dns_query_build(buf, 20, 1, true, "web.galaxy.test", DNS_T_A), DNS_E_SPACE);
    CHECK_EQ(dns_query_build(buf, sizeof buf, 1, true, "a..b", DNS_T_A), DNS_E_TEXT);

    struct dns_hdr h;
    CHECK_EQ(dns_hdr_parse(query_web, sizeof query_web, &h), DNS_OK);
    CHECK_EQ(h.id, 0x1a2b);
    CHECK_EQ(h.flags, DNS_F_RD);
    CHECK_EQ(h.qd, 1);
    CHECK_EQ(dns_hdr_parse(query_web, 11, &h), DNS_E_SHORT);
    size_t off = DNS_HDR_LEN;
    struct dns_question q;
    CHECK_EQ(dns_question_read(query_web, sizeof query_web, &off, &q), DNS_OK);
    CHECK_STR(q.name, "web.galaxy.test");
    CHECK_EQ(q.type, DNS_T_A);
    CHECK_EQ(q.qclass, DNS_CLASS_IN);
    CHECK_EQ(off, sizeof query_web);
    off = DNS_HDR_LEN;
    CHECK_EQ(dns_question_read(query_web, sizeof query_web - 1, &off, &q), DNS_E_SHORT);
}

static void test_compression_emit(void)
{
    uint8_t buf[512];
    struct dns_writer w;
    dns_writer_init(&w, buf, sizeof buf);
    dns_put_name(&w, "web.galaxy.test");   /* at 12 */
    dns_put_name(&w, "mx1.galaxy.test");   /* at 29: mx1 + pointer to galaxy at 16 */
    dns_put_name(&w, "GALAXY.test");       /* a pointer alone, case-insensitive */
    dns_put_name(&w, "web.galaxy.test");   /* the whole name again */
    dns_put_name(&w, "test");              /* a suffix of the first name */
    dns_put_name(&w, "a.mx1.galaxy.test"); /* through the second name's pointer */
    dns_put_name(&w, "");                  /* the root */
    CHECK_EQ(w.err, DNS_OK);
    static const uint8_t want[] = {
        3,    'w',  'e',  'b',  6,    'g',  'a', 'l', 'a',
        'x',  'y',  4,    't',  'e',  's',  't', 0, /* 12 */
        3,    'm',  'x',  '1',  0xc0, 0x10,         /* 29 */
        0xc0, 0x10,                                 /* 35 */
        0xc0, 0x0c,                                 /* 37 */
        0xc0, 0x17,                                 /* 39 */
        1,    'a',  0xc0, 0x1d,                     /* 41 */
        0,                                          /* 45 */
    };
    CHECK_EQ(w.len, DNS_HDR_LEN + sizeof want);
    CHECK_MEM(buf + DNS_HDR_LEN, want, sizeof want);
    /* and every name reads back */
    static const char *const names[] = {"web.galaxy.test",
                                        "mx1.galaxy.test",
                                        "galaxy.test",
                                        "web.galaxy.test",
                                        "test",
                                        "a.mx1.galaxy.test",
                                        ""};
    size_t off = DNS_HDR_LEN;
    for (int i = 0; i < 7; i++) {
        char text[DNS_NAME_TEXT_MAX];
        size_t wl = 0;
        int labels = -1;
        CHECK_EQ(dns_name_read(buf, w.len, &off, text, sizeof text, &wl, &labels), DNS_OK);
        CHECK_STR(text, names[i]);
        CHECK_EQ(wl, strlen(names[i]) + (names[i][0] ? 2 : 1));
    }
    CHECK_EQ(off, w.len);

    /* compression off: names are written whole */
    dns_writer_init(&w, buf, sizeof buf);
    w.compress = false;
    dns_put_name(&w, "web.galaxy.test");
    dns_put_name(&w, "web.galaxy.test");
    CHECK_EQ(w.len, DNS_HDR_LEN + 34);

    /* a record: RDLENGTH filled in at the end */
    dns_writer_init(&w, buf, sizeof buf);
    dns_put_question(&w, "galaxy.test", DNS_T_MX, DNS_CLASS_IN);
    size_t mark = dns_rr_begin(&w, "galaxy.test", DNS_T_MX, DNS_CLASS_IN, 3600);
    dns_put_u16(&w, 10);
    dns_put_name(&w, "mx1.galaxy.test");
    dns_rr_end(&w, mark);
    CHECK_EQ(w.err, DNS_OK);
    CHECK_EQ(get_be16(buf + mark), 2 + 4 + 2); /* pref, "mx1", pointer */
    struct dns_hdr h = {.id = 7, .flags = DNS_F_QR | DNS_F_AA, .qd = 1, .an = 1};
    dns_hdr_emit(&h, buf);
    size_t o = DNS_HDR_LEN;
    struct dns_question q;
    struct dns_rr *rr = malloc(sizeof *rr);
    CHECK_EQ(dns_question_read(buf, w.len, &o, &q), DNS_OK);
    CHECK_EQ(dns_rr_read(buf, w.len, &o, rr), DNS_OK);
    CHECK_STR(rr->name, "galaxy.test");
    CHECK_EQ(rr->type, DNS_T_MX);
    CHECK_EQ(rr->ttl, 3600);
    CHECK_EQ(rr->pref, 10);
    CHECK_STR(rr->target, "mx1.galaxy.test");
    CHECK_EQ(o, w.len);
    free(rr);

    /* a full buffer keeps the first error and stops */
    dns_writer_init(&w, buf, 20);
    dns_put_name(&w, "web.galaxy.test");
    CHECK_EQ(w.err, DNS_E_SPACE);
    size_t len = w.len;
    dns_put_u16(&w, 1);
    CHECK_EQ(w.len, len);
}

/* A message: the header (qd = 1) followed by body. */
static size_t msg(uint8_t *m, const uint8_t *body, size_t n)
{
    memset(m, 0, DNS_HDR_LEN);
    m[5] = 1;
    memcpy(m + DNS_HDR_LEN, body, n);
    return DNS_HDR_LEN + n;
}

static int read_name_at(const uint8_t *m, size_t len, size_t at)
{
    char text[DNS_NAME_TEXT_MAX];
    size_t off = at;
    return dns_name_read(m, len, &off, text, sizeof text, NULL, NULL);
}

static void test_malformed_names(void)
{
    uint8_t m[1024];
    size_t n;
    /* a pointer to itself */
    static const uint8_t self[] = {0xc0, 0x0c};
    n = msg(m, self, sizeof self);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_PTR);
    /* two pointers pointing at each other: the second jump is not backward */
    static const uint8_t loop2[] = {0xc0, 0x0e, 0xc0, 0x0c};
    n = msg(m, loop2, sizeof loop2);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_PTR);
    CHECK_EQ(read_name_at(m, n, 14), DNS_E_PTR);
    /* a label, then a pointer back to that label: a loop through a label */
    static const uint8_t loop3[] = {1, 'a', 0xc0, 0x0c};
    n = msg(m, loop3, sizeof loop3);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_PTR);
    /* forward, and out of range */
    static const uint8_t fwd[] = {0xc0, 0x0e, 1, 'a', 0};
    n = msg(m, fwd, sizeof fwd);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_PTR);
    CHECK_EQ(read_name_at(m, n, 14), DNS_OK);
    static const uint8_t far[] = {0xff, 0xff};
    n = msg(m, far, sizeof far);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_PTR);
    /* a pointer cut in half, a label past the end, a name without its end */
    static const uint8_t half[] = {0xc0};
    n = msg(m, half, sizeof half);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_SHORT);
    static const uint8_t past[] = {5, 'a', 'b'};
    n = msg(m, past, sizeof past);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_SHORT);
    static const uint8_t open_end[] = {1, 'a'};
    n = msg(m, open_end, sizeof open_end);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_SHORT);
    /* label types 01 and 10 are reserved */
    static const uint8_t ext[] = {0x41, 0};
    n = msg(m, ext, sizeof ext);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_LABEL);
    static const uint8_t ext2[] = {0x80, 0};
    n = msg(m, ext2, sizeof ext2);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_LABEL);
    /* 255 bytes is the limit: four 63-byte labels make 257 */
    uint8_t big[300];
    size_t o = 0;
    for (int l = 0; l < 4; l++) {
        big[o++] = 63;
        memset(big + o, 'x', 63);
        o += 63;
    }
    big[o++] = 0;
    n = msg(m, big, o);
    CHECK_EQ(read_name_at(m, n, 12), DNS_E_NAMELEN);
    /* three of 63 and one of 61: exactly 255 */
    big[3 * 64] = 61;
    big[3 * 64 + 62] = 0;
    n = msg(m, big, 3 * 64 + 63);
    CHECK_EQ(read_name_at(m, n, 12), DNS_OK);
    /* the same limit reached through pointers */
    o = 0;
    big[o++] = 63;
    memset(big + o, 'y', 63);
    o += 63;
    big[o++] = 0; /* name A at 12: 65 bytes */
    for (int l = 0; l < 3; l++) {
        big[o++] = 63;
        memset(big + o, 'z', 63);
        o += 63;
    }
    big[o++] = 0xc0;
    big[o++] = 12; /* name B: 3 labels + A = 192 + 65 = 257 */
    n = msg(m, big, o);
    CHECK_EQ(read_name_at(m, n, 12 + 65), DNS_E_NAMELEN);
    /* a text buffer too small is an error, not an overflow */
    n = msg(m, query_web + 12, sizeof query_web - 12);
    char small[8];
    size_t off = 12;
    CHECK_EQ(dns_name_read(m, n, &off, small, sizeof small, NULL, NULL), DNS_E_SPACE);
}

static void test_text_form(void)
{
    uint8_t w[DNS_NAME_WIRE_MAX];
    /* a dot inside a label, a byte outside ASCII, a backslash */
    static const uint8_t odd[] = {3, 'a', '.', 'b', 2, 1, '\\', 0};
    uint8_t m[64];
    size_t n = msg(m, odd, sizeof odd), off = 12;
    char text[DNS_NAME_TEXT_MAX];
    CHECK_EQ(dns_name_read(m, n, &off, text, sizeof text, NULL, NULL), DNS_OK);
    CHECK_STR(text, "a\\.b.\\001\\\\");
    CHECK_EQ(dns_name_to_wire(text, w, sizeof w), (int)sizeof odd);
    CHECK_MEM(w, odd, sizeof odd);
    /* invalid text names */
    CHECK_EQ(dns_name_to_wire(".a", w, sizeof w), DNS_E_TEXT);
    CHECK_EQ(dns_name_to_wire("a..b", w, sizeof w), DNS_E_TEXT);
    CHECK_EQ(dns_name_to_wire("a\\", w, sizeof w), DNS_E_TEXT);
    CHECK_EQ(dns_name_to_wire("a\\25", w, sizeof w), DNS_E_TEXT);
    CHECK_EQ(dns_name_to_wire("a\\256", w, sizeof w), DNS_E_TEXT);
    char label[80];
    memset(label, 'q', 64);
    label[64] = 0;
    CHECK_EQ(dns_name_to_wire(label, w, sizeof w), DNS_E_LABEL);
    label[63] = 0;
    CHECK_EQ(dns_name_to_wire(label, w, sizeof w), 65);
    char longname[300];
    for (int i = 0; i < 128; i++) {
        longname[2 * i] = 'a';
        longname[2 * i + 1] = '.';
    }
    longname[255] = 0; /* 128 one-letter labels: 257 bytes on the wire */
    CHECK_EQ(dns_name_to_wire(longname, w, sizeof w), DNS_E_NAMELEN);
    CHECK_EQ(dns_name_to_wire(".", w, sizeof w), 1);
    /* comparisons */
    CHECK(dns_name_eq("Web.Galaxy.TEST", "web.galaxy.test."));
    CHECK(!dns_name_eq("web.galaxy.test", "web.galaxy.tes"));
    CHECK(dns_name_eq("\\065.b", "a.b"));
    CHECK(dns_name_under("web.galaxy.test", "galaxy.test"));
    CHECK(dns_name_under("galaxy.test", "GALAXY.TEST"));
    CHECK(!dns_name_under("xgalaxy.test", "galaxy.test"));
    CHECK(!dns_name_under("test", "galaxy.test"));
    CHECK(dns_name_under("anything", ""));
}

static void test_records(void)
{
    /* a response with every decoded type, compressed against the question */
    uint8_t buf[1024];
    struct dns_writer w;
    dns_writer_init(&w, buf, sizeof buf);
    dns_put_question(&w, "galaxy.test", DNS_T_ANY, DNS_CLASS_IN);
    uint8_t a[4] = {10, 61, 0, 20}, aaaa[16] = {0x20, 0x01, 0x0d, 0xb8};
    aaaa[15] = 1;
    size_t k = dns_rr_begin(&w, "web.galaxy.test", DNS_T_A, DNS_CLASS_IN, 60);
    dns_put_bytes(&w, a, 4);
    dns_rr_end(&w, k);
    k = dns_rr_begin(&w, "web.galaxy.test", DNS_T_AAAA, DNS_CLASS_IN, 60);
    dns_put_bytes(&w, aaaa, 16);
    dns_rr_end(&w, k);
    k = dns_rr_begin(&w, "www.galaxy.test", DNS_T_CNAME, DNS_CLASS_IN, 60);
    dns_put_name(&w, "web.galaxy.test");
    dns_rr_end(&w, k);
    k = dns_rr_begin(&w, "galaxy.test", DNS_T_SOA, DNS_CLASS_IN, 60);
    dns_put_name(&w, "ns1.galaxy.test");
    dns_put_name(&w, "hostmaster.galaxy.test");
    for (uint32_t i = 1; i <= 5; i++)
        dns_put_u32(&w, i);
    dns_rr_end(&w, k);
    k = dns_rr_begin(&w, "galaxy.test", DNS_T_TXT, DNS_CLASS_IN, 60);
    dns_put_bytes(&w, "\x05hello\x03\"x\\", 10);
    dns_rr_end(&w, k);
    CHECK_EQ(w.err, DNS_OK);
    struct dns_hdr h = {.id = 0x1a2b, .flags = DNS_F_QR | DNS_F_AA | DNS_F_RD, .qd = 1, .an = 5};
    dns_hdr_emit(&h, buf);
    size_t off = DNS_HDR_LEN;
    struct dns_question q;
    CHECK_EQ(dns_question_read(buf, w.len, &off, &q), DNS_OK);
    struct dns_rr *rr = malloc(sizeof *rr);
    char txt[64], ab[64];
    CHECK_EQ(dns_rr_read(buf, w.len, &off, rr), DNS_OK);
    CHECK_EQ(rr->a, 0x0a3d0014u);
    CHECK_EQ(dns_rr_read(buf, w.len, &off, rr), DNS_OK);
    CHECK_STR(dns_aaaa_str(rr->aaaa, ab, sizeof ab), "2001:db8::1");
    CHECK_EQ(dns_rr_read(buf, w.len, &off, rr), DNS_OK);
    CHECK_STR(rr->target, "web.galaxy.test");
    CHECK_EQ(dns_rr_read(buf, w.len, &off, rr), DNS_OK);
    CHECK_STR(rr->target, "ns1.galaxy.test");
    CHECK_STR(rr->rname, "hostmaster.galaxy.test");
    CHECK_EQ(rr->soa[4], 5);
    CHECK_EQ(dns_rr_read(buf, w.len, &off, rr), DNS_OK);
    CHECK_EQ(dns_txt_text(buf, w.len, rr, txt, sizeof txt), DNS_OK);
    CHECK_STR(txt, "\"hello\" \"\\\"x\\\\\"");
    CHECK_EQ(off, w.len);
    char info[192];
    CHECK_EQ(dns_info(buf, w.len, info, sizeof info), DNS_OK);
    CHECK_STR(info, "Standard query response 0x1a2b ANY galaxy.test A 10.61.0.20 AAAA 2001:db8::1 "
                    "CNAME web.galaxy.test SOA ns1.galaxy.test TXT");

    /* record data that lies about its type or length */
    uint8_t m[128];
    static const uint8_t a5[] = {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5};
    size_t n = msg(m, a5, sizeof a5);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_E_RDATA);
    static const uint8_t rdlen_past[] = {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 9, 1, 2, 3, 4};
    n = msg(m, rdlen_past, sizeof rdlen_past);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_E_SHORT);
    /* an MX whose name runs past its RDLENGTH (into the next bytes) */
    static const uint8_t mx_over[] = {0, 0, 15, 0, 1, 0, 0, 0, 60, 0, 4, 0, 10, 1, 'a', 0};
    n = msg(m, mx_over, sizeof mx_over);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_E_RDATA);
    /* a CNAME whose name ends before its RDLENGTH does */
    static const uint8_t cname_short[] = {0, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'a', 0, 0};
    n = msg(m, cname_short, sizeof cname_short);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_E_RDATA);
    /* TXT strings that do not fill the data exactly, or none at all */
    static const uint8_t txt_bad[] = {0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 5, 'a', 'b'};
    n = msg(m, txt_bad, sizeof txt_bad);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_E_RDATA);
    static const uint8_t txt_empty[] = {0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0};
    n = msg(m, txt_empty, sizeof txt_empty);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_E_RDATA);
    /* an unknown type keeps only where its data is */
    static const uint8_t unk[] = {0, 0, 99, 0, 1, 0, 0, 0, 60, 0, 2, 7, 7};
    n = msg(m, unk, sizeof unk);
    off = 12;
    CHECK_EQ(dns_rr_read(m, n, &off, rr), DNS_OK);
    CHECK_EQ(rr->rdata, 12 + 11);
    CHECK_EQ(off, n);
    free(rr);
}

static void test_info(void)
{
    char info[192];
    CHECK_EQ(dns_info(query_web, sizeof query_web, info, sizeof info), DNS_OK);
    CHECK_STR(info, "Standard query 0x1a2b A web.galaxy.test");
    /* counts larger than the message: an error, with what was read */
    uint8_t m[sizeof query_web];
    memcpy(m, query_web, sizeof m);
    m[7] = 3; /* three answers that are not there */
    CHECK_EQ(dns_info(m, sizeof m, info, sizeof info), DNS_E_SHORT);
    CHECK_STR(info, "Standard query 0x1a2b A web.galaxy.test");
    m[5] = 200; /* 200 questions */
    CHECK_EQ(dns_info(m, sizeof m, info, sizeof info), DNS_E_SHORT);
    /* NXDOMAIN */
    memcpy(m, query_web, sizeof m);
    m[2] = 0x85;
    m[3] = 0x03;
    CHECK_EQ(dns_info(m, sizeof m, info, sizeof info), DNS_OK);
    CHECK_STR(info, "Standard query response 0x1a2b No such name A web.galaxy.test");
    /* a small buffer is cut, never overrun */
    char tiny[10];
    dns_info(query_web, sizeof query_web, tiny, sizeof tiny);
    CHECK_EQ(strlen(tiny), 9);
    char tb[16];
    CHECK_STR(dns_type_str(DNS_T_MX, tb, sizeof tb), "MX");
    CHECK_STR(dns_type_str(65, tb, sizeof tb), "TYPE65");
    CHECK_EQ(dns_type_parse("aaaa"), DNS_T_AAAA);
    CHECK_EQ(dns_type_parse("TYPE65"), 65);
    CHECK_EQ(dns_type_parse("TYPE99999"), 0);
    CHECK_EQ(dns_type_parse("bogus"), 0);
    CHECK_STR(dns_rcode_str(DNS_R_NXDOMAIN), "NXDOMAIN");
    CHECK_STR(dns_rcode_text(DNS_R_REFUSED), "Refused");
}

int main(void)
{
    test_query_bytes();
    test_compression_emit();
    test_malformed_names();
    test_text_form();
    test_records();
    test_info();
    return check_done();
}
