#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import CronlockCore
import Testing

@Suite struct TimeZoneRulesTests {
  private func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0)
    -> Timestamp
  {
    Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
  }

  private func seconds(_ instant: Timestamp) -> Int64 { instant.nanosecondsSinceEpoch / 1_000_000_000 }

  private func rule(_ text: String) throws -> TimeZoneRules {
    TimeZoneRules(name: text, rule: try #require(PosixTimeZoneRule(parsing: text)))
  }

  /// Every real offset change in [from, to), as (instant, new offset).
  private func changes(_ zone: TimeZoneRules, from: Timestamp, to: Timestamp) -> [String] {
    var result: [String] = []
    var cursor = seconds(from)
    while let next = zone.nextTransition(after: cursor), next.instant < seconds(to) {
      result.append("\(Timestamp(nanosecondsSinceEpoch: next.instant * 1_000_000_000).formatted()) \(next.offset)")
      cursor = next.instant
    }
    return result
  }

  @Test(arguments: [
    ("Asia/Kolkata", 2026, 1, 19800), ("Asia/Kolkata", 2026, 7, 19800), ("Asia/Kolkata", 2040, 7, 19800),
    ("Europe/Berlin", 2026, 1, 3600), ("Europe/Berlin", 2026, 7, 7200),
    ("Europe/Berlin", 2040, 1, 3600), ("Europe/Berlin", 2040, 7, 7200), ("Europe/Berlin", 2100, 7, 7200),
    ("America/New_York", 2026, 1, -18000), ("America/New_York", 2026, 7, -14400),
    ("America/New_York", 2040, 1, -18000), ("America/New_York", 2040, 7, -14400),
    ("Australia/Sydney", 2040, 1, 39600), ("Australia/Sydney", 2040, 7, 36000),
    ("Europe/Dublin", 2040, 1, 0), ("Europe/Dublin", 2040, 7, 3600),
    ("UTC", 2040, 7, 0),
  ])
  func knownOffsets(_ name: String, _ year: Int, _ month: Int, _ expected: Int) throws {
    #expect(try TimeZoneRules.named(name).offset(at: utc(year, month, 15, 12)) == expected)
  }

  @Test func offsetsChangeAtTheTransitionInstant() throws {
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    let newYork = try TimeZoneRules.named("America/New_York")
    let cases: [(TimeZoneRules, Timestamp, Int, Int)] = [
      (berlin, utc(2026, 3, 29, 1), 3600, 7200), (berlin, utc(2026, 10, 25, 1), 7200, 3600),
      (newYork, utc(2026, 3, 8, 7), -18000, -14400), (newYork, utc(2026, 11, 1, 6), -14400, -18000),
      // 2040 lies beyond the table: the footer rule decides.
      (berlin, utc(2040, 3, 25, 1), 3600, 7200), (berlin, utc(2040, 10, 28, 1), 7200, 3600),
      (newYork, utc(2040, 3, 11, 7), -18000, -14400), (newYork, utc(2040, 11, 4, 6), -14400, -18000),
    ]
    for (zone, transition, before, after) in cases {
      #expect(zone.offset(at: transition.adding(.seconds(-1))) == before, "\(zone.name) \(transition.rfc3339)")
      #expect(zone.offset(at: transition) == after, "\(zone.name) \(transition.rfc3339)")
    }
  }

  @Test func wallClockTimesInGapsAndFolds() throws {
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    let newYork = try TimeZoneRules.named("America/New_York")
    #expect(berlin.instants(forLocal: 2026, month: 3, day: 29, hour: 2, minute: 30) == [])
    #expect(berlin.instants(forLocal: 2026, month: 3, day: 29, hour: 3, minute: 0) == [utc(2026, 3, 29, 1)])
    #expect(berlin.instants(forLocal: 2026, month: 3, day: 29, hour: 1, minute: 59) == [utc(2026, 3, 29, 0, 59)])
    #expect(berlin.instants(forLocal: 2026, month: 10, day: 25, hour: 2, minute: 30)
      == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)])
    #expect(berlin.instants(forLocal: 2026, month: 10, day: 25, hour: 3, minute: 0) == [utc(2026, 10, 25, 2)])
    #expect(berlin.instants(forLocal: 2040, month: 10, day: 28, hour: 2, minute: 0)
      == [utc(2040, 10, 28, 0), utc(2040, 10, 28, 1)])
    #expect(newYork.instants(forLocal: 2026, month: 3, day: 8, hour: 2, minute: 30) == [])
    #expect(newYork.instants(forLocal: 2026, month: 11, day: 1, hour: 1, minute: 30)
      == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)])
    #expect(newYork.instants(forLocal: 2026, month: 11, day: 1, hour: 2, minute: 30) == [utc(2026, 11, 1, 7, 30)])
    #expect(TimeZoneRules.utc.instants(forLocal: 2026, month: 6, day: 1, hour: 12, minute: 0) == [utc(2026, 6, 1, 12)])
  }

  @Test func gapsEndAtTheTransition() throws {
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    let wall = seconds(utc(2026, 3, 29, 2, 30))
    #expect(berlin.resolve(wall: wall).gapEnd == seconds(utc(2026, 3, 29, 1)))
    #expect(berlin.resolve(wall: wall + 86_400).gapEnd == nil)
  }

  @Test(arguments: [
    ("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3", 1997),
    ("America/New_York", "EST5EDT,M3.2.0,M11.1.0", 2008),
    ("Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3", 2009),
    ("Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2009),
    ("Europe/Dublin", "IST-1GMT0,M10.5.0,M3.5.0/1", 1997),
    ("Asia/Jerusalem", "IST-2IDT,M3.4.4/26,M10.5.0", 2014),
    ("America/Santiago", "<-04>4<-03>,M9.1.6/24,M4.1.6/24", 2024),
    ("America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2025),
    ("Asia/Kolkata", "IST-5:30", 1946),
  ])
  func footerRuleAgreesWithTheTable(_ name: String, _ footer: String, _ since: Int) throws {
    let zone = try TimeZoneRules.named(name)
    #expect(zone.footer == PosixTimeZoneRule(parsing: footer))
    let (from, to) = (utc(since, 1, 1), utc(2037, 12, 31))
    let expected = changes(zone, from: from, to: to)
    #expect(changes(try rule(footer), from: from, to: to) == expected)
    #expect(expected.count == (footer.contains(",") ? 2 * (2037 - since + 1) : 0))
  }

  @Test func posixRuleDateFormats() throws {
    // J counts 1-365 without 29 February; plain numbers count 0-365 with it.
    #expect(changes(try rule("AAA0BBB,J60,J300"), from: utc(2028, 1, 1), to: utc(2029, 1, 1))
      == ["2028-03-01 02:00:00.000 3600", "2028-10-27 01:00:00.000 0"])
    #expect(changes(try rule("AAA0BBB,59,299"), from: utc(2028, 1, 1), to: utc(2029, 1, 1))
      == ["2028-02-29 02:00:00.000 3600", "2028-10-26 01:00:00.000 0"])
    #expect(changes(try rule("AAA0BBB,59,299"), from: utc(2027, 1, 1), to: utc(2028, 1, 1))
      == ["2027-03-01 02:00:00.000 3600", "2027-10-27 01:00:00.000 0"])
    // Daylight time all year (RFC 8536 §3.3.1): no change ever.
    let allYear = try rule("EST5EDT,0/0,J365/25")
    #expect(allYear.offset(at: utc(2030, 1, 1)) == -14400)
    #expect(allYear.offset(at: utc(2030, 12, 31, 23, 59, 59)) == -14400)
    #expect(allYear.nextTransition(after: seconds(utc(2030, 6, 1))) == nil)
    #expect(try rule("<+0530>-5:30").offset(at: utc(2030, 1, 1)) == 19800)
    #expect(try rule("<-03>3").offset(at: utc(2030, 1, 1)) == -10800)
    #expect(try rule("JST-9").offset(at: utc(2030, 1, 1)) == 32400)
    // Daylight without rules: glibc's US default; the daylight offset defaults to one hour ahead.
    #expect(try rule("EST5EDT").offset(at: utc(2026, 7, 1)) == -14400)
    #expect(try rule("EST5EDT4:30").offset(at: utc(2026, 7, 1)) == -16200)
  }

  @Test(arguments: [
    "", "CE", "CET", "-1", "CET-", "CET25", "CET-1:60", "<+05", "<+05>", "CET-1CEST,M3.5.0",
    "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J100",
    "CET-1CEST,366,1", "CET-1CEST,M3.5.0,M10.5.0/168", "CET-1CEST,M3.5.0,M10.5.0,", "CET-1 ",
  ])
  func malformedPosixRules(_ text: String) {
    #expect(PosixTimeZoneRule(parsing: text) == nil)
  }

  @Test(arguments: [
    ("", "time zone name is empty"),
    ("Mars/Olympus", "unknown time zone 'Mars/Olympus' (expected an IANA name such as Europe/Berlin)"),
    ("Europe", "unknown time zone 'Europe' (expected an IANA name such as Europe/Berlin)"),
    ("zone.tab", "unknown time zone 'zone.tab' (expected an IANA name such as Europe/Berlin)"),
    ("../../etc/passwd", "time zone '../../etc/passwd' is not an IANA name such as Europe/Berlin"),
    ("Europe/../UTC", "time zone 'Europe/../UTC' is not an IANA name such as Europe/Berlin"),
    ("/etc/localtime", "time zone '/etc/localtime' is not an IANA name such as Europe/Berlin"),
    ("Europe/Berlin\n", "time zone 'Europe/Berlin\\n' is not an IANA name such as Europe/Berlin"),
  ])
  func unknownOrInvalidNames(_ name: String, _ message: String) {
    let error = #expect(throws: CronlockError.self) { try TimeZoneRules.named(name) }
    #expect(error == CronlockError.usage(message))
    #expect(error?.status == 64)
  }

  @Test func missingDatabase() throws {
    #expect(throws: CronlockError.usage(
      "unknown time zone 'Europe/Berlin': no time zone database in /nonexistent-zoneinfo (install tzdata)"
    )) {
      try TimeZoneRules.named("Europe/Berlin", directories: ["/nonexistent-zoneinfo"])
    }
    #expect(try TimeZoneRules.named("UTC", directories: ["/nonexistent-zoneinfo"]).offset(at: utc(2026, 1, 1)) == 0)
  }

  @Test func zoneDirectoriesHonourTZDIR() {
    #expect(TimeZoneRules.zoneDirectories(tzdir: nil) == ["/usr/share/zoneinfo"])
    #expect(TimeZoneRules.zoneDirectories(tzdir: "") == ["/usr/share/zoneinfo"])
    #expect(TimeZoneRules.zoneDirectories(tzdir: "/opt/tz") == ["/opt/tz", "/usr/share/zoneinfo"])
  }

  @Test func namedSearchesTheFirstDirectoryFirst() throws {
    var template = Array("/tmp/cronlock-tzdir-XXXXXX".utf8CString)
    let directory = try #require(template.withUnsafeMutableBufferPointer { buffer in
      mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
    })
    defer { rmdir(directory) }
    let path = directory + "/Test_Zone"
    let bytes = TZifBytes.file(version: 2, offsets: [19800], footer: "IST-5:30")
    let handle = try #require(fopen(path, "wb"))
    #expect(fwrite(bytes, 1, bytes.count, handle) == bytes.count)
    fclose(handle)
    defer { unlink(path) }
    let zone = try TimeZoneRules.named("Test_Zone", directories: [directory, "/usr/share/zoneinfo"])
    #expect(zone.offset(at: utc(2026, 1, 1)) == 19800)
    #expect(try TimeZoneRules.named("Asia/Tokyo", directories: [directory, "/usr/share/zoneinfo"])
      .offset(at: utc(2026, 1, 1)) == 32400)
  }

  @Test func localFollowsTZLikeGlibc() {
    let directories = ["/usr/share/zoneinfo"]
    let july = utc(2026, 7, 1)
    #expect(TimeZoneRules.local(tzVariable: "", directories: directories).offset(at: july) == 0)
    #expect(TimeZoneRules.local(tzVariable: ":", directories: directories).offset(at: july) == 0)
    #expect(TimeZoneRules.local(tzVariable: "Europe/Berlin", directories: directories).offset(at: july) == 7200)
    #expect(TimeZoneRules.local(tzVariable: ":Europe/Berlin", directories: directories).offset(at: july) == 7200)
    #expect(TimeZoneRules.local(tzVariable: ":/usr/share/zoneinfo/Asia/Kolkata", directories: directories)
      .offset(at: july) == 19800)
    #expect(TimeZoneRules.local(tzVariable: "/usr/share/zoneinfo/America/New_York", directories: directories)
      .offset(at: july) == -14400)
    #expect(TimeZoneRules.local(tzVariable: "AEST-10AEDT,M10.1.0,M4.1.0/3", directories: directories)
      .offset(at: july) == 36000)
    #expect(TimeZoneRules.local(tzVariable: "No/Such_Zone", directories: directories).offset(at: july) == 0)
    #expect(TimeZoneRules.local(tzVariable: "../../etc/passwd", directories: directories).offset(at: july) == 0)
    #expect(TimeZoneRules.local(tzVariable: "Europe/Berlin", directories: directories).name == "Europe/Berlin")
    _ = TimeZoneRules.local(tzVariable: nil, directories: directories).offset(at: july)
  }

  @Test func readsVersion1Files() throws {
    let bytes = TZifBytes.file(version: 1, transitions: [0], types: [1], offsets: [-3600, 3600])
    let zone = TimeZoneRules(name: "test", file: try #require(TZifFile(bytes: bytes)))
    #expect(zone.offset(at: utc(1969, 12, 31, 23, 59, 59)) == -3600)
    #expect(zone.offset(at: utc(1970, 1, 1)) == 3600)
    #expect(zone.offset(at: utc(2040, 1, 1)) == 3600)
  }

  @Test func prefersThe64BitDataAndUsesTheFooter() throws {
    // A version 1 block claiming UTC must be ignored in favour of the 64-bit block.
    var bytes = TZifBytes.header(version: 2, timeCount: 0, typeCount: 1) + TZifBytes.block(timeSize: 4, offsets: [0])
    bytes += TZifBytes.header(version: 2, timeCount: 0, typeCount: 1) + TZifBytes.block(timeSize: 8, offsets: [3600])
    bytes += Array("\nCET-1CEST,M3.5.0,M10.5.0/3\n".utf8)
    let zone = TimeZoneRules(name: "slim", file: try #require(TZifFile(bytes: bytes)))
    #expect(zone.offset(at: utc(2040, 1, 15)) == 3600)
    #expect(zone.offset(at: utc(2040, 7, 15)) == 7200)
    #expect(zone.instants(forLocal: 2040, month: 3, day: 25, hour: 2, minute: 30) == [])
  }

  @Test func rejectsMalformedFiles() {
    let good = TZifBytes.file(version: 2, transitions: [0, 100], types: [1, 0], offsets: [0, 3600], footer: "")
    #expect(TZifFile(bytes: good) != nil)
    #expect(TZifFile(bytes: Array(good.dropLast(2))) == nil)
    #expect(TZifFile(bytes: Array("TZjf".utf8) + good.dropFirst(4)) == nil)
    #expect(TZifFile(bytes: TZifBytes.file(version: 1, transitions: [100, 0], types: [0, 0], offsets: [0])) == nil)
    #expect(TZifFile(bytes: TZifBytes.file(version: 1, transitions: [0], types: [5], offsets: [0])) == nil)
    #expect(TZifFile(bytes: []) == nil)
  }
}

/// Builds small TZif files (RFC 8536) for tests.
enum TZifBytes {
  static func file(version: UInt8, transitions: [Int64] = [], types: [UInt8] = [], offsets: [Int32],
                   footer: String? = nil) -> [UInt8] {
    let v1 = header(version: version, timeCount: transitions.count, typeCount: offsets.count)
      + block(timeSize: 4, transitions: transitions, types: types, offsets: offsets)
    guard version >= 2 else { return v1 }
    return v1 + header(version: version, timeCount: transitions.count, typeCount: offsets.count)
      + block(timeSize: 8, transitions: transitions, types: types, offsets: offsets)
      + Array("\n\(footer ?? "")\n".utf8)
  }

  static func header(version: UInt8, timeCount: Int, typeCount: Int) -> [UInt8] {
    let counts = [0, 0, 0, timeCount, typeCount, 4]
    return Array("TZif".utf8) + [version == 1 ? 0 : 0x30 + version] + Array(repeating: 0, count: 15)
      + counts.flatMap { bigEndian(Int64($0), size: 4) }
  }

  static func block(timeSize: Int, transitions: [Int64] = [], types: [UInt8] = [], offsets: [Int32]) -> [UInt8] {
    transitions.flatMap { bigEndian($0, size: timeSize) } + types
      + offsets.flatMap { bigEndian(Int64($0), size: 4) + [0, 0] } + Array("XXX\0".utf8)
  }

  private static func bigEndian(_ value: Int64, size: Int) -> [UInt8] {
    (0..<size).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
  }
}
