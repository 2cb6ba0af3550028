import Foundation
import Vapor

/// Simplified Chinese by default, English as the second locale, chosen by the `lang` cookie.
/// Every word a page shows comes from the message catalogue (`t("complaints.tab.overdue")`);
/// `{0}`, `{1}` … in a message are filled with the arguments in order.
struct Localizer: Sendable {
    enum Lang: String, Sendable, CaseIterable { case zh, en }
    let lang: Lang
    let catalogue: MessageCatalogue

    init(_ req: Request) {
        lang = req.cookies["lang"]?.string == "en" ? .en : .zh
        catalogue = req.application.messages
    }

    init(lang: Lang, catalogue: MessageCatalogue) {
        self.lang = lang
        self.catalogue = catalogue
    }

    func callAsFunction(_ key: String, _ args: Any...) -> String {
        catalogue.text(key, lang: lang, args: args)
    }

    /// A value the data itself holds in both languages (a category's names as its owner typed
    /// them, a question's label): not a message of the interface.
    func pick(_ zh: String, _ en: String?) -> String {
        lang == .en ? (en?.isEmpty == false ? en! : zh) : zh
    }
}

/// One capability's messages in one language: a flat JSON object of key → text, kept in the
/// capability's `Messages/` folder (`complaints.zh.json`, `complaints.en.json`) and embedded
/// at build time.
struct MessageFile: Sendable {
    let lang: Localizer.Lang
    let bytes: [UInt8]

    /// A capability's two files, as its `messages`.
    static func both(zh: [UInt8], en: [UInt8]) -> [MessageFile] {
        [MessageFile(lang: .zh, bytes: zh), MessageFile(lang: .en, bytes: en)]
    }
}

/// Every capability's messages merged, per language. Built once at boot; a key defined twice,
/// an unreadable file or a key missing from one language stops the boot with its name.
struct MessageCatalogue: Sendable {
    private(set) var messages: [Localizer.Lang: [String: String]] = [:]
    /// The script messages (keys holding `.js.`) of each language as JSON, built once here for
    /// every page to carry. JSONEncoder escapes "/", so the text cannot close a script element.
    private(set) var scriptJSON: [Localizer.Lang: String] = [:]

    init() {}

    init(_ files: [(capability: String, file: MessageFile)]) throws {
        var owner: [Localizer.Lang: [String: String]] = [:]
        for (capability, file) in files {
            let entries: [String: String]
            do {
                entries = try JSONDecoder().decode([String: String].self, from: Data(file.bytes))
            } catch {
                throw CatalogueError(
                    "\(capability).\(file.lang.rawValue).json is not a JSON object of strings: \(error)")
            }
            for (key, text) in entries {
                if let other = owner[file.lang, default: [:]][key] {
                    throw CatalogueError(
                        "message \(key) (\(file.lang.rawValue)) is defined by \(other) and \(capability)")
                }
                owner[file.lang, default: [:]][key] = capability
                messages[file.lang, default: [:]][key] = text
            }
        }
        for lang in Localizer.Lang.allCases {
            let missing = Set(messages[.zh, default: [:]].keys).symmetricDifference(messages[lang, default: [:]].keys)
            if let key = missing.sorted().first {
                throw CatalogueError("message \(key) is not defined in every language (\(missing.count) such keys)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (lang, entries) in messages {
            let script = entries.filter { $0.key.contains(".js.") }
            scriptJSON[lang] = (try? encoder.encode(script)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        }
    }

    var keys: Set<String> { Set(messages[.zh, default: [:]].keys) }

    func has(_ key: String) -> Bool { messages[.zh]?[key] != nil }

    func raw(_ key: String, lang: Localizer.Lang) -> String? { messages[lang]?[key] }

    /// The message, with `{n}` replaced by the n-th argument; an unknown key reads as itself
    /// (a test checks that every key the code uses exists).
    func text(_ key: String, lang: Localizer.Lang, args: [Any] = []) -> String {
        guard let template = messages[lang]?[key] else { return key }
        if args.isEmpty { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let n = Int(after[..<close]), args.indices.contains(n) {
                out += "\(args[n])"
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }

    struct CatalogueError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

struct MessageCatalogueKey: StorageKey { typealias Value = MessageCatalogue }

extension Application {
    /// The merged message catalogue of this instance's capabilities (set by `configure`).
    var messages: MessageCatalogue {
        get {
            if let c = storage[MessageCatalogueKey.self] { return c }
            // Only before configure ran (a bare Application in a unit test).
            return (try? MessageCatalogue(capabilities.flatMap { c in c.messages.map { (c.name, $0) } }))
                ?? MessageCatalogue()
        }
        set { storage[MessageCatalogueKey.self] = newValue }
    }
}
