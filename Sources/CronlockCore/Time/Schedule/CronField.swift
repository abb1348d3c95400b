/// One of the five fields: its name, its range and the names it accepts for values.
struct CronField {
  let name: String
  let range: ClosedRange<Int>
  /// Three-letter names for `range.lowerBound`, `range.lowerBound + 1`, …
  let valueNames: [String]
  let valueNamesHint: String

  static let minute = CronField(name: "minute", range: 0...59, valueNames: [], valueNamesHint: "")
  static let hour = CronField(name: "hour", range: 0...23, valueNames: [], valueNamesHint: "")
  static let dayOfMonth = CronField(name: "day-of-month", range: 1...31, valueNames: [], valueNamesHint: "")
  static let month = CronField(
    name: "month", range: 1...12,
    valueNames: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    valueNamesHint: " or a month name (JAN-DEC)")
  static let dayOfWeek = CronField(
    name: "day-of-week", range: 0...7, valueNames: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    valueNamesHint: " or a weekday name (SUN-SAT)")

  /// The set of allowed values as a bit set; `fail` turns a problem into the error to throw.
  func parse(_ text: Substring, fail: (String) -> CronlockError) throws(CronlockError) -> UInt64 {
    var set: UInt64 = 0
    for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard !entry.isEmpty else { throw fail("\(name) field '\(text)' has an empty list entry") }
      let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count <= 2 else { throw fail("\(name) entry '\(entry)' has more than one step") }
      var bounds = try parseBounds(parts[0], entry: entry, fail: fail)
      var step = 1
      if parts.count == 2 {
        step = try parseStep(parts[1], fail: fail)
        // Vixie: `a/n` means `a-max/n`.
        if bounds.lowerBound == bounds.upperBound && parts[0] != "*" {
          bounds = bounds.lowerBound...range.upperBound
        }
      }
      for value in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) {
        set |= 1 << UInt64(value)
      }
    }
    return set
  }

  private func parseBounds(_ text: Substring, entry: Substring, fail: (String) -> CronlockError)
    throws(CronlockError) -> ClosedRange<Int>
  {
    if text == "*" { return range }
    let ends = text.split(separator: "-", omittingEmptySubsequences: false)
    guard ends.count <= 2 else { throw fail("\(name) entry '\(entry)' is not a value, range or step") }
    if ends.contains("*") { throw fail("\(name) entry '\(entry)' uses '*' inside a range") }
    if ends.contains(where: \.isEmpty) { throw fail("\(name) entry '\(entry)' is missing a value") }
    let low = try parseValue(ends[0], fail: fail)
    let high = ends.count == 2 ? try parseValue(ends[1], fail: fail) : low
    guard low <= high else { throw fail("\(name) range \(text) is reversed (\(low) is after \(high))") }
    return low...high
  }

  private func parseValue(_ text: Substring, fail: (String) -> CronlockError) throws(CronlockError) -> Int {
    if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
      guard let value = Int(text), range.contains(value) else {
        throw fail("\(name) value \(text) is out of range \(range.lowerBound)-\(range.upperBound)")
      }
      return value
    }
    if let index = valueNames.firstIndex(of: text.uppercased()) { return range.lowerBound + index }
    throw fail("\(name) value '\(text)' is not a number\(valueNamesHint)")
  }

  private func parseStep(_ text: Substring, fail: (String) -> CronlockError) throws(CronlockError) -> Int {
    let largest = range.count
    guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw fail("\(name) step '\(text)' is not a number")
    }
    guard let step = Int(text), (1...largest).contains(step) else {
      throw fail("\(name) step \(text) is out of range 1-\(largest)")
    }
    return step
  }
}
