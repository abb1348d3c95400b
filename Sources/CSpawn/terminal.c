#define _GNU_SOURCE
#include "cspawn.h"

#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

// Run by hand from a shell, cronlock leads the job the terminal's foreground belongs to, and the
// command — in the guardian's group — would be a background job: the first read of the
// terminal would stop it (SIGTTIN), a password prompt would hang unseen. So the command's group
// takes the foreground while it runs, and cronlock takes it back before it says anything more.
// Under cron there is no terminal and none of this happens.

// SIGTTOU's disposition before cronlock ignored it; the command gets it back (spawn.c).
struct sigaction cronlock_ttou_before;
static int ttou_ignored;

int cronlock_foreground_terminal(void) {
  pid_t group = getpgrp();
  for (int fd = 0; fd <= 2; fd++) {
    if (isatty(fd) && tcgetpgrp(fd) == group) {
      // Once the command holds the foreground, cronlock is a background process: with the
      // terminal's TOSTOP set, a line it writes (a warning, --verbose) would stop it, and with
      // it its clock. Ignored, the write goes through.
      if (!ttou_ignored) {
        struct sigaction ignore = {0};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        if (sigaction(SIGTTOU, &ignore, &cronlock_ttou_before) == 0) ttou_ignored = 1;
      }
      return fd;
    }
  }
  return -1;
}

void cronlock_restore_ttou(void) {
  if (ttou_ignored) sigaction(SIGTTOU, &cronlock_ttou_before, NULL);
}

// Both are allowed from a background group because cronlock ignores SIGTTOU by then (above).
void cronlock_take_terminal(int terminal) {
  tcsetpgrp(terminal, getpgrp());
}

void cronlock_give_terminal(int terminal, pid_t group) {
  if (tcgetpgrp(terminal) == getpgrp()) tcsetpgrp(terminal, group);
}

int cronlock_stop_signal(pid_t pid) {
  siginfo_t info;
  info.si_pid = 0;
  if (waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOHANG) != 0 || info.si_pid != pid) return 0;
  return info.si_code == CLD_STOPPED ? info.si_status : 0;
}
