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

/// The keys of one vocabulary's terms: what a capability lists in `Capability.vocabularies`.
struct VocabularyKeys: Sendable {
    let prefix: String
    let keys: [String]

    static func of<V: Vocabulary>(_ type: V.Type) -> VocabularyKeys {
        VocabularyKeys(prefix: V.messagePrefix, keys: V.allCases.map(\.messageKey))
    }
}

/// Every vocabulary of the build (each capability lists its own), for the catalogue test.
enum Vocabularies {
    static var all: [(prefix: String, keys: [String])] {
        Capabilities.all.flatMap(\.vocabularies).map { ($0.prefix, $0.keys) }
    }
}

extension Role: Vocabulary { static var messagePrefix: String { "platform.role" } }
extension Department: Vocabulary { static var messagePrefix: String { "platform.department" } }
