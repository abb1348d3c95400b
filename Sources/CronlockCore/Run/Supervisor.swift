import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// A command that is running: the process cronlock waits for, the group its whole tree lives
/// in, and the guardian that leads that group and kills it if cronlock dies.
public struct StartedCommand: Sendable {
  public let pid: pid_t
  /// The process group: the guardian's pid.
  public let group: pid_t
  let guardian: pid_t
  /// Writing a byte here dismisses the guardian; closing it unwritten (cronlock's death) arms it.
  let guardianPipe: Int32
  /// Readable when the command exits; -1 when the kernel has no pidfd (SIGCHLD wakes us then).
  let exitDescriptor: Int32
  /// The terminal whose foreground the command's group holds while it runs (cronlock run by
  /// hand from a shell), or -1.
  let terminal: Int32
}

/// Starts the command and carries out `Supervision`'s decisions. Everything it waits for —
/// the command's exit, a forwarded signal, the next timer — arrives on one thread through one
/// `poll`; the database is never among them.
public struct Supervisor {
  public let childMask: sigset_t

  public init(childMask: sigset_t) {
    self.childMask = childMask
  }

  /// Starts the guardian, then `command` in the guardian's process group; the command's pid or
  /// the errno of the failure. `stdin`, `stdout` and `stderr`, when given, replace cronlock's own.
  public func spawn(_ command: ChildCommand, environment: [[CChar]], stdin: Int32 = -1, stdout: Int32 = -1,
                    stderr: Int32 = -1)
    -> Result<StartedCommand, SpawnError>
  {
    var guardian: pid_t = 0
    var guardianPipe: Int32 = -1
    let guardianFailure = cronlock_guardian_start(&guardian, &guardianPipe)
    guard guardianFailure == 0 else {
      return .failure(SpawnError(errno: guardianFailure, cronlocks: "the command's guardian"))
    }

    var argv = Self.cStrings(command.arguments)
    var envp = Self.cStrings(environment)
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var mask = childMask
    var pid: pid_t = 0
    let terminal = cronlock_foreground_terminal()
    let failure = cronlock_spawn(argv[0], &argv, &envp, &mask, guardian, stdin, stdout, stderr, terminal, &pid)
    guard failure == 0 else {
      if terminal >= 0 { cronlock_take_terminal(terminal) }
      Self.dismiss(guardian: guardian, pipe: guardianPipe)
      // A negative failure is vfork's: no process could be made, which is not the command's fault.
      return .failure(failure < 0 ? SpawnError(errno: -failure, cronlocks: "a process for the command")
                                  : SpawnError(errno: failure))
    }
    let exitDescriptor = cronlock_pidfd_open(pid)
    if exitDescriptor >= 0 { _ = fcntl(exitDescriptor, F_SETFD, FD_CLOEXEC) }
    return .success(StartedCommand(pid: pid, group: guardian, guardian: guardian, guardianPipe: guardianPipe,
                                   exitDescriptor: exitDescriptor, terminal: terminal))
  }

  /// NUL-terminated copies for C, then a terminating nil; the caller frees them.
  private static func cStrings(_ strings: [[CChar]]) -> [UnsafeMutablePointer<CChar>?] {
    strings.map { bytes in bytes.withUnsafeBufferPointer { strdup($0.baseAddress!) } } + [nil]
  }

  /// Waits for the command, carrying out `supervision`'s decisions: signals forwarded to the
  /// group, the timeout's TERM and KILL, and `heartbeat()` when one is due — which must not
  /// block (it only wakes the heartbeat's own thread). Returns how the command ended, after
  /// the group was swept (if the decisions say so) and the command reaped, in that order.
  public func supervise(_ command: StartedCommand, _ supervision: inout Supervision, inbox: SignalInbox,
                        heartbeat: () -> Void) -> ChildOutcome
  {
    defer {
      if command.terminal >= 0 { cronlock_take_terminal(command.terminal) }
      if command.exitDescriptor >= 0 { close(command.exitDescriptor) }
      Self.dismiss(guardian: command.guardian, pipe: command.guardianPipe)
    }
    while true {
      var status: Int32 = 0
      switch cronlock_exited_without_reaping(command.pid, &status) {
      case 1:
        // Still a zombie, so the group id cannot have been reused: sweep first, then reap
        // (coreutils timeout.c: never signal a group after waitpid returned).
        let outcome = ChildOutcome(waitStatus: status)
        perform(supervision.handle(.childExited(outcome), at: Deadline.monotonicNow()), on: command)
        while waitpid(command.pid, &status, 0) < 0 && errno == EINTR {}
        return outcome
      case -1:
        // Someone else reaped our child: report cronlock's own failure.
        return .exited(ExitStatus.internalFailure)
      default:
        break
      }
      if command.terminal >= 0 { suspendIfStopped(command) }
      let wake = Deadline(nanoseconds: supervision.nextWake)
      // With a terminal, SIGCHLD wakes the wait: it also says when the command stops.
      let exit = command.exitDescriptor >= 0 && command.terminal < 0 ? command.exitDescriptor : nil
      _ = inbox.wait(for: exit, until: wake)
      let now = Deadline.monotonicNow()
      for signal in inbox.take() {
        perform(supervision.handle(.signalReceived(signal), at: now), on: command)
      }
      if now >= supervision.nextWake {
        let actions = supervision.handle(.timePassed, at: now)
        perform(actions, on: command)
        if actions.contains(.heartbeat) { heartbeat() }
      }
    }
  }

  /// A command stopped from its terminal (^Z), or for using it from the background, stops
  /// cronlock too, as a shell's job stops as a whole: the shell gets its terminal back and says
  /// the job stopped. `fg` continues cronlock, which gives the terminal back and continues the
  /// command; after `bg` the command continues in the background.
  private func suspendIfStopped(_ command: StartedCommand) {
    let signal = cronlock_stop_signal(command.pid)
    guard [SIGTSTP, SIGTTIN, SIGTTOU].contains(signal) else { return }
    cronlock_take_terminal(command.terminal)
    kill(getpid(), signal)  // stops here until SIGCONT
    cronlock_give_terminal(command.terminal, command.group)
    kill(-command.group, SIGCONT)
  }

  private func perform(_ actions: [Supervision.Action], on command: StartedCommand) {
    for case .signalGroup(let signal) in actions {
      kill(-command.group, signal)
    }
  }

  /// Tells the guardian the run ended under supervision (or never started), and reaps it. A
  /// guardian already gone — the sweep's SIGKILL reaches it too — is only reaped.
  static func dismiss(guardian: pid_t, pipe: Int32) {
    var byte: UInt8 = 1
    _ = write(pipe, &byte, 1)
    close(pipe)
    var status: Int32 = 0
    while waitpid(guardian, &status, 0) < 0 && errno == EINTR {}
  }
}

/// Why the command could not be started.
public struct SpawnError: Error, Equatable {
  public let errno: Int32
  /// What cronlock could not make — its guardian, a process, a pipe — when the failure was its
  /// own (125), not the command's (126, 127).
  public var cronlocks: String?
  public var isCronlocks: Bool { cronlocks != nil }

  public var exitStatus: Int32 { isCronlocks ? ExitStatus.internalFailure : ExitStatus.forSpawnFailure(errno: errno) }
  public var reason: String { String(cString: strerror(errno)) }
}
