/* capture.c - pcapng and classic pcap writers on the trace bus.
 *
 * Both writers listen at TRACE_FRAMES. Records go out in time order, as in a
 * real capture: a frame is announced (TK_TRANSMIT) when it is queued, but its
 * first bit may leave later, after frames queued before it. So a record
 * whose time is still in the future is copied (frame bytes are valid only
 * during the callback) into a small min-heap keyed by (time, step seq) and
 * written once the clock reaches it; every later record has a time >= now,
 * so nothing can overtake it. Most records (idle links, receptions) are
 * written straight away without a copy. Integers are written little-endian
 * byte by byte, so the files are the same on any host, and nothing in them
 * comes from the wall clock, so the same run gives the same bytes.
 *
 * pcapng (IETF draft-ietf-opsawg-pcapng): SHB, one IDB per interface in id
 * order, then one EPB per frame, on the sending interface at the time its
 * first bit leaves. An IDB may appear anywhere before the first block that
 * names it, so interfaces created after open get theirs on first use (or at
 * close, if they never sent anything).
 *
 * Classic pcap: one nanosecond-resolution file per interface, opened when
 * that interface first sends or receives and kept open: one descriptor per
 * active interface (the soft RLIMIT_NOFILE is raised to the hard limit once
 * if we run out). At close, interfaces that never saw a frame get an empty
 * file, opened and closed one at a time.
 *
 * Errors do not stop the simulation: the first one is remembered, the rest
 * of that file is skipped, and capture_close reports it (on stderr, with the
 * file name, and in its return value). capture_close needs the sim alive.
 */
#include "capture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define CAP_SNAPLEN       262144u
#define PCAPNG_BUF        (1u << 20)  /* one file for everything: a big buffer */
#define PCAP_DIR_BUF      (16u << 10) /* per interface: thousands may be open */
#define LINKTYPE_ETHERNET 1u

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u

#define OPT_ENDOFOPT     0u
#define OPT_SHB_USERAPPL 4u
#define OPT_IF_NAME      2u
#define OPT_IF_TSRESOL   9u

enum cap_mode { CAP_PCAPNG, CAP_PCAP_DIR };

/* One classic pcap file (dir mode). */
struct cap_file {
    char *name; /* file name inside dir, NULL until assigned */
    FILE *f;
    char *buf;
    bool failed; /* open or write failed: skip further records */
};

/* A record waiting for the clock to reach its time. */
struct cap_rec {
    sim_time ts;
    uint64_t seq;
    uint32_t iface_id;
    uint32_t len;    /* original length */
    uint32_t caplen; /* bytes kept in data */
    uint8_t data[];
};

struct capture {
    struct sim *sim;
    struct cap_rec **pend; /* min-heap on (ts, seq) */
    uint32_t n_pend, cap_pend;
    enum cap_mode mode;
    int err;       /* errno of the first error, 0 if none */
    char *errpath; /* file the first error happened on */

    /* pcapng */
    FILE *f;
    char *buf;
    char *path;
    uint32_t n_idb; /* IDBs written: ids 0..n_idb-1 */

    /* pcap dir */
    char *dir;
    struct cap_file *files; /* indexed by iface id */
    uint32_t n_files, cap_files;
    uint32_t n_named;   /* names assigned for ids 0..n_named-1 */
    uint32_t *name_set; /* open-addressing set of file indices + 1 */
    uint32_t name_set_cap, name_set_len;
    bool raised_nofile;
};

/* ---- little helpers ---- */

