import Foundation
import Testing
import CronlockTestSupport

/// One cronlock invocation of a fault test and what came of it.
struct Invocation {
  let job: String
  let result: ProcessResult
  /// The slot, when the test chose it: a loser with the skip code then needs a winner's row.
  var identifier: String? = nil
  /// The test SIGKILLed cronlock: its run may stay RUNNING.
  var killed = false
  var skipCode: Int32 = 0

  /// The run id the child printed, if the child ran ("" for an unrecorded run).
  var ranRunID: String? {
    result.stdout.split(separator: "\n").first { $0.hasPrefix("run=") }.map { String($0.dropFirst(4)) }
  }
}

/// One child execution, as the child appended it to the history file.
struct Execution: Equatable {
  let job: String
  let identifier: String
  let runID: String
  let pid: pid_t
  let descriptors: String
  /// The child's process group: its guardian's, which the whole tree shares.
  let group: pid_t
}

extension Scratch {
  /// A child that appends "job, identifier, run id, pid, open descriptors" (tab-separated) to the
  /// history file, prints "run=<id>" on stdout, then runs `script` and exits `code`.
  func faultChild(_ script: String = "", exit code: Int = 0) -> [String] {
    ["/bin/sh", "-c", """
      fds=$(ls /proc/self/fd | tr '\\n' ' ')
      read -r _ _ _ _ group _ < /proc/$$/stat
      printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$CRONLOCK_JOB" "$CRONLOCK_IDENTIFIER" "$CRONLOCK_RUN_ID" "$$" "$fds" "$group" >> '\(path("history"))'
      echo "run=$CRONLOCK_RUN_ID"
      [ -z "$PGPASSWORD$CRONLOCK_DATABASE_URL" ] || echo "leak: database settings in the child's environment"
      \(script)
      exit \(code)
      """]
  }

  func touch(_ name: String) {
    _ = FileManager.default.createFile(atPath: path(name), contents: nil)
  }

  var executions: [Execution] {
    guard let text = try? String(contentsOfFile: path("history"), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map { line in
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return Execution(job: fields[0], identifier: fields[1], runID: fields[2], pid: pid_t(fields[3]) ?? -1,
                       descriptors: fields.count > 4 ? fields[4] : "", group: fields.count > 5 ? pid_t(fields[5]) ?? -1 : -1)
    }
  }
}

/// Checks invariants I1–I5 (failure-modes.md) over a whole fault test's history: every child
/// execution the history file saw, every invocation's result, and every row of the table.
enum History {
  struct Options {
    /// `--on-db-error run`: unrecorded runs, possibly twice per slot; the test asserts that itself.
    var unrecordedRunsAllowed = false
    /// RUNNING rows without an execution (a claim that landed after cronlock gave up or was killed).
    var orphanClaimsAllowed = false
  }

