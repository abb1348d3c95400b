import Testing

@testable import CronlockCore

@Suite("fleet observability: the pure parts")
struct FleetTests {
  let now = Timestamp(year: 2026, month: 12, day: 1, hour: 12, minute: 30, second: 20)

  func row(_ id: Int64, job: String = "j", identifier: String? = nil, status: String = "FINISHED", slotEnd: Timestamp?,
           rule: String? = "precision 5m", startedAt: Timestamp? = nil) -> HistoryRow {
    var row = HistoryRow(id: id, job: job, identifier: identifier, status: status, startedAt: startedAt ?? slotEnd,
                         slotEnd: slotEnd)
    row.slotRule = rule
    return row
  }

  func at(_ hour: Int, _ minute: Int) -> Timestamp { Timestamp(year: 2026, month: 12, day: 1, hour: hour, minute: minute) }

  @Test("slot rules round-trip through their stored text; unknown text is not guessed at")
  func storedRules() throws {
    let schedule = SlotRule.schedule(try CronExpression(parsing: "0  3 * * *"), try TimeZoneRules.named("Europe/Berlin"))
    #expect(StoredSlotRule(schedule).text == "schedule Europe/Berlin 0 3 * * *")
    #expect(StoredSlotRule(.precision(.seconds(90))).text == "precision 1m30s")
    #expect(StoredSlotRule(.identifier("x")).text == "identifier")
    for text in ["precision 1m30s", "schedule Europe/Berlin 0 3 * * *", "schedule UTC @daily", "identifier"] {
      #expect(StoredSlotRule(parsing: text)?.text == text)
    }
    for text in ["", "precision", "precision 0s", "precision 5x", "schedule UTC", "every 5m", "identifier x"] {
      #expect(StoredSlotRule(parsing: text) == nil, "\(text)")
    }
    #expect(TimeZoneRules.stored("localtime") == nil)
    #expect(TimeZoneRules.stored("Nowhere/Atlantis") == nil)
    #expect(TimeZoneRules.stored("CET-1CEST,M3.5.0,M10.5.0/3")?.offset(at: at(12, 0)) == 3600)
  }

  @Test("precision slots: ok, failed, stale, missed once ended, pending while open; nothing before the first run")
  func precisionWindow() {
    let rows = [
      row(1, status: "FINISHED", slotEnd: at(12, 10)),  // 12:05 slot
      row(2, status: "FAILED", slotEnd: at(12, 20)),  // 12:15
      row(3, status: "STALE", slotEnd: at(12, 25)),  // 12:20
    ]
    let status = JobStatus.evaluate(job: "j", lastRun: rows[2], firstRun: rows[0], rows: rows, from: at(11, 0), now: now,
                                    grace: .seconds(300))
    #expect(status.slots.map(\.identifier) == ["12:05", "12:10", "12:15", "12:20", "12:25", "12:30"].map { "2026-12-01 \($0):00.000" })
    #expect(status.slots.map(\.state) == [.ok, .missed, .failed, .stale, .missed, .pending])
    #expect(status.needsAttention)
    #expect(status.count(.missed) == 2)
  }

  @Test("a Go row in the window is matched by its UTC identifier; a rule change takes the newest run's rule")
  func goRowsAndRuleChange() {
    let go = row(5, identifier: "2026-12-01 12:25:00.000", status: "FINISHED", slotEnd: nil, rule: nil, startedAt: at(12, 25))
    let last = row(6, status: "RUNNING", slotEnd: at(12, 35))
    let first = row(1, status: "FINISHED", slotEnd: at(12, 25), rule: "precision 1m")
    let status = JobStatus.evaluate(job: "j", lastRun: last, firstRun: first, rows: [first, go, last], from: at(12, 0),
                                    now: now, grace: .seconds(60))
    #expect(status.slots.map(\.state) == [.ok, .ok, .running])
    #expect(!status.needsAttention)
  }

  @Test("scheduled slots are due at fire time plus grace, or at the next fire")
  func scheduleGrace() throws {
    let last = row(9, status: "FINISHED", slotEnd: at(12, 0), rule: "schedule UTC 0 * * * *")
    let first = row(1, status: "FINISHED", slotEnd: at(9, 0), rule: "schedule UTC 0 * * * *")
    let slots = { (now: Timestamp, grace: Int64) in
      JobStatus.evaluate(job: "j", lastRun: last, firstRun: first, rows: [first, last], from: at(8, 0), now: now,
                         grace: .seconds(grace)).slots.map(\.state)
    }
    // 08:00 (its run ended at 09:00), 09:00, 10:00, 11:00 (ran, ends 12:00), 12:00
    #expect(slots(at(12, 3), 300) == [.ok, .missed, .missed, .ok, .pending])
    #expect(slots(at(12, 6), 300) == [.ok, .missed, .missed, .ok, .missed])
    #expect(slots(at(12, 6), 86_400) == [.ok, .missed, .missed, .ok, .pending], "grace never outlasts the next fire")
  }