static inline void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t pad4(uint32_t n)
{
    return (n + 3u) & ~3u;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void cap_fail(struct capture *c, const char *path, int err)
{
    if (c->err) return;
    c->err = err ? err : EIO;
    c->errpath = dup_str(path ? path : "?");
}

/* fopen with our own full buffer (glibc ignores the size when setvbuf is given
 * no buffer). */
static FILE *cap_fopen(const char *path, size_t bufsize, char **buf_out)
{
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    *buf_out = malloc(bufsize);
    if (*buf_out) setvbuf(f, *buf_out, _IOFBF, bufsize);
    return f;
}

/* ---- pcapng ---- */

static void png_write(struct capture *c, const void *p, size_t n)
{
    if (c->f && n && fwrite(p, 1, n, c->f) != n) cap_fail(c, c->path, errno);
}

/* An option: code, length, value padded to 32 bits. Returns bytes written to
 * out (which must have room for 4 + pad4(len)). */
static uint32_t png_opt(uint8_t *out, uint16_t code, const void *val, uint16_t len)
{
    put_le16(out, code);
    put_le16(out + 2, len);
    if (len) memcpy(out + 4, val, len);
    memset(out + 4 + len, 0, pad4(len) - len);
    return 4 + pad4(len);
}

static void png_write_shb(struct capture *c)
{
    static const char appl[] = "netstep";
    uint8_t b[64];
    uint32_t n = 8;
    put_le32(b + n, 0x1A2B3C4Du); /* byte-order magic */
    put_le16(b + n + 4, 1);       /* version 1.0 */
    put_le16(b + n + 6, 0);
    put_le32(b + n + 8, 0xFFFFFFFFu); /* section length -1: not given */
    put_le32(b + n + 12, 0xFFFFFFFFu);
    n += 16;
    n += png_opt(b + n, OPT_SHB_USERAPPL, appl, (uint16_t)strlen(appl));
    n += png_opt(b + n, OPT_ENDOFOPT, NULL, 0);
    n += 4;
    put_le32(b, PCAPNG_SHB);
    put_le32(b + 4, n);
    put_le32(b + n - 4, n);
    png_write(c, b, n);
}

static void png_write_idb(struct capture *c, const struct iface *ifc)
{
    /* header 16, if_name 4 + label, if_tsresol 8, endofopt 4, length 4 */
    uint8_t b[16 + 4 + sizeof ifc->label + 3 + 8 + 4 + 4];
    uint8_t tsresol = 9; /* 10^-9 s: nanoseconds */
    uint32_t n = 8;
    size_t lablen = strnlen(ifc->label, sizeof ifc->label);
    put_le16(b + n, LINKTYPE_ETHERNET);
    put_le16(b + n + 2, 0);
    put_le32(b + n + 4, CAP_SNAPLEN);
    n += 8;
    n += png_opt(b + n, OPT_IF_NAME, ifc->label, (uint16_t)lablen);
    n += png_opt(b + n, OPT_IF_TSRESOL, &tsresol, 1);
    n += png_opt(b + n, OPT_ENDOFOPT, NULL, 0);
    n += 4;
    put_le32(b, PCAPNG_IDB);
    put_le32(b + 4, n);
    put_le32(b + n - 4, n);
    png_write(c, b, n);
}

/* Writes IDBs for every interface up to and including id (in id order). */
static bool png_ensure_idb(struct capture *c, uint32_t id)
{
    while (c->n_idb <= id) {
        const struct iface *ifc = sim_iface(c->sim, c->n_idb);
        if (!ifc) return false;
        png_write_idb(c, ifc);
        c->n_idb++;
    }
    return true;
}

static void png_write_epb(struct capture *c, uint32_t id, uint64_t ts, const uint8_t *data,
                          uint32_t caplen, uint32_t len)
{
    if (c->err || !png_ensure_idb(c, id)) return;
    uint32_t total = 32 + pad4(caplen);
    uint8_t h[28], tail[8] = {0};
    put_le32(h, PCAPNG_EPB);
    put_le32(h + 4, total);
    put_le32(h + 8, id);
    put_le32(h + 12, (uint32_t)(ts >> 32));
    put_le32(h + 16, (uint32_t)ts);
    put_le32(h + 20, caplen);
    put_le32(h + 24, len);
    png_write(c, h, sizeof h);
    png_write(c, data, caplen);
    put_le32(tail + (pad4(caplen) - caplen), total);
    png_write(c, tail, pad4(caplen) - caplen + 4);
}

/* ---- classic pcap, one file per interface ---- */

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Looks name up in the set; inserts file index i if absent. Returns true if it
 * was already taken. */
static bool name_taken_or_add(struct capture *c, const char *name, uint32_t i)
{
    if ((c->name_set_len + 1) * 2 > c->name_set_cap) {
        uint32_t ncap = c->name_set_cap ? c->name_set_cap * 2 : 64;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns) return false; /* degrade: no collision detection */
        for (uint32_t k = 0; k < c->name_set_cap; k++) {
            uint32_t v = c->name_set[k];
            if (!v) continue;
            uint32_t j = str_hash(c->files[v - 1].name) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = v;
        }
        free(c->name_set);
        c->name_set = ns;
        c->name_set_cap = ncap;
    }
    uint32_t mask = c->name_set_cap - 1, j = str_hash(name) & mask;
    for (; c->name_set[j]; j = (j + 1) & mask)
        if (strcmp(c->files[c->name_set[j] - 1].name, name) == 0) return true;
    c->name_set[j] = i + 1;
    c->name_set_len++;
    return false;
}

