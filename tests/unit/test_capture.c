/* test_capture.c - the pcapng and classic pcap writers, byte by byte.
 *
 * Two hosts on one cable exchange three small frames; one of them waits in
 * the transmit queue, so the order frames are announced on the trace bus
 * differs from the order their first bits leave. The test records the
 * TRANSMIT/RECEIVE steps itself, then reads the files back and checks every
 * block: SHB, IDBs with their names, EPBs (interface, time, lengths, padding),
 * and the per-interface pcap files. If tshark is installed it must read the
 * interface names back too.
 */
#include "check.h"
#include "engine/capture.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- what the test saw on the trace bus ---- */

#define MAX_SEEN 16
struct seen {
    enum trace_kind kind;
    uint32_t iface_id;
    sim_time ts; /* wire_time for TRANSMIT, time for RECEIVE */
    uint32_t len;
    uint8_t frame[128];
};
struct seen_log {
    struct seen s[MAX_SEEN];
    int n;
};

static void seen_sink(void *ctx, const struct trace_step *st)
{
    struct seen_log *log = ctx;
    if ((st->kind != TK_TRANSMIT && st->kind != TK_RECEIVE) || log->n == MAX_SEEN) return;
    struct seen *s = &log->s[log->n++];
    s->kind = st->kind;
    s->iface_id = st->iface->id;
    s->ts = st->kind == TK_TRANSMIT ? st->wire_time : st->time;
    s->len = st->frame_len;
    memcpy(s->frame, st->frame, st->frame_len < sizeof s->frame ? st->frame_len : sizeof s->frame);
}

/* The records one file should hold, in time order (stable: equal times keep
 * the order they were seen in). */
static int expected(const struct seen_log *log, bool want_rx, int only_iface,
                    const struct seen **out)
{
    int n = 0;
    for (int i = 0; i < log->n; i++) {
        const struct seen *s = &log->s[i];
        if (s->kind == TK_RECEIVE && !want_rx) continue;
        if (only_iface >= 0 && s->iface_id != (uint32_t)only_iface) continue;
        int k = n++;
        while (k > 0 && out[k - 1]->ts > s->ts) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = s;
    }
    return n;
}

/* ---- a tiny network ---- */

static void input_free(struct node *node, struct iface *in, struct pkt *p)
{
    (void)in;
    pkt_free(node->sim, p);
}

static void send_frame(struct sim *sim, struct iface *out, const struct iface *to, uint32_t len,
                       uint8_t fill)
{
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, 0);
    uint8_t *d = pkt_push(sim, p, len);
    memcpy(d, to->mac, 6);
    memcpy(d + 6, out->mac, 6);
    d[12] = 0x88; /* EtherType 0x88B5: local experimental */
    d[13] = 0xB5;
    for (uint32_t i = 14; i < len; i++)
        d[i] = (uint8_t)(fill + i);
    link_transmit(sim, out, p);
}

struct later {
    struct iface *out;
    const struct iface *to;
};

static void send_later(struct sim *sim, void *ctx, uint64_t arg)
{
    struct later *l = ctx;
    send_frame(sim, l->out, l->to, (uint32_t)arg, 0x30);
}

/* ---- reading files back ---- */

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static const uint8_t shb_expected[44] = {
    0x0A, 0x0D, 0x0D, 0x0A, 44,   0,    0,    0,    /* type, length */
    0x4D, 0x3C, 0x2B, 0x1A, 1,    0,    0,    0,    /* byte-order magic, version 1.0 */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* section length -1 */
    4,    0,    7,    0,    'n',  'e',  't',  's',  't', 'e', 'p', 0, /* shb_userappl */
    0,    0,    0,    0,    44,   0,    0,    0,                      /* endofopt, length */
};

