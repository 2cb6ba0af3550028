import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the first worksheet of an .xlsx workbook, entirely in memory.
///
/// The worksheet is found through `_rels/.rels` → workbook (normally xl/workbook.xml) → its
/// `<sheets>` in order → xl/_rels/workbook.xml.rels; the first visible worksheet wins (chart
/// sheets are skipped; a hidden first sheet is used only when no worksheet is visible). Without a
/// workbook part, xl/worksheets/sheet1.xml is read directly.
///
/// Cell values: shared strings (plain or rich text; phonetic runs ignored), inline strings and
/// formula strings are returned as text with Excel's `_xHHHH_` escapes decoded; numbers as written
/// in the XML except that integers lose a trailing ".0" (and scientific notation is expanded for
/// integers below 10^15), so an 18-digit ID stored as a number comes back exactly as Excel stored
/// it (e.g. "6.20982199001019E+17") for the app to reject; booleans as TRUE/FALSE; errors as their
/// code (#N/A …). A number whose cell style has a date format (built-in, such as 14, or custom,
/// such as "yyyy-mm-dd" or "yyyy\"年\"m\"月\"d\"日\"", per xl/styles.xml) is a date and comes back
/// as ISO text: "2024-03-05", "2024-03-05 08:30:00" for a date and time, "08:30:00" for a time
/// alone, in the workbook's date system (1900, or 1904 when workbookPr says so). Elapsed-time
/// formats ([h]:mm) stay numbers. Data cells, like unquoted CSV
/// cells, are trimmed of surrounding whitespace, so a sheet reads the same as its CSV export.
enum XLSXReader {
    /// Refuse a zip entry that is (or claims to be) bigger than this when decompressed.
    static let maxEntrySize = 200 * 1024 * 1024

    static func read(_ data: [UInt8], into builder: inout SheetBuilder) throws(SheetError) {
        guard data.starts(with: [0x50, 0x4B]) else {
            throw .malformedXLSX("not a zip archive (an .xlsx file is a zip); legacy .xls files are not supported")
        }
        let zip = try ZipPackage(data)
        let sharedStrings: [String]
        let sheetPath: String
        var dates = DateStyles()
        if let workbook = try zip.locateWorkbook() {
            sheetPath = workbook.sheetPath
            dates.date1904 = workbook.date1904
            if let stylesPath = workbook.stylesPath, let stylesData = try zip.read(stylesPath) {
                dates.kinds = try StylesParser.parse(stylesData, part: stylesPath)
            }
            if let sstPath = workbook.sharedStringsPath, let sstData = try zip.read(sstPath) {
                sharedStrings = try SharedStringsParser.parse(sstData, part: sstPath)
            } else {
                sharedStrings = []
            }
        } else if zip.contains("xl/worksheets/sheet1.xml") {
            sheetPath = "xl/worksheets/sheet1.xml"
            if let stylesData = try zip.read("xl/styles.xml") {
                dates.kinds = try StylesParser.parse(stylesData, part: "xl/styles.xml")
            }
            if let sstData = try zip.read("xl/sharedStrings.xml") {
                sharedStrings = try SharedStringsParser.parse(sstData, part: "xl/sharedStrings.xml")
            } else {
                sharedStrings = []
            }
        } else {
            throw .malformedXLSX("no workbook (xl/workbook.xml) and no xl/worksheets/sheet1.xml")
        }
        guard let sheetData = try zip.read(sheetPath) else {
            throw .malformedXLSX("worksheet \(sheetPath) named by the workbook is missing")
        }
        try WorksheetParser.parse(
            sheetData, part: sheetPath, sharedStrings: sharedStrings, dates: dates, into: &builder)
    }

    /// Renders the text of a numeric cell's <v>: integers without ".0", trailing fraction zeros
    /// dropped, and otherwise exactly as written (no rounding, so no digits are invented or lost).
    static func renderNumber(_ raw: String) -> String {
        let text = Text.trimmed(raw)
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return text }
        let digitsStart = (utf8[0] == 0x2D || utf8[0] == 0x2B) ? 1 : 0
        var dot: Int?
        var plain = digitsStart < utf8.count
        for k in digitsStart..<utf8.count {
            let c = utf8[k]
            if c == 0x2E, dot == nil {
                dot = k
            } else if c < 0x30 || c > 0x39 {
                plain = false
                break
            }
        }
        if plain {
            guard let dot else { return text }
            var end = utf8.count
            while end > dot + 1, utf8[end - 1] == 0x30 { end -= 1 }
            if end == dot + 1 { end = dot }
            if end == digitsStart { return "0" }  // ".0"
            return String(decoding: utf8[0..<end], as: UTF8.self)
        }
        // Scientific notation: expand only integers that a Double holds exactly and Excel shows in full.
        if let value = Double(text), value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return text
    }

    /// Decodes Excel's ST_Xstring escapes: `_xHHHH_` stands for the character U+HHHH (Excel
    /// writes control characters such as CR this way, and a literal "_x0041_" as "_x005F_x0041_").
    static func decodeEscapes(_ s: String) -> String {
        guard s.utf8.count >= 7, s.contains("_x") else { return s }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var k = 0
        while k < scalars.count {
            if scalars[k] == "_", k + 6 < scalars.count, scalars[k + 1] == "x", scalars[k + 6] == "_",
                let code = UInt32(String(String.UnicodeScalarView(scalars[(k + 2)..<(k + 6)])), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                out.append(scalar)
                k += 7
            } else {
                out.append(scalars[k])
                k += 1
            }
        }
        return String(out)
    }
}