/* "node:iface" -> "node_iface.pcap". Characters that mean something to a
 * file system or a shell become '_'. Two labels can map to one name
 * ("a_b:c", "a:b_c"); the later interface then gets its id appended. */
static char *pcap_file_name(struct capture *c, const struct iface *ifc, uint32_t i)
{
    char base[sizeof ifc->label + 24];
    size_t n = 0;
    for (const char *s = ifc->label; *s && n < sizeof ifc->label; s++) {
        unsigned char ch = (unsigned char)*s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_';
        base[n++] = ok ? (char)ch : '_';
    }
    if (n && base[0] == '.') base[0] = '_'; /* no hidden files, no ".." */
    base[n] = '\0';
    char name[sizeof base + 8];
    snprintf(name, sizeof name, "%s.pcap", base);
    c->files[i].name = dup_str(name);
    if (c->files[i].name && name_taken_or_add(c, name, i)) {
        snprintf(name, sizeof name, "%s.%u.pcap", base, (unsigned)ifc->id);
        free(c->files[i].name);
        c->files[i].name = dup_str(name);
        if (c->files[i].name) name_taken_or_add(c, name, i);
    }
    return c->files[i].name;
}

/* Makes sure files[] covers ids 0..id and each has its name, in id order (so
 * names never depend on which interface talked first). */
static bool dir_ensure_names(struct capture *c, uint32_t id)
{
    if (id >= c->cap_files) {
        uint32_t ncap = c->cap_files ? c->cap_files : 16;
        while (ncap <= id)
            ncap *= 2;
        struct cap_file *nf = realloc(c->files, ncap * sizeof *nf);
        if (!nf) return false;
        memset(nf + c->cap_files, 0, (ncap - c->cap_files) * sizeof *nf);
        c->files = nf;
        c->cap_files = ncap;
    }
    while (c->n_named <= id) {
        const struct iface *ifc = sim_iface(c->sim, c->n_named);
        if (!ifc) return false;
        if (!pcap_file_name(c, ifc, c->n_named)) return false;
        c->n_named++;
    }
    if (c->n_files <= id) c->n_files = id + 1;
    return true;
}

