import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// File descriptors held from before the claim until the outcome is recorded. A run whose
/// descriptor limit (`ulimit -n`) is used up on the way — by the command's guardian, its pipes,
/// a heartbeat — releases these and can still make the pipe and the connection that recording
/// takes, so a claimed row is never left RUNNING for want of a descriptor. If they cannot be
/// made, nothing is claimed.
final class DescriptorReserve {
  /// A call's pipe, a new connection's socket, and what libpq opens while connecting, twice over.
  static let pipes = 4
  private var descriptors: [Int32] = []

  init() throws(CronlockError) {
    for _ in 0..<Self.pipes {
      var ends: [Int32] = [-1, -1]
      let failure = cronlock_pipe(&ends, 0, 0)
      guard failure == 0 else {
        release()
        throw .configuration("too few file descriptors to be sure of recording the outcome "
          + "(\(String(cString: strerror(failure)))); raise the limit (ulimit -n)")
      }
      descriptors += ends
    }
  }

  /// Gives the descriptors back, for the recording to use; once is enough.
  func release() {
    descriptors.forEach { close($0) }
    descriptors = []
  }

  deinit { release() }
}
