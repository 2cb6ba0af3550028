import Foundation

/// The eight tiers of the governance tree, from the city down to a single household.
public enum NodeLevel: String, CaseIterable, Codable, Sendable, Comparable {
    case city, street, community, grid, compound, building, unit, household

    public var codeLength: Int {
        switch self {
        case .city: 6
        case .street: 9
        case .community: 12
        case .grid: 15
        case .compound: 18
        case .building: 21
        case .unit: 23
        case .household: 27
        }
    }

    public var segmentLength: Int {
        switch self {
        case .city: 6
        case .unit: 2
        case .household: 4
        default: 3
        }
    }

    /// Largest serial the level's own segment can hold (for the city, the largest division code).
    public var maxSerial: Int {
        switch self {
        case .city: 999_999
        case .unit: 99
        case .household: 9_999
        default: 999
        }
    }

    public var parent: NodeLevel? {
        guard let index = Self.allCases.firstIndex(of: self), index > 0 else { return nil }
        return Self.allCases[index - 1]
    }

    public var child: NodeLevel? {
        guard let index = Self.allCases.firstIndex(of: self), index + 1 < Self.allCases.count else { return nil }
        return Self.allCases[index + 1]
    }

    public var nameZh: String {
        switch self {
        case .city: "市"
        case .street: "街道/镇"
        case .community: "社区"
        case .grid: "网格"
        case .compound: "小区"
        case .building: "楼栋"
        case .unit: "单元"
        case .household: "户"
        }
    }

    public var nameEn: String {
        switch self {
        case .city: "City"
        case .street: "Street / Town"
        case .community: "Community"
        case .grid: "Grid"
        case .compound: "Compound"
        case .building: "Building"
        case .unit: "Unit"
        case .household: "Household"
        }
    }

    public init?(codeLength: Int) {
        guard let level = Self.allCases.first(where: { $0.codeLength == codeLength }) else { return nil }
        self = level
    }

    // Ordered by depth in the tree, not alphabetically by raw value.
    private var depth: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: NodeLevel, rhs: NodeLevel) -> Bool { lhs.depth < rhs.depth }
}

public enum HierarchyCodeError: Error, Sendable, Equatable {
    case empty
    case notDigits
    case badLength(Int)
    case badDivision(String)
    case zeroSerial(NodeLevel)
    case serialOutOfRange(NodeLevel, Int)
    case notAChildLevel
}

