import CronlockCore

/// argv as the kernel gave it. Swift decodes arguments as UTF-8 and replaces invalid bytes
/// with U+FFFD; names must reject such bytes, and the command must receive them unchanged.
enum RawArguments {
  static let all: [[CChar]] = (0..<Int(CommandLine.argc)).map { index in
    guard let argument = CommandLine.unsafeArgv[index] else { return [0] }
    return Array(UnsafeBufferPointer(start: argument, count: strlenOf(argument) + 1))
  }

  /// True when `value` came from an argument whose bytes were not valid UTF-8.
  static func wasRepaired(_ value: String) -> Bool {
    guard value.unicodeScalars.contains("\u{FFFD}") else { return false }
    return all.contains { raw in
      let bytes = raw.dropLast().map { UInt8(bitPattern: $0) }
      return String(validating: bytes, as: UTF8.self) == nil
        && String(decoding: bytes, as: UTF8.self).contains(value)
    }
  }

  /// The command's raw bytes: it is always the tail of argv, after every option.
  static func command(matching parsed: [String]) -> ChildCommand {
    let tail = all.suffix(parsed.count)
    let decoded = tail.map { String(decoding: $0.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return decoded == parsed ? ChildCommand(rawArguments: Array(tail)) : ChildCommand(parsed)
  }

  private static func strlenOf(_ pointer: UnsafePointer<CChar>) -> Int {
    var length = 0
    while pointer[length] != 0 { length += 1 }
    return length
  }
}
