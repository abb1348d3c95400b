/// cronlock's version, stored in each row it claims.
public enum Version {
  public static let current = "0.1.0"
}
