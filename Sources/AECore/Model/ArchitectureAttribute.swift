/// A value the model file stores as a root attribute. An architecture is
/// written and read as a list of these (`Architecture.attributes`), so a
/// new architecture setting is added where the architecture is and the file
/// format follows.
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
