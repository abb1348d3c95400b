#define _GNU_SOURCE
#include "cspawn.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void cronlock_close_from(unsigned int first, unsigned int last) {
  if (first > last) return;
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
  struct rlimit limit;
  unsigned int top = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < top)
    top = (unsigned int)limit.rlim_cur;
  if (last > top) last = top;
  for (unsigned int fd = first; fd <= last; fd++) close((int)fd);
}

// Runs in the child between fork and exec: only async-signal-safe calls.
static void exec_child(const char *file, char *const argv[], char *const envp[],
                       const sigset_t *child_mask, pid_t group, int stdin_fd, int stdout_fd, int stderr_fd,
                       pid_t parent, int report_fd) {
  setpgid(0, group);
  if ((stdin_fd >= 0 && dup2(stdin_fd, 0) < 0) || (stdout_fd >= 0 && dup2(stdout_fd, 1) < 0)
      || (stderr_fd >= 0 && dup2(stderr_fd, 2) < 0)) {
    int failure = errno;
    ssize_t ignored = write(report_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
    // The parent is already gone: nobody would supervise or record this run.
    _exit(127);
  }
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, child_mask, NULL);
  cronlock_close_from(3, (unsigned int)report_fd - 1);
  cronlock_close_from((unsigned int)report_fd + 1, UINT_MAX);
  execvpe(file, argv, envp);
  int failure = errno;
  ssize_t ignored = write(report_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

int cronlock_spawn(const char *file, char *const argv[], char *const envp[],
                   const sigset_t *child_mask, pid_t group, int stdin_fd, int stdout_fd, int stderr_fd,
                   pid_t *pid_out) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return errno;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int failure = errno;
    close(report[0]);
    close(report[1]);
    return failure;
  }
  if (pid == 0) exec_child(file, argv, envp, child_mask, group, stdin_fd, stdout_fd, stderr_fd, parent, report[1]);

  close(report[1]);
  // Also set the group here, so that a signal forwarded right after we return reaches it.
  setpgid(pid, group);
  int failure = 0;
  ssize_t got;
  do {
    got = read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got == (ssize_t)sizeof failure) {
    // exec failed: the child exits at once; reap it so no zombie is left.
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return failure;
  }
  *pid_out = pid;
  return 0;
}
