import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@testable import cronlock

/// Committed generated files stay honest: they must match what the built binary says.
@Suite("man page, completions and install")
struct DocsTests {
  static let root = TestServer.packageRoot
  static let subcommands = CommandLineGuide.subcommands

  func file(_ path: String) throws -> String {
    try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
  }

  @Test("committed completions equal what the binary generates", arguments: [
    ("bash", "completions/cronlock.bash"), ("zsh", "completions/_cronlock"), ("fish", "completions/cronlock.fish"),
  ])
  func completions(shell: String, path: String) throws {
    let generated = Shell.run([CronlockBinary.path, "--generate-completion-script", shell])
    #expect(generated.status == 0)
    #expect(try file(path) == generated.stdout, "regenerate: cronlock --generate-completion-script \(shell) > \(path)")
  }

  @Test("every option --help shows is in the man page", arguments: subcommands)
  func manPageCoversOptions(subcommand: String) throws {
    let help = Shell.run([CronlockBinary.path, subcommand, "--help"])
    #expect(help.status == 0)
    // Option lines start with the option: "  -j, --job <name>   ..." or "  --no-overlap   ...".
    let options = Set(help.stdout.split(separator: "\n").flatMap { line in
      line.drop { $0 == " " }.split(separator: " ").prefix(2)
        .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
        .filter { $0.hasPrefix("--") && $0.count > 2 }
    })
    #expect(options.count >= 5, "parsed \(options) from --help")
    let page = try file("man/cronlock.1")
    for option in options {
      #expect(page.contains("Fl \(option.dropFirst())"), "\(option) of \(subcommand) is missing from man/cronlock.1")
    }
  }

  @Test("the exit status table in the man page lists every status cronlock documents")
  func manPageExitStatus() throws {
    let page = try file("man/cronlock.1")
    let section = try #require(page.components(separatedBy: ".Sh EXIT STATUS").last?.components(separatedBy: ".Sh ").first)
    for row in ExitStatus.summary where row.status != "child's" {
      #expect(section.contains(".It \(row.status)\n"), "exit status \(row.status)")
    }
  }

