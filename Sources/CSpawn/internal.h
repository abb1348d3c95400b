#ifndef CRONLOCK_CSPAWN_INTERNAL_H
#define CRONLOCK_CSPAWN_INTERNAL_H

// Closes every descriptor from first to last (close_range(2), or one by one up to the soft
// limit where the kernel lacks it). Async-signal-safe: called between fork and exec or _exit.
void cronlock_close_from(unsigned int first, unsigned int last);

// Puts back SIGTTOU's disposition from before cronlock_foreground_terminal ignored it (if it
// did): async-signal-safe, for the child between vfork and exec.
void cronlock_restore_ttou(void);

#endif
