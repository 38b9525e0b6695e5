/* replay.c - runs a libFuzzer target without libFuzzer, so every compiler
 * (gcc included) builds it and ctest runs it: each file named on the
 * command line (a directory means every file in it) or, with no arguments,
 * a few built-in Ethernet frames. Each input is fed as is, then cut to
 * every shorter length, then with each single bit flipped - a cheap,
 * deterministic stand-in for the fuzzer's first mutations. Exit status 0
 * means every input ran; a broken property aborts inside the target. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../unit/frames.h"

#include "fuzz.h"

#define REPLAY_MAX_INPUT (1u << 20)

/* Feeds one input and its truncations and bit flips, each in a heap block
 * of exactly its size so that AddressSanitizer catches any over-read. */
static void replay_input(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) {
        fprintf(stderr, "replay: out of memory\n");
        exit(2);
    }
    for (size_t n = 0; n <= size; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        if (!cut) exit(2);
        memcpy(cut, data, n);
        LLVMFuzzerTestOneInput(cut, n);
        free(cut);
    }
    /* Bit flips only for frame-sized inputs: n * 8 runs each. */
    if (size <= 2048) {
        for (size_t i = 0; i < size; i++) {
            for (int bit = 0; bit < 8; bit++) {
                memcpy(copy, data, size);
                copy[i] ^= (uint8_t)(1u << bit);
                LLVMFuzzerTestOneInput(copy, size);
            }
        }
    }
    free(copy);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    if (!buf) {
        fclose(f);
        return 1;
    }
    size_t n = fread(buf, 1, REPLAY_MAX_INPUT, f);
    fclose(f);
    replay_input(buf, n);
    free(buf);
    printf("replayed %s (%zu bytes)\n", path, n);
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order (readdir's order is not
 * stable across file systems). */
static int replay_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        perror(dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) exit(2);
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) exit(2);
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(dp);
    qsort(names, n, sizeof *names, name_cmp);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) failed |= replay_file(names[i]);
        free(names[i]);
    }
    free(names);
    return failed;
}

/* With no arguments, the built-in seeds: an ARP request, an ICMP echo
 * request and a TTL-exceeded error quoting one (frames.h, the same bytes
 * as tests/fuzz/corpus/frame/). */
int main(int argc, char **argv)
{
    if (argc < 2) {
        replay_input(arp_req, sizeof arp_req);
        replay_input(echo_req, sizeof echo_req);
        replay_input(ttl_exc, sizeof ttl_exc);
        printf("replayed 3 built-in seeds\n");
        return 0;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failed = 1;
        } else if (S_ISDIR(st.st_mode)) {
            failed |= replay_dir(argv[i]);
        } else {
            failed |= replay_file(argv[i]);
        }
    }
    return failed;
}
