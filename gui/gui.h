/* gui.h - netstep-gui's private contract: the session (a scenario running
 * under a runner, with the history of every trace step it produced and the
 * commands typed on device consoles), the screen layout, the drawing helpers
 * and the panels.
 *
 * All state lives in struct gui, passed to every function: no globals, so a
 * second session (or a test) can live in the same process. The GUI reads the
 * simulation only through the public headers of engine/, protocols/ and
 * scenarios/, and learns what happens by subscribing to the trace bus.
 *
 * Step back is deterministic replay: the session rebuilds the scenario from
 * its model and runs it again to the wanted step or time, typing the console
 * commands again at the simulated moments they were first typed.
 */
#ifndef NETSTEP_GUI_H
#define NETSTEP_GUI_H

#include "engine/trace.h"
#include "protocols/dissect.h"
#include "scenarios/model.h"
#include "scenarios/runner.h"
#include "scenarios/shell.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdio.h>

/* ---- protocols: colours, legend and event-list filters (proto.c) ---- */

/* Every protocol the dissector names, then IPv4 (a bare datagram) and
 * "other"; index into proto_info. */
enum {
    GP_ARP,
    GP_ICMP,
    GP_UDP,
    GP_TCP,
    GP_DHCP,
    GP_DNS,
    GP_HTTP,
    GP_FTP,
    GP_SMTP,
    GP_POP,
    GP_IMAP,
    GP_TELNET,
    GP_WHOIS,
    GP_TLS,
    GP_IPV4,
    GP_OTHER,
    GP_COUNT
};

/* The event list's filter chips: one per common protocol, then "other". */
enum { GF_ARP, GF_ICMP, GF_UDP, GF_TCP, GF_DHCP, GF_DNS, GF_HTTP, GF_TLS, GF_OTHER, GF_COUNT };

int proto_index(const char *proto);
const char *proto_name(int gp);
SDL_Color proto_color(const char *proto);
SDL_Color proto_color_at(int gp);
int proto_filter(int gp);
const char *filter_name(int gf);

/* ---- session: model + runner + step history (session.c) ---- */

/* One trace step, copied out of the sink callback (the bus's strings and
 * bytes are valid only during the call). Nodes and interfaces are kept as
 * indices so that a step outlives the sim it came from. */
struct gui_step {
    uint64_t seq;
    sim_time time, wire_time, arrive_time;
    int node, iface;           /* -1 = none */
    int peer_node, peer_iface; /* TK_TRANSMIT: the receiving end */
    uint8_t layer;
    enum trace_kind kind;
    uint8_t gp;     /* proto_index(proto) */
    bool is_frame;  /* frame holds a whole Ethernet frame (L1/L2 steps) */
    int8_t start;   /* where frame's bytes begin (enum dis_start); -1 = above IP
                       (an ICMP, UDP, ... payload alone) or no bytes */
    bool broadcast; /* the frame's destination MAC is ff:ff:ff:ff:ff:ff */
    uint64_t pkt_id;
    char proto[16]; /* highest protocol inside the frame, or the step's own */
    char *summary, *why;
    uint8_t *frame; /* NULL when the step has no frame */
    uint32_t frame_len;
};

/* What the user typed on a device console: replay types it again at the
 * same simulated time, after every event up to that time has run, so the
 * history comes out identical. A line is a new command, or a line for the
 * interactive command running on that console (telnet), or Ctrl+C. */
enum gui_cmd_kind { GC_RUN, GC_INPUT, GC_INTERRUPT };

struct gui_cmd {
    sim_time at;
    int node;
    enum gui_cmd_kind kind;
    int target; /* GC_INPUT, GC_INTERRUPT: index of the GC_RUN it goes to */
    char *line;
    size_t at_step;          /* steps that existed when it was typed (shown) */
    struct shell_proc *proc; /* GC_RUN: NULL until injected in the current run */
    bool injected;           /* typed in the current run */
    size_t out_at;           /* target's output length when typed (where it shows) */
};

