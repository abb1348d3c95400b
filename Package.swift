// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "cronlock",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "cronlock", targets: ["cronlock"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // libpq's headers only (libpq-dev): the library is loaded with dlopen when first used.
    .systemLibrary(
      name: "CLibPQ",
      providers: [.apt(["libpq-dev"])]
    ),
    // SQLite's headers only (libsqlite3-dev): the library is loaded with dlopen when first used.
    .systemLibrary(
      name: "CSQLite",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    // posix_spawn cannot set PR_SET_PDEATHSIG in the child; fork + exec in C can.
    .target(name: "CSpawn"),
    // The git commit, given by scripts/package as a C header so a plain build needs no git.
    .target(name: "CBuildInfo"),
    .target(
      name: "CronlockCore",
      dependencies: ["CLibPQ", "CSQLite", "CSpawn", "CBuildInfo"]
    ),
    .executableTarget(
      name: "cronlock",
      dependencies: [
        "CronlockCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // What the test targets share: the PostgreSQL fixture, processes, a bounded poll, a CSV parser.
    .target(
      name: "CronlockTestSupport",
      dependencies: ["CronlockCore"],
      path: "Tests/CronlockTestSupport"
    ),
    .testTarget(
      name: "CronlockCoreTests",
      dependencies: ["CronlockCore", "CronlockTestSupport"]
    ),
    .testTarget(
      name: "CronlockEndToEndTests",
      dependencies: ["CronlockCore", "CronlockTestSupport", "cronlock"]
    ),
    // One suite every LockStore must pass, on SQLite always and on PostgreSQL when it can run.
    .testTarget(
      name: "LockStoreContractTests",
      dependencies: ["CronlockCore", "CronlockTestSupport"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
