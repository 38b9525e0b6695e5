/* gui.h - netstep-gui's private contract: the session (a scenario running
 * under a runner, with the history of every trace step it produced), the
 * screen layout, the drawing helpers and the panels.
 *
 * All state lives in struct gui, passed to every function: no globals, so a
 * second session (or a test) can live in the same process. The GUI reads the
 * simulation only through the public headers of engine/, protocols/ and
 * scenarios/, and learns what happens by subscribing to the trace bus.
 *
 * Step back is deterministic replay: the session rebuilds the scenario from
 * its model and runs it again to the wanted step or time.
 */
#ifndef NETSTEP_GUI_H
#define NETSTEP_GUI_H

#include "engine/trace.h"
#include "protocols/dissect.h"
#include "scenarios/model.h"
#include "scenarios/runner.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdio.h>

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
    uint64_t pkt_id;
    char proto[16]; /* highest protocol inside the frame, or the step's own */
    char *summary, *why;
    uint8_t *frame; /* NULL when the step has no frame */
    uint32_t frame_len;
};

struct gui_session {
    char *path;
    struct model *model;
    struct runner *runner;
    FILE *devnull; /* the runner's text output goes nowhere */
    struct gui_step *steps;
    size_t n_steps, cap_steps;
    bool muted;   /* ignore steps (device-table commands run by the GUI) */
    sim_time now; /* the simulated time shown */
    bool ended;   /* nothing more will happen */
};

/* Loads path into a fresh session. On error fills err and leaves *s as it
 * was, so the previous scenario stays open. */
bool session_open(struct gui_session *s, const char *path, char *err, size_t errlen);
void session_close(struct gui_session *s);
struct sim *session_sim(const struct gui_session *s);
sim_time session_until(const struct gui_session *s);
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
/* Picks a time at which a frame is on a wire: the middle of the first ICMP
 * frame's flight, else of the first frame. Runs the session to the end. */
sim_time session_auto_time(struct gui_session *s);

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

#define GUI_MAX_ROWS 256

struct gui {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surface; /* headless target */
    TTF_Font *font, *bold, *mono, *small;
    int line_h, mono_h, small_h;
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
    /* Screen positions of nodes, computed by layout.c. */
    SDL_Rect *node_rect;
    int n_node_rect;
    SDL_Rect canvas, events, inspector, toolbar;
    struct gui_row event_rows[GUI_MAX_ROWS];
    int n_event_rows;
    struct gui_row field_rows[GUI_MAX_ROWS];
    int n_field_rows;
    struct gui_dump dump;
};

void draw_color(struct gui *g, SDL_Color c);
void draw_fill(struct gui *g, SDL_Rect r, SDL_Color c);
void draw_frame(struct gui *g, SDL_Rect r, SDL_Color c);
void draw_line(struct gui *g, int x1, int y1, int x2, int y2, SDL_Color c);
void draw_thick_line(struct gui *g, float x1, float y1, float x2, float y2, float w, SDL_Color c);
void draw_circle(struct gui *g, float cx, float cy, float rad, SDL_Color c);
void draw_triangle(struct gui *g, float x1, float y1, float x2, float y2, float x3, float y3,
                   SDL_Color c);
/* Draws text clipped to max_w pixels (0 = no limit); returns the width. */
int draw_text(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *s);
int draw_textf(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *fmt,
               ...) __attribute__((format(printf, 7, 8)));
int draw_text_width(TTF_Font *f, const char *s);
/* Word-wraps s into the box; returns the y after the last line. */
int draw_wrapped(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                 const char *s);
void dump_printf(struct gui *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- layout (layout.c) ---- */

/* Places the nodes of the session's model in g->canvas (scenario positions
 * when every node has one and they do not collide, else auto-layout). */
void layout_nodes(struct gui *g);
/* Deterministic auto-layout in abstract units: out_x/out_y get a grid cell
 * per node (columns and rows are integers), never two nodes in one cell. */
void layout_auto(const struct model *m, double *out_x, double *out_y);

/* ---- panels (render.c) ---- */

SDL_Color proto_color(const char *proto);
void render_frame(struct gui *g);
/* The step the inspector shows: g->cur if it carries a frame, else the
 * latest frame step before it. -1 when there is none. */
long render_inspected_step(const struct gui *g);

#endif
