// ZhiliSheets: spreadsheet import/export for the registry (residents, households, places).
//
// Reads CSV (UTF-8 or GB18030/GBK) and .xlsx into a `Sheet` (a header row plus data rows, each
// data row carrying the row number it had in the source file, for error messages), and writes a
// `Sheet` back out as CSV or .xlsx. Everything here is pure and synchronous; no file system access.

/// One table: a header row and data rows.
///
/// As produced by `SheetReader.read`:
/// - `header` is the first non-empty row, each cell trimmed of surrounding whitespace, with
///   trailing empty header cells dropped (a column without a name cannot be mapped to a field).
/// - every row in `rows` has exactly `header.count` cells (padded with "" or truncated), and rows
///   that are wholly empty (every cell empty or whitespace) are skipped.
/// - `rowNumbers[i]` is the 1-based row number of `rows[i]` in the source: for .xlsx the row
///   number Excel shows; for CSV the record number, which is the row number Excel/WPS show when
///   they open that CSV (a quoted cell spanning several lines is one record; blank lines count).
///   With no blank rows before it the header is row 1 and the first data row is row 2.
///
/// The memberwise initializer stores what it is given unchanged; when `rowNumbers` is nil or does
/// not have one entry per row, rows are numbered 2, 3, 4, … (as if written right below a header).
public struct Sheet: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]
    public var rowNumbers: [Int]

    public init(header: [String], rows: [[String]], rowNumbers: [Int]? = nil) {
        self.header = header
        self.rows = rows
        if let rowNumbers, rowNumbers.count == rows.count {
            self.rowNumbers = rowNumbers
        } else {
            self.rowNumbers = Array(stride(from: 2, to: rows.count + 2, by: 1))
        }
    }
}

public enum SheetFormat: String, Sendable, CaseIterable {
    case csv, xlsx

    /// Guesses the format of an upload: a zip signature ("PK\u{3}\u{4}") means .xlsx; otherwise
    /// the file name's extension (.xlsx/.xlsm → xlsx, .csv/.txt → csv); otherwise csv when the
    /// bytes decode as text (UTF-8 or GB18030, no NUL bytes). Returns nil for anything else, in
    /// particular for legacy binary .xls / encrypted workbooks (OLE2 signature D0 CF 11 E0).
    public static func detect(filename: String?, data: [UInt8]) -> SheetFormat? {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return nil }
        if let filename, let dot = filename.lastIndex(of: ".") {
            switch filename[filename.index(after: dot)...].lowercased() {
            case "xlsx", "xlsm": return .xlsx
            case "csv", "txt": return .csv
            case "xls", "et", "ods", "numbers": return nil
            default: break
            }
        }
        return TextDecoding.utf8(data) == nil ? nil : .csv
    }
}

public enum SheetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There is no header row: the file is empty or every row is blank.
    case empty
    /// CSV bytes are neither valid UTF-8 nor valid GB18030/GBK text (or contain NUL bytes).
    case notText
    /// A quoted CSV cell opened in record `row` is never closed.
    case unterminatedQuote(row: Int)
    /// Not a zip, a corrupt zip, missing workbook/worksheet, bad XML, an oversized entry … The
    /// reason is in English, for logs and for the English half of the message.
    case malformedXLSX(String)
    /// More than `rows` data rows. `rows` is the limit that applied: `maxRows`, or less for very
    /// wide sheets (at most 32 million cells are kept, so rows ≤ 32,000,000 / header.count).
    case tooLarge(rows: Int)

    public var description: String { "\(messageZh) / \(messageEn)" }

    public var messageZh: String {
        switch self {
        case .empty:
            return "文件为空，或没有表头行"
        case .notText:
            return "无法识别文件编码，请将表格另存为 UTF-8 或 GBK 编码的 CSV，或另存为 .xlsx"
        case .unterminatedQuote(let row):
            return "第 \(row) 行：引号未闭合（以英文双引号开头的单元格缺少结尾的双引号）"
        case .malformedXLSX:
            return "无法读取该 Excel 文件（.xlsx），文件可能已损坏；请用 Excel 或 WPS 打开后重新另存为 .xlsx 再试"
        case .tooLarge(let rows):
            return "表格数据超过 \(rows) 行的上限，请拆分后分批导入"
        }
    }

    public var messageEn: String {
        switch self {
        case .empty:
            return "The file is empty or has no header row"
        case .notText:
            return "The file is not text in UTF-8 or GB18030/GBK encoding; save it as a UTF-8 or GBK CSV, or as .xlsx"
        case .unterminatedQuote(let row):
            return "Row \(row): unterminated quoted field (a cell opened with a double quote is never closed)"
        case .malformedXLSX(let reason):
            return "Malformed .xlsx file: \(reason)"
        case .tooLarge(let rows):
            return "The sheet has more than \(rows) data rows; split it and import the parts separately"
        }
    }
}

