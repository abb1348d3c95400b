/// The command to run, as the raw bytes the user passed (argv need not be UTF-8).
public struct ChildCommand: Sendable, Equatable {
  public let arguments: [[CChar]]

  public init(rawArguments: [[CChar]]) {
    arguments = rawArguments
  }

  public init(_ arguments: [String]) {
    self.arguments = arguments.map { Array($0.utf8CString) }
  }

  /// argv[0] as text, for messages and the row (arguments may carry secrets, so never those).
  public var name: String {
    arguments.first.map { String(decoding: $0.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) } ?? ""
  }
}
