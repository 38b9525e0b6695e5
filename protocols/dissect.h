/* dissect.h - turns a frame's bytes into a field tree, layer by layer, in the
 * spirit of Wireshark's packet details pane, plus the one-line summary
 * (source, destination, protocol, info) that tshark prints per frame.
 *
 * Built on the wire parsers only, so whatever the dissector shows is what
 * the protocol code itself would read. Never reads past len; a frame that
 * stops early or fails a check is marked malformed and the fields found up
 * to that point are kept. */
#ifndef NETSTEP_DISSECT_H
#define NETSTEP_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIS_MAX_LAYERS 8

struct dis_field {
    char name[40];     /* "Time to Live" */
    char value[112];   /* "64" */
    uint32_t off, len; /* byte offset and length in the frame */
    uint8_t layer;     /* index into dissection.layers */
    uint8_t depth;     /* 0 = top-level field of the layer, 1 = sub-field (flag bits) */
};

struct dis_layer {
    char name[80];   /* "Internet Protocol Version 4, Src: 10.0.0.1, Dst: 10.0.0.2" */
    char abbrev[12]; /* "eth", "arp", "ip", "icmp", "data" */
    uint8_t osi;     /* 2, 3, 4, 7 */
    uint32_t off, len;
    uint32_t first_field, n_fields;
};

struct dissection {
    struct dis_layer layers[DIS_MAX_LAYERS];
    int n_layers;
    struct dis_field *fields; /* heap, dissect_free releases */
    uint32_t n_fields, cap_fields;
    char protocol[16]; /* highest protocol: "ARP", "ICMP", "IPv4", "ETH" */
    char src[40], dst[40];
    char info[192]; /* tshark's Info column */
    bool malformed;
};

/* Full field tree (for the inspector, --layers, the GUI). Overwrites *d
 * without looking at it: dissect_free a dissection before reusing it.
 * Every layer and field lies within [0, len). */
void dissect_frame(const uint8_t *frame, size_t len, struct dissection *d);
void dissect_free(struct dissection *d);

/* Only protocol/src/dst/info (for the wire log): no field tree, no malloc. */
void dissect_summary(const uint8_t *frame, size_t len, struct dissection *d);

/* Bytes that do not start with an Ethernet header: a trace step inside a
 * device carries its own layer's bytes (an IPv4 datagram before Ethernet
 * wraps it, an ARP message after Ethernet is taken off). Offsets in the
 * result are relative to buf. */
enum dis_start { DIS_START_ETH, DIS_START_IPV4, DIS_START_ARP };
void dissect_packet(const uint8_t *buf, size_t len, enum dis_start start, struct dissection *d,
                    bool tree);

/* The same, with the TLS key log of sim's nodes (tls.h): protected TLS
 * records are decrypted, shown as a "Decrypted TLS (toy cipher)" layer and
 * the protocol inside is dissected, as Wireshark does given the keys. The
 * Protocol and Info columns then name the inner protocol. keys NULL: as
 * dissect_packet. */
struct sim;
void dissect_packet_keys(const uint8_t *buf, size_t len, enum dis_start start,
                         const struct sim *keys, struct dissection *d, bool tree);

/* Prints the tree, one field per line, indented, with offsets. */
#include <stdio.h>
void dissect_print(const struct dissection *d, FILE *out);

#endif
