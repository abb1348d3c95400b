import Foundation
import Testing
import CronlockTestSupport

/// cronlock run by hand, from an interactive shell on a terminal: the command is in the
/// guardian's process group, not the shell's job, so it gets the terminal's foreground while it
/// runs (or its first read would stop it, unseen, until --timeout), ^Z stops the whole job and
/// `fg` continues it, and cronlock takes the terminal back before it says anything more.
@Suite("cronlock run from a terminal")
struct TerminalTests {
  /// Drives `bash -i` on a pseudo-terminal: sends each step's line once the previous step's
  /// marker has appeared (bounded waits, no sleeps), and prints one `step N: yes|no` per step,
  /// then everything the terminal showed.
  static let driver = #"""
    import os, pty, select, sys, time
    steps = [(sys.argv[i], sys.argv[i + 1]) for i in range(1, len(sys.argv), 2)]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
    seen = b""
    def wait_for(marker, timeout=20):
        global seen
        end = time.time() + timeout
        while time.time() < end:
            if marker.encode() in seen:
                return True
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    return False
        return marker.encode() in seen
    results = []
    for send, marker in steps:
        os.write(fd, send.encode().decode("unicode_escape").encode())
        results.append(wait_for(marker))
        if marker:
            seen = seen[seen.index(marker.encode()) + len(marker):] if results[-1] else seen
    os.write(fd, b"exit\n")
    for n, ok in enumerate(results):
        print(f"step {n}: {'yes' if ok else 'no'}")
    print(seen.decode(errors="replace"))
    """#

  /// Runs the driver with `steps` (a line to type, then the text to wait for).
  func drive(_ steps: [(String, String)]) -> ProcessResult {
    let scratch = Scratch()
    let script = scratch.path("driver.py")
    _ = FileManager.default.createFile(atPath: script, contents: Data(Self.driver.utf8))
    return Shell.run(["/usr/bin/python3", script] + steps.flatMap { [$0.0, $0.1] },
                     environment: CronlockBinary.environment())
  }

  /// The command both tests run: it says it is ready, reads a line from the terminal and
  /// echoes it. The empty quotes keep each marker out of the typed line the terminal echoes.
  func readingRun(_ options: String, _ database: String) -> String {
    "\(CronlockBinary.path) run \(options) --database \(database) --job t -- sh -c 'echo R\"\"EADY; read x; echo G\"\"OT-$x'"
  }

  @Test("the command reads the terminal; with TOSTOP set, cronlock's own lines afterwards do not stop it")
  func readsTheTerminal() throws {
    let scratch = Scratch()
    let database = "sqlite:" + scratch.path("locks.db")
    let result = drive([
      ("stty tostop; " + readingRun("--verbose", database) + "; echo E\"\"XIT=$?\\n", "READY"),
      ("hello\\n", "GOT-hello"),
      ("", "EXIT=0"),
    ])
    for step in 0...2 {
      #expect(result.stdout.contains("step \(step): yes"), "step \(step): \(result.stdout) \(result.stderr)")
    }
    #expect(!result.stdout.contains("Stopped"), "\(result.stdout)")
  }

  @Test("^Z stops cronlock with the command, and fg continues both: the run ends and is recorded")
  func suspendAndContinue() throws {
    let scratch = Scratch()
    let database = "sqlite:" + scratch.path("locks.db")
    let result = drive([
      (readingRun("", database) + "\\n", "READY"),
      ("\\x1a", "Stopped"),
      ("fg\\n", ""),  // what the job does next says it continued
      ("hello\\n", "GOT-hello"),
      ("echo A\"\"FTER=$?\\n", "AFTER=0"),
    ])
    for step in 0...4 {
      #expect(result.stdout.contains("step \(step): yes"), "step \(step): \(result.stdout) \(result.stderr)")
    }
    let list = CronlockBinary.run(["list", "--database", database, "--format", "csv"])
    #expect(list.stdout.contains("FINISHED"), "\(list.stdout)")
  }
}
