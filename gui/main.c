/* main.c - netstep-gui: the SDL2 visualizer.
 *
 *   netstep-gui [--size WxH] [FILE]
 *   netstep-gui --headless [--screenshot OUT.png] [--dump-ui OUT.txt] [--at T] [--size WxH]
 *               [--keys SCRIPT] [FILE]
 *   netstep-gui --bench [--size WxH]
 * Any of them also takes --lua-instructions N and --lua-memory MIB, the
 * sandbox limits for Lua scenarios (as the netstep commands do).
 *
 * Headless mode draws with SDL's software renderer into a surface (no
 * display needed) the scenario as it is at simulated time T (default: the
 * middle of the first IPv4 frame's flight, else of the first frame; with
 * --keys and no --at: time 0, as the window starts), after replaying the
 * --keys script through the same input handler as the window, writes it as
 * a PNG and, with --dump-ui, a text listing of what was drawn, which is how
 * the tests check the GUI. Without a FILE the scenario browser opens.
 * Without --headless it opens a window; F1 lists the controls. --bench
 * measures frame times on a generated large scenario (bench.c). */
#include "gui.h"

#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#define FONT_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define FONT_MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

struct gui_args {
    bool headless, bench;
    const char *screenshot, *dump, *at, *file;
    const char *keys; /* test hook: scripted input for the window */
    int w, h;
    struct model_load_opts lo; /* --lua-instructions N, --lua-memory MIB */
};

static int usage(const char *msg)
{
    if (msg) fprintf(stderr, "netstep-gui: %s\n", msg);
    fprintf(stderr, "usage: netstep-gui [--size WxH] [--lua-instructions N] [--lua-memory MIB] "
                    "[FILE]\n"
                    "       netstep-gui --headless [--screenshot OUT.png] [--dump-ui OUT.txt] "
                    "[--at T] [--size WxH] [--keys SCRIPT] [FILE]\n"
                    "       netstep-gui --bench [--size WxH]\n");
    return 2;
}

static int args_parse(int argc, char **argv, struct gui_args *a)
{
    memset(a, 0, sizeof *a);
    a->w = 1280;
    a->h = 800;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(s, "--headless") == 0) {
            a->headless = true;
        } else if (strcmp(s, "--protocol-colors") == 0) {
            /* For tests and docs: the colour of every protocol. */
            for (int p = 0; p < GP_COUNT; p++) {
                SDL_Color c = proto_color_at(p);
                printf("%s %u,%u,%u\n", proto_name(p), c.r, c.g, c.b);
            }
            exit(0);
        } else if (strcmp(s, "--bench") == 0) {
            a->bench = a->headless = true;
        } else if (strcmp(s, "--screenshot") == 0 && has) {
            a->screenshot = argv[++i];
        } else if (strcmp(s, "--dump-ui") == 0 && has) {
            a->dump = argv[++i];
        } else if (strcmp(s, "--keys") == 0 && has) {
            a->keys = argv[++i];
        } else if (strcmp(s, "--at") == 0 && has) {
            a->at = argv[++i];
        } else if ((strcmp(s, "--lua-instructions") == 0 || strcmp(s, "--lua-memory") == 0) &&
                   has) {
            char *end;
            unsigned long long n = strtoull(argv[++i], &end, 10);
            if (*end || end == argv[i] || argv[i][0] == '-' || n == 0 ||
                (s[6] == 'm' && n > (1ull << 20)))
                return usage("--lua-instructions wants a count, --lua-memory a number of MiB");
            if (s[6] == 'm')
                a->lo.lua_memory = (uint64_t)n << 20;
            else
                a->lo.lua_instructions = n;
        } else if (strcmp(s, "--size") == 0 && has) {
            if (sscanf(argv[++i], "%dx%d", &a->w, &a->h) != 2 || a->w < 320 || a->h < 240 ||
                a->w > 8192 || a->h > 8192)
                return usage("--size wants WxH, at least 320x240");
        } else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(NULL);
            exit(0);
        } else if (s[0] == '-' && s[1]) {
            return usage("unknown option");
        } else if (!a->file) {
            a->file = s;
        } else {
            return usage("more than one file");
        }
    }
    if (a->headless && !a->bench && !a->screenshot && !a->dump)
        return usage("--headless needs --screenshot or --dump-ui");
    return 0;
}

static void fonts_close(struct gui *g)
{
    TTF_Font **f[4] = {&g->font, &g->bold, &g->mono, &g->small};
    for (int i = 0; i < 4; i++) {
        if (*f[i]) TTF_CloseFont(*f[i]);
        *f[i] = NULL;
    }
}

