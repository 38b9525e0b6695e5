/* console.c - the device view: a clicked node's interfaces and tables (ARP
 * cache, routes, MAC table, NAT, DHCP leases, sockets, as its own commands
 * print them) and its console, where the user types host shell commands
 * (scenarios/shell.h); lines typed while an interactive command runs
 * (telnet) go to it, Ctrl+C interrupts.
 *
 * A typed command becomes part of the scenario's history: the session
 * records it with the simulated time it was typed at and types it again
 * whenever the history is replayed (step back, jump back), so stepping
 * back and forward shows the same events. The console shows each command's
 * output as far as the simulation has got, so stepping back also takes
 * back output that has not happened yet. */
#include "gui.h"
#include "engine/net.h"
#include "protocols/stack.h"

#include <stdlib.h>
#include <string.h>

static const SDL_Color C_TEXT = {28, 32, 40, 255}, C_DIM = {96, 104, 118, 255},
                       C_BORDER = {200, 205, 214, 255}, C_CON_BG = {24, 28, 36, 255},
                       C_CON_TX = {220, 230, 220, 255}, C_CON_CMD = {140, 220, 140, 255};

void device_refresh(struct gui *g)
{
    free(g->node_text);
    g->node_text = NULL;
    struct sim *sim = session_sim(&g->s);
    if (g->sel_node < 0 || !sim || (uint32_t)g->sel_node >= sim_node_count(sim)) return;
    struct node *n = sim_node(sim, (uint32_t)g->sel_node);
    size_t cap = 8192, len = 0;
    char *t = malloc(cap);
    if (!t) abort();
    t[0] = 0;
    len += (size_t)snprintf(t + len, cap - len, "Interfaces:\n");
    for (uint32_t i = 0; i < n->n_ifaces && len < cap - 200; i++) {
        const struct iface *f = n->ifaces[i];
        len += (size_t)snprintf(
            t + len, cap - len,
            " %-6s %02x:%02x:%02x:%02x:%02x:%02x %s tx %llu rx %llu drop %llu\n", f->name,
            f->mac[0], f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5], f->up ? "up" : "down",
            (unsigned long long)f->cnt.tx_frames, (unsigned long long)f->cnt.rx_frames,
            (unsigned long long)f->cnt.drops);
        for (int k = 0; k < f->n_addr && len < cap - 100; k++) {
            uint32_t a = f->addr[k];
            len += (size_t)snprintf(t + len, cap - len, "        inet %u.%u.%u.%u/%u\n", a >> 24,
                                    (a >> 16) & 255, (a >> 8) & 255, a & 255, f->plen[k]);
        }
    }
    /* The tables, as the node's own commands print them: ARP, routes and
     * sockets on a host; ARP, routes, NAT and DHCP leases on a router; the
     * MAC table on a switch. NAT, leases and sockets only when there are
     * any (an empty table, or IOS's "% No DHCP server", says nothing). */
    const char *cmds[4] = {NULL, NULL, NULL, NULL};
    if (n->kind == NODE_HOST || n->kind == NODE_SERVER) {
        cmds[0] = "arp -a";
        cmds[1] = "ip route";
        cmds[2] = "ss -tan";
    } else if (n->kind == NODE_ROUTER) {
        cmds[0] = "show arp";
        cmds[1] = "show ip route";
        cmds[2] = "show ip nat translations";
        cmds[3] = "show dhcp leases";
    } else if (n->kind == NODE_SWITCH) {
        cmds[0] = "show mac address-table";
    }
    for (int c = 0; c < 4 && cmds[c]; c++) {
        char *out = session_node_command(&g->s, g->sel_node, cmds[c]);
        const char *nl = strchr(out, '\n');
        bool optional = c >= 2;
        if (optional && (!out[0] || out[0] == '%' || !nl || !nl[1])) {
            free(out);
            continue;
        }
        size_t need = len + strlen(cmds[c]) + strlen(out) + 16;
        if (need > cap) {
            cap = need * 2;
            t = realloc(t, cap);
            if (!t) abort();
        }
        len += (size_t)snprintf(t + len, cap - len, "\n%s$ %s\n%s", n->name, cmds[c], out);
        free(out);
    }
    g->node_text = t;
}

