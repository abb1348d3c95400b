/// `cronlock show` and `cronlock status` as people and programs read them. Everything stored
/// is untrusted: table output escapes it like `list`, JSON quotes it like `list --format json`.
public enum FleetOutput {
  // MARK: show

  /// One run, a field a line, then its captured output (newlines and tabs kept, every other
  /// control character and invalid UTF-8 byte escaped).
  public static func showTable(_ row: HistoryRow) -> String {
    let fields = row.fields
    let width = max(fields.map(\.name.count).max() ?? 0, "output".count)
    func line(_ name: String, _ value: String) -> String {
      name + String(repeating: " ", count: width - name.count + 2) + value + "\n"
    }
    var text = ""
    for (name, value) in fields {
      switch value {
      case .text(let value): text += line(name, value.map(TerminalText.escaped) ?? HistoryTable.unknown)
      case .number(let value): text += line(name, value.map { String($0) } ?? HistoryTable.unknown)
      case .time(let value): text += line(name, value?.rfc3339 ?? HistoryTable.unknown)
      }
    }
    guard let output = row.output else { return text + line("output", "not captured") }
    text += line("output", "\(output.count) bytes, the tail of the run's output")
    guard !output.isEmpty else { return text }
    let body = escapedOutput(output)
    return text + "\n" + body + (body.hasSuffix("\n") ? "" : "\n")
  }

  /// One JSON object: `list --format json`'s fields, then `output` (UTF-8, invalid bytes as
  /// U+FFFD) and `output_base64` (the exact bytes), both null when nothing was captured.
  public static func showJSON(_ row: HistoryRow) -> String {
    let fields = row.fields.map { HistoryJSON.quoted($0.name) + ":" + HistoryJSON.value($0.value) }
    let output = row.output.map { HistoryJSON.quoted(String(decoding: $0, as: UTF8.self)) } ?? "null"
    let base64 = row.output.map { "\"" + Self.base64($0) + "\"" } ?? "null"
    return "{" + (fields + ["\"output\":" + output, "\"output_base64\":" + base64]).joined(separator: ",") + "}\n"
  }

  /// Output bytes for a terminal: lines and tabs as they are; other controls, lone CR, the
  /// invisible formatting characters and bytes that are not UTF-8 escaped (`\x1b`, `\xff`).
  static func escapedOutput(_ bytes: [UInt8]) -> String {
    var text = ""
    var index = 0
    while index < bytes.count {
      var iterator = bytes[index..<min(index + 4, bytes.count)].makeIterator()
      var decoder = UTF8()
      guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
        text += "\\x" + TerminalText.hex(UInt32(bytes[index]), width: 2)
        index += 1
        continue
      }
      index += UTF8.width(scalar)
      switch scalar {
      case "\n", "\t": text.unicodeScalars.append(scalar)
      case "\\": text += "\\\\"
      case _ where LockName.isControl(scalar): text += "\\x" + TerminalText.hex(scalar.value, width: 2)
      case _ where TerminalText.isInvisibleFormatting(scalar): text += "\\u{" + TerminalText.hex(scalar.value, width: 4) + "}"
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text
  }

  static func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
      let chunk = bytes[index..<min(index + 3, bytes.count)]
      let b0 = chunk[chunk.startIndex]
      let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
      let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
      out.append(alphabet[Int(b0 >> 2)])
      out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
      out.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : UInt8(ascii: "="))
      out.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
      index += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  // MARK: status

  /// At most this many slots needing attention are listed per job in the table.
  static let attentionLines = 20