struct gui_session {
    char *path;
    struct model *model;
    struct runner *runner;
    FILE *devnull; /* the runner's text output goes nowhere */
    struct gui_step *steps;
    size_t n_steps, cap_steps;
    /* Steps past n_steps kept from before a replay (up to n_kept), which the
     * replay makes again and takes back rather than copying them anew. */
    size_t n_kept;
    /* Indices of the steps the event list shows (frames sent, drops), in
     * order; the event list binary-searches it. */
    long *events;
    size_t n_events, cap_events;
    sim_time max_flight;  /* longest transmit (time to arrival) seen */
    uint32_t protos_seen; /* bit per GP_ index */
    unsigned generation;  /* bumped whenever the history restarts */
    bool muted;           /* ignore steps (device-table commands run by the GUI) */
    sim_time now;         /* the simulated time shown */
    bool ended;           /* nothing more will happen */
    struct gui_cmd *cmds;
    int n_cmds, cap_cmds;
    int next_cmd;                     /* first command not yet injected in this run */
    struct model_load_opts load_opts; /* --lua-instructions, --lua-memory; kept across files */
};

/* Loads path into a fresh session. On error fills err and leaves *s as it
 * was, so the previous scenario stays open. */
bool session_open(struct gui_session *s, const char *path, char *err, size_t errlen);
/* The same from a model already loaded (taken over, also on failure). */
bool session_open_model(struct gui_session *s, struct model *m, const char *path, char *err,
                        size_t errlen);
void session_close(struct gui_session *s);
struct sim *session_sim(const struct gui_session *s);
sim_time session_until(const struct gui_session *s);
/* The error that stopped a Lua scenario's script in this run so far (a Lua
 * error in a callback, the instruction budget, the memory cap), or "". */
const char *session_error(const struct gui_session *s);
/* Runs (replaying from 0 when t is in the past) to simulated time t. */
void session_run_to_time(struct gui_session *s, sim_time t);
/* Makes sure at least n steps exist (replaying when fewer are wanted than
 * exist is not needed: history is kept). Returns false at the end. */
bool session_fill_steps(struct gui_session *s, size_t n);
/* Replays from time 0 until exactly n steps exist; now = time of step n. */
void session_replay_steps(struct gui_session *s, size_t n);
sim_time session_next_time(const struct gui_session *s);
/* Text of a shell command run on node i now (device tables). Caller frees. */
char *session_node_command(struct gui_session *s, int node, const char *cmd);
/* Types line on node's console now: first runs every event up to now, then
 * gives the line to the interactive command running there (telnet), or
 * else starts it as a new command, and records it for replay. Commands
 * typed earlier for a later moment (before a step back) are forgotten: the
 * future they were typed in no longer happens. Returns the step count
 * before the line's own steps. */
size_t session_type_command(struct gui_session *s, int node, const char *line);
/* Ctrl+C on node's console: interrupts the latest command still running
 * there, recorded like a typed line. False when none runs. */
bool session_interrupt(struct gui_session *s, int node);
/* The latest command still running on node's console (index into cmds), or
 * -1; with reads_input, only one that reads typed lines. */
int session_running(const struct gui_session *s, int node, bool reads_input);
/* Picks a time at which a frame is on a wire: the middle of the first IPv4
 * frame's flight (rather than the ARP before it), else of the first frame.
 * Runs the session to the end. */
sim_time session_auto_time(struct gui_session *s);
/* Number of steps with time <= t (binary search over the history). */
size_t session_steps_upto(const struct gui_session *s, sim_time t);
/* True when a frame is on a wire at the shown time. */
bool session_in_flight(const struct gui_session *s);
/* True for the steps the event list shows. */
bool step_is_event(const struct gui_step *st);

/* ---- drawing (draw.c) ---- */

struct gui_dump {
    char *buf;
    size_t len, cap;
    bool on;
};

struct gui_row {
    SDL_Rect r;
    long index;
};

/* Rendered strings, so that an unchanged label is not rasterised by
 * SDL_ttf again every frame (draw.c). Open addressing, keyed by font,
 * colour, clip width and text; entries unused for a while are dropped. */
struct text_entry {
    uint64_t hash;
    TTF_Font *font;
    SDL_Color color;
    int max_w; /* -1: a width-only entry (no texture) */
    char *text;
    SDL_Texture *tex;
    int w, h;
    unsigned last_used;
};

