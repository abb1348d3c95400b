/// What `cronlock metrics` knows of one job: its rows by status, and its newest runs.
public struct JobMetrics: Sendable, Equatable {
  public var job: String
  /// Rows by stored status (RUNNING counts live and stale runs alike).
  public var rowsByStatus: [String: Int] = [:]
  /// RUNNING rows whose heartbeat is fresh, and those whose heartbeat stopped.
  public var running = 0
  public var stale = 0
  public var lastRun: HistoryRow?
  public var lastSuccess: HistoryRow?

  public init(job: String) {
    self.job = job
  }

  /// The newest run that has ended: the last run, unless it is still running (then the last success).
  public var lastEnded: HistoryRow? {
    if let lastRun, lastRun.status != RunStatus.running.rawValue, lastRun.status != HistoryRow.stale { return lastRun }
    return lastSuccess
  }

  /// Per job, from the table's counts, its RUNNING rows (which `HistoryRow` has judged stale
  /// or not) and each job's newest row and newest FINISHED row.
  public static func collect(counts: [StatusCount], running: [HistoryRow], lastRuns: [HistoryRow],
                             lastSuccesses: [HistoryRow]) -> [JobMetrics]
  {
    var jobs: [String: JobMetrics] = [:]
    func update(_ job: String?, _ change: (inout JobMetrics) -> Void) {
      guard let job else { return }
      change(&jobs[job, default: JobMetrics(job: job)])
    }
    for count in counts {
      update(count.job) { $0.rowsByStatus[count.status ?? "NULL", default: 0] += count.count }
    }
    for row in running {
      update(row.job) { if row.status == HistoryRow.stale { $0.stale += 1 } else { $0.running += 1 } }
    }
    for row in lastRuns { update(row.job) { $0.lastRun = row } }
    for row in lastSuccesses { update(row.job) { $0.lastSuccess = row } }
    return jobs.values.sorted { $0.job.utf8.lexicographicallyPrecedes($1.job.utf8) }
  }
}

/// The Prometheus text exposition format (version 0.0.4) for node_exporter's textfile
/// collector: one family per metric, HELP and TYPE once, every value a gauge, since rows come
/// and go with `purge`. Times are Unix seconds, durations seconds.
public enum PrometheusText {
  public static func render(_ jobs: [JobMetrics]) -> String {
    var text = ""
    func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
      text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
      for sample in samples {
        let labels = sample.labels.map { "\($0.0)=\"\(escaped($0.1))\"" }.joined(separator: ",")
        text += "\(name){\(labels)} \(sample.value)\n"
      }
    }
    func perJob(_ value: (JobMetrics) -> String?) -> [(labels: [(String, String)], value: String)] {
      jobs.compactMap { job in value(job).map { (labels: [("cron_job", job.job)], value: $0) } }
    }
    family("cronlock_job_last_run_timestamp_seconds", "When the job's newest run was claimed.",
           perJob { $0.lastRun?.startedAt.map(seconds) })
    family("cronlock_job_last_success_timestamp_seconds", "When the job's newest FINISHED run ended.",
           perJob { job in (job.lastSuccess?.finishedAt ?? job.lastSuccess?.updatedAt).map(seconds) })
    family("cronlock_job_last_duration_seconds", "How long the job's newest ended run took.",
           perJob { $0.lastEnded?.duration.map { seconds(nanoseconds: $0.nanoseconds) } })
    family("cronlock_job_last_exit_code",
           "Exit status of the job's newest ended run; 128+N when signal N killed it.",
           perJob { job in
             guard let run = job.lastEnded else { return nil }
             return (run.signal.map { 128 + Int64($0) } ?? run.exitCode.map(Int64.init)).map { String($0) }
           })
    family("cronlock_job_runs", "Rows in the lock table, by job and stored status.",
           jobs.flatMap { job in
             job.rowsByStatus.sorted { $0.key < $1.key }.map { (labels: [("cron_job", job.job), ("status", $0.key)], value: String($0.value)) }
           })
    family("cronlock_job_running", "RUNNING rows whose heartbeat is fresh.", perJob { String($0.running) })
    family("cronlock_job_stale", "RUNNING rows whose heartbeat stopped more than three intervals ago.",
           perJob { String($0.stale) })
    return text
  }

  /// A label value: backslash, double quote and line feed escaped, as the format requires.
  static func escaped(_ value: String) -> String {
    var text = ""
    for character in value.unicodeScalars {
      switch character {
      case "\\": text += "\\\\"
      case "\"": text += "\\\""
      case "\n": text += "\\n"
      default: text.unicodeScalars.append(character)
      }
    }
    return text
  }

  static func seconds(_ instant: Timestamp) -> String { seconds(nanoseconds: instant.nanosecondsSinceEpoch) }

  /// Seconds with milliseconds, e.g. `1733090100.123`.
  static func seconds(nanoseconds: Int64) -> String {
    let milliseconds = nanoseconds / 1_000_000
    let sign = milliseconds < 0 ? "-" : ""
    let magnitude = milliseconds.magnitude
    let fraction = String(magnitude % 1000)
    return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}