  static func check(table: String, server: TestServer, scratch: Scratch, invocations: [Invocation],
                    secrets: [String] = [], options: Options = Options(),
                    sourceLocation: SourceLocation = #_sourceLocation) throws
  {
    let rows = try server.query("SELECT id, job_name, job_identifier, status, exit_code, signal, note FROM \(table)")
    let problems = problems(rows: rows, executions: scratch.executions, invocations: invocations, secrets: secrets,
                            options: options)
    #expect(problems == [], sourceLocation: sourceLocation)
  }

  /// `rows`: id, job_name, job_identifier, status, exit_code, signal, note of every row.
  static func problems(rows: [[String?]], executions: [Execution], invocations: [Invocation], secrets: [String] = [],
                       options: Options = Options()) -> [String]
  {
    var problems: [String] = []
    let rowsByID = Dictionary(grouping: rows) { $0[0]! }
    let byRunID = Dictionary(invocations.compactMap { invocation in invocation.ranRunID.map { ($0, invocation) } },
                             uniquingKeysWith: { first, _ in first })

    // I1: at most one execution per (job, identifier).
    if !options.unrecordedRunsAllowed {
      for (slot, runs) in Dictionary(grouping: executions, by: { "\($0.job) | \($0.identifier)" }) where runs.count > 1 {
        problems.append("I1: \(slot) ran \(runs.count) times (runs \(runs.map(\.runID)))")
      }
    }
    // I2 and I4: every execution has its row, finished with what cronlock returned.
    for execution in executions {
      guard !execution.runID.isEmpty else {
        if !options.unrecordedRunsAllowed { problems.append("I2: an execution without a run id: \(execution)") }
        continue
      }
      guard let matching = rowsByID[execution.runID], matching.count == 1, let row = matching.first else {
        problems.append("I2: run \(execution.runID) has no row")
        continue
      }
      if row[1] != execution.job || row[2] != execution.identifier {
        problems.append("I2: run \(execution.runID) ran \(execution.job)/\(execution.identifier) but its row says \(row[1]!)/\(row[2]!)")
      }
      let invocation = byRunID[execution.runID]
      if row[3] == "RUNNING" {
        let reported = invocation.map { $0.result.stderr.contains("run \(execution.runID)") && $0.result.stderr.contains("still RUNNING") }
        if invocation?.killed != true && reported != true {
          problems.append("I2: run \(execution.runID) is still RUNNING and nobody said so")
        }
      } else if let invocation, !invocation.killed {
        let expected = row[6]?.contains("timed out") == true ? 124 : Int32(row[4] ?? "") ?? (128 + (Int32(row[5] ?? "") ?? 0))
        if invocation.result.status != expected {
          problems.append("I4: run \(execution.runID) exited \(invocation.result.status); its row says \(expected) (\(row))")
        }
      }
    }
    // Rows nobody ran: a finished one is a made-up outcome; a RUNNING one an orphaned claim.
    let executed = Set(executions.map(\.runID))
    for row in rows where !executed.contains(row[0]!) {
      if row[3] != "RUNNING" || !options.orphanClaimsAllowed {
        problems.append("I2: row \(row[0]!) (\(row[1]!)/\(row[2]!), \(row[3]!)) has no execution")
      }
    }
    // I3: what did not run says why; a lost slot has a winner.
    for invocation in invocations where invocation.ranRunID == nil && !invocation.killed {
      let status = invocation.result.status
      if status == 75 {
        let named = invocation.result.stderr.split(separator: "\n").contains { line in
          line.hasPrefix("cronlock: job '\(invocation.job)' slot '")
            && invocation.identifier.map { line.contains("slot '\($0)'") } != false && line.contains("': ")
        }
        if !named { problems.append("I3: exit 75 without a line naming job, slot and reason: \(invocation.result.stderr)") }
      } else if status == invocation.skipCode, let identifier = invocation.identifier,
        !rows.contains(where: { $0[1] == invocation.job && $0[2] == identifier })
      {
        problems.append("I3: \(invocation.job)/\(identifier) was skipped as lost, but nobody holds it")
      }
    }
    // I5: no secrets, no descriptors beyond 0-2, nothing left in the child's process group.
    for invocation in invocations {
      let output = invocation.result.stdout + invocation.result.stderr
      for secret in secrets where output.contains(secret) { problems.append("I5: a secret was printed: \(output)") }
      if output.contains("leak:") { problems.append("I5: \(output)") }
    }
    for execution in executions {
      // ls's own directory descriptor is 3.
      if execution.descriptors != "0 1 2 3 " { problems.append("I5: run \(execution.runID) had descriptors \(execution.descriptors)") }
      // Also after SIGKILL of cronlock: the guardian takes the whole tree down.
      if let left = ProcessGroup.waitUntilEmpty(execution.group) {
        problems.append("I5: run \(execution.runID) left processes \(left) in its group")
      }
    }
    return problems
  }
}

/// Processes by process group, from /proc.
enum ProcessGroup {
  /// The live (non-zombie) processes in group `pgid`.
  static func members(_ pgid: pid_t) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { pid_t($0) }.filter { pid in
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return false }
      // After "pid (comm) ": state, ppid, pgrp.
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 2 && fields[0] != "Z" && fields[0] != "X" && pid_t(fields[2]) == pgid
    }
  }

  /// nil once the group is empty; its members if some are still alive after `timeout` (a
  /// SIGKILL is delivered asynchronously, so a freshly killed process may linger for a moment).
  static func waitUntilEmpty(_ pgid: pid_t, timeout: TimeInterval = 3) -> [pid_t]? {
    var left: [pid_t] = []
    return eventually(timeout: timeout) {
      left = members(pgid)
      return left.isEmpty
    } ? nil : left
  }

  static func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
  }
}