  /// A paragraph a job: what its window's slots came to, then the slots needing attention.
  public static func statusTable(_ jobs: [JobStatus], since: TimeSpan) -> String {
    guard !jobs.isEmpty else { return "no runs recorded\n" }
    var text = ""
    for job in jobs {
      let name = TerminalText.escaped(job.job)
      guard job.lastRun != nil else {
        text += "\(name): no runs recorded\n"
        continue
      }
      guard job.ruleProblem == nil else {
        let last = job.lastRun.map { run in
          "last run \(run.id) \(TerminalText.escaped(run.status ?? HistoryTable.unknown))"
            + (run.startedAt.map { " at \($0.rfc3339)" } ?? "") + (run.worker.map { " on \(TerminalText.escaped($0))" } ?? "")
            + exitText(run)
        } ?? "no runs"
        text += "\(name): \(last); slots not checked: \(job.ruleProblem!)\n"
        continue
      }
      let counts = SlotState.allCases.compactMap { state -> String? in
        let count = job.count(state)
        return count == 0 ? nil : "\(count) \(state.rawValue)"
      }
      let rule = TerminalText.escaped(job.rule ?? "")
      let slots = job.truncated ? "the newest \(JobStatus.maximumSlots) slots" : job.slots.count == 1 ? "1 slot" : "\(job.slots.count) slots"
      text += "\(name): \(slots) in the last \(since) (\(rule))" + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", ")) + "\n"
      let attention = job.slots.filter { $0.state.needsAttention }
      for slot in attention.suffix(attentionLines) {
        var line = "  \(slot.identifier)  \(slot.state.rawValue)"
        if let run = slot.run {
          line += "  run \(run.id)" + (run.worker.map { " on \(TerminalText.escaped($0))" } ?? "") + exitText(run)
        }
        text += line + "\n"
      }
      if attention.count > attentionLines {
        text += "  … and \(attention.count - attentionLines) earlier; --format json lists every slot\n"
      }
    }
    return text
  }

  private static func exitText(_ run: HistoryRow) -> String {
    let exit = HistoryTable.exit(code: run.exitCode, signal: run.signal, note: run.note)
    return exit == HistoryTable.unknown ? "" : ", exit \(exit)"
  }

  /// One object: the window, whether anything needs attention, and per job its counts, last
  /// run (`list --format json`'s fields) and every slot of the window.
  public static func statusJSON(_ jobs: [JobStatus], from: Timestamp, until: Timestamp) -> String {
    let objects = jobs.map { job -> String in
      let counts = SlotState.allCases.map { "\"\($0.rawValue)\":\(job.count($0))" }.joined(separator: ",")
      let last = job.lastRun.map { row in
        "{" + row.fields.map { HistoryJSON.quoted($0.name) + ":" + HistoryJSON.value($0.value) }.joined(separator: ",") + "}"
      } ?? "null"
      let slots = job.slots.map { slot in
        "{\"identifier\":\(HistoryJSON.quoted(slot.identifier)),\"start\":\(HistoryJSON.quoted(slot.start.rfc3339)),"
          + "\"end\":\(HistoryJSON.value(.time(slot.end))),\"state\":\"\(slot.state.rawValue)\","
          + "\"run_id\":\(HistoryJSON.value(.number(slot.run?.id))),\"worker\":\(HistoryJSON.value(.text(slot.run?.worker))),"
          + "\"exit_code\":\(HistoryJSON.value(.number(slot.run?.exitCode.map(Int64.init))))}"
      }
      return "{\"job\":\(HistoryJSON.quoted(job.job)),\"rule\":\(HistoryJSON.value(.text(job.rule))),"
        + "\"rule_problem\":\(HistoryJSON.value(.text(job.ruleProblem))),\"needs_attention\":\(job.needsAttention),"
        + "\"truncated\":\(job.truncated),\"counts\":{\(counts)},\"last_run\":\(last),\n \"slots\":[" + slots.joined(separator: ",") + "]}"
    }
    let attention = jobs.contains { $0.needsAttention }
    return "{\"since\":\(HistoryJSON.quoted(from.rfc3339)),\"until\":\(HistoryJSON.quoted(until.rfc3339)),"
      + "\"needs_attention\":\(attention),\"jobs\":[\n" + objects.joined(separator: ",\n") + "\n]}\n"
  }
}
