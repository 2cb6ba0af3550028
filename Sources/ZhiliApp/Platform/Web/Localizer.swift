import Vapor

/// Simplified Chinese by default, English as the second locale, chosen by the `lang` cookie.
struct Localizer: Sendable {
    enum Lang: String, Sendable { case zh, en }
    let lang: Lang

    init(_ req: Request) {
        lang = req.cookies["lang"]?.string == "en" ? .en : .zh
    }

    func callAsFunction(_ zh: String, _ en: String) -> String {
        lang == .en ? en : zh
    }
}
