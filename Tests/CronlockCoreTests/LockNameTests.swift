import Testing

@testable import CronlockCore

@Suite("job names and identifiers")
struct LockNameTests {
  @Test("acceptable names", arguments: ["nightly-report", "ä日本", String(repeating: "x", count: 255), "'); DROP TABLE t; --", "a b"])
  func accepts(name: String) throws {
    try LockName.validate(name, as: "job name")
  }

  @Test("unacceptable names fail with exit 65 and say why", arguments: [
    ("", "is empty"), (String(repeating: "x", count: 256), "256 bytes"), (String(repeating: "é", count: 128), "256 bytes"),
    ("a\nb", "U+000A"), ("nul\u{0}", "U+0000"), ("esc\u{1B}[0m", "U+001B"), ("del\u{7F}", "U+007F"), ("c1\u{85}", "U+0085"),
  ])
  func refuses(name: String, reason: String) {
    #expect {
      try LockName.validate(name, as: "job name")
    } throws: { error in
      let error = error as! CronlockError
      return error.status == 65 && error.message.hasPrefix("job name ") && error.message.contains(reason)
        && !error.message.contains("\n")
    }
  }

  @Test("bytes that were not UTF-8 are refused")
  func invalidUTF8() {
    #expect(throws: CronlockError.invalidName("identifier is not valid UTF-8")) {
      try LockName.validate("a\u{FFFD}", as: "identifier", repairedFromInvalidUTF8: true)
    }
  }

  @Test("escaping keeps one line and shows what was there")
  func escaping() {
    #expect(LockName.escaped("a\nb\t\u{1B}c\\") == "a\\nb\\t\\x1Bc\\\\")
  }
}
