import ZhiliDomain

/// A closed list of terms (roles, statuses, levels …) whose names come from the message
/// catalogue: the name of `x` is the message `<messagePrefix>.<rawValue>`. A test walks
/// `allCases` of every vocabulary and finds each key in every language.
protocol Vocabulary: CaseIterable, RawRepresentable where RawValue: CustomStringConvertible {
    static var messagePrefix: String { get }
}

extension Vocabulary {
    var messageKey: String { "\(Self.messagePrefix).\(rawValue)" }
}

extension Localizer {
    /// The term's name in the page's language.
    func name<V: Vocabulary>(_ term: V) -> String { self(term.messageKey) }

    /// The name of a stored raw value, or the raw value itself when it is not a known term.
    func name<V: Vocabulary>(_ type: V.Type, _ raw: V.RawValue) -> String {
        V(rawValue: raw).map { name($0) } ?? raw.description
    }
}

/// Every vocabulary of the build, for the catalogue test.
enum Vocabularies {
    static let all: [(prefix: String, keys: [String])] = [
        keys(Role.self), keys(Department.self), keys(NodeLevel.self), keys(Sex.self), keys(ComplaintStatus.self),
        keys(TimeLimitTier.self), keys(ClockKind.self), keys(EscalationLevel.self), keys(ExchangeKind.self),
    ]

    static func keys<V: Vocabulary>(_ type: V.Type) -> (prefix: String, keys: [String]) {
        (V.messagePrefix, V.allCases.map(\.messageKey))
    }
}

extension Role: Vocabulary { static var messagePrefix: String { "platform.role" } }
extension Department: Vocabulary { static var messagePrefix: String { "platform.department" } }
extension NodeLevel: Vocabulary { static var messagePrefix: String { "hierarchy.level" } }
extension Sex: Vocabulary { static var messagePrefix: String { "registry.sex" } }
extension ComplaintStatus: Vocabulary { static var messagePrefix: String { "complaints.status" } }
extension TimeLimitTier: Vocabulary { static var messagePrefix: String { "complaints.tier" } }
extension ClockKind: Vocabulary { static var messagePrefix: String { "complaints.clock" } }
extension EscalationLevel: Vocabulary { static var messagePrefix: String { "complaints.escalation" } }
extension ExchangeKind: Vocabulary { static var messagePrefix: String { "registry.exchange-kind" } }
