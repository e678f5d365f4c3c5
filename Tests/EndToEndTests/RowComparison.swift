import Foundation
import XCTest

/// Rows that ae wrote in other batches than the reference's (a shard, a
/// Spark partition) hold the same members with the same values, numbers
/// equal to the last bit (a row's numbers do not depend on its batch).
/// Compared as parsed JSON: a route such as Spark's DataFrame writes the
/// members in its own order and may spell a number its own way.
enum RowComparison {
    /// The first row where `rows` and `expected` (JSON texts or parsed
    /// values) differ, described; nil when they agree.
    static func firstDifference(_ rows: [Any], _ expected: [Any]) throws -> String? {
        if rows.count != expected.count { return "\(rows.count) rows, expected \(expected.count)" }
        for (index, (row, reference)) in zip(rows, expected).enumerated() where try !agree(parse(row), parse(reference)) {
            return "row \(index): \(row), expected \(reference)"
        }
        return nil
    }

    private static func parse(_ row: Any) throws -> Any {
        guard let line = row as? String else { return row }
        return try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
    }

    private static func agree(_ value: Any, _ reference: Any) -> Bool {
        switch (value, reference) {
        case let (value as [String: Any], reference as [String: Any]):
            return Set(value.keys) == Set(reference.keys) && value.allSatisfy { key, member in agree(member, reference[key]!) }
        case let (value as [Any], reference as [Any]):
            return value.count == reference.count && zip(value, reference).allSatisfy { agree($0, $1) }
        case let (value as String, reference as String):
            return value == reference
        case let (value as Double, reference as Double):
            return value == reference
        case let (value as Bool, reference as Bool):
            return value == reference
        default:
            return value is NSNull && reference is NSNull
        }
    }
}

extension XCTestCase {
    /// Fails unless `rows` are `expected` row for row, as RowComparison says.
    func assertSameRows(_ rows: [Any], _ expected: [Any], _ route: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if let difference = try RowComparison.firstDifference(rows, expected) {
            XCTFail("\(route): \(difference)", file: file, line: line)
        }
    }
}
