import AECLI
import AECore
import AEIO
import XCTest

/// ae-fit's trim (`--trim`): the outlier score by hand on a network whose
/// reconstruction is known, and trimmed fits on data with planted outliers,
/// in memory and streamed from HDF5.
final class TrainingTrimTests: XCTestCase {
    private let pool = WorkerPool(threads: 2)

    /// A network with every weight and bias zero reconstructs every row as 0,
    /// so a row's residual is the row itself.
    private func zeroNetwork(width: Int) -> Autoencoder {
        Autoencoder(architecture: Architecture(kind: .ae, inputWidth: width, hidden: [], latent: 1, activation: .relu, loss: .mse))
    }

    private func identity(width: Int) -> Normalization {
        Normalization(method: .none, shift: .init(repeating: 0, count: width), scale: .init(repeating: 1, count: width))
    }

    func testTheScoreByHand() {
        // Feature 0: 0, 1, 2, 3, 10: median 2, quartiles 1 and 3 (spread 2);
        // |x| has median 2. Feature 1: 1, 1, 1, 1, 5: quartiles both 1, so
        // its spread is its standard deviation 1.6 (mean 1.8, variance
        // 12.8 / 5); |x| has median 1.
        // marginal = |x₀ − 2|/2 + |x₁ − 1|/1.6 = 1, 0.5, 0, 0.5, 6.5:
        //   median 0.5, quartiles 0.5 and 1 (spread 0.5);
        // residual = |x₀|/2 + |x₁|/1 = 1, 1.5, 2, 2.5, 10: median 2, spread 1;
        // trim = (marginal − 0.5)/0.5 + (residual − 2)/1 = 0, −0.5, −1, 0.5, 20,
        // and the 0.8 quantile of those is 0.5 + 0.2 · 19.5 = 4.4.
        let rows = Matrix([[0, 1], [1, 1], [2, 1], [3, 1], [10, 5]])
        let trim = TrainingTrim(share: 0.2, network: zeroNetwork(width: 2), normalization: identity(width: 2), rows: rows, pool: pool)
        let scores = trim.scores(rows, pool: pool)
        for (score, expected) in zip(scores, [0, -0.5, -1, 0.5, 20]) {
            XCTAssertEqual(score, expected, accuracy: 1e-9)
        }
        XCTAssertEqual(trim.threshold, 4.4, accuracy: 1e-9)
        XCTAssertEqual(trim.keptRows(of: rows, pool: pool), [0, 1, 2, 3])
        XCTAssertEqual(TrainingTrim(share: 0.5, network: zeroNetwork(width: 2), normalization: identity(width: 2), rows: rows, pool: pool)
            .keptRows(of: rows, pool: pool), [0, 1, 2], "the median of the scores is 0")
    }

    func testRowsAreScoredInDataUnits() {
        // The same statistics measured on rows normalised by halving: a row
        // in data units is halved before it is scored.
        let halving = Normalization(method: .minmax, shift: [0, 0], scale: [2, 2])
        let normalized = Matrix([[0, 1], [1, 1], [2, 1], [3, 1], [10, 5]])
        let trim = TrainingTrim(share: 0.2, network: zeroNetwork(width: 2), normalization: halving, rows: normalized, pool: pool)
        // (2, 1) normalised: marginal 0, residual 2, so (0 − 0.5)/0.5 + 0 = −1.
        XCTAssertEqual(trim.scores(Matrix([[4, 2]]), pool: pool)[0], -1, accuracy: 1e-9)
    }

    func testConstantFeaturesAndEqualRowsKeepTheScoresFinite() {
        let rows = Matrix(rows: 50, cols: 3, repeating: 1)
        let trim = TrainingTrim(share: 0.2, network: zeroNetwork(width: 3), normalization: identity(width: 3), rows: rows, pool: pool)
        XCTAssertEqual(trim.keptRows(of: rows, pool: pool).count, 50, "equal rows all stay")
        let far = trim.scores(Matrix([[1e4, -1e4, 1]]), pool: pool)[0]
        XCTAssertTrue(far.isFinite && far > trim.threshold, "\(far)")
    }

