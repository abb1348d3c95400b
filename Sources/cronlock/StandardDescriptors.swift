#if canImport(Glibc)
import Glibc
#endif

/// Started with stdin, stdout or stderr closed (`cronlock … >&-`, a careless supervisor),
/// cronlock would hand those numbers to the first descriptors it makes — its signalfd, the pipe
/// a database call reports back on, the guardian's watch pipe — and then write its own messages
/// into them: a line on "stderr" could wake the wait for a call that has not returned, or dismiss
/// the guardian while the command runs. Each closed one is held by /dev/null instead,
/// close-on-exec, so cronlock's writes go nowhere and the command still starts with it closed, as
/// it was given.
enum StandardDescriptors {
  static func hold() {
    for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
      // open takes the lowest free number: this one, those below it being open by now.
      let null = open("/dev/null", O_RDWR | O_CLOEXEC)
      guard null == descriptor else {
        if null >= 0 { close(null) }
        return
      }
    }
  }
}
