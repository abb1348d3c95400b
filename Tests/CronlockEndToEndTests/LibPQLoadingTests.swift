import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// cronlock loads libpq and libsqlite3 with dlopen the first time PostgreSQL or SQLite is used.
/// A host without a usable library is made here by putting an empty file of its name first on
/// LD_LIBRARY_PATH: the dynamic loader stops at the first file the name finds ("file too short")
/// and never reaches the system's, while every other library still resolves as before.
@Suite("libpq and libsqlite3 are loaded only when their database is used")
struct LibPQLoadingTests {
  /// An environment in which `soname` cannot be loaded.
  func without(_ soname: String, _ scratch: Scratch) throws -> [String: String] {
    let directory = scratch.path("no-" + soname)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: directory + "/" + soname, contents: Data()))
    return ["LD_LIBRARY_PATH": directory]
  }

  func withoutLibPQ(_ scratch: Scratch) throws -> [String: String] { try without("libpq.so.5", scratch) }

  @Test("without libpq, a PostgreSQL run or check is one line naming the package and 78, and nothing runs")
  func missingLibPQ() throws {
    let database = try TestDatabase.fresh(.postgres)
    let scratch = Scratch()
    let broken = try withoutLibPQ(scratch)
    let run = database.run(["run", "--job", "j", "--identifier", "s", "--"] + scratch.markingChild, environment: broken)
    #expect(run.status == 78, "\(run.stderr)")
    #expect(run.stderr.hasPrefix("cronlock: ") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    #expect(run.stderr.contains("cannot load libpq.so.5 (") && run.stderr.contains("): install the libpq5 package"),
            "\(run.stderr)")
    #expect(scratch.markerLines.isEmpty)
    let check = database.run(["check"], environment: broken)
    #expect(check.status == 78, "\(check.stderr)")
    #expect(check.stderr.contains("cannot load libpq.so.5"), "\(check.stderr)")
    // The same run with the system's libpq wins: the 78 came from the library alone.
    let control = database.run(["run", "--job", "j", "--identifier", "s", "--"] + scratch.markingChild)
    #expect(control.status == 0, "\(control.stderr)")
    #expect(scratch.markerLines.count == 1)
  }

  @Test("without libsqlite3, an SQLite run or check is one line naming the package and 78, nothing runs, no file is made")
  func missingSQLite() throws {
    let scratch = Scratch()
    let broken = try without("libsqlite3.so.0", scratch)
    let file = scratch.path("locks.db")
    let run = CronlockBinary.run(["run", "--database", "sqlite:" + file, "--job", "j", "--identifier", "s", "--"]
                                 + scratch.markingChild, environment: broken)
    #expect(run.status == 78, "\(run.stderr)")
    #expect(run.stderr.hasPrefix("cronlock: ") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    #expect(run.stderr.contains("cannot load libsqlite3.so.0 (") && run.stderr.contains("): install the libsqlite3-0 package"),
            "\(run.stderr)")
    #expect(scratch.markerLines.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: file))
    let check = CronlockBinary.run(["check", "--database", "sqlite:" + file], environment: broken)
    #expect(check.status == 78 && check.stderr.contains("cannot load libsqlite3.so.0"), "\(check.stderr)")
    // The same run with the system's libsqlite3 wins: the 78 came from the library alone.
    let control = CronlockBinary.run(["run", "--database", "sqlite:" + file, "--job", "j", "--identifier", "s", "--"]
                                     + scratch.markingChild)
    #expect(control.status == 0, "\(control.stderr)")
    #expect(scratch.markerLines.count == 1)
  }

  @Test("without the other database's library, --version, --help and a win and a skip work: they never load it",
        arguments: Backend.allCases)
  func otherLibraryNotNeeded(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let broken = try without(backend == .postgres ? "libsqlite3.so.0" : "libpq.so.5", scratch)
    let version = CronlockBinary.run(["--version"], environment: broken)
    #expect(version.status == 0 && version.stdout == Version.description + "\n", "\(version.stderr)")
    let help = CronlockBinary.run(["run", "--help"], environment: broken)
    #expect(help.status == 0 && help.stdout.contains("--database"), "\(help.stderr)")
    let win = database.run(["run", "--job", "j", "--identifier", "s", "--"] + scratch.markingChild, environment: broken)
    #expect(win.status == 0 && win.stderr.isEmpty, "\(win.stderr)")
    let skip = database.run(["run", "--job", "j", "--identifier", "s", "--skip-exit-code", "3", "--"] + scratch.markingChild,
                            environment: broken)
    #expect(skip.status == 3, "\(skip.stderr)")
    #expect(scratch.markerLines.count == 1)
  }
}
