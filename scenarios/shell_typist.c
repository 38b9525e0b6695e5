/* shell_typist.c - typed lines for interactive clients, one at a time when
 * the connection is quiet, or all at once when pasted (shell_typist.h). */
#include "shell_typist.h"

#include <stdlib.h>
#include <string.h>

void typist_init(struct typist *ty, struct shell_proc *p, void (*send)(void *ctx, const char *line),
                 void *ctx)
{
    memset(ty, 0, sizeof *ty);
    ty->p = p;
    ty->send = send;
    ty->ctx = ctx;
}

static void typist_next(struct typist *ty);

static void typist_due(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct typist *ty = ctx;
    ty->pace = (struct sim_timer){0, 0};
    typist_next(ty);
}

/* Sends what may go now; schedules the rest. */
static void typist_next(struct typist *ty)
{
    struct sim *sim = ty->p->sim;
    while (ty->open && ty->head < ty->n) {
        if (!ty->p->paste) {
            sim_time due = ty->last + SHELL_TYPE_PACE;
            if (sim_now(sim) < due) {
                sim_cancel(sim, &ty->pace);
                ty->pace = sim_schedule(sim, due - sim_now(sim), typist_due, ty, 0);
                return;
            }
        }
        char *line = ty->lines[ty->head++];
        ty->last = sim_now(sim);
        ty->send(ty->ctx, line); /* may close: open goes false */
        free(line);
    }
    if (ty->head == ty->n) ty->head = ty->n = 0;
}

void typist_push(struct typist *ty, const char *line)
{
    if (ty->n == ty->cap) {
        ty->cap = ty->cap ? 2 * ty->cap : 8;
        char **a = realloc(ty->lines, ty->cap * sizeof *a);
        if (!a) abort();
        ty->lines = a;
    }
    ty->lines[ty->n] = strdup(line);
    if (!ty->lines[ty->n]) abort();
    ty->n++;
    typist_next(ty);
}

void typist_open(struct typist *ty)
{
    ty->open = true;
    ty->last = sim_now(ty->p->sim); /* the first line waits for a greeting */
    typist_next(ty);
}

void typist_heard(struct typist *ty)
{
    ty->last = sim_now(ty->p->sim);
    if (ty->open && ty->head < ty->n && !ty->p->paste) {
        sim_cancel(ty->p->sim, &ty->pace);
        typist_next(ty);
    }
}

void typist_close(struct typist *ty)
{
    ty->open = false;
    sim_cancel(ty->p->sim, &ty->pace);
}

bool typist_pending(const struct typist *ty)
{
    return ty->head < ty->n;
}

void typist_free(struct typist *ty)
{
    typist_close(ty);
    for (size_t i = ty->head; i < ty->n; i++)
        free(ty->lines[i]);
    free(ty->lines);
    ty->lines = NULL;
    ty->head = ty->n = ty->cap = 0;
}