static bool fonts_open(struct gui *g)
{
    fonts_close(g);
    text_cache_clear(g);
    double k = g->big ? 1.6 : 1.0;
    g->scale = k;
    g->font = TTF_OpenFont(FONT_SANS, (int)(14 * k));
    g->bold = TTF_OpenFont(FONT_BOLD, (int)(14 * k));
    if (!g->bold) g->bold = TTF_OpenFont(FONT_SANS, (int)(14 * k));
    g->mono = TTF_OpenFont(FONT_MONO, (int)(13 * k));
    g->small = TTF_OpenFont(FONT_SANS, (int)(12 * k));
    if (!g->font || !g->bold || !g->mono || !g->small) {
        fprintf(stderr, "netstep-gui: cannot open the DejaVu fonts (%s): %s\n", FONT_SANS,
                TTF_GetError());
        return false;
    }
    g->line_h = TTF_FontLineSkip(g->font);
    g->mono_h = TTF_FontLineSkip(g->mono);
    g->small_h = TTF_FontLineSkip(g->small);
    if (!g->user_moved) g->relayout = true;
    return true;
}

bool gui_set_big(struct gui *g, bool big)
{
    g->big = big;
    if (g->user_moved) {
        /* Keep the dragged nodes; only the icons grow. */
        double k = big ? 1.6 : 1 / 1.6;
        g->icon = (int)(g->icon * k);
    }
    return fonts_open(g);
}

static void gui_free(struct gui *g)
{
    text_cache_clear(g);
    fonts_close(g);
    browser_close(g);
    session_close(&g->s);
    free(g->fev);
    free(g->node_x);
    free(g->node_y);
    free(g->link_a);
    free(g->link_b);
    free(g->node_rect);
    free(g->node_text);
    free(g->dump.buf);
    if (g->ren) SDL_DestroyRenderer(g->ren);
    if (g->surface) SDL_FreeSurface(g->surface);
    if (g->win) SDL_DestroyWindow(g->win);
}

static bool write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static void events_free(SDL_Event *evs, int n)
{
    for (int i = 0; i < n; i++)
        if (evs[i].type == SDL_DROPFILE) SDL_free(evs[i].drop.file);
    free(evs);
}

static int run_headless(struct gui *g, const struct gui_args *a)
{
    char err[600];
    if (a->file && !session_open(&g->s, a->file, err, sizeof err)) {
        fprintf(stderr, "netstep-gui: %s\n", err);
        return 2;
    }
    if (a->file) {
        sim_time t = 0;
        if (a->at) {
            if (!sim_time_parse(a->at, &t)) {
                fprintf(stderr, "netstep-gui: --at: not a time: %s\n", a->at);
                return 2;
            }
        } else if (!a->keys) {
            t = session_auto_time(&g->s);
        }
        if (a->at || !a->keys) {
            session_run_to_time(&g->s, t);
            g->cur = (long)g->s.n_steps - 1;
        }
    } else {
        browser_open(g);
    }
    g->surface = SDL_CreateRGBSurfaceWithFormat(0, g->w, g->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!g->surface) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    g->ren = SDL_CreateSoftwareRenderer(g->surface);
    if (!g->ren) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
    g->dump.on = a->dump != NULL;
    if (a->keys) {
        /* One frame drawn before each input, as a user would see it (the
         * clickable rows are where the last frame put them). */
        SDL_Event *evs;
        int n = keys_parse(a->keys, &evs);
        for (int i = 0; i < n && !g->quit; i++) {
            g->dump.len = 0;
            render_frame(g);
            if (evs[i].type == SDL_USEREVENT && evs[i].user.code == GUI_EV_WAIT)
                gui_play_tick(g, (double)(intptr_t)evs[i].user.data1 / 1e3);
            else
                gui_handle_event(g, &evs[i]);
        }
        events_free(evs, n);
    }
    g->dump.len = 0;
    char ts[32];
    dump_printf(g, "file %s\ntime %s\n", g->s.path ? g->s.path : "-",
                sim_time_format(g->s.now, ts, sizeof ts));
    render_frame(g);
    SDL_RenderPresent(g->ren);
    if (a->screenshot && IMG_SavePNG(g->surface, a->screenshot) != 0) {
        fprintf(stderr, "netstep-gui: %s: %s\n", a->screenshot, IMG_GetError());
        return 1;
    }
    if (a->dump && !write_file(a->dump, g->dump.buf ? g->dump.buf : "", g->dump.len)) {
        fprintf(stderr, "netstep-gui: %s: cannot write\n", a->dump);
        return 1;
    }
    return 0;
}

/* ---- interactive ---- */

/* Queues a --keys script with one frame between inputs. */
static void keys_push(const char *script)
{
    SDL_Event *evs;
    int n = keys_parse(script, &evs);
    for (int i = 0; i < n; i++) {
        SDL_Event frame;
        memset(&frame, 0, sizeof frame);
        frame.type = SDL_USEREVENT;
        SDL_PushEvent(&evs[i]); /* the queue now owns a drop's path */
        SDL_PushEvent(&frame);
    }
    free(evs);
}

