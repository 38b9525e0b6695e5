/* test_tcp_wire.c - the TCP header (protocols/tcp_wire.h, RFC 9293 3.1) over
 * fixed byte arrays whose checksums tshark verified: parse with options,
 * emit byte for byte, the pseudo-header checksum, bounded option parsing
 * (every malformed shape rejected), flag and Info strings, and sequence
 * number comparison across the wrap. */
#include "check.h"
#include "protocols/tcp_wire.h"

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* 10.0.0.1:57693 -> 10.0.0.2:7 SYN, MSS 1460, NOP, WS 3 (tshark: checksum good) */
static const uint8_t syn[28] = {0xe1, 0x5d, 0x00, 0x07, 0xfe, 0xa4, 0xe9, 0x28, 0x00, 0x00,
                                0x00, 0x00, 0x70, 0x02, 0xff, 0xff, 0xa6, 0xe7, 0x00, 0x00,
                                0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x03};
/* the same connection, [PSH, ACK] with 32 bytes of data */
static const uint8_t data_seg[52] = {
    0xe1, 0x5d, 0x00, 0x07, 0xfe, 0xa4, 0xe9, 0x29, 0x2a, 0x19, 0xa0, 0x3b, 0x50,
    0x18, 0x80, 0x00, 0xc4, 0x44, 0x00, 0x00, 'h',  'e',  'l',  'l',  'o',  ',',
    ' ',  'e',  'c',  'h',  'o',  '\r', '\n', 'i',  's',  ' ',  'a',  'n',  'y',
    'b',  'o',  'd',  'y',  ' ',  't',  'h',  'e',  'r',  'e',  '?',  '\r', '\n'};

static void test_parse(void)
{
    struct tcp_hdr h;
    CHECK_EQ(tcp_parse(syn, sizeof syn, &h), TCP_OK);
    CHECK_EQ(h.sport, 57693);
    CHECK_EQ(h.dport, 7);
    CHECK_EQ(h.seq, 0xfea4e928u);
    CHECK_EQ(h.ack, 0);
    CHECK_EQ(h.hlen, 28);
    CHECK_EQ(h.flags, TCP_SYN);
    CHECK_EQ(h.window, 65535);
    CHECK_EQ(h.checksum, 0xa6e7);
    CHECK(h.opt.has_mss && h.opt.mss == 1460);
    CHECK(h.opt.has_wscale && h.opt.wscale == 3);
    CHECK(!h.opt.sack_perm && !h.opt.has_ts);
    CHECK_EQ(tcp_parse(data_seg, sizeof data_seg, &h), TCP_OK);
    CHECK_EQ(h.flags, TCP_PSH | TCP_ACK);
    CHECK_EQ(h.ack, 0x2a19a03bu);
    CHECK_EQ(h.hlen, 20);
    CHECK_EQ(h.window, 32768);
    /* short, and data offsets that lie */
    CHECK_EQ(tcp_parse(syn, 19, &h), TCP_ERR_SHORT);
    CHECK_EQ(tcp_parse(syn, 27, &h), TCP_ERR_HLEN); /* says 28 */
    CHECK_EQ(h.sport, 57693);                       /* fixed fields still filled */
    uint8_t b[28];
    memcpy(b, syn, sizeof b);
    b[12] = 0x40; /* 16 bytes < 20 */
    CHECK_EQ(tcp_parse(b, sizeof b, &h), TCP_ERR_HLEN);
}

static void test_options_bounded(void)
{
    struct tcp_opts o;
    const uint8_t ok[] = {1, 1, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0xaa};
    CHECK_EQ(tcp_parse_options(ok, sizeof ok, &o), TCP_OK); /* EOL ends it: 0xaa ignored */
    CHECK(o.sack_perm && o.has_ts && o.ts_val == 1 && o.ts_ecr == 2);
    const uint8_t unknown[] = {30, 4, 9, 9, 2, 4, 2, 0};
    CHECK_EQ(tcp_parse_options(unknown, sizeof unknown, &o), TCP_OK);
    CHECK(o.has_mss && o.mss == 512);
    const uint8_t no_len[] = {1, 2};
    CHECK_EQ(tcp_parse_options(no_len, sizeof no_len, &o), TCP_ERR_OPTIONS);
    const uint8_t len_small[] = {30, 1, 0, 0};
    CHECK_EQ(tcp_parse_options(len_small, sizeof len_small, &o), TCP_ERR_OPTIONS);
    const uint8_t len_past[] = {2, 4, 5};
    CHECK_EQ(tcp_parse_options(len_past, sizeof len_past, &o), TCP_ERR_OPTIONS);
    const uint8_t mss_bad[] = {2, 3, 5, 0};
    CHECK_EQ(tcp_parse_options(mss_bad, sizeof mss_bad, &o), TCP_ERR_OPTIONS);
    const uint8_t ws_bad[] = {3, 4, 5, 0};
    CHECK_EQ(tcp_parse_options(ws_bad, sizeof ws_bad, &o), TCP_ERR_OPTIONS);
    const uint8_t ws_big[] = {3, 3, 20, 0};
    CHECK_EQ(tcp_parse_options(ws_big, sizeof ws_big, &o), TCP_OK);
    CHECK_EQ(o.wscale, 14); /* RFC 7323 2.3 */
    /* a malformed option makes the segment malformed */
    uint8_t b[28];
    memcpy(b, syn, sizeof b);
    b[21] = 9; /* MSS length 9 runs past the header */
    struct tcp_hdr h;
    CHECK_EQ(tcp_parse(b, sizeof b, &h), TCP_ERR_OPTIONS);
}

