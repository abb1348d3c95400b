import Foundation
import Testing
import CronlockTestSupport

/// A full disk under the lock table: the claim is refused with 75 at once and nothing runs;
/// a run whose own command fills the disk still ends with the command's status, on time; and
/// once there is room again the same slot is claimed, so a full disk never burns a slot.
@Suite("fault: a full disk", .enabled(if: SmallDisk.available, "needs root to mount a tmpfs"))
struct FaultDiskTests {
  @Test("SQLite on a full disk: 75 within --connect-timeout, no command; the slot is still there once there is room")
  func sqliteClaim() throws {
    let disk = try #require(SmallDisk(megabytes: 1))
    defer { disk.remove() }
    let database = disk.migratedSQLite()
    let scratch = Scratch()
    disk.fill()
    let (full, seconds) = Fault.timed {
      CronlockBinary.run(["run", "--database", database, "--job", "disk", "--identifier", "s", "--connect-timeout", "2s",
                          "--", "/usr/bin/touch", scratch.path("ran")])
    }
    #expect(full.status == 75 && full.stderr.contains("disk is full"), "\(full.stderr)")
    #expect(full.stderr.split(separator: "\n").count == 1)
    #expect(seconds < 2 + 5)
    #expect(!FileManager.default.fileExists(atPath: scratch.path("ran")))
    disk.empty()
    let later = CronlockBinary.run(["run", "--database", database, "--job", "disk", "--identifier", "s", "--",
                                    "/usr/bin/touch", scratch.path("ran")])
    #expect(later.status == 0, "\(later.stderr)")
    #expect(FileManager.default.fileExists(atPath: scratch.path("ran")))
  }

  @Test("a command that fills the disk under SQLite: cronlock exits with its status at --finish-timeout and says the row is RUNNING")
  func sqliteFinish() throws {
    let disk = try #require(SmallDisk(megabytes: 1))
    defer { disk.remove() }
    let database = disk.migratedSQLite()
    let (result, seconds) = Fault.timed {
      CronlockBinary.run(["run", "--database", database, "--job", "disk", "--identifier", "s", "--finish-timeout", "2s",
                          "--", "/bin/sh", "-c", disk.fillCommand + "; exit 3"])
    }
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("is still RUNNING in the table") && result.stderr.contains("disk is full"),
            "\(result.stderr)")
    #expect(seconds < 2 + 5)
  }

  @Test("PostgreSQL, the table's tablespace full: 75 at once, no command; the slot is still there once there is room")
  func postgresClaim() throws {
    let disk = try #require(SmallDisk(megabytes: 1))
    defer { disk.remove() }
    let server = TestServer.shared
    let tablespace = "small_\(UUID().uuidString.prefix(8).lowercased())"
    let directory = disk.path("tablespace")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    _ = Shell.run(["/bin/chown", "postgres", directory])
    try server.execute("CREATE TABLESPACE \(tablespace) LOCATION '\(directory)'")
    let table = try server.freshTable("disk")
    defer {
      _ = try? server.execute("DROP TABLE \(table)")
      _ = try? server.execute("DROP TABLESPACE \(tablespace)")
    }
    // The table and its indexes move to the small disk, empty: the first claim must extend them.
    try server.execute("ALTER TABLE \(table) SET TABLESPACE \(tablespace)")
    for index in try server.query("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = $1::regclass", [table]) {
      try server.execute("ALTER INDEX \(index[0]!) SET TABLESPACE \(tablespace)")
    }
    let scratch = Scratch()
    let environment = ["CRONLOCK_TABLE": table]
    disk.fill()
    let (full, seconds) = Fault.timed {
      CronlockBinary.run(["run", "--job", "disk", "--identifier", "s", "--connect-timeout", "2s", "--",
                          "/usr/bin/touch", scratch.path("ran")], environment: environment)
    }
    #expect(full.status == 75 && full.stderr.contains("No space left on device"), "\(full.stderr)")
    #expect(full.stderr.split(separator: "\n").count == 1)
    #expect(seconds < 2 + 5)
    #expect(!FileManager.default.fileExists(atPath: scratch.path("ran")))
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]])
    disk.empty()
    let later = CronlockBinary.run(["run", "--job", "disk", "--identifier", "s", "--", "/usr/bin/touch", scratch.path("ran")],
                                   environment: environment)
    #expect(later.status == 0, "\(later.stderr)")
    #expect(FileManager.default.fileExists(atPath: scratch.path("ran")))
    #expect(try server.query("SELECT status FROM \(table)") == [["FINISHED"]])
  }
}

/// A tmpfs of a few megabytes, mounted for one test, that can be filled to the last block.
struct SmallDisk {
  let directory: URL

  static var available: Bool {
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/mount")
  }

  init?(megabytes: Int) {
    directory = Scratch().directory
    let mounted = Shell.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=\(megabytes)m,mode=755", "tmpfs", directory.path])
    guard mounted.status == 0 else { return nil }
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// The `sqlite:` URL of a lock table migrated on this disk.
  func migratedSQLite() -> String {
    let database = "sqlite:\(path("locks.db"))"
    #expect(CronlockBinary.run(["migrate", "--database", database]).status == 0)
    return database
  }

  /// A shell command that writes zeros until the disk has no block left.
  var fillCommand: String { "dd if=/dev/zero of='\(path("filler"))' bs=4096 2>/dev/null" }

  func fill() {
    _ = Shell.run(["/bin/sh", "-c", fillCommand])
  }

  func empty() {
    try? FileManager.default.removeItem(atPath: path("filler"))
  }

  func remove() {
    _ = Shell.run(["/usr/bin/umount", "-l", directory.path])
    try? FileManager.default.removeItem(at: directory)
  }
}
