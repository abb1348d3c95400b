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

// Runs in the child between vfork and exec. The child borrows cronlock's memory and the stack
// of the thread that called vfork, which stays suspended until the exec or the _exit: so only
// system calls here, nothing that allocates or takes a lock, and no return. A failure is told
// through `failure`, which the parent reads once it resumes. Never inlined (as in CPython's
// _posixsubprocess): its locals live in a frame of its own below the caller's, so nothing the
// child writes can land in a slot of cronlock_spawn's frame that the parent reads on resuming.
__attribute__((noinline, noreturn)) static void
exec_child(const char *file, char *const argv[], char *const envp[], const sigset_t *child_mask, pid_t group,
           int stdin_fd, int stdout_fd, int stderr_fd, int terminal, pid_t parent, volatile int *failure) {
  // Outside the group, the command would miss forwarded signals and outlive a killed cronlock.
  if (setpgid(0, group) != 0) {
    *failure = errno;
    _exit(127);
  }
  // The group takes the terminal's foreground before the command can read it, as a shell's
  // job does. From the background group the child is now in, that is allowed because SIGTTOU is
  // still ignored here (cronlock_foreground_terminal); its disposition is put back below. If it
  // fails, the command runs as before, in the background.
  if (terminal >= 0) tcsetpgrp(terminal, group);
  if ((stdin_fd >= 0 && dup2(stdin_fd, 0) < 0) || (stdout_fd >= 0 && dup2(stdout_fd, 1) < 0)
      || (stderr_fd >= 0 && dup2(stderr_fd, 2) < 0)) {
    *failure = errno;
    _exit(127);
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
    // The parent is already gone: nobody would supervise or record this run.
    *failure = ESRCH;
    _exit(127);
  }
  // The child has its own copy of the dispositions (vfork does not share them).
  signal(SIGPIPE, SIG_DFL);
  cronlock_restore_ttou();
  sigprocmask(SIG_SETMASK, child_mask, NULL);
  cronlock_close_from(3, UINT_MAX);
  execvpe(file, argv, envp);
  *failure = errno;
  _exit(127);
}

int cronlock_spawn(const char *file, char *const argv[], char *const envp[],
                   const sigset_t *child_mask, pid_t group, int stdin_fd, int stdout_fd, int stderr_fd,
                   int terminal, pid_t *pid_out) {
  pid_t parent = getpid();
  volatile int failure = 0;
  // vfork, not fork: the child execs at once, so copying the page tables of a 16 MB process,
  // and the copy-on-write faults that would follow in cronlock, buy nothing. cronlock installs
  // no signal handlers (SignalInbox reads a signalfd), so none can run in the borrowed memory.
  pid_t pid = vfork();
  if (pid == 0) exec_child(file, argv, envp, child_mask, group, stdin_fd, stdout_fd, stderr_fd, terminal, parent,
                            &failure);
  if (pid < 0) return -errno;
  // Here the child has exec'd, in its group, or exited.
  if (failure != 0) {
    // The child exits at once; reap it so no zombie is left.
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return failure;
  }
  *pid_out = pid;
  return 0;
}
