/*
 * replay_main.c — a main() for libFuzzer targets built without libFuzzer: runs the
 * target once on every file of the corpus directories given as arguments (saved
 * corpora and former crashers), so `make test` (and `make asan`) replay them. Prints
 * one "ok" line per directory; a crash or sanitizer report fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_FILE (8u * 1024 * 1024)

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *data = malloc(REPLAY_MAX_FILE);
    if (!data) {
        fclose(f);
        return -1;
    }
    size_t n = fread(data, 1, REPLAY_MAX_FILE, f);
    fclose(f);
    /* Copy into an exact-size block so ASan catches reads past the end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(data);
        return -1;
    }
    memcpy(exact, data, n);
    free(data);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            printf("not ok - %s: no corpus directory\n", argv[i]);
            failed = 1;
            continue;
        }
        size_t files = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            struct stat st;
            if (stat(path, &st) || !S_ISREG(st.st_mode))
                continue;
            if (run_file(path)) {
                printf("not ok - %s: cannot read\n", path);
                failed = 1;
                continue;
            }
            files++;
        }
        closedir(d);
        if (files == 0) {
            printf("not ok - %s: empty corpus\n", argv[i]);
            failed = 1;
        } else {
            printf("ok - replay %s (%zu inputs)\n", argv[i], files);
        }
    }
    return failed;
}
