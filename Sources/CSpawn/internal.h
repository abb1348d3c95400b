#ifndef CRONLOCK_CSPAWN_INTERNAL_H
#define CRONLOCK_CSPAWN_INTERNAL_H

// Closes every descriptor from first to last (close_range(2), or one by one up to the soft
// limit where the kernel lacks it). Async-signal-safe: called between fork and exec or _exit.
void cronlock_close_from(unsigned int first, unsigned int last);

#endif
