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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* Built-in seeds: an ARP request, an ICMP echo request and a TTL-exceeded
 * error quoting one (the same bytes as tests/fuzz/corpus/frame/). */
static const uint8_t seed_arp[60] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
};
static const uint8_t seed_echo[98] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01, 0x26, 0xa6, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
    0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
    0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
};
static const uint8_t seed_ttl_exceeded[70] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x38, 0x00, 0x07, 0x00, 0x00, 0x40, 0x01, 0x65, 0xc0, 0x0a, 0x00,
    0x00, 0xfe, 0x0a, 0x00, 0x00, 0x01, 0x0b, 0x00, 0xad, 0xd4, 0x00, 0x00, 0x00, 0x00,
    0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x01, 0x01, 0x63, 0xa6, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01,
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        replay_input(seed_arp, sizeof seed_arp);
        replay_input(seed_echo, sizeof seed_echo);
        replay_input(seed_ttl_exceeded, sizeof seed_ttl_exceeded);
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
