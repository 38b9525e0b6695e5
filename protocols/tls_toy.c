/* tls_toy.c - the TOY cryptography of the TLS stand-in (see tls_toy.h):
 * not secure, for teaching. Each function keeps the shape of the real
 * primitive it replaces so the protocol code around it reads like TLS. */
#include "tls_toy.h"

#include <string.h>

/* splitmix64's finalizer: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- the toy hash ---- */

static const uint64_t hash_iv[4] = {
    UINT64_C(0x6a09e667f3bcc908), /* SHA-512's first words, for nothing up our sleeve */
    UINT64_C(0xbb67ae8584caa73b),
    UINT64_C(0x3c6ef372fe94f82b),
    UINT64_C(0xa54ff53a5f1d36f1),
};

static void hash_word(uint64_t h[4], uint64_t w)
{
    /* FNV-style: fold the word in, then mix each lane with its neighbour so
     * one word changes all four */
    for (int i = 0; i < 4; i++)
        h[i] = mix64(h[i] ^ w ^ hash_iv[i]) + h[(i + 1) & 3];
}

void toy_hash_init(struct toy_hash *t)
{
    memset(t, 0, sizeof *t);
    memcpy(t->h, hash_iv, sizeof t->h);
}

void toy_hash_update(struct toy_hash *t, const void *data, size_t len)
{
    const uint8_t *p = data;
    t->total += len;
    while (len) {
        size_t k = 8 - t->n < len ? 8 - t->n : len;
        memcpy(t->buf + t->n, p, k);
        t->n += k;
        p += k;
        len -= k;
        if (t->n == 8) {
            hash_word(t->h, get_le64(t->buf));
            t->n = 0;
        }
    }
}

void toy_hash_final(const struct toy_hash *t, uint8_t out[TOY_HASH_LEN])
{
    uint64_t h[4];
    memcpy(h, t->h, sizeof h);
    uint8_t last[8] = {0};
    memcpy(last, t->buf, t->n);
    last[t->n] = 0x80; /* t->n < 8 always */
    hash_word(h, get_le64(last));
    hash_word(h, t->total);
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 4; i++)
            h[i] = mix64(h[i] + h[(i + 3) & 3] + (uint64_t)i);
    for (int i = 0; i < 4; i++)
        put_le64(out + 8 * i, h[i]);
}

void toy_hash(const void *data, size_t len, uint8_t out[TOY_HASH_LEN])
{
    struct toy_hash t;
    toy_hash_init(&t);
    toy_hash_update(&t, data, len);
    toy_hash_final(&t, out);
}

uint64_t toy_hash64(const void *data, size_t len)
{
    uint8_t d[TOY_HASH_LEN];
    toy_hash(data, len, d);
    return get_le64(d);
}

/* ---- PRF and MAC ---- */

void toy_prf(const uint8_t secret[TOY_HASH_LEN], const char *label, const uint8_t *ctx,
             size_t ctx_len, uint8_t *out, size_t n)
{
    uint8_t block[TOY_HASH_LEN];
    size_t ll = strlen(label);
    for (uint8_t counter = 1; n; counter++) {
        struct toy_hash t;
        toy_hash_init(&t);
        toy_hash_update(&t, secret, TOY_HASH_LEN);
        uint8_t b = (uint8_t)ll;
        toy_hash_update(&t, &b, 1);
        toy_hash_update(&t, label, ll);
        uint8_t cl[2] = {(uint8_t)(ctx_len >> 8), (uint8_t)ctx_len};
        toy_hash_update(&t, cl, 2);
        if (ctx_len) toy_hash_update(&t, ctx, ctx_len);
        toy_hash_update(&t, &counter, 1);
        toy_hash_final(&t, block);
        size_t k = n < TOY_HASH_LEN ? n : TOY_HASH_LEN;
        memcpy(out, block, k);
        out += k;
        n -= k;
    }
}

/* HMAC's two passes: hash(key ^ opad || hash(key ^ ipad || data)). */
static void mac_begin(struct toy_hash *t, const uint8_t key[TOY_HASH_LEN], uint8_t pad)
{
    uint8_t k[TOY_HASH_LEN];
    for (int i = 0; i < TOY_HASH_LEN; i++)
        k[i] = key[i] ^ pad;
    toy_hash_init(t);
    toy_hash_update(t, k, sizeof k);
}

static void mac_end(const struct toy_hash *inner, const uint8_t key[TOY_HASH_LEN],
                    uint8_t out[TOY_HASH_LEN])
{
    uint8_t d[TOY_HASH_LEN];
    toy_hash_final(inner, d);
    struct toy_hash t;
    mac_begin(&t, key, 0x5c);
    toy_hash_update(&t, d, sizeof d);
    toy_hash_final(&t, out);
}

