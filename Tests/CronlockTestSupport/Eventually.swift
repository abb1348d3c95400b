import Foundation

/// Polls `condition` every `interval` until it holds or `timeout` has passed; true if it held.
/// The one bounded wait for tests: a file, a row, a process state another process will make.
public func eventually(timeout: TimeInterval, every interval: TimeInterval = 0.02,
                       _ condition: () throws -> Bool) rethrows -> Bool
{
  let deadline = Date().addingTimeInterval(timeout)
  while true {
    if try condition() { return true }
    if Date() >= deadline { return false }
    usleep(useconds_t(interval * 1_000_000))
  }
}
