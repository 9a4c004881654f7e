/// RFC 4180 delimited text (CSV with `,`, TSV with a tab): fields may be quoted with `"`, a quoted field may hold
/// delimiters, newlines and doubled quotes (`""` for `"`); records end with `\n` or `\r\n`. Blank lines are skipped,
/// as pandas skips them.
enum DelimitedText {
    /// One record's fields and the 1-based line on which it starts.
    struct Record {
        var fields: [String]
        var line: Int
    }

    /// Splits `bytes` (UTF-8, an optional byte-order mark is ignored) into records.
    /// Throws a message naming the line of an unterminated quote or of text after a closing quote.
    static func parse(_ bytes: [UInt8], delimiter: UInt8) throws(MessageError) -> [Record] {
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var recordLine = 1
        var fieldWasQuoted = false

        func endRecord() {
            // A line with nothing on it is blank, not a record with one empty field.
            if !(fields.isEmpty && field.isEmpty && !fieldWasQuoted) {
                fields.append(String(decoding: field, as: UTF8.self))
                records.append(Record(fields: fields, line: recordLine))
            }
            fields = []
            field = []
            fieldWasQuoted = false
        }

        while position < bytes.count {
            let byte = bytes[position]
            if byte == quote && field.isEmpty && !fieldWasQuoted {
                // A quoted field: read to the closing quote, which must end the field.
                let startLine = line
                position += 1
                var closed = false
                while position < bytes.count {
                    let inner = bytes[position]
                    if inner == quote {
                        if position + 1 < bytes.count && bytes[position + 1] == quote {
                            field.append(quote)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if inner == newline { line += 1 }
                    field.append(inner)
                    position += 1
                }
                guard closed else {
                    throw MessageError("line \(startLine): a quoted field starts here and is never closed")
                }
                fieldWasQuoted = true
                if position < bytes.count {
                    let next = bytes[position]
                    let endsLine = next == newline
                        || (next == carriageReturn && (position + 1 == bytes.count || bytes[position + 1] == newline))
                    guard next == delimiter || endsLine else {
                        throw MessageError("line \(line): unexpected text after the closing quote of a field")
                    }
                }
                continue
            }
            if byte == delimiter {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
                fieldWasQuoted = false
                position += 1
            } else if byte == newline || (byte == carriageReturn && position + 1 < bytes.count
                                          && bytes[position + 1] == newline) {
                endRecord()
                position += byte == newline ? 1 : 2
                line += 1
                recordLine = line
            } else if byte == carriageReturn && position + 1 == bytes.count {
                position += 1
            } else {
                if fieldWasQuoted {
                    throw MessageError("line \(line): unexpected text after the closing quote of a field")
                }
                field.append(byte)
                position += 1
            }
        }
        endRecord()
        return records
    }

    /// `field` as it must be written: quoted (with quotes doubled) when it holds the delimiter, a quote, a line
    /// break, or leading or trailing spaces that a reader might strip.
    static func escape(_ field: String, delimiter: UInt8) -> String {
        let needsQuotes = field.utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
