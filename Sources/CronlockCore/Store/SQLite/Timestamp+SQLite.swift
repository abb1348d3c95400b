/// How the SQLite backend stores instants: text, UTC, fixed width, so that text order is time
/// order (purge and list compare and sort it as text), and readable in the sqlite3 shell.
/// SQLite's date functions and Go's SQLite drivers parse it too.
extension Timestamp {
  /// `2026-11-29 09:00:00.123456+00:00`.
  var sqliteText: String {
    let (seconds, fraction) = nanosecondsSinceEpoch.floorDividedBy(1_000_000_000)
    let whole = Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000).formatted()
    let micros = String(fraction / 1000)
    return whole.dropLast(4) + "." + String(repeating: "0", count: 6 - micros.count) + micros + "+00:00"
  }

  /// Reads what SQLite accepts as a time and other writers store: `YYYY-MM-DD HH:MM[:SS[.f…]]`
  /// with a space or `T`, then nothing (UTC), `Z`, or `±HH:MM`. Nil for anything else.
  init?(sqliteText text: String) {
    var scanner = Array(text.utf8)[...]
    func number(_ digits: Int) -> Int? {
      guard scanner.count >= digits else { return nil }
      var value = 0
      for byte in scanner.prefix(digits) {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
      }
      scanner = scanner.dropFirst(digits)
      return value
    }
    func skip(_ characters: String) -> Bool {
      guard let first = scanner.first, characters.utf8.contains(first) else { return false }
      scanner = scanner.dropFirst()
      return true
    }
    guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
      (1...12).contains(month), (1...31).contains(day), skip(" T"),
      let hour = number(2), skip(":"), let minute = number(2), hour < 24, minute < 60
    else { return nil }
    var second = 0
    var nanoseconds: Int64 = 0
    if skip(":") {
      guard let value = number(2), value < 60 else { return nil }
      second = value
      if skip(".") {
        var scale: Int64 = 100_000_000
        var digits = 0
        while let byte = scanner.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
          nanoseconds += Int64(byte - UInt8(ascii: "0")) * scale
          scale /= 10
          digits += 1
          scanner = scanner.dropFirst()
        }
        guard digits > 0 else { return nil }
      }
    }
    var offsetSeconds = 0
    if skip("Zz") {
    } else if let sign = scanner.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
      scanner = scanner.dropFirst()
      guard let hours = number(2), skip(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
      offsetSeconds = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
    }
    guard scanner.isEmpty else { return nil }
    let local = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    self.init(nanosecondsSinceEpoch: local.nanosecondsSinceEpoch - Int64(offsetSeconds) * 1_000_000_000 + nanoseconds)
  }
}
