import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `xl/worksheets/sheetN.xml`: streams `<sheetData>` rows into a `SheetBuilder`.
///
/// Rows and cells are placed by their `r` attributes ("C5"), so skipped columns become empty
/// cells and skipped rows keep their true numbers; a row or cell without `r` follows the previous
/// one, as the format specifies.
final class WorksheetParser: XMLPartParser {
    static let maxColumns = 16_384, maxRowNumber = 1_048_576

    private var builder: SheetBuilder
    private let sharedStrings: [String]
    private let dates: DateStyles
    private var cellStyle: Int?

    private var inSheetData = false
    private var rowNumber = 0
    private var rowCells: [(column: Int, value: String)] = []
    private var inRow = false
    private var lastColumn = 0

    private var inCell = false
    private var cellColumn = 0
    private var cellType = "n"
    private var value = ""  // text of <v>
    private var inlineText = ""  // text of <is>…<t>
    private var capture: Capture = .none
    private var inInline = false
    private var phoneticDepth = 0

    private enum Capture { case none, value, inline }

    private init(sharedStrings: [String], dates: DateStyles, builder: SheetBuilder) {
        self.dates = dates
        self.sharedStrings = sharedStrings
        self.builder = builder
    }

    static func parse(
        _ data: Data, part: String, sharedStrings: [String], dates: DateStyles = DateStyles(),
        into builder: inout SheetBuilder
    ) throws(SheetError) {
        let p = WorksheetParser(sharedStrings: sharedStrings, dates: dates, builder: builder)
        try p.run(data, part: part)
        builder = p.builder
    }

    override func start(_ parser: XMLParser, _ name: Substring, _ attributes: [String: String]) {
        if name == "sheetData" {
            inSheetData = true
            return
        }
        guard inSheetData else { return }
        switch name {
        case "row":
            var number = rowNumber + 1
            if let r = attributes["r"] {
                guard let n = Int(r), n >= 1, n <= Self.maxRowNumber else {
                    return fail(parser, .malformedXLSX("invalid row number r=\"\(r)\" near row \(rowNumber + 1)"))
                }
                number = n
            }
            rowNumber = number
            rowCells.removeAll(keepingCapacity: true)
            lastColumn = 0
            inRow = true
        case "c":
            guard inRow else { return }
            var column = lastColumn + 1
            if let ref = attributes["r"] {
                guard let c = Self.column(of: ref) else {
                    return fail(parser, .malformedXLSX("invalid cell reference r=\"\(ref)\" in row \(rowNumber)"))
                }
                column = c
            }
            guard column <= Self.maxColumns else {
                return fail(parser, .malformedXLSX("more than \(Self.maxColumns) columns in row \(rowNumber)"))
            }
            lastColumn = column
            cellColumn = column
            cellType = attributes["t"] ?? "n"
            cellStyle = attributes["s"].flatMap { Int($0) }
            value = ""
            inlineText = ""
            inCell = true
        case "v" where inCell: capture = .value
        case "is" where inCell: inInline = true
        case "rPh" where inInline: phoneticDepth += 1
        case "t" where inInline && phoneticDepth == 0: capture = .inline
        default: break
        }
    }

    override func end(_ parser: XMLParser, _ name: Substring) {
        switch name {
        case "sheetData": inSheetData = false
        case "v", "t": capture = .none
        case "rPh" where inInline: phoneticDepth -= 1
        case "is": inInline = false
        case "c" where inCell:
            inCell = false
            capture = .none
            switch cellValue() {
            case .success(let text): if !text.isEmpty { rowCells.append((cellColumn, text)) }
            case .failure(let error): fail(parser, error)
            }
        case "row" where inRow:
            inRow = false
            do throws(SheetError) {
                try builder.add(materializedRow(), rowNumber: rowNumber)
            } catch {
                fail(parser, error)
            }
        default: break
        }
    }

    override func text(_ string: String) {
        switch capture {
        case .none: break
        case .value: value += string
        case .inline: inlineText += string
        }
    }

    private func cellValue() -> Result<String, SheetError> {
        let text: String
        switch cellType {
        case "s":
            let trimmedValue = Text.trimmed(value)
            if trimmedValue.isEmpty { return .success("") }
            guard let index = Int(trimmedValue), sharedStrings.indices.contains(index) else {
                return .failure(.malformedXLSX("shared string index \(trimmedValue) out of range in row \(rowNumber)"))
            }
            text = sharedStrings[index]
        case "inlineStr": text = XLSXReader.decodeEscapes(inlineText.isEmpty ? value : inlineText)
        case "str": text = XLSXReader.decodeEscapes(value)
        case "b":
            switch Text.trimmed(value) {
            case "": text = ""
            case "0": text = "FALSE"
            default: text = "TRUE"
            }
        case "n":
            let kind = dates.kind(ofStyle: cellStyle)
            if kind != .number, let serial = Double(Text.trimmed(value)),
                let iso = ExcelDate.iso(serial, kind: kind, date1904: dates.date1904)
            {
                text = iso
            } else {
                text = XLSXReader.renderNumber(value)
            }
        default: text = value  // "e" (error code such as #N/A), "d" (ISO 8601 date), unknown types
        }
        return .success(Text.trimmed(text))
    }

    /// The row as a dense array: as wide as the header once it is known (cells beyond it would
    /// be cut anyway), otherwise up to the last cell present.
    private func materializedRow() -> [String] {
        let width = builder.width ?? (rowCells.map(\.column).max() ?? 0)
        var cells = [String](repeating: "", count: width)
        for cell in rowCells where cell.column <= width {
            cells[cell.column - 1] = cell.value
        }
        return cells
    }

    /// Column number (1-based) of an A1-style reference such as "C5" or "AA10"; nil if invalid.
    static func column(of reference: String) -> Int? {
        var column = 0
        var letters = 0
        var digits = 0
        for byte in reference.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A:
                guard digits == 0 else { return nil }
                letters += 1
                guard letters <= 3 else { return nil }
                column = column * 26 + Int((byte & ~0x20) - 0x40)
            case 0x30...0x39:
                guard letters > 0 else { return nil }
                digits += 1
            case 0x24 where digits == 0: continue  // "$A$1" style, tolerated
            default:
                return nil
            }
        }
        return letters > 0 ? column : nil
    }
}
