/// A cursor over the bytes of a TZ string.
struct TZStringScanner {
  let bytes: [UInt8]
  var position = 0

  var atEnd: Bool { position == bytes.count }

  func peek(_ character: Unicode.Scalar) -> Bool {
    !atEnd && bytes[position] == UInt8(ascii: character)
  }

  mutating func consume(_ character: Unicode.Scalar) -> Bool {
    guard peek(character) else { return false }
    position += 1
    return true
  }

  /// A zone abbreviation: three or more letters, or `<…>` quoting letters, digits and signs.
  mutating func name() -> Bool {
    let quoted = consume("<")
    let start = position
    while !atEnd {
      let byte = bytes[position]
      let letter = (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
      let other = byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte)
      guard letter || (quoted && other) else { break }
      position += 1
    }
    guard position - start >= 3 else { return false }
    return !quoted || consume(">")
  }

  /// `[+-]hh[:mm[:ss]]` in seconds.
  mutating func time(maximumHours: Int) -> Int? {
    let sign = consume("-") ? -1 : 1
    if sign == 1 { _ = consume("+") }
    guard let hours = number(maximumDigits: 3), hours <= maximumHours else { return nil }
    var seconds = hours * 3600
    for scale in [60, 1] {
      guard consume(":") else { break }
      guard let part = number(maximumDigits: 2), part <= 59 else { return nil }
      seconds += part * scale
    }
    return sign * seconds
  }

  /// `Jn`, `n` or `Mm.w.d`, optionally followed by `/time` (default 02:00; RFC 8536 allows ±167 h).
  mutating func date() -> PosixTimeZoneRule.TransitionDate? {
    let day: PosixTimeZoneRule.TransitionDate.Day
    if consume("J") {
      guard let n = number(maximumDigits: 3), (1...365).contains(n) else { return nil }
      day = .julian(n)
    } else if consume("M") {
      guard let month = number(maximumDigits: 2), (1...12).contains(month), consume("."),
            let week = number(maximumDigits: 1), (1...5).contains(week), consume("."),
            let weekday = number(maximumDigits: 1), weekday <= 6
      else { return nil }
      day = .monthWeekDay(month: month, week: week, weekday: weekday)
    } else {
      guard let n = number(maximumDigits: 3), n <= 365 else { return nil }
      day = .zeroBased(n)
    }
    var secondOfDay = 7200
    if consume("/") {
      guard let time = time(maximumHours: 167) else { return nil }
      secondOfDay = time
    }
    return PosixTimeZoneRule.TransitionDate(day: day, secondOfDay: secondOfDay)
  }

  private mutating func number(maximumDigits: Int) -> Int? {
    var value = 0, digits = 0
    while !atEnd, digits < maximumDigits, (0x30...0x39).contains(bytes[position]) {
      value = value * 10 + Int(bytes[position] - 0x30)
      position += 1
      digits += 1
    }
    return digits == 0 ? nil : value
  }
}
