import Foundation
import Testing

@testable import CronlockCore

@Suite("cronlock's own stderr lines")
struct ReporterTests {
  let time = Timestamp(nanosecondsSinceEpoch: 1_764_633_600_123_456_789)
  let run = LogContext(job: "nightly", slot: "2025-12-02 00:00:00.000", runID: 42)

  @Test("text: the job and slot lead the message, as run's lines always did")
  func text() {
    let reporter = Reporter(verbose: true, context: run)
    #expect(reporter.line(.info, .claimed, "claimed as run 42", at: time)
      == "cronlock: job 'nightly' slot '2025-12-02 00:00:00.000': claimed as run 42\n")
    #expect(reporter.line(.warning, .clockSkew, "this host's clock is 3s ahead", at: time)
      == "cronlock: job 'nightly' slot '2025-12-02 00:00:00.000': warning: this host's clock is 3s ahead\n")
    #expect(Reporter(verbose: false).line(.error, .failure(.usage), "no command given", at: time)
      == "cronlock: no command given\n")
    var retries = run
    retries.prefixesText = false
    #expect(Reporter(verbose: true, context: retries).line(.info, .retrying, "cannot claim the slot yet", at: time)
      == "cronlock: cannot claim the slot yet\n")
    #expect(LogContext(job: "a\u{1}b", slot: "s").textPrefix == "job 'a\\x01b' slot 's': ")
  }

  @Test("json: one object per line, its fields in a fixed order, unknown ones left out")
  func json() throws {
    let line = Reporter(verbose: true, format: .json, context: run).line(.warning, .clockSkew, "3s \"ahead\"", at: time)
    #expect(line == """
      {"time":"2025-12-02T00:00:00.123Z","level":"warning","job":"nightly","slot":"2025-12-02 00:00:00.000",\
      "run_id":42,"event":"clock_skew","message":"3s \\"ahead\\""}

      """)
    let bare = Reporter(verbose: false, format: .json).line(.error, .failure(.unavailable), "down\u{2028}", at: time)
    #expect(bare == #"{"time":"2025-12-02T00:00:00.123Z","level":"error","event":"unavailable","message":"down\u2028"}"# + "\n")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(bare.utf8)) as? [String: String])
    #expect(object["message"] == "down\u{2028}")
  }

  @Test("about(runID:) keeps the job and slot")
  func about() {
    let reporter = Reporter(verbose: true, format: .json).about(LogContext(job: "j", slot: "s")).about(runID: 7)
    #expect(reporter.context == LogContext(job: "j", slot: "s", runID: 7))
    #expect(reporter.format == .json && reporter.verbose)
  }

  @Test("failures name their kind in snake_case", arguments: [
    (CronlockError.Code.usage, "usage_error"), (.invalidName, "invalid_name"), (.unavailable, "unavailable"),
    (.configuration, "configuration"), (.interrupted, "interrupted"), (.internalFailure, "internal_failure"),
  ])
  func failureEvents(code: CronlockError.Code, name: String) {
    #expect(LogEvent.failure(code).name == name)
  }
}