/* Mouse positions come in window points; the renderer may be in pixels. */
static void scale_mouse(struct gui *g, SDL_Event *ev)
{
    int ww, wh;
    SDL_GetWindowSize(g->win, &ww, &wh);
    if (ww <= 0 || wh <= 0 || (ww == g->w && wh == g->h)) return;
    if (ev->type == SDL_MOUSEBUTTONDOWN || ev->type == SDL_MOUSEBUTTONUP) {
        ev->button.x = ev->button.x * g->w / ww;
        ev->button.y = ev->button.y * g->h / wh;
    } else if (ev->type == SDL_MOUSEMOTION) {
        ev->motion.x = ev->motion.x * g->w / ww;
        ev->motion.y = ev->motion.y * g->h / wh;
    }
}

static int run_window(struct gui *g, const struct gui_args *a)
{
    g->win = SDL_CreateWindow("netstep-gui", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, g->w,
                              g->h, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!g->win) {
        fprintf(stderr, "netstep-gui: cannot open a window: %s\n", SDL_GetError());
        return 1;
    }
    g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!g->ren) g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_SOFTWARE);
    if (!g->ren) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
    SDL_StopTextInput(); /* text events only while a prompt or the console is open */
    if (a->file)
        gui_open_file(g, a->file);
    else
        browser_open(g);
    if (a->keys) keys_push(a->keys);
    g->dump.on = a->dump != NULL;
    Uint64 last = SDL_GetPerformanceCounter();
    while (!g->quit) {
        SDL_Event ev;
        bool got = g->playing ? SDL_PollEvent(&ev) : SDL_WaitEventTimeout(&ev, 100);
        while (got) {
            if (ev.type == SDL_USEREVENT) break; /* draw a frame before the next input */
            scale_mouse(g, &ev);
            gui_handle_event(g, &ev);
            if (ev.type == SDL_DROPFILE) SDL_free(ev.drop.file);
            got = SDL_PollEvent(&ev);
        }
        Uint64 nowc = SDL_GetPerformanceCounter();
        double dt = (double)(nowc - last) / (double)SDL_GetPerformanceFrequency();
        last = nowc;
        if (dt > 0.1) dt = 0.1;
        gui_play_tick(g, dt);
        SDL_GetRendererOutputSize(g->ren, &g->w, &g->h);
        g->dump.len = 0; /* the dump shows the last frame drawn */
        render_frame(g);
        SDL_RenderPresent(g->ren);
    }
    if (a->dump && !write_file(a->dump, g->dump.buf ? g->dump.buf : "", g->dump.len)) {
        fprintf(stderr, "netstep-gui: %s: cannot write\n", a->dump);
        return 1;
    }
    if (a->screenshot) { /* the last frame, as the user saw it */
        SDL_Surface *shot =
            SDL_CreateRGBSurfaceWithFormat(0, g->w, g->h, 32, SDL_PIXELFORMAT_ARGB8888);
        bool ok = shot &&
                  SDL_RenderReadPixels(g->ren, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
                                       shot->pitch) == 0 &&
                  IMG_SavePNG(shot, a->screenshot) == 0;
        if (shot) SDL_FreeSurface(shot);
        if (!ok) {
            fprintf(stderr, "netstep-gui: %s: %s\n", a->screenshot, SDL_GetError());
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct gui_args a;
    int rc = args_parse(argc, argv, &a);
    if (rc) return rc;
    if (a.headless) {
        /* No display needed: nothing here opens a window. */
        SDL_setenv("SDL_VIDEODRIVER", "dummy", 1);
        SDL_setenv("SDL_AUDIODRIVER", "dummy", 1);
    }
    if (SDL_Init(a.headless ? 0 : SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "netstep-gui: SDL: %s\n", SDL_GetError());
        return 1;
    }
    struct gui g;
    memset(&g, 0, sizeof g);
    g.w = a.w;
    g.h = a.h;
    g.cur = -1;
    g.sel_field = -1;
    g.sel_node = -1;
    g.speed = 20e3; /* 20 us of simulated time per second: a short hop takes about a second */
    g.headless = a.headless;
    g.zoom = 1;
    g.scale = 1;
    g.drag_node = -1;
    g.s.load_opts = a.lo;
    if (!fonts_open(&g)) {
        gui_free(&g);
        TTF_Quit();
        SDL_Quit();
        return 1;
    }
    rc = a.bench ? gui_bench(&g, a.w, a.h) : a.headless ? run_headless(&g, &a) : run_window(&g, &a);
    gui_free(&g);
    TTF_Quit();
    IMG_Quit();
    SDL_Quit();
    return rc;
}
