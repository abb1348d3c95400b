// The Swift floor: bench/floor.c line for line in Swift, built the way cronlock ships (the Swift
// runtime linked in, libstdc++ static, -z now, stripped) but linking libpq as the C floor does.
//
//   floor-swift JOB IDENTIFIER COMMAND [ARG...]
//
// The difference between it and the C floor is what any Swift program pays to start and end;
// the difference between cronlock and it is what cronlock itself does. bench/run builds it:
//   swiftc -O -static-stdlib -I bench/floor-swift $(pkg-config --cflags-only-I libpq | sed 's/^-I/-Xcc -I/') \
//     bench/floor-swift/floor.swift -o bench/out/floor-swift
import CFloorPQ
import Glibc

let argv = CommandLine.arguments
guard argv.count >= 4 else {
  fputs("usage: floor-swift JOB IDENTIFIER COMMAND [ARG...]\n", stderr)
  exit(64)
}
let claimSQL = """
  WITH settings AS (
    SELECT set_config('synchronous_commit', 'on', true), set_config('lock_timeout', $9, true)
  )
  INSERT INTO "cron_job_locks"
    (created_at, updated_at, job_name, job_identifier, worker, status,
     pid, command, slot_end, run_token, cronlock_version)
  SELECT now(), now(), $1, $2, $3, 'RUNNING', $4::integer, $5, $6::timestamptz, $7, $8
  FROM settings
  ON CONFLICT (job_name, job_identifier) DO NOTHING
  RETURNING id
  """
let finishSQL = """
  UPDATE "cron_job_locks"
  SET status = $2, exit_code = $3::integer, signal = $4::integer, note = $5,
      finished_at = now(), updated_at = now()
  WHERE id = $1::bigint
  """

/// PQexecParams with text parameters (nil is SQL NULL).
func exec(_ conn: OpaquePointer, _ sql: String, _ parameters: [String?]) -> OpaquePointer? {
  let copies = parameters.map { $0.map { strdup($0) } ?? nil }
  defer { copies.forEach { free($0) } }
  let values = copies.map { UnsafePointer<CChar>($0) }
  return values.withUnsafeBufferPointer { PQexecParams(conn, sql, Int32(values.count), nil, $0.baseAddress, nil, nil, 0) }
}

guard let conn = PQconnectdb("fallback_application_name=floor-swift"), PQstatus(conn) == CONNECTION_OK else {
  fputs("floor-swift: cannot connect\n", stderr)
  exit(75)
}
var hostBytes = [CChar](repeating: 0, count: 256)
gethostname(&hostBytes, 255)
let host = String(cString: hostBytes)
let pid = getpid()
let token = String(UInt32(truncatingIfNeeded: random()), radix: 16) + String(UInt32(bitPattern: pid), radix: 16)
  + String(UInt32(truncatingIfNeeded: random()), radix: 16)
var res = exec(conn, claimSQL, [argv[1], argv[2], host, String(pid), argv[3], nil, token, "floor", "5000ms"])
guard PQresultStatus(res) == PGRES_TUPLES_OK else {
  fputs("floor-swift: claim: " + String(cString: PQerrorMessage(conn)), stderr)
  exit(75)
}
guard PQntuples(res) == 1 else {  // lost: another worker owns the slot
  PQclear(res)
  PQfinish(conn)
  exit(0)
}
let id = String(cString: PQgetvalue(res, 0, 0))
PQclear(res)

let child = fork()
if child < 0 { exit(125) }
if child == 0 {
  let cArgs = argv[3...].map { strdup($0) } + [nil]
  execvp(cArgs[0]!, cArgs)
  _exit(127)
}
var status: Int32 = 0
while waitpid(child, &status, 0) < 0 {}
let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
res = exec(conn, finishSQL, [id, code == 0 ? "FINISHED" : "FAILED", String(code), nil, nil])
if PQresultStatus(res) != PGRES_COMMAND_OK { fputs("floor-swift: finish: " + String(cString: PQerrorMessage(conn)), stderr) }
PQclear(res)
PQfinish(conn)
exit(code)
