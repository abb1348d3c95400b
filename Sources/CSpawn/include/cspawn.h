#ifndef CRONLOCK_CSPAWN_H
#define CRONLOCK_CSPAWN_H

#include <signal.h>
#include <sys/types.h>

/// Starts `file` (searched in PATH like execvp) with `argv` and `envp` in process group `group`
/// (0: a new group it leads). In the child, before exec: the signal mask becomes `child_mask`, SIGPIPE's
/// disposition is reset, descriptors above 2 are closed, and PR_SET_PDEATHSIG delivers SIGKILL
/// when the parent dies. `stdin_fd`, `stdout_fd` and `stderr_fd`, when not -1, become its
/// descriptors 0, 1 and 2. `terminal`, when not -1, is a terminal whose foreground the group
/// takes before the command execs (see cronlock_foreground_terminal). Returns 0 and stores the
/// pid, or returns the errno of setpgid, dup2 or exec, or minus the errno of vfork.
int cronlock_spawn(const char *file, char *const argv[], char *const envp[],
                   const sigset_t *child_mask, pid_t group, int stdin_fd, int stdout_fd, int stderr_fd,
                   int terminal, pid_t *pid_out);

/// The first of descriptors 0-2 that is a terminal whose foreground is cronlock's own process
/// group (cronlock run by hand, from a shell), or -1: under cron, in a pipeline or in the
/// background there is none, and the command stays out of any terminal's foreground. When there
/// is one, cronlock ignores SIGTTOU from then on (the command gets its disposition back).
int cronlock_foreground_terminal(void);

/// Makes cronlock's own group the foreground of `terminal` again (allowed from the background:
/// cronlock ignores SIGTTOU once it has found the terminal).
void cronlock_take_terminal(int terminal);

/// Gives `terminal`'s foreground to `group` if cronlock's group holds it (after `fg`, not after
/// `bg`).
void cronlock_give_terminal(int terminal, pid_t group);

/// The signal that stopped `pid`, if it stopped since the last call (waitid WSTOPPED, which
/// consumes the report), else 0.
int cronlock_stop_signal(pid_t pid);

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
