import CronlockCore

/// `cronlock run`'s options as plain values, whichever parser read them; validation and the
/// environment fallbacks live here so the two parsers cannot drift apart.
struct RunArguments: Equatable {
  var job: String
  var precision: TimeSpan?
  var schedule: String?
  var tz: String?
  var identifier: String?
  var maxLate: TimeSpan?
  var splay: TimeSpan?
  var identifierZone: Cronlock.IdentifierZone = RunOptionTable.identifierZoneDefault
  var maxSkew: TimeSpan = RunOptionTable.maxSkewDefault
  var timeout: TimeSpan?
  var killAfter: TimeSpan?
  var heartbeat: TimeSpan = RunOptionTable.heartbeatDefault
  var noOverlap = false
  var onDbError: DatabaseErrorPolicy = RunOptionTable.onDbErrorDefault
  var lockTimeout: TimeSpan = RunOptionTable.lockTimeoutDefault
  var finishTimeout: TimeSpan = RunOptionTable.finishTimeoutDefault
  var worker: String?
  var skipExitCode: Int32 = ExitStatus.skippedDefault
  var captureOutput: Int?
  var verbose = false
  var logFormat: LogFormat?
  var hooks = Hooks(timeout: RunOptionTable.hookTimeoutDefault)
  var connection = ConnectionSettings()
  /// The command and its arguments, without a leading `--`.
  var command: [String]

  /// Why these options cannot go together, if they cannot (a usage error).
  var problem: String? {
    guard !command.isEmpty else { return "no command given; put it after '--'" }
    let slotRules = [precision.map { _ in "--precision" }, schedule.map { _ in "--schedule" },
                     identifier.map { _ in "--identifier" }].compactMap { $0 }
    if slotRules.count > 1 { return "\(slotRules.joined(separator: " and ")) cannot be used together" }
    if tz != nil && schedule == nil { return "--tz goes with --schedule" }
    if identifier != nil && maxLate != nil { return "--max-late needs a time slot, not --identifier" }
    if identifier != nil && identifierZone == .local { return "--identifier-zone local needs a time slot, not --identifier" }
    if killAfter != nil && timeout == nil { return "--kill-after goes with --timeout" }
    let table = RunOptionTable.self
    let problems = [
      table.precision.problem(precision), table.maxLate.problem(maxLate), table.splay.problem(splay),
      table.maxSkew.problem(maxSkew),
      table.timeout.problem(timeout), table.killAfter.problem(killAfter), table.heartbeat.problem(heartbeat),
      table.lockTimeout.problem(lockTimeout), table.finishTimeout.problem(finishTimeout),
      table.skipExitCode.problem(Int(skipExitCode)), table.captureOutput.problem(bytes: captureOutput),
      table.hookTimeout.problem(hooks.timeout), LogSettings.problem(flag: logFormat), connection.problem,
    ]
    // A loop, not `.lazy.compactMap(…).first`, whose lazy wrappers' metadata every start would
    // build at run time; every problem is computed either way.
    for case let problem? in problems { return problem }
    return nil
  }

  /// Runs and returns the exit status; never throws, so every path has a documented status.
  func execute(startedAt: Timestamp) -> Int32 {
    let reporter = Reporter(verbose: verbose, format: LogSettings.format(flag: logFormat))
    let options: RunOptions
    do {
      options = try runOptions()
      // Checked here too, so a bad --table is a usage error (64), never a database failure
      // that --on-db-error could run the command through.
      _ = try connection.tableName()
    } catch {
      reporter.error(error.message, event: .failure(error.code))
      return error.status
    }
    let connection = connection
    return Runner(options: options, reporter: reporter) { () throws(CronlockError) -> any LockStore in
      try connection.openStore()
    }.run(startedAt: startedAt)
  }

  func runOptions() throws(CronlockError) -> RunOptions {
    let worker = worker ?? Worker.defaultName()
    try LockName.validate(job, as: "job name", repairedFromInvalidUTF8: RawArguments.wasRepaired(job))
    if let identifier {
      try LockName.validate(identifier, as: "identifier", repairedFromInvalidUTF8: RawArguments.wasRepaired(identifier))
    }
    try LockName.validate(worker, as: "worker name")
    var options = RunOptions(
      job: job,
      slotRule: try slotRule(),
      worker: worker,
      skipExitCode: skipExitCode,
      command: RawArguments.command(matching: command),
      identifierZone: identifierZone == .local ? TimeZoneRules.local() : nil,
      maxLate: maxLate,
      maxSkew: maxSkew
    )
    options.supervision = Supervision.Policy(timeout: timeout, killAfter: killAfter ?? RunOptionTable.killAfterDefault, heartbeat: heartbeat)
    options.claimBudget = connection.connectTimeout
    options.finishBudget = finishTimeout
    options.lockTimeout = lockTimeout
    options.noOverlap = noOverlap
    options.splay = splay
    options.onDatabaseError = onDbError
    options.captureOutput = captureOutput
    options.hooks = hooks
    return options
  }

  func slotRule() throws(CronlockError) -> SlotRule {
    if let identifier { return .identifier(identifier) }
    if let schedule {
      let zone = try (tz ?? environment("CRON_TZ")).map { name throws(CronlockError) in try TimeZoneRules.named(name) }
      return .schedule(try CronExpression(parsing: schedule), zone ?? TimeZoneRules.local())
    }
    return .precision(precision ?? RunOptionTable.precisionDefault)
  }
}