/* Checks one IDB at b (label of 6 characters, so if_name pads to 8). */
static size_t check_idb(const uint8_t *b, size_t left, const char *label)
{
    uint8_t want[44] = {1, 0, 0, 0, 44, 0, 0, 0, /* type, length */
                        1, 0, 0, 0, 0,  0, 4, 0, /* Ethernet, reserved, snaplen 262144 */
                        2, 0, 6, 0, 0,  0, 0, 0, 0, 0, 0, 0, /* if_name */
                        9, 0, 1, 0, 9,  0, 0, 0,             /* if_tsresol = 9 */
                        0, 0, 0, 0, 44, 0, 0, 0};            /* endofopt, length */
    memcpy(want + 20, label, 6);
    CHECK(left >= sizeof want);
    if (left < sizeof want) return left;
    CHECK_MEM(b, want, sizeof want);
    return sizeof want;
}

/* Checks one EPB at b against s; returns its length. */
static size_t check_epb(const uint8_t *b, size_t left, const struct seen *s)
{
    uint32_t pad = (4 - s->len % 4) % 4, total = 32 + s->len + pad;
    CHECK(left >= total);
    if (left < total) return left;
    CHECK_EQ(le32(b), 6);
    CHECK_EQ(le32(b + 4), total);
    CHECK_EQ(le32(b + 8), s->iface_id);
    CHECK_EQ(le32(b + 12), (uint64_t)s->ts >> 32);
    CHECK_EQ(le32(b + 16), (uint32_t)s->ts);
    CHECK_EQ(le32(b + 20), s->len);
    CHECK_EQ(le32(b + 24), s->len);
    CHECK_MEM(b + 28, s->frame, s->len);
    for (uint32_t i = 0; i < pad; i++)
        CHECK_EQ(b[28 + s->len + i], 0);
    CHECK_EQ(le32(b + total - 4), total);
    return total;
}

static void check_pcap_file(const char *path, const struct seen **want, int n)
{
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    CHECK(b != NULL);
    if (!b) return;
    size_t need = 24;
    for (int i = 0; i < n; i++)
        need += 16 + want[i]->len;
    CHECK_EQ(len, need);
    if (len == need) {
        CHECK_EQ(le32(b), 0xA1B23C4D);
        CHECK_EQ(le16(b + 4), 2);
        CHECK_EQ(le16(b + 6), 4);
        CHECK_EQ(le32(b + 8), 0);
        CHECK_EQ(le32(b + 12), 0);
        CHECK_EQ(le32(b + 16), 262144);
        CHECK_EQ(le32(b + 20), 1);
        size_t off = 24;
        for (int i = 0; i < n; i++) {
            CHECK_EQ(le32(b + off), want[i]->ts / SIM_S);
            CHECK_EQ(le32(b + off + 4), want[i]->ts % SIM_S);
            CHECK_EQ(le32(b + off + 8), want[i]->len);
            CHECK_EQ(le32(b + off + 12), want[i]->len);
            CHECK_MEM(b + off + 16, want[i]->frame, want[i]->len);
            off += 16 + want[i]->len;
        }
    }
    free(b);
}

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* ---- the tests ---- */

/* dir + "/" + name into out; false (and a failed check) if it does not fit. */
static bool path_in(char *out, size_t n, const char *dir, const char *name)
{
    int w = snprintf(out, n, "%s/%s", dir, name);
    CHECK(w > 0 && (size_t)w < n);
    return w > 0 && (size_t)w < n;
}

