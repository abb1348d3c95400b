import Foundation
import CronlockTestSupport

/// The built `cronlock` executable, spawned as a user would.
enum CronlockBinary {
  /// `swift test` builds it next to the test bundle; CRONLOCK_BINARY overrides.
  static let path: String = {
    if let override = ProcessInfo.processInfo.environment["CRONLOCK_BINARY"] { return override }
    let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return testBinary.deletingLastPathComponent().appendingPathComponent("cronlock").path
  }()

  /// A small, explicit environment: the server's PG* variables and nothing of the test runner's.
  static func environment(_ extra: [String: String] = [:], server: TestServer = .shared) -> [String: String] {
    var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
    environment.merge(server.environment) { $1 }
    environment.merge(extra) { $1 }
    return environment
  }

  @discardableResult
  static func run(_ arguments: [String], environment extra: [String: String] = [:], server: TestServer = .shared)
    -> ProcessResult
  {
    Shell.run([path] + arguments, environment: environment(extra, server: server))
  }

  static func start(_ arguments: [String], environment extra: [String: String] = [:]) -> RunningProcess {
    Shell.start([path] + arguments, environment: environment(extra))
  }
}

/// A temporary directory for one test: marker files that children append to, ready files.
struct Scratch {
  let directory: URL

  init() {
    directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cronlock-scratch-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// A child command that appends `CRONLOCK_IDENTIFIER CRONLOCK_RUN_ID` to the marker file.
  var markingChild: [String] {
    ["/bin/sh", "-c", "echo \"$CRONLOCK_IDENTIFIER $CRONLOCK_RUN_ID\" >> '\(path("marker"))'"]
  }

  /// The lines children appended to the marker file (none if no child ran).
  var markerLines: [String] {
    guard let text = try? String(contentsOfFile: path("marker"), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map(String.init)
  }

  /// Waits until a child creates `name`; children say when they are ready this way.
  func waitForFile(_ name: String, timeout: TimeInterval = 30) -> Bool {
    eventually(timeout: timeout, every: 0.01) { FileManager.default.fileExists(atPath: path(name)) }
  }
}
