/* eth_wire.c - parse and emit the 14-byte Ethernet II header. Padding to
 * the 60-byte minimum is the sender's business (the Ethernet output path),
 * not the header's. */
#include "eth_wire.h"

const uint8_t ETH_BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int eth_parse(const uint8_t *buf, size_t len, struct eth_hdr *out)
{
    if (len < ETH_HDR_LEN) return -1;
    for (int i = 0; i < 6; i++) {
        out->dst[i] = buf[ETH_OFF_DST + i];
        out->src[i] = buf[ETH_OFF_SRC + i];
    }
    out->type = get_be16(buf + ETH_OFF_TYPE);
    return 0;
}

void eth_emit(const struct eth_hdr *h, uint8_t *buf)
{
    for (int i = 0; i < 6; i++) {
        buf[ETH_OFF_DST + i] = h->dst[i];
        buf[ETH_OFF_SRC + i] = h->src[i];
    }
    put_be16(buf + ETH_OFF_TYPE, h->type);
}
