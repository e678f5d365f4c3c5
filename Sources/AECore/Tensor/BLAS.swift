import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`, split across a
/// `WorkerPool` by blocks of output rows or columns.
public enum BLAS {
    /// Pins OpenBLAS to one thread; `WorkerPool` owns all parallelism.
    /// Called once before any product.
    public static func useSingleThreadedKernels() {
        openblas_set_num_threads(1)
    }

    /// The name of the kernels OpenBLAS chose for this CPU (such as
    /// "Cooperlake", or "Haswell" where OPENBLAS_CORETYPE says so): products,
    /// and so seeded training, are bit-identical only between runs on the
    /// same kernels, which sum in their own orders.
    public static var kernelName: String { String(cString: openblas_get_corename()) }

    /// Whether an operand is used as stored or transposed.
    public enum Transpose: Sendable {
        case none, transposed

        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C, all row-major.
    ///
    /// `lda`, `ldb`, `ldc` are the stored row lengths. The output is split into
    /// row blocks when it has enough rows, else column blocks, so each thread
    /// runs one single-threaded product on its own block of C.
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        pool: WorkerPool
    ) {
        guard m > 0, n > 0 else { return }
        let minimumBlock = 16
        let splitRows = m >= n || n < 2 * minimumBlock
        let blocks = pool.partition(splitRows ? m : n, minimum: minimumBlock)
        let aAddress = Int(bitPattern: a), bAddress = Int(bitPattern: b), cAddress = Int(bitPattern: c)
        pool.run(tasks: blocks.count) { task in
            let block = blocks[task]
            let a = UnsafePointer<Float>(bitPattern: aAddress)!
            let b = UnsafePointer<Float>(bitPattern: bAddress)!
            let c = UnsafeMutablePointer<Float>(bitPattern: cAddress)!
            if splitRows {
                // Rows of op(A): offset along A's rows, or along its columns when transposed.
                let aBlock = transA == .none ? a + block.lowerBound * lda : a + block.lowerBound
                cblas_sgemm(
                    CblasRowMajor, transA.cblas, transB.cblas,
                    Int32(block.count), Int32(n), Int32(k), alpha,
                    aBlock, Int32(lda), b, Int32(ldb), beta,
                    c + block.lowerBound * ldc, Int32(ldc))
            } else {
                let bBlock = transB == .none ? b + block.lowerBound : b + block.lowerBound * ldb
                cblas_sgemm(
                    CblasRowMajor, transA.cblas, transB.cblas,
                    Int32(m), Int32(block.count), Int32(k), alpha,
                    a, Int32(lda), bBlock, Int32(ldb), beta,
                    c + block.lowerBound, Int32(ldc))
            }
        }
    }
}
