#ifndef CRONLOCK_CSPAWN_H
#define CRONLOCK_CSPAWN_H

#include <signal.h>
#include <sys/types.h>

/// Starts `file` (searched in PATH like execvp) with `argv` and `envp` as the leader of a new
/// process group. In the child, before exec: the signal mask becomes `child_mask`, SIGPIPE's
/// disposition is reset, descriptors above 2 are closed, and PR_SET_PDEATHSIG delivers SIGKILL
/// when the parent dies. Returns 0 and stores the pid, or returns the errno of fork or exec.
int cronlock_spawn(const char *file, char *const argv[], char *const envp[],
                   const sigset_t *child_mask, pid_t *pid_out);

/// A non-blocking, close-on-exec signalfd for `mask` (whose signals must be blocked), or -1.
int cronlock_signalfd(const sigset_t *mask);

/// The next signal queued on a signalfd, or 0 when none is waiting.
int cronlock_signalfd_next(int fd);

#endif
