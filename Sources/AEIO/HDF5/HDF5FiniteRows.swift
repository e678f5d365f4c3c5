import AECore
import CKernels

extension HDF5Dataset {
    /// `readRows`, refusing rows that hold NaN or infinity (HDF5 can store
    /// them, and one would poison every product it enters) with the row's
    /// number in the message.
    public func readFiniteRows(_ range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        try readRows(range, into: buffer)
        let first = ae_first_non_finite(buffer.baseAddress, range.count * cols)
        guard first < 0 else {
            let bad = Int(first)
            throw AEError(
                "dataset '\(path)' row \(range.lowerBound + bad / cols + 1) holds \(buffer[bad]); rows must be finite",
                source: file.name)
        }
    }

    /// `readRows(_:into:)` for a matrix, refusing non-finite values.
    public func readFiniteRows(_ range: Range<Int>, into matrix: inout Matrix) throws {
        precondition(matrix.cols == cols, "matrix has \(matrix.cols) columns; dataset '\(path)' has \(cols)")
        matrix.resize(rows: range.count)
        try matrix.storage.withUnsafeMutableBufferPointer { try readFiniteRows(range, into: $0) }
    }
}
