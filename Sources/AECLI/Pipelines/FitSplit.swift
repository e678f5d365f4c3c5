import AECore
import AEIO

/// A fit's training and validation rows before normalisation: rows in
/// memory split row by row, or the blocks of an HDF5 dataset (with the
/// filter that a trimmed fit keeps its rows by). A trimmed fit keeps the
/// first fit's split, so its validation rows are rows neither network
/// trained on.
enum FitSplit {
    case memory(training: Matrix, validation: Matrix?)
    case hdf5(HDF5Dataset, training: [Range<Int>], validation: [Range<Int>], bufferRows: Int, keep: HDF5TrainingRows.RowFilter?)

    /// Holds out `validationFraction` of `data`'s rows, drawn from `generator`.
    init(_ data: FitData, validationFraction: Double, generator: inout SeededGenerator) {
        switch data {
        case .memory(let rows):
            let order = generator.permutation(rows.rows)
            let held = Int(Double(rows.rows) * validationFraction)
            self = .memory(
                training: held > 0 ? rows.gathering(rows: order[held...]) : rows,
                validation: held > 0 ? rows.gathering(rows: order[..<held]) : nil)
        case .hdf5(let dataset, let bufferRows):
            let blocks = HDF5TrainingRows.splitBlocks(of: dataset, validationFraction: validationFraction, generator: &generator)
            self = .hdf5(dataset, training: blocks.training, validation: blocks.validation, bufferRows: bufferRows, keep: nil)
        }
    }

    /// The split's rows normalised with `normalization`, for training.
    func rows(_ normalization: Normalization) throws -> (training: TrainingRows, validation: TrainingRows?) {
        switch self {
        case .memory(let training, let validation):
            func normalized(_ rows: Matrix) -> TrainingRows {
                var rows = rows
                normalization.apply(to: &rows)
                return InMemoryTrainingRows(rows)
            }
            return (normalized(training), validation.map(normalized))
        case .hdf5(let dataset, let training, let validation, let bufferRows, let keep):
            func rows(_ blocks: [Range<Int>]) throws -> TrainingRows {
                try HDF5TrainingRows(dataset: dataset, blocks: blocks, normalization: normalization, bufferRows: bufferRows, keeping: keep)
            }
            return (try rows(training), validation.isEmpty ? nil : try rows(validation))
        }
    }

    /// The per-feature statistics of every row of the split.
    func statistics() throws -> FeatureStatistics {
        switch self {
        case .memory(let training, let validation):
            var statistics = FeatureStatistics(width: training.cols)
            statistics.add(training)
            if let validation { statistics.add(validation) }
            return statistics
        case .hdf5(let dataset, let training, let validation, _, let keep):
            return try HDF5TrainingRows.statistics(of: dataset, blocks: training + validation, keeping: keep)
        }
    }

    /// The same split holding only the rows `keep` keeps, given raw rows.
    func keeping(_ keep: @escaping HDF5TrainingRows.RowFilter) -> FitSplit {
        switch self {
        case .memory(let training, let validation):
            return .memory(
                training: training.gathering(rows: keep(training)),
                validation: validation.map { $0.gathering(rows: keep($0)) })
        case .hdf5(let dataset, let training, let validation, let bufferRows, _):
            return .hdf5(dataset, training: training, validation: validation, bufferRows: bufferRows, keep: keep)
        }
    }
}
