import Foundation
import ZIPFoundation

/// Writes a one-worksheet .xlsx: every cell is a shared string (so Excel never turns an ID number
/// into 6.2E+17 or drops leading zeros), the header row is bold and frozen, columns are formatted
/// as Text ("@", so values typed in later stay text too) and sized for CJK text.
enum XLSXWriter {
    static func write(_ sheet: Sheet, sheetName: String) throws -> [UInt8] {
        let allRows = [sheet.header] + sheet.rows
        guard allRows.count <= WorksheetParser.maxRowNumber else {
            throw SheetError.tooLarge(rows: WorksheetParser.maxRowNumber - 1)
        }
        let columnCount = allRows.map(\.count).max() ?? 0
        guard columnCount <= WorksheetParser.maxColumns else {
            throw SheetError.malformedXLSX("more than \(WorksheetParser.maxColumns) columns, Excel's limit")
        }

        var strings = SharedStrings()
        var sheetXML = worksheetHead(sheet, rowCount: allRows.count, columnCount: columnCount)
        for (rowIndex, row) in allRows.enumerated() {
            let r = rowIndex + 1
            sheetXML += "<row r=\"\(r)\">"
            for (columnIndex, cell) in row.enumerated() where !cell.isEmpty {
                let style = rowIndex == 0 ? 1 : 2
                sheetXML +=
                    "<c r=\"\(columnName(columnIndex + 1))\(r)\" s=\"\(style)\" t=\"s\"><v>\(strings.index(of: cell))</v></c>"
            }
            sheetXML += "</row>"
        }
        sheetXML += "</sheetData></worksheet>"

        let parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes),
            ("_rels/.rels", rootRels),
            ("docProps/app.xml", appProperties),
            ("xl/workbook.xml", workbook(sheetName: validSheetName(sheetName))),
            ("xl/_rels/workbook.xml.rels", workbookRels),
            ("xl/styles.xml", styles),
            ("xl/sharedStrings.xml", strings.xml),
            ("xl/worksheets/sheet1.xml", sheetXML),
        ]
        let archive = try Archive(data: Data(), accessMode: .create)
        let fixedDate = Date(timeIntervalSince1970: 1_704_067_200)  // reproducible output
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count),
                modificationDate: fixedDate, compressionMethod: .deflate
            ) { position, size in
                bytes.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        guard let data = archive.data else { throw SheetError.malformedXLSX("zip archive could not be created") }
        return [UInt8](data)
    }

    private static let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    private static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    private static func worksheetHead(_ sheet: Sheet, rowCount: Int, columnCount: Int) -> String {
        var xml = xmlDeclaration + "<worksheet xmlns=\"\(mainNS)\" xmlns:r=\"\(relNS)\">"
        let lastCell = columnCount == 0 ? "A1" : "\(columnName(columnCount))\(rowCount)"
        xml += "<dimension ref=\"A1\(columnCount == 0 ? "" : ":" + lastCell)\"/>"
        xml += "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">"
        xml += "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        xml += "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>"
        xml += "<sheetFormatPr defaultRowHeight=\"15\"/>"
        if columnCount > 0 {
            xml += "<cols>"
            for (index, width) in columnWidths(sheet, columnCount: columnCount).enumerated() {
                xml +=
                    "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" style=\"2\" customWidth=\"1\"/>"
            }
            xml += "</cols>"
        }
        return xml + "<sheetData>"
    }

    /// Width in Excel's units (about one "0" of the default font): CJK and full-width characters
    /// count 2, others 1; the longest line of the header and of the first 2,000 rows, plus padding.
    static func columnWidths(_ sheet: Sheet, columnCount: Int) -> [Int] {
        var widths = [Int](repeating: 0, count: columnCount)
        for (rowIndex, row) in ([sheet.header] + sheet.rows.prefix(2_000)).enumerated() {
            for (column, cell) in row.enumerated() where !cell.isEmpty {
                var longest = 0
                var current = 0
                for scalar in cell.unicodeScalars {
                    if scalar == "\n" || scalar == "\r" {
                        current = 0
                        continue
                    }
                    current += displayWidth(scalar)
                    longest = max(longest, current)
                }
                widths[column] = max(widths[column], longest + (rowIndex == 0 ? 1 : 0))
            }
        }
        return widths.map { min(max($0 + 2, 8), 80) }
    }

    private static func displayWidth(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// "A", "B", … "Z", "AA", … for a 1-based column number.
    static func columnName(_ number: Int) -> String {
        var n = number
        var letters: [UInt8] = []
        while n > 0 {
            let remainder = (n - 1) % 26
            letters.insert(UInt8(0x41 + remainder), at: 0)
            n = (n - 1) / 26
        }
        return String(decoding: letters, as: UTF8.self)
    }

    /// Excel's rules: 1–31 characters, none of : \ / ? * [ ], not starting or ending with '.
    static func validSheetName(_ name: String) -> String {
        var cleaned = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map {
                    ":\\/?*[]".unicodeScalars.contains($0) || $0.value < 0x20 ? "_" : $0
                }))
        while cleaned.hasPrefix("'") { cleaned.removeFirst() }
        while cleaned.hasSuffix("'") { cleaned.removeLast() }
        cleaned = String(cleaned.prefix(31))
        while cleaned.utf16.count > 31 { cleaned.removeLast() }
        if Text.isBlank(cleaned) || cleaned.lowercased() == "history" { return "Sheet1" }
        return cleaned
    }

    /// XML text for element content or attribute values: & < > " escaped, CR kept as &#13; (a raw
    /// CR would be read back as LF), tab/LF escaped in attributes, characters not allowed in
    /// XML 1.0 dropped, and a literal "_xHHHH_" protected as "_x005F_xHHHH_" (Excel's escape).
    static func escape(_ text: String, attribute: Bool = false) -> String {
        // Fast path: nothing to escape, no control characters, no "_", no U+FFFE/U+FFFF (EF BF BE/BF).
        if !text.utf8.contains(where: {
            $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x5F || $0 == 0xBF
        }) {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (k, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\t": out += attribute ? "&#9;" : "\t"
            case "_" where !attribute && looksLikeEscape(scalars, at: k): out += "_x005F_"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func looksLikeEscape(_ s: [Unicode.Scalar], at k: Int) -> Bool {
        guard k + 6 < s.count, s[k + 1] == "x", s[k + 6] == "_" else { return false }
        return s[(k + 2)...(k + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }
}

/// The shared string table, deduplicated by exact code points (not by Swift's canonical
/// equivalence, so "é" precomposed and decomposed stay distinct).
private struct SharedStrings {
    private var indexByBytes: [[UInt8]: Int] = [:]
    private var body = ""
    private var total = 0

    mutating func index(of text: String) -> Int {
        total += 1
        let key = Array(text.utf8)
        if let existing = indexByBytes[key] { return existing }
        let index = indexByBytes.count
        indexByBytes[key] = index
        let escaped = XLSXWriter.escape(text)
        let preserve =
            text.unicodeScalars.first.map { $0.properties.isWhitespace } == true
            || text.unicodeScalars.last.map { $0.properties.isWhitespace } == true
        body += preserve ? "<si><t xml:space=\"preserve\">\(escaped)</t></si>" : "<si><t>\(escaped)</t></si>"
        return index
    }

    var xml: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"\(total)\" uniqueCount=\"\(indexByBytes.count)\">"
            + body + "</sst>"
    }
}