/// A node's position in the tree, spelled as fixed-width digit segments so that
/// ancestry is a string prefix and a subtree is one contiguous index range.
public struct HierarchyCode: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let value: String

    public init(validating raw: String) throws(HierarchyCodeError) {
        let trimmed = raw.trimmedWhitespace
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.utf8.allSatisfy(ASCIIDigits.isDigit) else { throw .notDigits }
        let length = trimmed.utf8.count
        guard let level = NodeLevel(codeLength: length) else { throw .badLength(length) }
        let division = String(trimmed.prefix(6))
        guard Self.isValidDivisionCode(division) else { throw .badDivision(division) }
        try Self.checkSerials(Array(trimmed.utf8), upTo: level)
        value = trimmed
    }

    /// Skips validation: only for values already proven well formed.
    private init(unchecked value: String) {
        self.value = value
    }

    private static func checkSerials(_ bytes: [UInt8], upTo level: NodeLevel) throws(HierarchyCodeError) {
        var level = level
        while let parent = level.parent {
            let segment = bytes[parent.codeLength..<level.codeLength]
            if segment.allSatisfy({ $0 == 0x30 }) { throw .zeroSerial(level) }
            level = parent
        }
    }

    public var level: NodeLevel {
        // Every instance was validated, so the length always maps to a level.
        NodeLevel(codeLength: value.utf8.count) ?? .city
    }

    public var parent: HierarchyCode? {
        guard let parentLevel = level.parent else { return nil }
        return HierarchyCode(unchecked: String(value.prefix(parentLevel.codeLength)))
    }

    public var serial: Int {
        Int(value.suffix(level.segmentLength)) ?? 0
    }

    /// Serial 0 is reported as `zeroSerial` to match what parsing such a code would say.
    public func child(serial: Int) throws(HierarchyCodeError) -> HierarchyCode {
        guard let childLevel = level.child else { throw .notAChildLevel }
        if serial == 0 { throw .zeroSerial(childLevel) }
        guard (1...childLevel.maxSerial).contains(serial) else {
            throw .serialOutOfRange(childLevel, serial)
        }
        let digits = String(serial)
        let padding = String(repeating: "0", count: childLevel.segmentLength - digits.count)
        return HierarchyCode(unchecked: value + padding + digits)
    }

    public func contains(_ other: HierarchyCode) -> Bool {
        // Fixed segment widths make "is a prefix" exactly "is self or an ancestor".
        other.value.utf8.starts(with: value.utf8)
    }

    public var ancestors: [HierarchyCode] {
        var result: [HierarchyCode] = []
        var current = parent
        while let code = current {
            result.append(code)
            current = code.parent
        }
        return result.reversed()
    }

    /// Exclusive upper bound for index range scans of everything under this code: value + ":" (':' sorts right after '9' in ASCII)
    public var rangeUpperBound: String { value + ":" }

    public var description: String { value }

    public static func < (lhs: HierarchyCode, rhs: HierarchyCode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            self = try HierarchyCode(validating: raw)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Invalid hierarchy code \(raw): \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension HierarchyCode {
    /// GB/T 2260 province-level prefixes (71 Taiwan, 81 Hong Kong, 82 Macao included).
    static let provincePrefixes: Set<Int> = Set(
        Array(11...15) + Array(21...23) + Array(31...37) + Array(41...46)
            + Array(50...54) + Array(61...65) + [71, 81, 82])

    /// A city is rooted at a prefecture- or county-level code, so a bare province
    /// code (last four digits "0000") cannot head a hierarchy.
    /// The rules of `init(validating:)` as one regular expression (for the OpenAPI document,
    /// so clients and fuzzers know a code's shape): a real province, a division that is not
    /// the province itself, then each level's serial, none of them all zeros.
    public static var pattern: String { pattern(down: nil) }

    /// The pattern of codes of exactly this level (a household's 27 digits, say).
    public static func pattern(of level: NodeLevel) -> String { pattern(down: level) }

    private static func pattern(down exactly: NodeLevel?) -> String {
        var byTens: [Int: [Int]] = [:]
        for p in provincePrefixes.sorted() { byTens[p / 10, default: []].append(p % 10) }
        let provinces = byTens.keys.sorted().map { tens in
            "\(tens)[" + byTens[tens]!.map(String.init).joined() + "]"
        }.joined(separator: "|")
        var tail = ""
        for level in NodeLevel.allCases.reversed() where level != .city {
            if let exactly, level > exactly { continue }
            let serial = nonZero(level.codeLength - (level.parent?.codeLength ?? 0))
            tail = "(" + serial + tail + ")" + (exactly == nil ? "?" : "")
        }
        return "^(" + provinces + ")" + nonZero(4) + tail + "$"
    }

    /// `n` digits that are not all zeros, without look-arounds (portable regular expressions).
    private static func nonZero(_ n: Int) -> String {
        let choices = (0..<n).map { zeros in
            String(repeating: "0", count: zeros) + "[1-9]" + (n - zeros - 1 > 0 ? "[0-9]{\(n - zeros - 1)}" : "")
        }
        return "(" + choices.joined(separator: "|") + ")"
    }

    public static func isValidDivisionCode(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count == 6, bytes.allSatisfy(ASCIIDigits.isDigit) else { return false }
        guard let province = Int(String(s.prefix(2))), provincePrefixes.contains(province) else { return false }
        return s.suffix(4) != "0000"
    }
}
