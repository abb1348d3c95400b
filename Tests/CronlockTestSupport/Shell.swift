import Foundation

/// A finished process: its status (128+N when killed by signal N) and what it wrote.
public struct ProcessResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  public init(status: Int32, stdout: String, stderr: String) {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}

public enum Shell {
  /// Runs `arguments` to completion with `environment` (the caller's when nil).
  @discardableResult
  public static func run(_ arguments: [String], environment: [String: String]? = nil) -> ProcessResult {
    start(arguments, environment: environment).finish()
  }

  public static func start(_ arguments: [String], environment: [String: String]? = nil) -> RunningProcess {
    RunningProcess(arguments, environment: environment)
  }
}

/// A process started with posix_spawn, its output going to files so it can never block on a
/// full pipe, and reaped with waitpid. (Foundation's Process reaps through Dispatch, which
/// starves when many tests wait at once.)
public final class RunningProcess: Sendable {
  public let pid: pid_t
  private let outputDirectory: String

  public init(_ arguments: [String], environment: [String: String]?) {
    outputDirectory = NSTemporaryDirectory() + "cronlock-proc-" + UUID().uuidString
    mkdir(outputDirectory, 0o700)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputDirectory + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, outputDirectory + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let environment = environment ?? ProcessInfo.processInfo.environment
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    var pid: pid_t = 0
    let failure = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
    precondition(failure == 0, "cannot start \(arguments[0]): \(String(cString: strerror(failure)))")
    argv.forEach { free($0) }
    envp.forEach { free($0) }
    posix_spawn_file_actions_destroy(&actions)
    posix_spawnattr_destroy(&attributes)
    self.pid = pid
  }

  public func signal(_ signal: Int32) {
    kill(pid, signal)
  }

  public func finish() -> ProcessResult {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let stdout = (try? String(contentsOfFile: outputDirectory + "/stdout", encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: outputDirectory + "/stderr", encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(atPath: outputDirectory)
    return ProcessResult(status: exitStatus, stdout: stdout, stderr: stderr)
  }
}