void console_submit(struct gui *g)
{
    char line[sizeof g->console_in];
    snprintf(line, sizeof line, "%s", g->console_in);
    g->console_in[0] = 0;
    char *p = line;
    while (*p == ' ')
        p++;
    if (!*p || g->sel_node < 0 || !g->s.runner) return;
    g->playing = false;
    size_t before = session_type_command(&g->s, g->sel_node, p);
    const struct gui_cmd *c = &g->s.cmds[g->s.n_cmds - 1];
    /* The next step forward shows a new command's first step. A line for a
     * running command leaves the view where it is: its steps come after
     * the ones not yet looked at. */
    if (c->kind == GC_RUN) g->cur = (long)before - 1;
    g->sel_field = -1;
    g->ev_scroll = 0;
    char m[sizeof line + 160];
    if (c->kind == GC_INPUT)
        snprintf(m, sizeof m, "Typed \"%s\" into %s's %s (recorded: replay types it again).", p,
                 gui_node_name(g, g->sel_node), g->s.cmds[c->target].line);
    else
        snprintf(m, sizeof m,
                 "%s$ %s  (typed at this moment; it runs as the simulation plays, and step back "
                 "and forward replay it)",
                 gui_node_name(g, g->sel_node), p);
    gui_message(g, false, m);
    device_refresh(g);
}

void console_interrupt(struct gui *g)
{
    if (g->sel_node < 0 || !g->s.runner) return;
    g->playing = false;
    if (!session_interrupt(&g->s, g->sel_node)) {
        gui_message(g, false, "Nothing is running on this console.");
        return;
    }
    const struct gui_cmd *c = &g->s.cmds[g->s.n_cmds - 1];
    char m[300];
    snprintf(m, sizeof m, "^C: interrupted %s$ %s", gui_node_name(g, g->sel_node),
             g->s.cmds[c->target].line);
    gui_message(g, false, m);
    device_refresh(g);
}

/* The console's transcript as lines, each flagged when it is what the user
 * typed. */
struct con_lines {
    char **text;
    bool *typed;
    int n, cap;
};

static void con_add(struct con_lines *l, const char *s, size_t len, bool typed)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->text = realloc(l->text, sizeof(char *) * (size_t)l->cap);
        l->typed = realloc(l->typed, sizeof(bool) * (size_t)l->cap);
        if (!l->text || !l->typed) abort();
    }
    l->text[l->n] = strndup(s, len);
    if (!l->text[l->n]) abort();
    l->typed[l->n++] = typed;
}

/* Output bytes [from, to) as lines; a last line without its newline yet is
 * shown as it is. */
static void con_add_output(struct con_lines *l, const char *out, size_t from, size_t to)
{
    while (from < to) {
        const char *e = memchr(out + from, '\n', to - from);
        size_t len = e ? (size_t)(e - (out + from)) : to - from;
        con_add(l, out + from, len, false);
        from += len + (e ? 1 : 0);
    }
}

/* Lines of text, the last ones that fit, from the bottom up. */
static void lines_tail(struct gui *g, const char *const *text, const bool *is_cmd, int n, int x,
                       int top, int bottom, int w)
{
    int y = bottom - g->mono_h;
    for (int i = n; i-- > 0 && y >= top;) {
        draw_text(g, g->mono, x, y, w, is_cmd[i] ? C_CON_CMD : C_CON_TX, text[i]);
        y -= g->mono_h;
    }
    for (int i = 0; i < n; i++)
        dump_printf(g, "console %s\n", text[i]);
}