struct text_cache {
    struct text_entry *e;
    size_t cap, used;
    unsigned frame;
    unsigned long hits, misses;
};

#define GUI_MAX_ROWS 256

enum gui_tab { TAB_DETAILS, TAB_LAYERS };

struct gui {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surface; /* headless target */
    TTF_Font *font, *bold, *mono, *small;
    int line_h, mono_h, small_h;
    double scale; /* 1, or 1.6 in presentation mode (F11) */
    int w, h;
    bool headless, big, help, playing, quit;
    bool relayout; /* node positions must be recomputed */
    bool compact;  /* crowded canvas: names only, no addresses or port tags */
    double speed;  /* simulated ns per real second while playing */
    struct gui_session s;
    long cur;      /* current step index (the inspector's step), -1 = none */
    int sel_field; /* highlighted field in the inspector, -1 = default */
    int sel_node;  /* device view, -1 = none */
    char *node_text;
    char message[600]; /* error or status line shown at the top */
    bool message_is_error;
    bool typing; /* jump-to-time input */
    char input[64];
    char swallow; /* the key that opened a text prompt, if its text follows */
    enum gui_tab tab;
    /* Event list: hidden filter categories (bit per GF_), the filtered
     * event positions (indices into s.events) and how far they are built. */
    unsigned filter_off;
    long *fev;
    size_t n_fev, cap_fev, fev_upto;
    unsigned fev_gen, fev_mask;
    bool fev_valid;
    long ev_scroll; /* rows scrolled back from the current moment */
    /* Canvas: node centres in canvas coordinates at zoom 1 ("world"), and
     * the view (zoom about the canvas centre, then pan). */
    double *node_x, *node_y;
    int icon;
    bool user_moved; /* nodes were dragged: keep them on resize */
    double zoom, pan_x, pan_y;
    int mouse_x, mouse_y;
    bool mouse_down;
    int down_x, down_y, drag_node; /* -1 = panning */
    bool dragging;
    double pan0_x, pan0_y;
    /* Scenario browser. */
    bool browser;
    int n_browse, browse_sel;
    char **browse_path, **browse_name, **browse_desc;
    struct gui_row browse_rows[GUI_MAX_ROWS];
    int n_browse_rows;
    /* Device console. */
    bool console_on;
    char console_in[256];
    SDL_Rect console_rect, device_rect;
    /* Node indices of each link's ends (-1: unknown), found once per layout
     * rather than by name every frame. */
    int *link_a, *link_b, n_links;
    /* Screen positions of nodes, computed from node_x/node_y and the view. */
    SDL_Rect *node_rect;
    int n_node_rect;
    SDL_Rect canvas, events, inspector, toolbar, chips_bar;
    struct gui_row event_rows[GUI_MAX_ROWS];
    int n_event_rows;
    struct gui_row field_rows[GUI_MAX_ROWS];
    int n_field_rows;
    SDL_Rect chip_rect[GF_COUNT];
    SDL_Rect tab_rect[2];
    struct gui_row drop_marks[GUI_MAX_ROWS]; /* drop markers on the canvas */
    int n_drop_marks;
    struct text_cache tc;
    struct gui_dump dump;
};

void draw_color(struct gui *g, SDL_Color c);
void draw_fill(struct gui *g, SDL_Rect r, SDL_Color c);
void draw_frame(struct gui *g, SDL_Rect r, SDL_Color c);
void draw_line(struct gui *g, int x1, int y1, int x2, int y2, SDL_Color c);
void draw_thick_line(struct gui *g, float x1, float y1, float x2, float y2, float w, SDL_Color c);
void draw_circle(struct gui *g, float cx, float cy, float rad, SDL_Color c);
void draw_ring(struct gui *g, float cx, float cy, float rad, float w, SDL_Color c);
void draw_triangle(struct gui *g, float x1, float y1, float x2, float y2, float x3, float y3,
                   SDL_Color c);
/* Draws text clipped to max_w pixels (0 = no limit); returns the width. */
int draw_text(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *s);
int draw_textf(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *fmt,
               ...) __attribute__((format(printf, 7, 8)));