    /// 2000 rows near a line in 6-D and 40 rows (2%) far off it in one
    /// feature each.
    private func plantedRows() -> (rows: Matrix, planted: Set<Int>) {
        var generator = SeededGenerator(seed: 31)
        var values: [Float] = []
        var planted = Set<Int>()
        for row in 0..<2040 {
            let t = Float(generator.gaussian())
            var x = (0..<6).map { j in t * Float(j + 1) / 3 + 0.05 * Float(generator.gaussian()) }
            if row % 51 == 50 {
                x[row % 6] += 40
                planted.insert(row)
            }
            values += x
        }
        return (Matrix(rows: 2040, cols: 6, storage: values), planted)
    }

    private func configuration(trim: Double) -> FitConfiguration {
        FitConfiguration(hidden: [8], latent: 1, epochs: 20, validationFraction: 0.1, trimShare: trim)
    }

    func testTheAutomaticScheduleTrimsTablesByDefaultAndExplicitEpochsDoNot() {
        XCTAssertEqual(FitConfiguration().resolved(rows: 1000).trimShare, TrainingTrim.defaultShare)
        XCTAssertEqual(FitConfiguration(epochs: 5).resolved(rows: 1000).trimShare, 0)
        XCTAssertEqual(FitConfiguration(epochs: 5, trimShare: 0.1).resolved(rows: 1000).trimShare, 0.1)
        XCTAssertEqual(FitConfiguration(imageShape: try? ImageShape(parsing: "4x4")).resolved(rows: 1000).trimShare, 0, "images are not trimmed")
        XCTAssertEqual(FitConfiguration(imageShape: try? ImageShape(parsing: "4x4"), trimShare: 0.2).resolved(rows: 1000).trimShare, 0.2)
    }

    func testATrimmedFitDropsThePlantedRowsAndNormalisesTheRest() throws {
        let (rows, planted) = plantedRows()
        let model = try Fitting.fit(.memory(rows), configuration(trim: 0.1), pool: pool)
        let trim = try XCTUnwrap(model.training?.trim)
        XCTAssertEqual(trim.share, 0.1)
        // 1836 training and 204 validation rows; about a tenth of each goes.
        XCTAssertEqual(trim.trainingRows + model.training!.trainingRows, 1836)
        XCTAssertEqual(trim.validationRows + model.training!.validationRows, 204)
        XCTAssertEqual(Double(trim.trainingRows + trim.validationRows), 204, accuracy: 3)
        XCTAssertEqual(model.summary?.trim, trim)
        XCTAssertEqual(model.summary?.trainingRows, model.training?.trainingRows)

        // The minmax scaling comes from the kept rows, which hold no planted
        // value: each planted row lies beyond [0, 1] in its planted feature.
        var normalized = rows
        model.normalization.apply(to: &normalized)
        for row in planted {
            XCTAssertGreaterThan(normalized[row, row % 6], 1.5, "row \(row)")
        }

        // The thresholds come from every validation row, the planted ones too.
        let validation = try XCTUnwrap(model.calibration?.distributions[.density]?.validation)
        XCTAssertEqual(validation.rows, 204)
        let lines = try XCTUnwrap(model.summary?.lines())
        XCTAssertTrue(lines.contains {
            $0 == "trimmed: \(trim.trainingRows + trim.validationRows) rows (--trim 0.1: \(trim.trainingRows) training, \(trim.validationRows) validation) that the first fit found most outlying; the model was fitted again without them"
        }, "\(lines)")
    }

    func testWithoutATrimTheFitIsTheFirstOne() throws {
        let (rows, _) = plantedRows()
        let untrimmed = try Fitting.fit(.memory(rows), configuration(trim: 0), pool: pool)
        XCTAssertNil(untrimmed.training?.trim)
        XCTAssertNil(untrimmed.summary?.trim)
        XCTAssertEqual(untrimmed.training?.trainingRows, 1836)
    }