/* One soft-to-hard raise of the open-file limit, the first time we hit it. */
static bool raise_nofile(struct capture *c)
{
    struct rlimit rl;
    if (c->raised_nofile || getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
    c->raised_nofile = true;
    if (rl.rlim_cur >= rl.rlim_max) return false;
    rl.rlim_cur = rl.rlim_max;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static char *dir_path(const struct capture *c, const char *name)
{
    size_t n = strlen(c->dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", c->dir, name);
    return p;
}

static FILE *dir_file(struct capture *c, const struct iface *ifc)
{
    if (!dir_ensure_names(c, ifc->id)) {
        cap_fail(c, c->dir, ENOMEM);
        return NULL;
    }
    struct cap_file *cf = &c->files[ifc->id];
    if (cf->failed) return NULL;
    if (cf->f) return cf->f;
    char *path = dir_path(c, cf->name);
    if (!path) {
        cf->failed = true;
        cap_fail(c, cf->name, ENOMEM);
        return NULL;
    }
    cf->f = cap_fopen(path, PCAP_DIR_BUF, &cf->buf);
    int e = errno;
    if (!cf->f && (e == EMFILE || e == ENFILE) && raise_nofile(c)) {
        cf->f = cap_fopen(path, PCAP_DIR_BUF, &cf->buf);
        e = errno;
    }
    if (!cf->f) {
        cf->failed = true;
        cap_fail(c, path, e);
        free(path);
        return NULL;
    }
    uint8_t h[24];
    put_le32(h, 0xA1B23C4Du); /* nanosecond-resolution pcap */
    put_le16(h + 4, 2);
    put_le16(h + 6, 4);
    put_le32(h + 8, 0);  /* thiszone */
    put_le32(h + 12, 0); /* sigfigs */
    put_le32(h + 16, CAP_SNAPLEN);
    put_le32(h + 20, LINKTYPE_ETHERNET);
    if (fwrite(h, 1, sizeof h, cf->f) != sizeof h) {
        cf->failed = true;
        cap_fail(c, path, errno);
    }
    free(path);
    return cf->failed ? NULL : cf->f;
}

static void dir_write_rec(struct capture *c, uint32_t id, uint64_t ts, const uint8_t *data,
                          uint32_t caplen, uint32_t len)
{
    const struct iface *ifc = sim_iface(c->sim, id);
    FILE *f = ifc ? dir_file(c, ifc) : NULL;
    if (!f) return;
    uint8_t h[16];
    put_le32(h, (uint32_t)(ts / (uint64_t)SIM_S));
    put_le32(h + 4, (uint32_t)(ts % (uint64_t)SIM_S));
    put_le32(h + 8, caplen);
    put_le32(h + 12, len);
    if (fwrite(h, 1, sizeof h, f) != sizeof h || fwrite(data, 1, caplen, f) != caplen) {
        int e = errno;
        struct cap_file *cf = &c->files[id];
        char *path = dir_path(c, cf->name);
        cf->failed = true;
        cap_fail(c, path ? path : cf->name, e);
        free(path);
    }
}

/* ---- time order: records wait in a heap until the clock reaches them ---- */

static void cap_write(struct capture *c, uint32_t id, sim_time t, const uint8_t *data,
                      uint32_t caplen, uint32_t len)
{
    uint64_t ts = t > 0 ? (uint64_t)t : 0;
    if (c->mode == CAP_PCAPNG)
        png_write_epb(c, id, ts, data, caplen, len);
    else
        dir_write_rec(c, id, ts, data, caplen, len);
}

static inline bool rec_less(const struct cap_rec *a, const struct cap_rec *b)
{
    return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static bool pend_push(struct capture *c, struct cap_rec *r)
{
    if (c->n_pend == c->cap_pend) {
        uint32_t ncap = c->cap_pend ? c->cap_pend * 2 : 64;
        struct cap_rec **np = realloc(c->pend, ncap * sizeof *np);
        if (!np) return false;
        c->pend = np;
        c->cap_pend = ncap;
    }
    uint32_t i = c->n_pend++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!rec_less(r, c->pend[parent])) break;
        c->pend[i] = c->pend[parent];
        i = parent;
    }
    c->pend[i] = r;
    return true;
}

static struct cap_rec *pend_pop(struct capture *c)
{
    struct cap_rec *top = c->pend[0], *last = c->pend[--c->n_pend];
    uint32_t i = 0, n = c->n_pend;
    for (;;) {
        uint32_t k = 2 * i + 1;
        if (k >= n) break;
        if (k + 1 < n && rec_less(c->pend[k + 1], c->pend[k])) k++;
        if (!rec_less(c->pend[k], last)) break;
        c->pend[i] = c->pend[k];
        i = k;
    }
    if (n) c->pend[i] = last;
    return top;
}

/* Writes every waiting record with a time <= upto, in (time, seq) order. */
static void pend_flush(struct capture *c, sim_time upto)
{
    while (c->n_pend && c->pend[0]->ts <= upto) {
        struct cap_rec *r = pend_pop(c);
        cap_write(c, r->iface_id, r->ts, r->data, r->caplen, r->len);
        free(r);
    }
}

/* Records one frame seen on ifc at time ts (>= now, the step's time). */
static void cap_record(struct capture *c, const struct trace_step *st, const struct iface *ifc,
                       sim_time ts)
{
    uint32_t caplen = st->frame_len < CAP_SNAPLEN ? st->frame_len : CAP_SNAPLEN;
    pend_flush(c, st->time);
    if (ts <= st->time) {
        cap_write(c, ifc->id, ts, st->frame, caplen, st->frame_len);
        return;
    }
    struct cap_rec *r = malloc(sizeof *r + caplen);
    if (r) {
        r->ts = ts;
        r->seq = st->seq;
        r->iface_id = ifc->id;
        r->len = st->frame_len;
        r->caplen = caplen;
        memcpy(r->data, st->frame, caplen);
    }
    if (!r || !pend_push(c, r)) {
        free(r);
        cap_fail(c, c->mode == CAP_PCAPNG ? c->path : c->dir, ENOMEM);
    }
}

/* pcapng: each frame once, on the interface that sent it. */
static void png_sink(void *ctx, const struct trace_step *st)
{
    if (st->kind == TK_TRANSMIT && st->iface && st->frame)
        cap_record(ctx, st, st->iface, st->wire_time);
}

/* pcap dir: what each interface sent and what it received. */
static void dir_sink(void *ctx, const struct trace_step *st)
{
    if (!st->iface || !st->frame) return;
    if (st->kind == TK_TRANSMIT)
        cap_record(ctx, st, st->iface, st->wire_time);
    else if (st->kind == TK_RECEIVE)
        cap_record(ctx, st, st->iface, st->time);
}

/* ---- opening ---- */

struct capture *capture_pcapng_open(struct sim *sim, const char *path)
{
    struct capture *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->sim = sim;
    c->mode = CAP_PCAPNG;
    c->path = dup_str(path);
    if (!c->path) goto fail;
    c->f = cap_fopen(path, PCAPNG_BUF, &c->buf);
    if (!c->f) goto fail;
    png_write_shb(c);
    uint32_t n = sim_iface_count(sim);
    if (n) png_ensure_idb(c, n - 1);
    /* Flush once so a full disk or a bad path shows up here, not at close. */
    if (!c->err && fflush(c->f) != 0) cap_fail(c, path, errno);
    if (c->err) {
        errno = c->err;
        goto fail;
    }
    if (!trace_subscribe(sim, TRACE_FRAMES, png_sink, c)) {
        errno = EBUSY; /* every sink slot taken */
        goto fail;
    }
    return c;
fail:;
    int e = errno;
    if (c->f) {
        fclose(c->f);
        remove(path);
    }
    free(c->buf);
    free(c->path);
    free(c->errpath);
    free(c);
    errno = e;
    return NULL;
}

/* mkdir -p */
static int mkdir_p(const char *dir)
{
    char *p = dup_str(dir);
    if (!p) return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777);
    int e = errno;
    free(p);
    if (rc != 0 && e != EEXIST) {
        errno = e;
        return -1;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

struct capture *capture_pcap_dir_open(struct sim *sim, const char *dir)
{
    if (!dir || !*dir) {
        errno = EINVAL;
        return NULL;
    }
    if (mkdir_p(dir) != 0) return NULL;
    struct capture *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->sim = sim;
    c->mode = CAP_PCAP_DIR;
    c->dir = dup_str(dir);
    uint32_t n = sim_iface_count(sim);
    if (!c->dir || (n && !dir_ensure_names(c, n - 1))) {
        errno = ENOMEM;
        goto fail;
    }
    if (!trace_subscribe(sim, TRACE_FRAMES, dir_sink, c)) {
        errno = EBUSY;
        goto fail;
    }
    return c;
fail:;
    int e = errno;
    for (uint32_t i = 0; i < c->n_files; i++)
        free(c->files[i].name);
    free(c->files);
    free(c->name_set);
    free(c->dir);
    free(c);
    errno = e;
    return NULL;
}

/* ---- closing ---- */

static void close_file(struct capture *c, FILE *f, const char *name)
{
    if (ferror(f)) cap_fail(c, name, EIO);
    if (fclose(f) != 0) cap_fail(c, name, errno);
}

int capture_close(struct capture *c)
{
    if (!c) return 0;
    /* Frames still queued when the run ended were announced on the trace
     * bus like any other, so they are written too (after everything else). */
    pend_flush(c, SIM_TIME_MAX);
    free(c->pend);
    if (c->mode == CAP_PCAPNG) {
        trace_unsubscribe(c->sim, png_sink, c);
        /* Interfaces created after open that never sent still get an IDB. */
        uint32_t n = sim_iface_count(c->sim);
        if (n && !c->err) png_ensure_idb(c, n - 1);
        close_file(c, c->f, c->path);
        free(c->buf);
        free(c->path);
    } else {
        trace_unsubscribe(c->sim, dir_sink, c);
        /* Interfaces that never saw a frame still get their (empty) file, so
         * every interface has one; opened and closed one at a time here. */
        uint32_t n = sim_iface_count(c->sim);
        if (n && !dir_ensure_names(c, n - 1)) cap_fail(c, c->dir, ENOMEM);
        for (uint32_t i = 0; i < c->n_files; i++) {
            struct cap_file *cf = &c->files[i];
            if (!cf->f && !cf->failed && cf->name && !c->err) dir_file(c, sim_iface(c->sim, i));
            cf = &c->files[i];
            if (cf->f) {
                char *path = dir_path(c, cf->name);
                close_file(c, cf->f, path ? path : cf->name);
                free(path);
            }
            free(cf->buf);
            free(cf->name);
        }
        free(c->files);
        free(c->name_set);
        free(c->dir);
    }
    int err = c->err;
    if (err)
        fprintf(stderr, "netstep: capture: %s: %s\n", c->errpath ? c->errpath : "?", strerror(err));
    free(c->errpath);
    free(c);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}