static void test_two_hosts(const char *dir)
{
    char png[512], pdir[512], path[600];
    path_in(png, sizeof png, dir, "two.pcapng");
    path_in(pdir, sizeof pdir, dir, "per-iface/x"); /* mkdir -p */

    struct sim *sim = sim_new(1);
    struct node *a = node_new(sim, "a", NODE_HOST), *b = node_new(sim, "b", NODE_HOST);
    a->input = input_free;
    b->input = input_free;
    struct iface *ae = iface_new(a, "eth0", NULL), *be = iface_new(b, "eth0", NULL);
    CHECK(link_connect(sim, ae, be, NULL) != NULL);

    struct seen_log log = {.n = 0};
    CHECK(trace_subscribe(sim, TRACE_FRAMES, seen_sink, &log));
    struct capture *cn = capture_pcapng_open(sim, png);
    struct capture *cd = capture_pcap_dir_open(sim, pdir);
    CHECK(cn != NULL);
    CHECK(cd != NULL);

    /* a sends two frames at once (the second waits for the first), b sends
     * one at 2 us, before a's second frame starts to leave. */
    send_frame(sim, ae, be, 60, 0x10);
    send_frame(sim, ae, be, 61, 0x20);
    struct later l = {be, ae};
    sim_schedule_at(sim, 2 * SIM_US, send_later, &l, 60);
    sim_run_until(sim, SIM_MS);
    CHECK_EQ(capture_close(cn), 0);
    CHECK_EQ(capture_close(cd), 0);
    trace_unsubscribe(sim, seen_sink, &log);

    /* 3 transmits + 3 receives, and the test really exercises reordering. */
    CHECK_EQ(log.n, 6);
    const struct seen *tx[MAX_SEEN];
    int ntx = expected(&log, false, -1, tx);
    CHECK_EQ(ntx, 3);
    if (ntx == 3) {
        CHECK_EQ(tx[0]->len, 60);
        CHECK_EQ(tx[1]->iface_id, be->id);
        CHECK_EQ(tx[2]->len, 61);
        CHECK(tx[0]->ts <= tx[1]->ts && tx[1]->ts < tx[2]->ts);
    }

    size_t len = 0;
    uint8_t *f = slurp(png, &len);
    CHECK(f != NULL);
    if (f) {
        size_t off = 0;
        CHECK(len >= sizeof shb_expected);
        if (len >= sizeof shb_expected) CHECK_MEM(f, shb_expected, sizeof shb_expected);
        off += sizeof shb_expected;
        off += check_idb(f + off, len - off, "a:eth0");
        off += check_idb(f + off, len - off, "b:eth0");
        for (int i = 0; i < ntx && off < len; i++)
            off += check_epb(f + off, len - off, tx[i]);
        CHECK_EQ(off, len);
        free(f);
    }

    const struct seen *want[MAX_SEEN];
    int n = expected(&log, true, (int)ae->id, want);
    CHECK_EQ(n, 3);
    path_in(path, sizeof path, pdir, "a_eth0.pcap");
    check_pcap_file(path, want, n);
    n = expected(&log, true, (int)be->id, want);
    CHECK_EQ(n, 3);
    path_in(path, sizeof path, pdir, "b_eth0.pcap");
    check_pcap_file(path, want, n);

    if (have_tshark()) {
        char cmd[700], line[128], names[512] = "";
        snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.interface_name 2>/dev/null",
                 png);
        FILE *p = popen(cmd, "r");
        CHECK(p != NULL);
        while (p && fgets(line, sizeof line, p))
            strncat(names, line, sizeof names - strlen(names) - 1);
        CHECK(p && pclose(p) == 0);
        CHECK_STR(names, "a:eth0\nb:eth0\na:eth0\n");
    } else {
        printf("tshark not found: skipping the tshark read-back\n");
    }
    sim_free(sim);
}

/* File names: sanitized, unique, and present (empty) for silent interfaces.
 * An interface created after the pcapng was opened gets its IDB on first use. */
