#define _GNU_SOURCE
#include "cspawn.h"

#include <sys/signalfd.h>
#include <unistd.h>

// Swift cannot see <sys/signalfd.h> through Glibc; these two wrappers are all it needs.

int cronlock_signalfd(const sigset_t *mask) {
  return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

int cronlock_signalfd_next(int fd) {
  struct signalfd_siginfo info;
  ssize_t got = read(fd, &info, sizeof info);
  return got == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}
