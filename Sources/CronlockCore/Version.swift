import CBuildInfo

/// cronlock's version, stored in each row it claims. The one place it is defined: scripts/package
/// reads it from here for the .deb and the tarball.
public enum Version {
  public static let current = "0.1.0"

  /// The git commit the binary was built from (scripts/package injects it), or nil for a plain build.
  public static let commit: String? = {
    let commit = String(cString: cronlock_build_commit())
    return commit.isEmpty ? nil : commit
  }()

  /// What `cronlock --version` prints: `0.1.0 (commit 41702b3c5e1f)`, or `(commit unknown)`.
  public static let description = "\(current) (commit \(commit ?? "unknown"))"
}