void toy_mac(const uint8_t key[TOY_HASH_LEN], const uint8_t *data, size_t len,
             uint8_t out[TOY_HASH_LEN])
{
    struct toy_hash t;
    mac_begin(&t, key, 0x36);
    toy_hash_update(&t, data, len);
    mac_end(&t, key, out);
}

/* ---- the cipher ---- */

void toy_key_derive(struct toy_key *k, const uint8_t secret[TOY_HASH_LEN])
{
    uint8_t km[32];
    toy_prf(secret, "key", NULL, 0, km, sizeof km);
    for (int i = 0; i < 4; i++)
        k->k[i] = get_le64(km + 8 * i);
    toy_prf(secret, "mac", NULL, 0, k->mac, sizeof k->mac);
}

/* Keystream block b (8 bytes) of record seq: counter mode, so a block
 * needs nothing but the key and its two numbers. */
static uint64_t ks_block(const struct toy_key *k, uint64_t seq, uint64_t b)
{
    return mix64(k->k[0] ^ mix64(seq + k->k[1]) ^ mix64((b << 1 | 1) ^ k->k[2])) + k->k[3];
}

void toy_xor(const struct toy_key *k, uint64_t seq, size_t at, uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t pos = at + i;
        uint64_t ks = ks_block(k, seq, pos / 8);
        for (size_t j = pos % 8; j < 8 && i < len; j++, i++)
            data[i] ^= (uint8_t)(ks >> (8 * j));
    }
}

void toy_tag(const struct toy_key *k, uint64_t seq, const uint8_t hdr[5], const uint8_t *ct,
             size_t len, uint8_t out[TOY_TAG_LEN])
{
    struct toy_hash t;
    uint8_t s[8], full[TOY_HASH_LEN];
    put_le64(s, seq);
    mac_begin(&t, k->mac, 0x36);
    toy_hash_update(&t, s, 8);
    toy_hash_update(&t, hdr, 5);
    toy_hash_update(&t, ct, len);
    mac_end(&t, k->mac, full);
    memcpy(out, full, TOY_TAG_LEN);
}

/* ---- the group ---- */

uint64_t toy_mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    /* add and double: operands stay below 2^62, so nothing overflows and
     * no 128-bit type is needed (C11 has none) */
    uint64_t r = 0;
    a %= m;
    b %= m;
    while (b) {
        if (b & 1) {
            r += a;
            if (r >= m) r -= m;
        }
        a += a;
        if (a >= m) a -= m;
        b >>= 1;
    }
    return r;
}

uint64_t toy_powmod(uint64_t base, uint64_t exp, uint64_t m)
{
    uint64_t r = 1 % m;
    base %= m;
    while (exp) {
        if (exp & 1) r = toy_mulmod(r, base, m);
        base = toy_mulmod(base, base, m);
        exp >>= 1;
    }
    return r;
}

uint64_t toy_private(uint64_t bits)
{
    return 2 + bits % (TOY_P - 3);
}

uint64_t toy_public(uint64_t priv)
{
    return toy_powmod(TOY_G, priv, TOY_P);
}

uint64_t toy_dh(uint64_t priv, uint64_t peer_pub)
{
    return toy_powmod(peer_pub, priv, TOY_P);
}

/* e = H(r || msg) mod (p - 1) */
static uint64_t sig_challenge(uint64_t r, const uint8_t *msg, size_t len)
{
    struct toy_hash t;
    uint8_t rb[8], d[TOY_HASH_LEN];
    put_le64(rb, r);
    toy_hash_init(&t);
    toy_hash_update(&t, rb, 8);
    toy_hash_update(&t, msg, len);
    toy_hash_final(&t, d);
    return get_le64(d) % (TOY_P - 1);
}

void toy_sign(uint64_t priv, const uint8_t *msg, size_t len, struct toy_sig *sig)
{
    const uint64_t q = TOY_P - 1; /* exponents live modulo the group's order */
    struct toy_hash t;
    uint8_t kb[8], d[TOY_HASH_LEN];
    put_le64(kb, priv);
    toy_hash_init(&t);
    toy_hash_update(&t, "nonce", 5);
    toy_hash_update(&t, kb, 8);
    toy_hash_update(&t, msg, len);
    toy_hash_final(&t, d);
    uint64_t k = 1 + get_le64(d) % (q - 1);
    uint64_t r = toy_public(k);
    sig->e = sig_challenge(r, msg, len);
    /* s = k - x*e (mod q), so g^s * y^e = g^k = r */
    sig->s = (k + q - toy_mulmod(priv, sig->e, q)) % q;
}

bool toy_verify(uint64_t pub, const uint8_t *msg, size_t len, const struct toy_sig *sig)
{
    if (pub < 2 || pub >= TOY_P || sig->e >= TOY_P - 1 || sig->s >= TOY_P - 1) return false;
    uint64_t r = toy_mulmod(toy_public(sig->s), toy_powmod(pub, sig->e, TOY_P), TOY_P);
    return sig_challenge(r, msg, len) == sig->e;
}
