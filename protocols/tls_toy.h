/* tls_toy.h - the TOY cryptography of netstep's TLS stand-in. NOT SECURE:
 * it exists so that a capture shows the shape of TLS (random-looking bytes
 * instead of the page) and a student can follow every step; it protects
 * nothing. Real TLS 1.3 uses SHA-256, HKDF, AES-GCM or ChaCha20-Poly1305,
 * X25519 and RSA/ECDSA signatures; each has a toy stand-in here with the
 * same role and a far smaller size:
 *
 *   toy hash      a 256-bit hash built from 64-bit multiply-xorshift
 *                 mixing (FNV-style absorption). Stands in for SHA-256.
 *   toy PRF       HKDF-Expand's shape over the toy hash: secret + label +
 *                 context -> key material.
 *   toy cipher    a keystream XORed over the data, each 8-byte block a
 *                 mix of the key, the record number and the block number
 *                 (counter mode, so any byte can be decrypted alone: the
 *                 key log uses that), plus a 16-byte toy tag over the
 *                 record. Stands in for AES-128-GCM.
 *   toy group     Diffie-Hellman and Schnorr signatures modulo the
 *                 Mersenne prime 2^61 - 1: the real algebra with numbers a
 *                 laptop could break in seconds. Stands in for X25519 and
 *                 for the certificate signatures.
 *
 * Everything is deterministic: keys come from the scenario's seed, so runs
 * repeat byte for byte. */
#ifndef NETSTEP_TLS_TOY_H
#define NETSTEP_TLS_TOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOY_HASH_LEN 32
#define TOY_TAG_LEN  16
#define TOY_P        UINT64_C(0x1fffffffffffffff) /* 2^61 - 1, prime */
#define TOY_G        UINT64_C(37)

/* ---- the toy hash ---- */

struct toy_hash {
    uint64_t h[4];
    uint64_t total;
    uint8_t buf[8];
    size_t n;
};
void toy_hash_init(struct toy_hash *t);
void toy_hash_update(struct toy_hash *t, const void *data, size_t len);
/* Writes the digest; t is left as it was (a running transcript hash can
 * be read at any point and go on). */
void toy_hash_final(const struct toy_hash *t, uint8_t out[TOY_HASH_LEN]);
void toy_hash(const void *data, size_t len, uint8_t out[TOY_HASH_LEN]);
/* 64 bits of the hash of data, for the group's exponents. */
uint64_t toy_hash64(const void *data, size_t len);

/* ---- the toy PRF (HKDF-Expand-Label's shape) ---- */

/* n bytes of key material from a secret, a label and a context. */
void toy_prf(const uint8_t secret[TOY_HASH_LEN], const char *label, const uint8_t *ctx,
             size_t ctx_len, uint8_t *out, size_t n);
/* The toy HMAC: hash(key || data), keyed through the PRF's mixing. */
void toy_mac(const uint8_t key[TOY_HASH_LEN], const uint8_t *data, size_t len,
             uint8_t out[TOY_HASH_LEN]);

/* ---- the toy cipher ---- */

/* One direction's traffic key, derived from a traffic secret. */
struct toy_key {
    uint64_t k[4];             /* keystream key */
    uint8_t mac[TOY_HASH_LEN]; /* tag key */
};
void toy_key_derive(struct toy_key *k, const uint8_t secret[TOY_HASH_LEN]);
/* XORs the keystream of record `seq` from byte `at` of its fragment over
 * data (encrypts and decrypts alike). */
void toy_xor(const struct toy_key *k, uint64_t seq, size_t at, uint8_t *data, size_t len);
/* The 16-byte tag over a record's header (5 bytes) and ciphertext. */
void toy_tag(const struct toy_key *k, uint64_t seq, const uint8_t hdr[5], const uint8_t *ct,
             size_t len, uint8_t out[TOY_TAG_LEN]);

/* ---- the toy group: arithmetic modulo 2^61 - 1 ---- */

uint64_t toy_mulmod(uint64_t a, uint64_t b, uint64_t m);
uint64_t toy_powmod(uint64_t base, uint64_t exp, uint64_t m);
/* A private key in [2, p - 2] from 64 random (or derived) bits. */
uint64_t toy_private(uint64_t bits);
/* g^priv mod p: a public key, or a Diffie-Hellman share. */
uint64_t toy_public(uint64_t priv);
/* The Diffie-Hellman secret: peer_pub^priv mod p. */
uint64_t toy_dh(uint64_t priv, uint64_t peer_pub);

/* A Schnorr signature (e, s) over msg: deterministic (the nonce is a hash
 * of the key and the message, as EdDSA does). */
struct toy_sig {
    uint64_t e, s;
};
void toy_sign(uint64_t priv, const uint8_t *msg, size_t len, struct toy_sig *sig);
bool toy_verify(uint64_t pub, const uint8_t *msg, size_t len, const struct toy_sig *sig);

#endif