public enum SheetReader {
    /// Reads the first worksheet of an .xlsx or a CSV. maxRows guards memory (default 1,000,000).
    /// Throws `SheetError.tooLarge(rows:)` as soon as one data row more than allowed is seen.
    public static func read(_ data: [UInt8], format: SheetFormat, maxRows: Int = 1_000_000) throws(SheetError) -> Sheet
    {
        var builder = SheetBuilder(maxRows: maxRows)
        switch format {
        case .csv: try CSVReader.parse(data, into: &builder)
        case .xlsx: try XLSXReader.read(data, into: &builder)
        }
        return try builder.finish()
    }
}

public enum SheetWriter {
    /// CSV: UTF-8 with BOM (so Excel on Chinese Windows opens it correctly), CRLF, RFC 4180 quoting.
    /// Cells starting with = + - @ (formula injection) are prefixed with a single quote; so are cells
    /// starting with a tab or carriage return (OWASP's list). Cells with leading/trailing whitespace
    /// are quoted so that `SheetReader` (which trims unquoted cells) reads them back unchanged.
    public static func csv(_ sheet: Sheet) -> [UInt8] {
        CSVWriter.write(sheet)
    }

    /// A minimal valid .xlsx (one worksheet named sheetName, shared strings, bold header row,
    /// frozen header, column widths sized for CJK text, columns formatted as Text) that Excel, WPS
    /// and LibreOffice open. Every cell is a string, so ID numbers keep all digits and leading zeros.
    /// sheetName is made valid for Excel (characters : \ / ? * [ ] replaced by "_", at most 31
    /// characters, "Sheet1" when empty). Throws `SheetError.tooLarge` beyond Excel's 1,048,576 rows
    /// and `SheetError.malformedXLSX` beyond its 16,384 columns.
    public static func xlsx(_ sheet: Sheet, sheetName: String = "Sheet1") throws -> [UInt8] {
        try XLSXWriter.write(sheet, sheetName: sheetName)
    }
}

/// Collects rows from a reader: picks the header, skips wholly empty rows, pads/truncates data
/// rows and enforces the row limit while reading (so a huge file fails early).
struct SheetBuilder {
    /// Upper bound on cells kept (rows × columns), so that a very wide header cannot turn a small
    /// file of short rows into billions of padding cells.
    static let cellBudget = 32_000_000

    let maxRows: Int
    private(set) var header: [String]?
    private var rows: [[String]] = []
    private var rowNumbers: [Int] = []
    private var rowLimit: Int

    init(maxRows: Int) {
        self.maxRows = maxRows
        self.rowLimit = maxRows
    }

    /// Number of columns data rows are cut to, once the header is known.
    var width: Int? { header?.count }

    mutating func add(_ cells: [String], rowNumber: Int) throws(SheetError) {
        guard let header else {
            var trimmed = cells.map { Text.trimmed($0) }
            while let last = trimmed.last, last.isEmpty { trimmed.removeLast() }
            guard !trimmed.isEmpty else { return }
            self.header = trimmed
            rowLimit = min(maxRows, Self.cellBudget / trimmed.count)
            return
        }
        let kept = cells.prefix(header.count)
        guard kept.contains(where: { !Text.isBlank($0) }) else { return }
        guard rows.count < rowLimit else { throw .tooLarge(rows: max(rowLimit, 0)) }
        var row: [String]
        if kept.count == header.count {
            row = Array(kept)
        } else {
            row = [String](repeating: "", count: header.count)
            for (index, cell) in kept.enumerated() { row[index] = cell }
        }
        rows.append(row)
        rowNumbers.append(rowNumber)
    }

    func finish() throws(SheetError) -> Sheet {
        guard let header else { throw .empty }
        return Sheet(header: header, rows: rows, rowNumbers: rowNumbers)
    }
}

/// Small text helpers shared by the readers and writers.
enum Text {
    static func isBlank(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// Trims Unicode whitespace (including U+3000 IDEOGRAPHIC SPACE and newlines) at both ends.
    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return s }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return s }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
