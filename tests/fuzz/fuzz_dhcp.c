/* fuzz_dhcp.c - libFuzzer target for DHCP: the input is parsed by
 * dhcp_parse (what it accepts must emit and parse back to the same
 * message type and xid), shown by the dissector inside a UDP datagram to
 * port 67, and sent over a cable to a host that runs a DHCP server (port 67)
 * and a waiting client (port 68), as a broadcast, so the server's and the
 * client's input paths run with every step formatted. */
#include "fuzz.h"
#include "../unit/fixture.h"
#include "protocols/dhcp.h"
#include "protocols/dissect.h"
#include "protocols/udp_wire.h"

/* A UDP datagram from 10.9.0.2:sport to 255.255.255.255:dport holding data. */
static struct pkt *dgram(struct fx_raw *r, uint16_t sport, uint16_t dport, const uint8_t *data,
                         size_t size)
{
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t *u = malloc(size + UDP_HDR_LEN);
    if (!u) abort();
    if (size) memcpy(u + UDP_HDR_LEN, data, size);
    udp_emit(u, sport, dport, size + UDP_HDR_LEN, IP(10, 9, 0, 2), 0xffffffffu, true);
    struct pkt *p =
        fx_raw_ip(r, bc, 0xffffffffu, IP4_PROTO_UDP, 7, u, (uint32_t)(size + UDP_HDR_LEN));
    free(u);
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dhcp_msg m, m2;
    if (dhcp_parse(data, size, &m) == DHCP_OK) {
        uint8_t out[DHCP_MAX_LEN * 2];
        size_t n = dhcp_emit(&m, out, sizeof out);
        FUZZ_ASSERT(n >= DHCP_MIN_LEN);
        FUZZ_ASSERT(dhcp_parse(out, n, &m2) == DHCP_OK);
        FUZZ_ASSERT(m2.type == m.type && m2.xid == m.xid && m2.ciaddr == m.ciaddr);
    }
    if (size > 1400) return 0; /* one frame's worth */
    struct fx_raw r;
    fx_raw_init(&r);
    struct dhcp_server_conf conf = {
        .pool_lo = IP(10, 9, 0, 100), .pool_hi = IP(10, 9, 0, 110), .lease_s = 60};
    char err[128];
    dhcp_server_start(r.st, r.e, &conf, err, sizeof err);
    dhcp_client_start(r.st, r.e, NULL);
    struct pkt *p = dgram(&r, 68, 67, data, size);
    struct dissection d;
    dissect_frame(pkt_data(p), p->len, &d);
    FUZZ_ASSERT(d.n_layers <= DIS_MAX_LAYERS);
    for (uint32_t i = 0; i < d.n_fields; i++)
        FUZZ_ASSERT(d.fields[i].off + d.fields[i].len <= p->len);
    dissect_free(&d);
    fx_raw_send(&r, p);
    fx_raw_send(&r, dgram(&r, 67, 68, data, size));
    sim_run_until(r.sim, sim_now(r.sim) + 70 * SIM_S);
    fx_raw_free(&r);
    return 0;
}
