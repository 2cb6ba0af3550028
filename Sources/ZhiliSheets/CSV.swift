/// CSV reading (RFC 4180, with the leniency real files need).
///
/// - Fields are separated by commas; records end with CRLF, LF or CR (mixed endings are fine).
/// - A field whose first non-blank character is `"` is quoted: it may contain commas, line breaks
///   and doubled quotes (`""` → `"`); its content is kept exactly (not trimmed). Blanks around the
///   quotes are ignored; text after the closing quote is appended as-is (`"ab"c` → `abc`, as Excel
///   does). A quote inside an unquoted field is an ordinary character.
/// - Unquoted fields are trimmed of surrounding whitespace (including U+3000).
/// - Row numbers are record numbers: record 1 is the first record of the file, a quoted cell that
///   spans several lines is one record, and blank lines are records too (then skipped as wholly
///   empty). These are the row numbers Excel and WPS show when they open the same CSV, so an
///   error message "第 12 行" points at the row the user sees. (They are physical line numbers
///   too unless an earlier cell spans lines.)
/// - An unterminated quoted field reports the record in which it was opened.
enum CSVReader {
    private static let comma: UInt8 = 0x2C, quote: UInt8 = 0x22, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09

    static func parse(_ data: [UInt8], into builder: inout SheetBuilder) throws(SheetError) {
        guard let bytes = TextDecoding.utf8(data) else { throw .notText }
        // Every byte we look for is ASCII, and ASCII bytes never occur inside a multi-byte UTF-8
        // sequence, so the bytes can be scanned directly and each cell decoded at the end.
        try bytes.withUnsafeBufferPointer { (b: UnsafeBufferPointer<UInt8>) throws(SheetError) in
            let n = b.count
            var i = 0
            var record = 1
            var cells: [String] = []
            var field: [UInt8] = []
            repeat {
                cells.removeAll(keepingCapacity: true)
                while true {  // one field per iteration
                    var j = i
                    while j < n, b[j] == space || b[j] == tab { j += 1 }
                    if j < n, b[j] == quote {
                        field.removeAll(keepingCapacity: true)
                        j += 1
                        while true {
                            guard j < n else { throw .unterminatedQuote(row: record) }
                            if b[j] == quote {
                                if j + 1 < n, b[j + 1] == quote {
                                    field.append(quote)
                                    j += 2
                                    continue
                                }
                                j += 1
                                break
                            }
                            field.append(b[j])
                            j += 1
                        }
                        let tailStart = j
                        while j < n, b[j] != comma, b[j] != cr, b[j] != lf { j += 1 }
                        var tailEnd = j
                        while tailEnd > tailStart, b[tailEnd - 1] == space || b[tailEnd - 1] == tab { tailEnd -= 1 }
                        var tail = tailStart
                        while tail < tailEnd, b[tail] == space || b[tail] == tab { tail += 1 }
                        if tail < tailEnd { field.append(contentsOf: b[tailStart..<tailEnd]) }
                        cells.append(String(decoding: field, as: UTF8.self))
                    } else {
                        while j < n, b[j] != comma, b[j] != cr, b[j] != lf { j += 1 }
                        cells.append(
                            Text.trimmed(String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)))
                    }
                    if j < n, b[j] == comma {
                        i = j + 1
                        continue
                    }
                    if j >= n {
                        i = n
                    } else if b[j] == cr {
                        i = j + 1
                        if i < n, b[i] == lf { i += 1 }
                    } else {
                        i = j + 1
                    }
                    break
                }
                try builder.add(cells, rowNumber: record)
                record += 1
            } while i < n
        }
    }
}

/// CSV writing: UTF-8 with BOM, CRLF, RFC 4180 quoting, formula-injection guard.
enum CSVWriter {
    static func write(_ sheet: Sheet) -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(64 + sheet.rows.count * max(sheet.header.count, 1) * 12)
        append(sheet.header, to: &out)
        for row in sheet.rows { append(row, to: &out) }
        return out
    }

    private static func append(_ row: [String], to out: inout [UInt8]) {
        for (index, cell) in row.enumerated() {
            if index > 0 { out.append(0x2C) }
            appendCell(cell, to: &out)
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    /// Characters that make spreadsheet programs treat a cell as a formula (OWASP CSV injection).
    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    private static func appendCell(_ cell: String, to out: inout [UInt8]) {
        var text = cell
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) {
            text = "'" + text
        }
        let scalars = text.unicodeScalars
        let needsQuotes =
            scalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
            || (scalars.first?.properties.isWhitespace ?? false)
            || (scalars.last?.properties.isWhitespace ?? false)
        guard needsQuotes else {
            out.append(contentsOf: text.utf8)
            return
        }
        out.append(0x22)
        for byte in text.utf8 {
            if byte == 0x22 { out.append(0x22) }
            out.append(byte)
        }
        out.append(0x22)
    }
}