int draw_text_width(struct gui *g, TTF_Font *f, const char *s);
/* Word-wraps s into the box; returns the y after the last line. The dump
 * gets each line prefixed by tag ("why"). */
int draw_wrapped(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                 const char *s);
int draw_wrapped_tag(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                     const char *tag, const char *s);
/* Lines s would take wrapped in w pixels (at most max_lines). */
int draw_wrapped_lines(struct gui *g, TTF_Font *f, int w, int max_lines, const char *s);
void dump_printf(struct gui *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_cache_frame(struct gui *g); /* once per frame: ages entries */
void text_cache_clear(struct gui *g);
int gui_px(const struct gui *g, int px); /* px scaled for presentation mode */

/* ---- layout (layout.c) ---- */

/* Places the nodes of the session's model in g->canvas (scenario positions
 * when every node has one and they do not collide, else auto-layout). */
void layout_nodes(struct gui *g);
/* Deterministic auto-layout in abstract units: out_x/out_y get a grid cell
 * per node (columns and rows are integers), never two nodes in one cell. */
void layout_auto(const struct model *m, double *out_x, double *out_y);
/* Screen rects of the nodes from their world positions and the view. */
void layout_apply_view(struct gui *g);
/* Screen point -> world point and back. */
void view_to_world(const struct gui *g, double sx, double sy, double *wx, double *wy);
void view_zoom_at(struct gui *g, double factor, int sx, int sy);

/* ---- panels ---- */

void render_frame(struct gui *g);   /* render.c */
void canvas_draw(struct gui *g);    /* canvas.c */
void events_draw(struct gui *g);    /* events.c */
void inspector_draw(struct gui *g); /* inspector.c */
void browser_draw(struct gui *g);   /* browser.c */
void device_draw(struct gui *g);    /* console.c */
/* The step the inspector shows: g->cur if it carries a frame, else the
 * latest frame step before it. -1 when there is none. */
long render_inspected_step(const struct gui *g);
const char *gui_node_name(const struct gui *g, int i);
const char *gui_iface_name(const struct gui *g, int node, int iface);
void overlay_box(struct gui *g, SDL_Rect r, const char *title);

/* The filtered event list (events.c). */
void events_refresh(struct gui *g);
bool events_pass(const struct gui *g, const struct gui_step *st);
/* Drop marker under the mouse, or -1 (canvas.c). */
long canvas_drop_at(const struct gui *g, int x, int y);

/* ---- controls (input.c) ---- */

void gui_message(struct gui *g, bool error, const char *text);
void gui_open_file(struct gui *g, const char *path);
void gui_handle_event(struct gui *g, const SDL_Event *ev);
void gui_play_tick(struct gui *g, double real_s);
/* Parses a --keys script into events (see input.c); returns the count. */
int keys_parse(const char *script, SDL_Event **out);
#define GUI_EV_WAIT 1                      /* SDL_USEREVENT code of a --keys "wait:MS" */
bool gui_set_big(struct gui *g, bool big); /* main.c: reopens the fonts */

/* ---- browser (browser.c), console (console.c), save (save.c) ---- */

void browser_open(struct gui *g);
void browser_close(struct gui *g);
void browser_key(struct gui *g, SDL_Keycode k);
bool browser_click(struct gui *g, int x, int y);
/* Where the bundled scenarios are: $NETSTEP_SCENARIOS, else next to the
 * program (../scenarios, ../../scenarios), else ./scenarios. */
bool browser_dir(char *out, size_t len);

void device_refresh(struct gui *g);
void console_submit(struct gui *g);
void console_interrupt(struct gui *g); /* Ctrl+C on the open device's console */

/* Writes the nodes' positions (world coordinates) into the scenario JSON:
 * only the "position" members change; written to a temporary file in the
 * same directory, then renamed over the original. */
bool save_positions(struct gui *g, char *err, size_t errlen);
/* The rewrite itself, on text (for tests). Returns a malloc'd string. */
char *save_rewrite(const char *text, size_t len, const struct model *m, const double *x,
                   const double *y, char *err, size_t errlen);

/* ---- benchmark (bench.c) ---- */

int gui_bench(struct gui *g, int w, int h);

#endif
