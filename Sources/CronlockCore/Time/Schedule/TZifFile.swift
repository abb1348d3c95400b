/// The parts of a TZif file (RFC 8536, versions 1 to 4) that map instants to UTC offsets.
/// Leap-second records are skipped: cronlock counts POSIX seconds.
struct TZifFile: Equatable {
  /// Transition instants in seconds since the epoch, strictly ascending.
  var transitions: [Int64] = []
  /// The offset (seconds east of UTC) in effect from the transition at the same index.
  var offsetsAfter: [Int] = []
  /// Every offset the file mentions; the first applies before the first transition.
  var offsets: [Int] = []
  /// The POSIX TZ string of a version 2+ footer, for instants after the last transition.
  var footer: String?

  init?(bytes: [UInt8]) {
    var reader = ByteReader(bytes: bytes)
    guard let header = reader.header() else { return nil }
    if header.version >= 2 {
      // The version 1 block comes first and uses 32-bit times; skip it for the 64-bit one.
      guard reader.skip(header.dataLength(timeSize: 4)), let header64 = reader.header(),
            readData(header64, timeSize: 8, from: &reader),
            reader.byte() == UInt8(ascii: "\n")
      else { return nil }
      var footerBytes: [UInt8] = []
      while let byte = reader.byte(), byte != UInt8(ascii: "\n") { footerBytes.append(byte) }
      footer = String(decoding: footerBytes, as: UTF8.self)
    } else {
      guard readData(header, timeSize: 4, from: &reader) else { return nil }
    }
  }

  private mutating func readData(_ header: ByteReader.Header, timeSize: Int, from reader: inout ByteReader) -> Bool {
    guard header.typeCount >= 1 else { return false }
    for _ in 0..<header.timeCount {
      guard let time = reader.integer(size: timeSize) else { return false }
      if let last = transitions.last, time <= last { return false }
      transitions.append(time)
    }
    var typeIndices: [Int] = []
    for _ in 0..<header.timeCount {
      guard let index = reader.byte(), Int(index) < header.typeCount else { return false }
      typeIndices.append(Int(index))
    }
    for _ in 0..<header.typeCount {
      guard let offset = reader.integer(size: 4), reader.skip(2) else { return false }
      offsets.append(Int(offset))
    }
    offsetsAfter = typeIndices.map { offsets[$0] }
    let rest = header.charCount + header.leapCount * (timeSize + 4) + header.standardCount + header.universalCount
    return reader.skip(rest)
  }
}

/// A big-endian cursor over a byte array.
private struct ByteReader {
  struct Header {
    let version: Int
    let universalCount: Int, standardCount: Int, leapCount: Int, timeCount: Int, typeCount: Int, charCount: Int

    func dataLength(timeSize: Int) -> Int {
      timeCount * (timeSize + 1) + typeCount * 6 + charCount + leapCount * (timeSize + 4)
        + standardCount + universalCount
    }
  }

  let bytes: [UInt8]
  var position = 0

  mutating func header() -> Header? {
    guard let magic = take(4), magic.elementsEqual("TZif".utf8), let versionByte = byte(), skip(15) else {
      return nil
    }
    var counts: [Int] = []
    for _ in 0..<6 {
      guard let count = integer(size: 4), count >= 0 else { return nil }
      counts.append(Int(count))
    }
    let version = versionByte == 0 ? 1 : Int(versionByte) - Int(UInt8(ascii: "0"))
    return Header(version: version, universalCount: counts[0], standardCount: counts[1], leapCount: counts[2],
                  timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
  }

  mutating func byte() -> UInt8? {
    take(1)?.first
  }

  mutating func skip(_ count: Int) -> Bool {
    take(count) != nil
  }

  /// A signed big-endian integer of 4 or 8 bytes.
  mutating func integer(size: Int) -> Int64? {
    guard let slice = take(size) else { return nil }
    let unsigned = slice.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return size == 4 ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: unsigned))) : Int64(bitPattern: unsigned)
  }

  private mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
    guard count >= 0, count <= bytes.count - position else { return nil }
    defer { position += count }
    return bytes[position..<position + count]
  }
}
