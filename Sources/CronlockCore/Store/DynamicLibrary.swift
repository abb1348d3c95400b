#if canImport(Glibc)
import Glibc
#endif

/// A system library opened with `dlopen` the first time its database is used, never linked, so
/// a run pays only for the library it needs (LibPQ, LibSQLite). Never closed: its functions are
/// used until the process ends.
struct DynamicLibrary {
  /// Why a library cannot be used: one line, for `cronlock: …`, naming the package to install
  /// unless the process had no room to load it.
  struct Unavailable: Error {
    let message: String
  }

  let soname: String
  /// The Debian package that provides it.
  let package: String
  private let handle: UnsafeMutableRawPointer

  init(_ soname: String, package: String, flags: Int32) throws(Unavailable) {
    guard let handle = dlopen(soname, flags) else {
      // A library missing or damaged is a package to install; one the process has no room
      // for — no memory to map it (`ulimit -v`), no descriptor to open it (`ulimit -n`) — is not.
      let reason = Self.lastError
      let noRoom = ["failed to map segment", "Cannot allocate memory", "Too many open files"].contains {
        reason.contains($0)
      }
      throw Unavailable(message: "cannot load \(soname) (\(reason))" + (noRoom ? "" : ": install the \(package) package"))
    }
    self.soname = soname
    self.package = package
    self.handle = handle
  }

  /// The function `name`, as the pointer type its table declares; a library too old to have it
  /// is unavailable, and says which version it needs.
  func function<Function>(_ name: String, since version: String) throws(Unavailable) -> Function {
    guard let address = dlsym(handle, name) else {
      throw Unavailable(
        message: "cannot load \(soname) (\(Self.lastError)): install the \(package) package, version \(version) or later")
    }
    return unsafeBitCast(address, to: Function.self)
  }

  /// dlerror's text, one line.
  private static var lastError: String {
    dlerror().map { PostgresError.oneLine(String(cString: $0)) } ?? "unknown error"
  }
}

/// A library's table of functions, loaded once by whichever thread asks first (a static's
/// initializer runs exactly once, under the runtime's lock), or why it cannot be.
struct LoadedLibrary<Table>: @unchecked Sendable {
  private let loaded: Result<Table, DynamicLibrary.Unavailable>

  init(_ load: () throws(DynamicLibrary.Unavailable) -> Table) {
    loaded = Result(catching: load)
  }

  /// 78 when the library cannot be used (a package needs installing).
  func check() throws(CronlockError) {
    if case .failure(let unavailable) = loaded { throw .configuration(unavailable.message) }
  }

  /// Why the library cannot be used, or nil when it can.
  var failure: String? {
    if case .failure(let unavailable) = loaded { return unavailable.message }
    return nil
  }

  /// The table, for code that runs only once `check()` succeeded.
  var table: Table {
    guard case .success(let table) = loaded else { preconditionFailure("\(Table.self) used although it could not be loaded") }
    return table
  }
}
