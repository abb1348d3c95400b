import Testing

@testable import CronlockCore

@Suite("sqlite: URLs and the file they name")
struct SQLiteLocationTests {
  @Test("sqlite:PATH is literal and relative paths stay relative; sqlite:/// is absolute and %-decoded", arguments: [
    ("sqlite:locks.db", "locks.db"),
    ("sqlite:/var/lib/cronlock/locks.db", "/var/lib/cronlock/locks.db"),
    ("sqlite:dir with space/a%20b.db", "dir with space/a%20b.db"),
    ("sqlite:///var/lib/cronlock/locks.db", "/var/lib/cronlock/locks.db"),
    ("sqlite://localhost/srv/locks.db", "/srv/locks.db"),
    ("sqlite:///srv/a%20b%23.db", "/srv/a b#.db"),
    ("SQLite:locks.db", "locks.db"),
  ])
  func paths(url: String, path: String) throws {
    #expect(try SQLiteLocation(url: url)?.path == path)
  }

  @Test("anything else is PostgreSQL's", arguments: [
    "postgresql://db/app", "host=db dbname=app", "sqlite", "sqlit:x", "", "service=sqlite:x",
  ])
  func notSQLite(url: String) throws {
    #expect(try SQLiteLocation(url: url) == nil)
  }

  @Test("a URL that names no usable file is a configuration error (78)", arguments: [
    ("sqlite:", "names no file"),
    ("sqlite://", "names no file"),
    ("sqlite:///", "names no file"),
    ("sqlite::memory:", "no file on disk"),
    ("sqlite://dbhost/locks.db", "names a host"),
    ("sqlite://locks.db", "names a host"),
    ("sqlite:///srv/locks.db?mode=ro", "query or fragment"),
    ("sqlite:///srv/%zz.db", "bad %-escape"),
    ("sqlite:///srv/%ff.db", "bad %-escape"),
  ])
  func rejected(url: String, complaint: String) {
    #expect {
      _ = try SQLiteLocation(url: url)
    } throws: { error in
      guard let error = error as? CronlockError else { return false }
      return error.status == ExitStatus.configuration && error.message.contains(complaint)
    }
  }

  @Test("the directory that holds the file and its -wal and -shm files")
  func directory() {
    #expect(SQLiteLocation(path: "locks.db").directory == ".")
    #expect(SQLiteLocation(path: "/locks.db").directory == "/")
    #expect(SQLiteLocation(path: "/var/lib/cronlock/locks.db").directory == "/var/lib/cronlock")
    #expect(SQLiteLocation(path: "state/locks.db").directory == "state")
  }

  @Test("network file systems are recognised by their statfs magic; local ones are not")
  func networkFileSystems() {
    #expect(SQLiteLocation.networkFileSystemName(magic: 0x6969) == "nfs")
    #expect(SQLiteLocation.networkFileSystemName(magic: 0xFF53_4D42) == "cifs")
    #expect(SQLiteLocation.networkFileSystemName(magic: 0xFE53_4D42) == "smb2")
    #expect(SQLiteLocation.networkFileSystemName(magic: 0x00C3_6400) == "ceph")
    #expect(SQLiteLocation.networkFileSystemName(magic: 0xEF53) == nil, "ext4")
    #expect(SQLiteLocation.networkFileSystemName(magic: 0x0102_1994) == nil, "tmpfs")
    #expect(SQLiteLocation.networkFileSystemName(magic: 0x5846_5342) == nil, "xfs")
    #expect(SQLiteLocation(path: "/tmp/x.db").networkFileSystem == nil, "this machine's /tmp is local")
  }
}

@Suite("SQLite's text for instants")
struct SQLiteTimeTests {
  @Test("fixed width UTC with microseconds, so text order is time order")
  func format() {
    let instant = Timestamp(nanosecondsSinceEpoch: 1_795_938_318_070_889_123)
    #expect(instant.sqliteText == "2026-11-29 07:45:18.070889+00:00")
    #expect(Timestamp(year: 2026, month: 1, day: 2).sqliteText == "2026-01-02 00:00:00.000000+00:00")
    #expect(Timestamp(nanosecondsSinceEpoch: -1_000).sqliteText == "1969-12-31 23:59:59.999999+00:00")
    let times = [0, 999, 1_000, 59_999_999, 1_000_000_000, 86_400_000_000].map {
      Timestamp(nanosecondsSinceEpoch: 1_795_938_318_000_000_000 + Int64($0) * 1000)
    }
    #expect(times.map(\.sqliteText).sorted() == times.map(\.sqliteText))
  }

  @Test("reads its own text back to the microsecond")
  func roundTrip() {
    for nanoseconds: Int64 in [0, 1_795_938_318_070_889_000, -86_400_000_001_000, 4_102_444_800_000_000_000] {
      let instant = Timestamp(nanosecondsSinceEpoch: nanoseconds)
      #expect(Timestamp(sqliteText: instant.sqliteText) == instant)
    }
  }

  @Test("reads what other writers store: SQLite's CURRENT_TIMESTAMP, Go drivers' offsets, T and Z", arguments: [
    ("2026-11-29 07:45:18", 1_795_938_318_000_000_000),
    ("2026-11-29T07:45:18Z", 1_795_938_318_000_000_000),
    ("2026-11-29 08:45:18.5+01:00", 1_795_938_318_500_000_000),
    ("2026-11-29 02:45:18.123456789-05:00", 1_795_938_318_123_456_789),
    ("2026-11-29 07:45", 1_795_938_300_000_000_000),
  ] as [(String, Int64)])
  func otherWriters(text: String, nanoseconds: Int64) {
    #expect(Timestamp(sqliteText: text) == Timestamp(nanosecondsSinceEpoch: nanoseconds))
  }

  @Test("anything else is unknown, not a wrong time", arguments: [
    "", "yesterday", "2026-11-29", "2026-13-01 00:00:00", "2026-11-29 24:00:00", "2026-11-29 04:25:18.",
    "2026-11-29 04:25:18+0100", "2026-11-29 04:25:18 junk", "1795938318",
  ])
  func rejected(text: String) {
    #expect(Timestamp(sqliteText: text) == nil)
  }
}