    func testAStreamedFitTrimsLikeOneInMemory() throws {
        let directory = try makeTemporaryDirectory()
        let (rows, planted) = plantedRows()
        let file = try HDF5File.create(directory.path("x.h5"))
        try file.write(rows, to: "x")
        try file.close()
        let dataset = try HDF5Dataset("x", in: HDF5File.open(directory.path("x.h5")))
        let model = try Fitting.fit(.hdf5(dataset, bufferRows: 1024), configuration(trim: 0.1), pool: pool)
        let trim = try XCTUnwrap(model.training?.trim)
        XCTAssertEqual(trim.trainingRows + model.training!.trainingRows + trim.validationRows + model.training!.validationRows, 2040)
        XCTAssertEqual(Double(trim.trainingRows + trim.validationRows), 204, accuracy: 3)
        var normalized = rows
        model.normalization.apply(to: &normalized)
        for row in planted {
            XCTAssertGreaterThan(normalized[row, row % 6], 1.5, "row \(row)")
        }
    }

    func testStreamedRowsKeepOnlyWhatTheFilterKeeps() throws {
        let directory = try makeTemporaryDirectory()
        let data = Matrix(rows: 3000, cols: 2, storage: (0..<6000).map { Float($0 / 2) })
        let file = try HDF5File.create(directory.path("x.h5"))
        try file.write(data, to: "x")
        try file.close()
        let dataset = try HDF5Dataset("x", in: HDF5File.open(directory.path("x.h5")))
        let blocks = [0..<1024, 2048..<3000]
        let even: HDF5TrainingRows.RowFilter = { block in (0..<block.rows).filter { Int(block[$0, 0]) % 2 == 0 } }
        let halving = Normalization(method: .minmax, shift: [0, 0], scale: [2, 2])
        let rows = try HDF5TrainingRows(dataset: dataset, blocks: blocks, normalization: halving, bufferRows: 1024, keeping: even)
        let keptIndices: [Int] = blocks.flatMap { Array($0) }.filter { $0 % 2 == 0 }
        let expected: [Float] = keptIndices.map { Float($0) / 2 }
        XCTAssertEqual(rows.count, expected.count)
        var seen: [Float] = []
        var generator = SeededGenerator(seed: 1)
        try rows.forEachShuffledBatch(size: 100, generator: &generator) { batch, count in
            for r in 0..<count { seen.append(batch[r * 2]) }
        }
        XCTAssertEqual(seen.sorted(), expected)
        var inOrder: [Float] = []
        try rows.forEachBlock(size: 100) { block, count in
            for r in 0..<count { inOrder.append(block[r * 2]) }
        }
        XCTAssertEqual(inOrder, expected)
        let sample = try rows.evenlySpacedRows(10)
        XCTAssertTrue((0..<sample.rows).allSatisfy { Int(sample[$0, 0] * 2) % 2 == 0 })
        let statistics = try HDF5TrainingRows.statistics(of: dataset, blocks: blocks, keeping: even)
        XCTAssertEqual(statistics.rows, expected.count)
        XCTAssertEqual(statistics.maximum[0], 2998)
    }

    func testCtrlCInTheSecondFitKeepsTheFirst() throws {
        let (rows, _) = plantedRows()
        final class StopAtRefit: TrainingObserver {
            var refitting = false, batchesAfter = 0
            func batchFinished(epoch: Int, batch: Int, batches: Int, rowsSoFar: Int, loss: BatchLoss) {
                if refitting { batchesAfter += 1 }
            }
            func epochFinished(_ metrics: EpochMetrics) {}
            func refitStarted(keptRows: Int, droppedRows: Int, share: Double) { refitting = true }
        }
        let first = try Fitting.fit(.memory(rows), configuration(trim: 0), pool: pool)
        for batches in [0, 3] {
            let observer = StopAtRefit()
            let model = try Fitting.fit(.memory(rows), configuration(trim: 0.1), pool: pool, observer: observer, shouldStop: {
                observer.refitting && observer.batchesAfter >= batches
            })
            XCTAssertNil(model.training?.trim, "stopped after \(batches) batches of the second fit")
            XCTAssertEqual(model.network, first.network)
            XCTAssertEqual(model.normalization, first.normalization)
        }
    }
}
