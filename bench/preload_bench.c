/* The workload of bench/preload.sh: THREADS threads (1 = the main thread
 * alone) each open and close /dev/null PAIRS times, then exit 0. Plain C at
 * -O2 (no frame pointers forced), as a program the library is preloaded
 * into would be built. Usage: fdscope_preload_bench PAIRS [THREADS] */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long pairs;

static void* work(void* arg) {
    (void)arg;
    for (long i = 0; i < pairs; ++i) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0 || close(fd) != 0) {
            perror("open/close /dev/null");
            exit(1);
        }
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PAIRS [THREADS]\n", argv[0]);
        return 2;
    }
    pairs = strtol(argv[1], NULL, 10);
    long threads = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
    if (threads <= 1) {
        work(NULL);
        return 0;
    }
    pthread_t* t = calloc((size_t)threads, sizeof *t);
    if (!t) return 1;
    for (long k = 0; k < threads; ++k)
        if (pthread_create(&t[k], NULL, work, NULL) != 0) return 1;
    for (long k = 0; k < threads; ++k) pthread_join(t[k], NULL);
    free(t);
    return 0;
}