static void console_draw(struct gui *g, SDL_Rect r)
{
    const struct gui_session *s = &g->s;
    draw_fill(g, r, C_CON_BG);
    g->console_rect = (SDL_Rect){r.x, r.y + r.h - g->mono_h - 8, r.w, g->mono_h + 8};
    /* The node's commands, the lines typed into them, and their output so
     * far, each typed line where the output had got when it was typed. */
    struct con_lines l = {0};
    for (int c = 0; c < s->n_cmds; c++) {
        const struct gui_cmd *cmd = &s->cmds[c];
        if (cmd->node != g->sel_node || cmd->kind != GC_RUN || !cmd->proc) continue;
        char head[sizeof g->console_in + NODE_NAME_MAX + 4];
        snprintf(head, sizeof head, "%s$ %s", gui_node_name(g, cmd->node), cmd->line);
        con_add(&l, head, strlen(head), true);
        const char *out = cmd->proc->out ? cmd->proc->out : "";
        size_t len = cmd->proc->out ? cmd->proc->out_len : 0, at = 0;
        for (int k = c + 1; k < s->n_cmds; k++) {
            const struct gui_cmd *in = &s->cmds[k];
            if (in->target != c || in->kind == GC_RUN || !in->injected) continue;
            size_t upto = in->out_at < len ? in->out_at : len;
            con_add_output(&l, out, at, upto);
            at = upto;
            con_add(&l, in->line, strlen(in->line), true);
        }
        con_add_output(&l, out, at, len);
    }
    int n = l.n;
    char **text = l.text;
    bool *is_cmd = l.typed;
    if (n == 0) {
        draw_text(g, g->small, r.x + 8, r.y + 6, r.w - 16, C_DIM,
                  "Console: commands typed here (ping, traceroute, arp -a, ...) run at the "
                  "current moment.");
    }
    lines_tail(g, (const char *const *)text, is_cmd, n, r.x + 8, r.y + 4, g->console_rect.y - 2,
               r.w - 16);
    for (int i = 0; i < n; i++)
        free(text[i]);
    free(text);
    free(is_cmd);
    /* The input line. */
    SDL_Rect in = g->console_rect;
    draw_fill(g, in, g->console_on ? (SDL_Color){40, 48, 62, 255} : (SDL_Color){34, 38, 48, 255});
    draw_line(g, in.x, in.y, in.x + in.w, in.y, C_BORDER);
    char prompt[sizeof g->console_in + NODE_NAME_MAX + 96];
    int running = session_running(s, g->sel_node, true);
    if (running >= 0) {
        /* Lines go to the interactive command, as in a terminal. */
        char what[48];
        snprintf(what, sizeof what, "%s", s->cmds[running].line);
        snprintf(prompt, sizeof prompt, "[%s] %s%s", what, g->console_in,
                 g->console_on ? "_" : "   (click here or press C to type a line to it)");
    } else if (g->console_on) {
        snprintf(prompt, sizeof prompt, "%s$ %s_", gui_node_name(g, g->sel_node), g->console_in);
    } else {
        snprintf(prompt, sizeof prompt, "%s$   (click here or press C to type)",
                 gui_node_name(g, g->sel_node));
    }
    draw_text(g, g->mono, in.x + 8, in.y + 4, in.w - 16,
              g->console_on ? C_CON_CMD : (SDL_Color){150, 160, 170, 255}, prompt);
    dump_printf(g, "console_input %s%s\n", prompt, g->console_on ? " [focused]" : "");
}

void device_draw(struct gui *g)
{
    g->console_rect = g->device_rect = (SDL_Rect){0, 0, 0, 0};
    if (g->sel_node < 0 || !g->node_text || !g->s.model) return;
    SDL_Rect c = g->canvas;
    int top = g->message[0] ? g->line_h * 2 + 8 : 0; /* below the message banner */
    SDL_Rect r = {c.x + c.w * 2 / 5, c.y + 8 + top, c.w * 3 / 5 - 8, c.h - 16 - top};
    char title[96];
    snprintf(title, sizeof title, "%s (Esc closes)", gui_node_name(g, g->sel_node));
    overlay_box(g, r, title);
    g->device_rect = r;
    /* The console takes room only once something was typed on this node. */
    bool typed = false;
    for (int i = 0; i < g->s.n_cmds; i++)
        typed |= g->s.cmds[i].node == g->sel_node && g->s.cmds[i].injected;
    int con_h = typed ? r.h * 2 / 5 : g->mono_h * 3 + 16;
    int bottom = r.y + r.h - con_h;
    int y = r.y + g->line_h + 10;
    const char *p = g->node_text;
    while (*p && y + g->mono_h < bottom) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), p);
        draw_text(g, g->mono, r.x + 8, y, r.w - 16, C_TEXT, line);
        dump_printf(g, "device %s\n", line);
        y += g->mono_h;
        p += n + (e ? 1 : 0);
    }
    console_draw(g, (SDL_Rect){r.x + 1, bottom, r.w - 2, con_h - 1});
}
