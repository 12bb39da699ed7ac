#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/runcmd.h"

static void slurp(int fd, char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    const ssize_t n = read(fd, buf, cap - 1);
    buf[n > 0 ? n : 0] = 0;
    close(fd);
}

int wait_status(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static size_t memory_limit;

void run_limit_memory(size_t bytes) { memory_limit = bytes; }

Run *run(const char *first, ...)
{
    static Run r;
    const char *argv[64] = { SAEBENCH_EXE, first };
    int argc = 2;
    va_list ap;
    va_start(ap, first);
    while (first && argc < 63 && (argv[argc] = va_arg(ap, const char *)) != NULL) argc++;
    va_end(ap);
    argv[argc] = NULL;
    char o[] = "/tmp/sae_out_XXXXXX", e[] = "/tmp/sae_err_XXXXXX";
    const int fo = mkstemp(o), fe = mkstemp(e);
    unlink(o);
    unlink(e);
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fo, 1);
        dup2(fe, 2);
        if (memory_limit) {
            const struct rlimit lim = { memory_limit, memory_limit };
            setrlimit(RLIMIT_AS, &lim);
        }
        execv(SAEBENCH_EXE, (char *const *)argv);
        _exit(127);
    }
    r.code = wait_status(pid);
    slurp(fo, r.out, sizeof r.out);
    slurp(fe, r.err, sizeof r.err);
    return &r;
}

pid_t run_async_with(const char *const *prefix, const char *const *args)
{
    const char *argv[64];
    int argc = 0;
    for (; prefix[argc] && argc < 32; argc++) argv[argc] = prefix[argc];
    for (int i = 0; args[i] && argc < 63; i++) argv[argc++] = args[i];
    argv[argc] = NULL;
    const pid_t pid = fork();
    if (pid == 0) {
        const int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

pid_t run_async(const char *const *args)
{
    const char *const prefix[] = { SAEBENCH_EXE, NULL };
    return run_async_with(prefix, args);
}