/// The zip container: entry lookup (exact, then case-insensitive) and size-limited extraction.
struct ZipPackage {
    private let zip: ZipDirectory
    private var entries: [String: ZipDirectory.Item] = [:]
    private var folded: [String: ZipDirectory.Item] = [:]

    init(_ data: [UInt8]) throws(SheetError) {
        zip = try ZipDirectory(data)
        for item in zip.items where !item.name.hasSuffix("/") {
            let path = Self.normalize(item.name)
            if entries[path] == nil { entries[path] = item }
            if folded[path.lowercased()] == nil { folded[path.lowercased()] = item }
        }
        if entries.isEmpty { throw .malformedXLSX("the zip archive has no files") }
    }

    private static func normalize(_ path: String) -> String {
        var p = path.replacingOccurrences(of: "\\", with: "/")
        while p.hasPrefix("/") { p.removeFirst() }
        return p
    }

    private func item(_ path: String) -> ZipDirectory.Item? {
        let p = Self.normalize(path)
        return entries[p] ?? folded[p.lowercased()]
    }

    func contains(_ path: String) -> Bool { item(path) != nil }

    /// The decompressed content of `path`, nil when there is no such entry.
    func read(_ path: String) throws(SheetError) -> Data? {
        guard let item = item(path) else { return nil }
        return try zip.extract(item, limit: XLSXReader.maxEntrySize)
    }

    /// Where the first worksheet and the shared strings are, per the workbook; nil when the
    /// package has no workbook part.
    func locateWorkbook() throws(SheetError)
        -> (sheetPath: String, sharedStringsPath: String?, stylesPath: String?, date1904: Bool)?
    {
        var workbookPath = "xl/workbook.xml"
        if let rootRels = try read("_rels/.rels") {
            let rels = try RelationshipsParser.parse(rootRels, part: "_rels/.rels", base: "")
            if let office = rels.values.first(where: { $0.type.hasSuffix("/officeDocument") }), contains(office.target)
            {
                workbookPath = office.target
            }
        }
        guard let workbookData = try read(workbookPath) else { return nil }
        let (sheets, date1904) = try WorkbookParser.parseWithDateSystem(workbookData, part: workbookPath)
        let folder = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relsPath =
            (folder.isEmpty ? "" : folder + "/") + "_rels/"
            + (workbookPath.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        guard let relsData = try read(relsPath) else {
            if contains("xl/worksheets/sheet1.xml") {
                return (
                    "xl/worksheets/sheet1.xml", contains("xl/sharedStrings.xml") ? "xl/sharedStrings.xml" : nil,
                    contains("xl/styles.xml") ? "xl/styles.xml" : nil, date1904
                )
            }
            throw .malformedXLSX("missing \(relsPath), so the worksheets cannot be found")
        }
        let rels = try RelationshipsParser.parse(relsData, part: relsPath, base: folder)
        let sharedStrings =
            rels.values.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target
            ?? (contains("xl/sharedStrings.xml") ? "xl/sharedStrings.xml" : nil)
        let worksheets = sheets.compactMap { sheet -> (path: String, visible: Bool)? in
            guard let rel = rels[sheet.relationshipID], rel.type.hasSuffix("/worksheet") else { return nil }
            return (rel.target, sheet.visible)
        }
        guard let first = worksheets.first(where: { $0.visible }) ?? worksheets.first else {
            throw .malformedXLSX("the workbook has no worksheet")
        }
        let styles =
            rels.values.first(where: { $0.type.hasSuffix("/styles") })?.target
            ?? (contains("xl/styles.xml") ? "xl/styles.xml" : nil)
        return (first.path, sharedStrings, styles, date1904)
    }
}

/// What the worksheet needs to turn date-formatted numbers into dates.
struct DateStyles {
    /// By cell style index (`s`), what its number format shows.
    var kinds: [NumberFormat.Kind] = []
    var date1904 = false

    func kind(ofStyle index: Int?) -> NumberFormat.Kind {
        guard let index, kinds.indices.contains(index) else { return .number }
        return kinds[index]
    }
}
