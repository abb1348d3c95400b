#ifndef CRONLOCK_CSPAWN_H
#define CRONLOCK_CSPAWN_H

#include <signal.h>
#include <sys/types.h>

/// Starts `file` (searched in PATH like execvp) with `argv` and `envp` in process group `group`
/// (0: a new group it leads). In the child, before exec: the signal mask becomes `child_mask`, SIGPIPE's
/// disposition is reset, descriptors above 2 are closed, and PR_SET_PDEATHSIG delivers SIGKILL
/// when the parent dies. `stdin_fd`, `stdout_fd` and `stderr_fd`, when not -1, become its
/// descriptors 0, 1 and 2. Returns 0 and stores the pid, or returns the errno of vfork, setpgid,
/// dup2 or exec.
int cronlock_spawn(const char *file, char *const argv[], char *const envp[],
                   const sigset_t *child_mask, pid_t group, int stdin_fd, int stdout_fd, int stderr_fd,
                   pid_t *pid_out);

/// Forks the guardian: the leader of a new, otherwise empty process group that ignores every
/// signal it can and reads the pipe whose write end it returns in `arm_fd_out`. Writing a byte
/// there dismisses it; when cronlock dies and the pipe closes unwritten, it SIGKILLs the whole
/// group, itself included. Returns 0 and its pid, or an errno.
int cronlock_guardian_start(pid_t *pid_out, int *arm_fd_out);

/// pidfd_open(2): a descriptor that becomes readable when `pid` exits, or -1 with errno.
int cronlock_pidfd_open(pid_t pid);

/// 1 when `pid` has exited, with its status in waitpid's encoding; it stays a zombie (waitid
/// WNOWAIT), so its pid and group cannot be reused until it is reaped. 0 when it has not
/// exited yet, -1 when it is not our child.
int cronlock_exited_without_reaping(pid_t pid, int *wait_status);

/// A non-blocking, close-on-exec signalfd for `mask` (whose signals must be blocked), or -1.
int cronlock_signalfd(const sigset_t *mask);

/// The next signal queued on a signalfd, or 0 when none is waiting.
int cronlock_signalfd_next(int fd);

/// A close-on-exec pipe, either end optionally non-blocking; 0 or an errno.
int cronlock_pipe(int fds[2], int nonblocking_read, int nonblocking_write);

#endif
