/* dissect_tcp.c - the TCP layer of the dissector (RFC 9293 header, flags,
 * options) and the hand-off of its payload to the application dissectors.
 * For now: the payload is shown as Data. */
#include "dissect_priv.h"

void dis_tcp(struct dis_ctx *c, size_t off, size_t n, const struct ip4_hdr *ip, bool cut)
{
    (void)cut;
    dis_info(c->d, "%s (%u)", ip4_proto_name(ip->proto), ip->proto);
    dis_data(c, off, n, 4);
}
