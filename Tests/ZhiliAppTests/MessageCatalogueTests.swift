import Foundation
import Testing

@testable import ZhiliApp

/// The English check: every word of the interface comes from the message catalogue, each key
/// exists in every language with the same placeholders, every key the code names exists, and
/// no page or script spells out Chinese itself.
@Suite struct MessageCatalogueTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/ZhiliApp")

    static func catalogue() throws -> MessageCatalogue {
        try MessageCatalogue(Capabilities.all.flatMap { c in c.messages.map { (c.name, $0) } })
    }

    /// Every `.swift` and `.js` file below Sources/ZhiliApp with its text.
    static func files() throws -> [(path: String, text: String)] {
        let walker = try #require(FileManager.default.enumerator(atPath: sources.path))
        return try walker.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") || $0.hasSuffix(".js") }
            .sorted()
            .map { ($0, try String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func everyCapabilitysMessagesLoadInBothLanguagesUnderItsOwnPrefix() throws {
        for c in Capabilities.all where !c.messages.isEmpty {
            #expect(Set(c.messages.map(\.lang)) == Set(Localizer.Lang.allCases), "\(c.name) has every language")
            let one = try MessageCatalogue(c.messages.map { (c.name, $0) })
            for key in one.keys { #expect(key.hasPrefix("\(c.name)."), "\(key) belongs to \(c.name)") }
        }
        #expect(try Self.catalogue().keys.count > 300)
    }

    @Test func everyMessageHasTheSamePlaceholdersInEveryLanguage() throws {
        let catalogue = try Self.catalogue()
        let placeholder = /\{(\d+)\}/
        for key in catalogue.keys.sorted() {
            let zh = Set((catalogue.raw(key, lang: .zh) ?? "").matches(of: placeholder).map { String($0.1) })
            let en = Set((catalogue.raw(key, lang: .en) ?? "").matches(of: placeholder).map { String($0.1) })
            #expect(zh == en, "\(key): \(zh.sorted()) vs \(en.sorted())")
        }
    }

    @Test func everyKeyTheCodeNamesExists() throws {
        let catalogue = try Self.catalogue()
        // t("key" …), zhili.t("key" …) in scripts, and navigation labels.
        let uses = [
            /(?:^|[^A-Za-z0-9_])t\(\s*"([a-z0-9-]+\.[a-z0-9_.-]+)"/,
            /label: "([a-z0-9-]+\.[a-z0-9_.-]+)",\s*(?:url|count):/,
        ]
        var checked = 0
        for (path, text) in try Self.files() {
            for pattern in uses {
                for match in text.matches(of: pattern) {
                    let key = String(match.1)
                    let defined = catalogue.has(key)
                    #expect(defined, "\(path) names \(key), which no catalogue defines")
                    checked += 1
                }
            }
        }
        #expect(checked > 300)
    }

    @Test func everyTermOfEveryVocabularyHasANameInEveryLanguage() throws {
        let catalogue = try Self.catalogue()
        for (prefix, keys) in Vocabularies.all {
            #expect(!keys.isEmpty, "\(prefix)")
            for key in keys {
                let defined = catalogue.has(key)
                #expect(defined, "\(key) has no name")
                #expect(catalogue.raw(key, lang: .en).map { !$0.isEmpty } == true, "\(key) has an English name")
            }
        }
        // Keys the code builds from a list: each list's entries all have their words.
        var built = ComplaintPages.tabs.map { "complaints.tab.\($0)" }
        built += ComplaintPages.tabs.map { "complaints.todo.\($0)" }
        built += ComplaintPages.actionOrder.map { "complaints.help.\($0)" }
        built += ComplaintWorkflow.parties.keys.map { "complaints.event.\($0)" }
        built += HomePage.comingSoon.values.flatMap { $0 }.flatMap {
            ["platform.soon.\($0)", "platform.soon.\($0).hint"]
        }
        for key in built {
            let defined = catalogue.has(key)
            #expect(defined, "\(key) has no words")
        }
    }

    /// Pages and scripts hold no Chinese of their own: their words come from the catalogue.
    /// Bilingual API errors (`zh:` beside `en:`) and comments are not interface text.
    @Test func noPageOrScriptSpellsOutChinese() throws {
        let chinese = /[\u{3000}-\u{303F}\u{4E00}-\u{9FFF}\u{FF00}-\u{FFEF}]/
        var views = 0
        for (path, text) in try Self.files() {
            let name = (path as NSString).lastPathComponent
            guard name.contains("Page") || name == "NavigationMenu.swift" || path.hasSuffix(".js") else { continue }
            views += 1
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") || code.contains("zh:") || code.contains("zhWhat:") { continue }
                #expect(line.firstMatch(of: chinese) == nil, "\(path):\(n + 1) spells out Chinese: \(code.prefix(80))")
            }
        }
        #expect(views >= 15)
    }

    @Test func placeholdersAreFilledInOrderAndAnUnknownKeyReadsAsItself() throws {
        let catalogue = try MessageCatalogue([
            ("demo", MessageFile(lang: .zh, bytes: Array(#"{"demo.two": "{1} 在 {0}", "demo.brace": "{x} {0}"}"#.utf8))),
            (
                "demo",
                MessageFile(lang: .en, bytes: Array(#"{"demo.two": "{1} at {0}", "demo.brace": "{x} {0}"}"#.utf8))
            ),
        ])
        #expect(catalogue.text("demo.two", lang: .en, args: ["home", 3]) == "3 at home")
        #expect(catalogue.text("demo.two", lang: .zh, args: ["家", 3]) == "3 在 家")
        #expect(catalogue.text("demo.brace", lang: .en, args: [7]) == "{x} 7")
        #expect(catalogue.text("demo.missing", lang: .en) == "demo.missing")
        let t = Localizer(lang: .en, catalogue: catalogue)
        #expect(t.pick("中文", "English") == "English")
        #expect(t.pick("中文", "") == "中文", "an empty English value falls back to the Chinese one")
    }

    @Test func aKeyDefinedTwiceOrMissingFromALanguageStopsTheBoot() {
        let zh = MessageFile(lang: .zh, bytes: Array(#"{"a.x": "甲"}"#.utf8))
        let en = MessageFile(lang: .en, bytes: Array(#"{"a.x": "A"}"#.utf8))
        #expect(throws: MessageCatalogue.CatalogueError.self) {
            try MessageCatalogue([("a", zh), ("b", zh), ("a", en)])
        }
        #expect(throws: MessageCatalogue.CatalogueError.self) { try MessageCatalogue([("a", zh)]) }
        #expect(throws: MessageCatalogue.CatalogueError.self) {
            try MessageCatalogue([("a", MessageFile(lang: .zh, bytes: Array(#"{"a.x": 1}"#.utf8))), ("a", en)])
        }
        #expect(throws: Never.self) { try MessageCatalogue([("a", zh), ("a", en)]) }
    }
}
