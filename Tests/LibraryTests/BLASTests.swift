import AECLI
import AECore
import AEIO
import XCTest

final class BLASTests: XCTestCase {
    /// Every transpose combination, split over 1–3 threads by rows and by
    /// columns, against a plain triple loop in Double.
    func testGemmMatchesNaiveProductForAllLayoutsAndSplits() {
        var generator = SeededGenerator(seed: 3)
        let shapes = [(m: 70, n: 5, k: 9), (m: 3, n: 90, k: 17), (m: 64, n: 64, k: 1), (m: 1, n: 1, k: 40)]
        for (m, n, k) in shapes {
            for transA in [BLAS.Transpose.none, .transposed] {
                for transB in [BLAS.Transpose.none, .transposed] {
                    let a = (0..<(m * k)).map { _ in Float(generator.uniform() - 0.5) }
                    let b = (0..<(k * n)).map { _ in Float(generator.uniform() - 0.5) }
                    let initial = (0..<(m * n)).map { _ in Float(generator.uniform()) }
                    let lda = transA == .none ? k : m
                    let ldb = transB == .none ? n : k
                    var expected = [Double](repeating: 0, count: m * n)
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k {
                                let aValue = transA == .none ? a[i * lda + p] : a[p * lda + i]
                                let bValue = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                                sum += Double(aValue) * Double(bValue)
                            }
                            expected[i * n + j] = 0.5 * sum + 2 * Double(initial[i * n + j])
                        }
                    }
                    for threads in 1...3 {
                        var c = initial
                        c.withUnsafeMutableBufferPointer { c in
                            BLAS.gemm(
                                transA, transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb,
                                beta: 2, c: c.baseAddress!, ldc: n, pool: WorkerPool(threads: threads))
                        }
                        for i in c.indices {
                            XCTAssertEqual(Double(c[i]), expected[i], accuracy: 1e-4, "\(m)x\(n)x\(k) \(transA) \(transB) threads \(threads)")
                        }
                    }
                }
            }
        }
    }

    func testPartitionCoversTheRangeInOrder() {
        let pool = WorkerPool(threads: 3)
        XCTAssertEqual(pool.partition(10), [0..<3, 3..<6, 6..<10])
        XCTAssertEqual(pool.partition(10, minimum: 4), [0..<5, 5..<10])
        XCTAssertEqual(pool.partition(2, minimum: 16), [0..<2])
        XCTAssertEqual(pool.partition(0), [0..<0])
    }
}
