/* proto.c - one colour per protocol the dissector names (envelopes on the
 * canvas, the event list's colour bar, the legend), and the event list's
 * filter categories. Colours are picked to stay apart from each other and
 * from the red of drops. */
#include "gui.h"

#include <strings.h>

static const struct {
    const char *name;
    SDL_Color color;
    int filter;
} PROTOS[GP_COUNT] = {
    [GP_ARP] = {"ARP", {235, 150, 20, 255}, GF_ARP},
    [GP_ICMP] = {"ICMP", {40, 120, 220, 255}, GF_ICMP},
    [GP_UDP] = {"UDP", {0, 170, 170, 255}, GF_UDP},
    [GP_TCP] = {"TCP", {110, 110, 120, 255}, GF_TCP},
    [GP_DHCP] = {"DHCP", {140, 200, 40, 255}, GF_DHCP},
    [GP_DNS] = {"DNS", {230, 90, 160, 255}, GF_DNS},
    [GP_HTTP] = {"HTTP", {120, 60, 200, 255}, GF_HTTP},
    [GP_FTP] = {"FTP", {150, 100, 50, 255}, GF_OTHER},
    [GP_SMTP] = {"SMTP", {250, 200, 40, 255}, GF_OTHER},
    [GP_POP] = {"POP", {90, 170, 250, 255}, GF_OTHER},
    [GP_IMAP] = {"IMAP", {20, 90, 110, 255}, GF_OTHER},
    [GP_TELNET] = {"TELNET", {60, 60, 60, 255}, GF_OTHER},
    [GP_WHOIS] = {"WHOIS", {200, 160, 220, 255}, GF_OTHER},
    [GP_TLS] = {"TLS", {20, 130, 60, 255}, GF_TLS},
    [GP_IPV4] = {"IPv4", {40, 160, 80, 255}, GF_OTHER},
    [GP_OTHER] = {"other", {170, 120, 190, 255}, GF_OTHER},
};

static const char *const FILTERS[GF_COUNT] = {"ARP", "ICMP", "UDP", "TCP",  "DHCP",
                                              "DNS", "HTTP", "TLS", "other"};

int proto_index(const char *proto)
{
    if (!proto || !proto[0]) return GP_OTHER;
    /* Variants by prefix: "POP3", "TLSv1.3", "FTP-DATA"; BOOTP is DHCP's
     * ancestor and the dissector names plain BOOTP messages so. */
    if (strncasecmp(proto, "BOOTP", 5) == 0) return GP_DHCP;
    if (strncasecmp(proto, "SSL", 3) == 0) return GP_TLS;
    /* NAT rewrites the IPv4 header: its steps take the layer's colour. */
    if (strcasecmp(proto, "NAT") == 0) return GP_IPV4;
    for (int i = 0; i < GP_OTHER; i++) {
        size_t n = strlen(PROTOS[i].name);
        if (strncasecmp(proto, PROTOS[i].name, n) == 0) return i;
    }
    return GP_OTHER;
}

const char *proto_name(int gp)
{
    return gp >= 0 && gp < GP_COUNT ? PROTOS[gp].name : "other";
}

SDL_Color proto_color_at(int gp)
{
    return PROTOS[gp >= 0 && gp < GP_COUNT ? gp : GP_OTHER].color;
}

SDL_Color proto_color(const char *proto)
{
    return proto_color_at(proto_index(proto));
}

int proto_filter(int gp)
{
    return PROTOS[gp >= 0 && gp < GP_COUNT ? gp : GP_OTHER].filter;
}

const char *filter_name(int gf)
{
    return gf >= 0 && gf < GF_COUNT ? FILTERS[gf] : "other";
}
