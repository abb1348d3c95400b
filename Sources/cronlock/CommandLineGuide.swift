import CronlockCore

/// Names the mistakes ArgumentParser would misname. With `run` the default subcommand, every
/// unknown word — `cronlock lsit`, `cronlock --database X list`, plain `cronlock` — reaches
/// `run` and is answered "Missing expected argument '--job <name>'". Runs only after
/// `FastRunParser` declined, so it costs nothing on cron's path.
enum CommandLineGuide {
  /// In help's order; a test compares them with ArgumentParser's.
  static let subcommands = ["run", "migrate", "list", "show", "status", "metrics", "purge", "check"]

  /// Options of any subcommand that take a value, so the word after them is not a subcommand.
  static let valueOptions: Set<String> = Set(
    (RunOptionTable.all + [SubcommandOptionTable.limit, SubcommandOptionTable.since, SubcommandOptionTable.ttl,
                           SubcommandOptionTable.staleAfter, SubcommandOptionTable.checkMaxSkew,
                           SubcommandOptionTable.window, SubcommandOptionTable.grace])
      .filter(\.takesValue).flatMap(\.spellings) + ["--status", "--format"])

  static let usage = "usage: cronlock [run] --job NAME [OPTION...] [--] COMMAND [ARG...], "
    + "or cronlock migrate|list|show|status|metrics|purge|check [OPTION...]"

  /// One line naming the mistake, or nil to let ArgumentParser decide.
  static func mistake(in arguments: [String]) -> String? {
    guard !arguments.isEmpty else {
      return "no subcommand given; \(usage) (see 'cronlock --help')"
    }
    var index = 0
    var before: [String] = []
    while index < arguments.count {
      let argument = arguments[index]
      if argument == "--" { return nil }
      if argument.hasPrefix("-") && argument.count > 1 {
        let spelling = argument.hasPrefix("--") ? String(argument.prefix { $0 != "=" }) : argument
        if ["-h", "--help", "--version", "--experimental-dump-help", "--generate-completion-script"].contains(spelling)
          || RunOptionTable.job.spellings.contains(spelling)
        {
          return nil  // help, or a run: the command may be any word
        }
        before.append(spelling)
        if valueOptions.contains(spelling) && !argument.contains("=") { index += 1 }
        index += 1
        continue
      }
      if index == 0 && argument == "help" { return nil }  // ArgumentParser's: cronlock help list
      if subcommands.contains(argument) {
        guard index > 0 else { return nil }
        let options = before.map { spelling in
          valueOptions.contains(spelling) ? spelling + " " + placeholder(spelling) : spelling
        }
        return "options go after the subcommand: cronlock \(([argument] + options).joined(separator: " ")) "
          + "(see 'cronlock \(argument) --help')"
      }
      guard let match = nearestSubcommand(to: argument) else {
        // A word nothing like a subcommand: at the start it cannot be a command either,
        // since run needs --job first.
        return index == 0
          ? "unknown subcommand '\(TerminalText.escaped(argument))'; subcommands: \(subcommands.joined(separator: ", ")) "
            + "(see 'cronlock --help')"
          : nil
      }
      return "unknown subcommand '\(TerminalText.escaped(argument))'; did you mean '\(match)'? (see 'cronlock --help')"
    }
    return nil
  }

  /// The subcommand whose help a usage error should point to.
  static func subcommand(of arguments: [String]) -> String {
    arguments.first.flatMap { subcommands.contains($0) ? $0 : nil } ?? "run"
  }

  static func placeholder(_ spelling: String) -> String {
    let spec = (RunOptionTable.all + [SubcommandOptionTable.limit, SubcommandOptionTable.since, SubcommandOptionTable.ttl,
                                      SubcommandOptionTable.staleAfter])
      .first { $0.spellings.contains(spelling) }
    return "<" + (spec?.valueName ?? "value") + ">"
  }

  /// The subcommand within two edits (a transposition is one) of `word`, ignoring case.
  static func nearestSubcommand(to word: String) -> String? {
    let candidates = subcommands.map { ($0, distance(word.lowercased(), $0)) }.filter { $0.1 <= 2 }
    return candidates.min { $0.1 < $1.1 }?.0
  }

  /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
  /// transpositions each cost one.
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
        }
      }
    }
    return table[a.count][b.count]
  }
}