static void test_names_and_late_iface(const char *dir)
{
    char png[512], pdir[512], path[600];
    path_in(png, sizeof png, dir, "late.pcapng");
    path_in(pdir, sizeof pdir, dir, "names");

    struct sim *sim = sim_new(2);
    struct node *r = node_new(sim, "lab/r1", NODE_ROUTER);
    struct node *s = node_new(sim, "lab_r1", NODE_ROUTER);
    r->input = input_free;
    s->input = input_free;
    iface_new(r, "eth0", NULL);
    iface_new(s, "eth0", NULL);
    struct capture *cn = capture_pcapng_open(sim, png);
    struct capture *cd = capture_pcap_dir_open(sim, pdir);
    CHECK(cn != NULL && cd != NULL);
    struct iface *x = iface_new(r, "eth1", NULL), *y = iface_new(s, "eth1", NULL);
    link_connect(sim, x, y, NULL);
    send_frame(sim, x, y, 60, 0);
    sim_run_until(sim, SIM_MS);
    CHECK_EQ(capture_close(cn), 0);
    CHECK_EQ(capture_close(cd), 0);

    const char *files[] = {"lab_r1_eth0.pcap", "lab_r1_eth0.1.pcap", "lab_r1_eth1.pcap",
                           "lab_r1_eth1.3.pcap"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        path_in(path, sizeof path, pdir, files[i]);
        size_t len = 0;
        uint8_t *b = slurp(path, &len);
        if (!b) fprintf(stderr, "missing %s\n", path);
        CHECK(b != NULL);
        CHECK_EQ(len, i >= 2 ? 24 + 16 + 60 : 24);
        free(b);
        unlink(path);
    }
    rmdir(pdir);

    size_t len = 0;
    uint8_t *b = slurp(png, &len);
    CHECK(b != NULL);
    if (b && len > 44) {
        /* SHB, IDBs 0 and 1 (at open), IDB 2 (just before its first EPB), the
         * EPB, then IDB 3 (at close: it never sent anything). */
        const char *want[] = {"lab/r1:eth0", "lab_r1:eth0", "lab/r1:eth1", "lab_r1:eth1"};
        uint32_t types[] = {1, 1, 1, 6, 1};
        size_t off = 44;
        int nblk = 0, nidb = 0;
        while (off + 12 <= len && nblk < 5) {
            uint32_t type = le32(b + off), blen = le32(b + off + 4);
            CHECK_EQ(type, types[nblk]);
            if (type == 1 && nidb < 4) {
                CHECK_EQ(le16(b + off + 16), 2);
                CHECK_EQ(le16(b + off + 18), strlen(want[nidb]));
                CHECK(memcmp(b + off + 20, want[nidb], strlen(want[nidb])) == 0);
                nidb++;
            } else if (type == 6) {
                CHECK_EQ(le32(b + off + 8), x->id);
                CHECK(nidb > (int)x->id);
            }
            if (blen < 12) break;
            off += blen;
            nblk++;
        }
        CHECK_EQ(nblk, 5);
        CHECK_EQ(off, len);
    }
    if (have_tshark()) {
        char cmd[700], line[128] = "";
        snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.interface_name 2>/dev/null",
                 png);
        FILE *p = popen(cmd, "r");
        CHECK(p && fgets(line, sizeof line, p));
        CHECK(p && pclose(p) == 0);
        CHECK_STR(line, "lab/r1:eth1\n");
    }
    free(b);
    unlink(png);
    sim_free(sim);
}

/* Hundreds of active interfaces with a low soft limit on open files: the
 * writer raises the limit once instead of losing files. */