static void test_checksum(void)
{
    uint32_t a = IP(10, 0, 0, 1), b = IP(10, 0, 0, 2);
    CHECK_EQ(tcp_checksum_compute(syn, sizeof syn, a, b), 0xa6e7);
    CHECK(tcp_checksum_ok(syn, sizeof syn, a, b));
    CHECK(tcp_checksum_ok(data_seg, sizeof data_seg, a, b));
    CHECK(!tcp_checksum_ok(data_seg, sizeof data_seg, a, IP(10, 0, 0, 3)));
    uint8_t d[52];
    memcpy(d, data_seg, sizeof d);
    d[30] ^= 0x20;
    CHECK(!tcp_checksum_ok(d, sizeof d, a, b));
    tcp_checksum_fill(d, sizeof d, a, b);
    CHECK(tcp_checksum_ok(d, sizeof d, a, b));
}

static void test_emit(void)
{
    struct tcp_hdr h = {.sport = 57693,
                        .dport = 7,
                        .seq = 0xfea4e928u,
                        .flags = TCP_SYN,
                        .window = 65535,
                        .opt = {.has_mss = true, .mss = 1460, .has_wscale = true, .wscale = 3}};
    uint8_t b[40] = {0};
    CHECK_EQ(tcp_options_len(&h.opt), 8);
    CHECK_EQ(tcp_emit(b, &h), 28);
    tcp_checksum_fill(b, 28, IP(10, 0, 0, 1), IP(10, 0, 0, 2));
    CHECK_MEM(b, syn, sizeof syn);
    /* and back */
    struct tcp_hdr back;
    CHECK_EQ(tcp_parse(b, 28, &back), TCP_OK);
    CHECK_EQ(back.seq, h.seq);
    CHECK(back.opt.has_wscale && back.opt.wscale == 3);
    /* SACK-permitted is emitted as NOP NOP 4 2 */
    h.opt.sack_perm = true;
    CHECK_EQ(tcp_emit(b, &h), 32);
    CHECK(b[24] == 1 && b[25] == 1 && b[26] == 4 && b[27] == 2);
    CHECK_EQ(tcp_parse(b, 32, &back), TCP_OK);
    CHECK(back.opt.sack_perm);
}

static void test_strings(void)
{
    char buf[160];
    CHECK_STR(tcp_flags_str(TCP_SYN | TCP_ACK, buf, sizeof buf), "[SYN, ACK]");
    CHECK_STR(tcp_flags_str(TCP_FIN | TCP_PSH | TCP_ACK, buf, sizeof buf), "[FIN, PSH, ACK]");
    CHECK_STR(tcp_flags_str(0, buf, sizeof buf), "[<None>]");
    struct tcp_hdr h;
    tcp_parse(syn, sizeof syn, &h);
    CHECK_STR(tcp_info_str(&h, 0, buf, sizeof buf),
              "57693 \xe2\x86\x92 7 [SYN] Seq=4272220456 Win=65535 Len=0 MSS=1460 WS=8");
    tcp_parse(data_seg, sizeof data_seg, &h);
    CHECK_STR(tcp_info_str(&h, 32, buf, sizeof buf),
              "57693 \xe2\x86\x92 7 [PSH, ACK] Seq=4272220457 Ack=706322491 Win=32768 Len=32");
    /* a tiny buffer is cut, never overrun */
    char small[8];
    tcp_info_str(&h, 32, small, sizeof small);
    CHECK_EQ(strlen(small), 7);
}

static void test_seq_compare(void)
{
    CHECK(seq_lt(0xfffffff0u, 0x10));
    CHECK(seq_gt(0x10, 0xfffffff0u));
    CHECK(seq_le(5, 5) && seq_ge(5, 5));
    CHECK(!seq_lt(5, 5));
}

int main(void)
{
    test_parse();
    test_options_bounded();
    test_checksum();
    test_emit();
    test_strings();
    test_seq_compare();
    return check_done();
}