  @Test("mandoc -Tlint finds nothing wrong with the page")
  func mandocLint() throws {
    // Whether crontab(5) or psql(1) are installed here says nothing about this page.
    let result = Shell.run(["/usr/bin/mandoc", "-Tlint", Self.root.appendingPathComponent("man/cronlock.1").path],
                           environment: ["MANPATH": "/nonexistent", "PATH": "/usr/bin:/bin"])
    let problems = result.stderr.split(separator: "\n")
      .filter { !$0.contains("referenced manual not found") && !$0.contains("mandoc.db") }
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test("the packages' changelog has an entry for this version, the one scripts/package ships")
  func changelogNamesVersion() throws {
    let first = try file("packaging/changelog").split(separator: "\n").first.map(String.init)
    #expect(first?.hasPrefix("cronlock (\(Version.current)) ") == true, "add an entry for \(Version.current) to packaging/changelog")
  }

  @Test("install puts the binary, page and completions under PREFIX; uninstall removes them")
  func installAndUninstall() throws {
    let prefix = Scratch().path("prefix")
    let script = Self.root.appendingPathComponent("scripts/install").path
    let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
    let install = Shell.run([script, "--prefix", prefix, "--binary", CronlockBinary.path], environment: environment)
    #expect(install.status == 0, "\(install.stderr)")
    let installed = ["bin/cronlock", "share/man/man1/cronlock.1", "share/bash-completion/completions/cronlock",
                     "share/zsh/site-functions/_cronlock", "share/fish/vendor_completions.d/cronlock.fish"]
    for path in installed {
      #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "\(path)")
    }
    let version = Shell.run([prefix + "/bin/cronlock", "--version"])
    #expect(version.stdout == Version.description + "\n")
    #expect(version.stdout.hasPrefix(Version.current + " (commit "))
    let man = Shell.run(["/usr/bin/man", "-l", prefix + "/share/man/man1/cronlock.1"],
                        environment: environment.merging(["MANPAGER": "cat", "PAGER": "cat"]) { $1 })
    #expect(man.status == 0)
    #expect(man.stdout.contains("at most one start per job and slot"))
    let uninstall = Shell.run([script, "--prefix", prefix, "--uninstall"], environment: environment)
    #expect(uninstall.status == 0)
    for path in installed {
      #expect(!FileManager.default.fileExists(atPath: prefix + "/" + path), "\(path)")
    }
  }

  @Test("the man page gives every option's range from the option table")
  func manPageRanges() throws {
    let page = try file("man/cronlock.1")
    // Each ".It Fl -name" item, up to the next item, by option name; an option in several
    // subcommands must state its range in one of them at least, with the right text in each.
    var items: [String: [String]] = [:]
    for block in page.components(separatedBy: "\n.It ").dropFirst() {
      guard block.hasPrefix("Fl -") else { continue }
      let name = String(block.dropFirst(4).prefix { $0 != " " && $0 != "\n" })
      items[name, default: []].append(block.components(separatedBy: "\n.El").first ?? block)
    }
    let options = RunOptionTable.all + [SubcommandOptionTable.limit, SubcommandOptionTable.since,
                                        SubcommandOptionTable.ttl, SubcommandOptionTable.staleAfter,
                                        SubcommandOptionTable.checkMaxSkew, SubcommandOptionTable.window,
                                        SubcommandOptionTable.grace]
    for option in options {
      guard case let range? = option.rangeText, option.takesValue, !option.isChoice else { continue }
      let blocks = items[option.long] ?? []
      #expect(blocks.contains { $0.contains("Range: \(range).") }, "\(option.flag): man page lacks 'Range: \(range).'")
    }
  }

  @Test("README's first lines name every package scripts/test installs")
  func readmePackageList() throws {
    let script = try file("scripts/test")
    // The deps line with its continuation lines (ending in a backslash).
    let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let first = try #require(lines.firstIndex { $0.hasPrefix("scripts/deps ") })
    var depsLine = ""
    for line in lines[first...] {
      depsLine += " " + line
      if !line.hasSuffix("\\") { break }
    }
    let packages = depsLine.split(separator: " ").dropFirst().map(String.init).filter { $0 != "\\" }
    #expect(packages.count >= 10)
    let readme = try file("README.md")
    let testLine = try #require(readme.split(separator: "\n").first { $0.contains("scripts/test    #") })
    for package in packages {
      #expect(testLine.split(separator: " ").contains { $0.trimmingCharacters(in: CharacterSet(charactersIn: "():,")) == package },
              "README's scripts/test line does not name \(package)")
    }
  }

  @Test("README names the Debian package of every shared library cronlock links or loads, beyond glibc and Swift's")
  func readmeRuntimeDependencies() throws {
    let elf = Shell.run(["/usr/bin/readelf", "-d", CronlockBinary.path])
    #expect(elf.status == 0)
    let needed = elf.stdout.split(separator: "\n").compactMap { line -> String? in
      guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
      return String(line[line.index(after: open)..<close])
    }
    // Swift's own libraries are linked into the installed binary (--static-swift-stdlib).
    let system = needed.filter { library in
      !library.hasPrefix("libswift") && !library.hasPrefix("libFoundation") && !library.hasPrefix("libdispatch")
        && !library.hasPrefix("libBlocksRuntime")
        && !["libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libgcc_s.so.1", "libstdc++.so.6"]
          .contains(library)
    }
    // libpq and libsqlite3 are loaded with dlopen when their database is first used, never
    // linked (LibPQ.swift, LibSQLite.swift).
    #expect(!system.contains("libpq.so.5") && !system.contains("libsqlite3.so.0"), "\(needed)")
    let readme = try file("README.md")
    for library in system + ["libpq.so.5", "libsqlite3.so.0"] {
      let owner = Shell.run(["/usr/bin/dpkg", "-S", "*/\(library)"])
      let package = try #require(owner.stdout.split(separator: ":").first.map(String.init), "\(library): \(owner.stderr)")
      #expect(readme.contains("`\(package)`"), "README does not say hosts need \(package) (for \(library))")
    }
  }
}