  @Test("rows without a rule, an identifier rule or an unknown zone judge only the last run")
  func ruleProblems() {
    for (rule, lastStatus, attention) in [(String?.none, "FINISHED", false), ("identifier", "FAILED", true),
                                          ("schedule localtime 0 * * * *", "FINISHED", false), ("weekly", "ABANDONED", true)] {
      let last = row(1, status: lastStatus, slotEnd: nil, rule: rule)
      let status = JobStatus.evaluate(job: "j", lastRun: last, firstRun: last, rows: [last], from: at(0, 0), now: now,
                                      grace: .seconds(60))
      #expect(status.ruleProblem != nil && status.slots.isEmpty, "\(String(describing: rule))")
      #expect(status.needsAttention == attention)
    }
  }

  @Test("a window of more than 100,000 slots keeps the newest")
  func truncation() {
    let last = row(1, slotEnd: now, rule: "precision 1s")
    let status = JobStatus.evaluate(job: "j", lastRun: last, firstRun: nil, rows: [], from: Timestamp(year: 2026, month: 11, day: 30), now: now,
                                    grace: .seconds(1))
    #expect(status.truncated && status.slots.count == JobStatus.maximumSlots)
    #expect(status.slots.last?.start == Timestamp(year: 2026, month: 12, day: 1, hour: 12, minute: 30, second: 20))
  }

  @Test("sizes: B, KiB, MiB; anything else, or too long to be a size, is refused")
  func sizes() throws {
    #expect(try ByteSize.parse("64KiB").get() == 65_536)
    #expect(try ByteSize.parse("1MiB").get() == 1_048_576)
    #expect(try ByteSize.parse("100B").get() == 100)
    #expect(try ByteSize.parse("100").get() == 100)
    for bad in ["", "KiB", "5KB", "1.5MiB", "-1", "1 KiB", "12345678"] {
      #expect((try? ByteSize.parse(bad).get()) == nil, "\(bad)")
    }
    #expect(ByteSize.description(65_536) == "64KiB" && ByteSize.description(1000) == "1000B")
  }

  @Test("the tail buffer keeps the last bytes in order, across chunks of any size")
  func tail() {
    var buffer = TailBuffer(capacity: 5)
    buffer.append(Array("abc".utf8)[...])
    #expect(buffer.bytes == Array("abc".utf8))
    buffer.append(Array("defg".utf8)[...])
    #expect(buffer.bytes == Array("cdefg".utf8))
    buffer.append(Array("0123456789".utf8)[...])
    #expect(buffer.bytes == Array("56789".utf8))
  }

  @Test("captured output is escaped for a terminal: lines kept, controls and bad bytes shown")
  func escaping() {
    let bytes: [UInt8] = Array("ok\n\u{1B}[2J\tx\\".utf8) + [0xC3, 0xA9, 0xFF, 0xE2, 0x80, 0xAE, 0xC3]
    #expect(FleetOutput.escapedOutput(bytes) == "ok\n\\x1B[2J\tx\\\\é\\xFF\\u{202E}\\xC3")
    #expect(FleetOutput.base64(Array("Man".utf8)) == "TWFu" && FleetOutput.base64(Array("Ma".utf8)) == "TWE="
      && FleetOutput.base64(Array("M".utf8)) == "TQ==" && FleetOutput.base64([]) == "")
    #expect(HistoryRow.bytes(hex: "00ff41") == [0, 255, 65] && HistoryRow.bytes(hex: "0") == nil && HistoryRow.bytes(hex: "zz") == nil)
    #expect(PostgresLockStore.byteaHex([0, 255, 65]) == "\\x00ff41")
  }

  @Test("Prometheus text: one HELP and TYPE per family, label values escaped, seconds with milliseconds")
  func prometheus() {
    var job = JobMetrics(job: "a\"b\\c\nd")
    job.rowsByStatus = ["FINISHED": 2]
    var last = HistoryRow(id: 1, job: job.job, status: "FAILED", startedAt: Timestamp(nanosecondsSinceEpoch: 1_500_000_000),
                          signal: 9)
    last.duration = .milliseconds(2500)
    job.lastRun = last
    let text = PrometheusText.render([job])
    #expect(text.contains(#"cronlock_job_last_run_timestamp_seconds{cron_job="a\"b\\c\nd"} 1.500"#))
    #expect(text.contains(#"cronlock_job_last_exit_code{cron_job="a\"b\\c\nd"} 137"#))
    #expect(text.contains(#"cronlock_job_last_duration_seconds{cron_job="a\"b\\c\nd"} 2.500"#))
    #expect(text.components(separatedBy: "# TYPE cronlock_job_runs gauge").count == 2)
    #expect(!text.contains("last_success"+"_timestamp_seconds{"), "no success, no sample")
  }
}
