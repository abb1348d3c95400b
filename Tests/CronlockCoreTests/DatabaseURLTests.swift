import Testing

@testable import CronlockCore

@Suite("connection strings never show passwords")
struct DatabaseURLTests {
  @Test("redacted forms", arguments: [
    ("postgresql://app:s3cret@db.example:5432/jobs", "postgresql://app:***@db.example:5432/jobs"),
    ("postgres://app:s3cret@db/jobs?sslmode=verify-full&password=s3cret", "postgres://app:***@db/jobs?sslmode=verify-full&password=***"),
    ("postgresql://app@db/jobs", "postgresql://app@db/jobs"),
    ("host=db user=app password=s3cret dbname=jobs", "host=db user=app password=*** dbname=jobs"),
    ("host=db password = 'it\\'s secret' dbname=jobs", "host=db password = *** dbname=jobs"),
    ("postgresql://u:pa%zzss@h/db", "postgresql://u:***@h/db"),
  ])
  func redacts(raw: String, shown: String) {
    #expect(DatabaseURL(raw).redacted == shown)
  }

  @Test("messages are scrubbed of the password as written and as decoded")
  func scrubs() {
    let url = DatabaseURL("postgresql://app:p%40ss@db/jobs")
    #expect(url.scrub("bad token p%40ss, decoded p@ss") == "bad token ***, decoded ***")
  }

  @Test("a URI whose password holds an unencoded / ? # or @ is refused before libpq splits it", arguments: [
    ("postgresql://u:se/cret@h/db", "/"), ("postgresql://u:se@cret@h/db", "@"), ("postgresql://u:se?cret@h/db", "?"),
    ("postgresql://u:se#cret@h:5/db", "#"), ("postgresql://u:p%2Fss@h/db", nil), ("postgresql://h/db?application_name=a@b", nil),
    ("postgresql://u:se:cret@h/db", nil), ("host=h password=se/cr@t", nil),
  ])
  func unencoded(raw: String, character: String?) {
    let complaint = DatabaseURL(raw).unencodedUserInfo
    #expect((complaint != nil) == (character != nil))
    if let character, let complaint {
      #expect(complaint.contains("'\(character)'") && !complaint.contains("cret"))
    }
  }

  @Test("pieces of a password libpq might quote are scrubbed too", arguments: [
    ("postgresql://u:se/cret@h/db", "invalid integer value \"se\" … cret"),
    ("host=h password=se cret user=u", "missing \"=\" after \"cret\""),
  ])
  func pieces(raw: String, message: String) {
    let scrubbed = DatabaseURL(raw).scrub(message)
    #expect(!scrubbed.contains("cret") && !scrubbed.contains("\"se\""), "\(scrubbed)")
  }

  @Test("an error from the libpq wrapper can only be built already scrubbed")
  func errorsAreScrubbed() {
    let secrets = DatabaseURL("host=h password=Sekr1t\nline").secrets
    let error = PostgresError(kind: .connectionFailed, message: "FATAL: bad Sekr1t\nline\n", scrubbing: secrets)
    #expect(error.description == "FATAL: bad ***")
    #expect(Connection.withoutOptionValue("invalid integer value \"se\" for connection option \"port\"")
      == "invalid integer value \"***\" for connection option \"port\"")
  }

  @Test("table names are quoted as identifiers", arguments: [
    ("cron_job_locks", "\"cron_job_locks\""), ("ops.locks", "\"ops\".\"locks\""), ("MiXed", "\"MiXed\""),
    ("x\"; DROP TABLE t; --", "\"x\"\"; DROP TABLE t; --\""),
  ])
  func quotesTables(name: String, quoted: String) throws {
    #expect(try TableName(parsing: name).quoted == quoted)
  }

  @Test("PostgreSQL's table: a name without a schema is in public, never resolved through search_path", arguments: [
    ("cron_job_locks", "\"public\".\"cron_job_locks\"", "public.cron_job_locks", true),
    ("ops.locks", "\"ops\".\"locks\"", "ops.locks", false),
    ("public.cron_job_locks", "\"public\".\"cron_job_locks\"", "public.cron_job_locks", false),
  ])
  func qualifiesTables(name: String, quoted: String, described: String, defaulted: Bool) throws {
    let table = try TableName(parsing: name).qualified
    #expect(table.quoted == quoted)
    #expect(table.description == described)
    #expect(table.schemaIsDefault == defaulted)
    #expect(table.quotedUnqualified == "\"\(table.name)\"")
    #expect(table == (try TableName(parsing: described)), "the same table however it was named")
  }

  @Test("bad table names are usage errors", arguments: ["", "a.b.c", ".t", "s.", String(repeating: "t", count: 64)])
  func refusesTables(name: String) {
    #expect(throws: CronlockError.self) { try TableName(parsing: name) }
  }

  @Test("the child's environment drops the database secrets and sets the run's identity")
  func childEnvironment() {
    let inherited = ["PATH=/bin", "PGPASSWORD=x", "CRONLOCK_DATABASE_URL=postgresql://u:p@h/d", "CRONLOCK_JOB=old",
                     "PGPASSWORDX=kept", "HOME=/root"].map { Array($0.utf8CString) }
    let made = ChildEnvironment.make(inherited: inherited, job: "j", identifier: "i", runID: "7", worker: "w")
      .map { String(decoding: $0.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    #expect(made == ["PATH=/bin", "PGPASSWORDX=kept", "HOME=/root", "CRONLOCK_JOB=j", "CRONLOCK_IDENTIFIER=i",
                     "CRONLOCK_RUN_ID=7", "CRONLOCK_WORKER=w"])
  }
}