static void test_many_ifaces(const char *dir)
{
    struct rlimit old;
    if (getrlimit(RLIMIT_NOFILE, &old) != 0 || old.rlim_max < 1024) {
        printf("hard RLIMIT_NOFILE below 1024: skipping the many-interfaces test\n");
        return;
    }
    struct rlimit low = {64, old.rlim_max};
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);

    enum { N = 300 };
    char pdir[512], path[600], name[16];
    path_in(pdir, sizeof pdir, dir, "many");
    struct sim *sim = sim_new(4);
    struct iface *ifc[N];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "n%03d", i);
        struct node *n = node_new(sim, name, NODE_HOST);
        n->input = input_free;
        ifc[i] = iface_new(n, "eth0", NULL);
        if (i % 2) link_connect(sim, ifc[i - 1], ifc[i], NULL);
    }
    struct capture *cd = capture_pcap_dir_open(sim, pdir);
    CHECK(cd != NULL);
    for (int i = 0; i < N; i += 2)
        send_frame(sim, ifc[i], ifc[i + 1], 60, (uint8_t)i);
    sim_run_until(sim, SIM_MS);
    CHECK_EQ(capture_close(cd), 0);
    sim_free(sim);

    int good = 0;
    for (int i = 0; i < N; i++) {
        char fname[32];
        snprintf(fname, sizeof fname, "n%03d_eth0.pcap", i);
        path_in(path, sizeof path, pdir, fname);
        size_t len = 0;
        uint8_t *b = slurp(path, &len);
        good += b && len == 24 + 16 + 60;
        free(b);
    }
    CHECK_EQ(good, N);
    struct rlimit now;
    CHECK(getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur > 64);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
}

static void test_errors(const char *dir)
{
    char path[600];
    struct sim *sim = sim_new(3);
    iface_new(node_new(sim, "h", NODE_HOST), "eth0", NULL);

    path_in(path, sizeof path, dir, "no/such/dir/x.pcapng");
    errno = 0;
    CHECK(capture_pcapng_open(sim, path) == NULL);
    CHECK_EQ(errno, ENOENT);

    /* The header is flushed at open, so a full disk shows up right away. */
    if (access("/dev/full", W_OK) == 0) {
        errno = 0;
        CHECK(capture_pcapng_open(sim, "/dev/full") == NULL);
        CHECK_EQ(errno, ENOSPC);
    }

    /* A regular file where the directory should be. */
    path_in(path, sizeof path, dir, "plain");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    CHECK(capture_pcap_dir_open(sim, path) == NULL);
    unlink(path);

    CHECK_EQ(capture_close(NULL), 0);
    sim_free(sim);

    /* Write errors: a file-size limit makes writes fail with EFBIG (the
     * SIGXFSZ that comes with it is ignored), on any machine. The pcapng
     * header is flushed at open, so that fails right away; a per-interface
     * file fails once its buffer fills, and capture_close reports it. The
     * limit is lifted before that, as it applies to stderr too. */
    struct rlimit old_fsize;
    if (getrlimit(RLIMIT_FSIZE, &old_fsize) != 0) return;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {64, old_fsize.rlim_max};
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    sim = sim_new(5);
    struct node *a = node_new(sim, "a", NODE_HOST), *b = node_new(sim, "b", NODE_HOST);
    a->input = input_free;
    b->input = input_free;
    struct iface *ae = iface_new(a, "eth0", NULL), *be = iface_new(b, "eth0", NULL);
    link_connect(sim, ae, be, NULL);
    path_in(path, sizeof path, dir, "big.pcapng");
    errno = 0;
    CHECK(capture_pcapng_open(sim, path) == NULL);
    CHECK_EQ(errno, EFBIG);
    char pdir[512];
    path_in(pdir, sizeof pdir, dir, "big");
    struct capture *cd = capture_pcap_dir_open(sim, pdir);
    CHECK(cd != NULL);
    for (int i = 0; i < 500; i++) /* 500 * 76 bytes: more than the buffer */
        send_frame(sim, ae, be, 60, 0);
    sim_run_until(sim, SIM_S);
    CHECK(setrlimit(RLIMIT_FSIZE, &old_fsize) == 0);
    signal(SIGXFSZ, old_sig);
    printf("(an expected \"File too large\" follows)\n");
    fflush(stdout);
    errno = 0;
    CHECK_EQ(capture_close(cd), -1);
    CHECK_EQ(errno, EFBIG);
    sim_free(sim);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test_capture.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_two_hosts(dir);
    test_names_and_late_iface(dir);
    test_errors(dir);
    test_many_ifaces(dir);

    if (check_fail_ == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    } else {
        fprintf(stderr, "files kept in %s\n", dir);
    }
    return check_done();
}
