#define _GNU_SOURCE
#include "cspawn.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// The guardian is forked from a process that may have other threads, and never execs: from
// fork to _exit it makes only async-signal-safe calls.
static void guard_group(int watch_fd) {
  // Lead the new group the command joins: while this process lives, the group id cannot be
  // recycled, so the kill below can only reach the command's own tree.
  setpgid(0, 0);
  // Forwarded signals reach this group too; only the pipe decides when to go.
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_IGN);
  }
  ssize_t ignored = chdir("/");
  (void)ignored;
  // Two close_range calls, not a close per descriptor: cronlock waits for this process to end
  // on every win, and it reads the pipe only after this.
  if (watch_fd > 0) cronlock_close_from(0, (unsigned int)watch_fd - 1);
  cronlock_close_from((unsigned int)watch_fd + 1, ~0U);
  char byte;
  ssize_t got;
  do {
    got = read(watch_fd, &byte, 1);
  } while (got < 0 && errno == EINTR);
  // A byte: cronlock ended the run itself and leaves the group alone. End of file: cronlock
  // died (SIGKILL, OOM killer) without a word, so nothing supervises the command any more.
  if (got != 1) kill(0, SIGKILL);
  _exit(0);
}

int cronlock_guardian_start(pid_t *pid_out, int *arm_fd_out) {
  int watch[2];
  if (pipe2(watch, O_CLOEXEC) != 0) return errno;
  pid_t pid = fork();
  if (pid < 0) {
    int failure = errno;
    close(watch[0]);
    close(watch[1]);
    return failure;
  }
  if (pid == 0) {
    close(watch[1]);
    guard_group(watch[0]);
  }
  close(watch[0]);
  // Also here, so the group exists before the command is told to join it.
  setpgid(pid, pid);
  *pid_out = pid;
  *arm_fd_out = watch[1];
  return 0;
}

int cronlock_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

int cronlock_exited_without_reaping(pid_t pid, int *wait_status) {
  siginfo_t info;
  info.si_pid = 0;
  if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD ? -1 : 0;
  if (info.si_pid != pid) return 0;
  // The same word waitpid would give, so one decoder serves both.
  *wait_status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
  return 1;
}

int cronlock_pipe(int fds[2], int nonblocking_read, int nonblocking_write) {
  if (pipe2(fds, O_CLOEXEC) != 0) return errno;
  if (nonblocking_read) fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  if (nonblocking_write) fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
  return 0;
}
