import ZhiliDomain

/// What part of the hierarchy a signed-in person may read. Derived once per request from the
/// account; every query of scoped data goes through `ScopedQuery`, which applies it.
public enum DataScope: Sendable, Equatable {
    /// Administrators: the whole deployment (many cities may share one).
    case everything
    /// Staff bound to a node: that node and everything under it.
    case subtree(HierarchyCode)
    /// A resident: only their own household.
    case household(String)
    /// Accounts without a place in the hierarchy (merchants, units): no residents' data.
    case nothing

    /// Whether a record carrying this hierarchy code lies inside the scope.
    public func allows(code: String) -> Bool {
        switch self {
        case .everything: true
        case .subtree(let root): code.hasPrefix(root.value)
        case .household(let household): code == household
        case .nothing: false
        }
    }

    /// Whether browsing a node is allowed: its subtree or its ancestors (a breadcrumb upward
    /// shows names only, never the records beneath other branches).
    public func allowsBrowsing(code: String) -> Bool {
        switch self {
        case .everything: true
        case .subtree(let root): code.hasPrefix(root.value) || root.value.hasPrefix(code)
        case .household(let household): household.hasPrefix(code)
        case .nothing: false
        }
    }

    /// Half-open range [lower, upper) of codes inside the scope, for index range scans.
    public var codeRange: (lower: String, upper: String)? {
        switch self {
        case .everything: nil
        case .subtree(let root): (root.value, root.rangeUpperBound)
        case .household(let code): (code, code + ":")
        case .nothing: ("", "")
        }
    }
}
