/// An architecture as named attributes: what the model file stores at its
/// root, written and read here so that a new architecture setting is added
/// in one place and the file format follows.
public enum ArchitectureAttribute: Equatable, Sendable {
    case integer(Int)
    case integers([Int])
    case text(String)
}

/// Where stored attributes are read from (the model file's root).
public protocol ArchitectureAttributeSource {
    func integer(_ name: String) throws -> Int?
    func integers(_ name: String) throws -> [Int]?
    func text(_ name: String) throws -> String?
}

extension Architecture {
    /// The attributes that describe the architecture, in the order written.
    public var attributes: [(name: String, value: ArchitectureAttribute)] {
        [("kind", .text(kind.rawValue)), ("input_width", .integer(inputWidth)), ("hidden", .integers(hidden)),
         ("latent", .integer(latent)), ("activation", .text(activation.rawValue)), ("loss", .text(loss.rawValue))]
    }

    /// Reads an architecture back from `source` and validates it; a missing
    /// or unknown attribute is an error naming it.
    public init(attributes source: some ArchitectureAttributeSource) throws {
        func required<T>(_ name: String, _ read: (String) throws -> T?) throws -> T {
            guard let value = try read(name) else { throw AEError("model file has no \(name) attribute") }
            return value
        }
        let kindName = try required("kind", source.text)
        let activationName = try required("activation", source.text)
        let lossName = try required("loss", source.text)
        guard let kind = ModelKind(rawValue: kindName) else { throw AEError("unknown model kind \"\(kindName)\"") }
        guard let activation = Activation(rawValue: activationName) else {
            throw AEError("unknown activation \"\(activationName)\"")
        }
        guard let loss = Loss(name: lossName) else { throw AEError("unknown loss \"\(lossName)\"") }
        self.init(
            kind: kind, inputWidth: try required("input_width", source.integer), hidden: try required("hidden", source.integers),
            latent: try required("latent", source.integer), activation: activation, loss: loss)
        do {
            try validate()
        } catch let error as AEError {
            throw AEError("model declares unusable sizes: \(error.message)")
        }
    }
}
