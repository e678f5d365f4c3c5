import AECore

/// Feature names looked up by the raw UTF-8 bytes of a member name, so that
/// object rows that carry one member per feature cost no `String` per member.
///
/// Open addressing over FNV-1a hashes, at most half full.
struct FeatureNameTable {
    let names: [String]
    private let bytes: [[UInt8]]
    /// Feature index + 1 per slot; 0 is empty.
    private let slots: [Int32]
    private let mask: Int

    init(_ names: [String]) {
        self.names = names
        bytes = names.map { Array($0.utf8) }
        var size = 4
        while size < 2 * names.count { size *= 2 }
        mask = size - 1
        var slots = [Int32](repeating: 0, count: size)
        for (index, name) in bytes.enumerated() {
            var slot = name.withUnsafeBufferPointer { Self.hash($0) } & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(index + 1)
        }
        self.slots = slots
    }

    var count: Int { names.count }

    /// The index of the feature named `name`, or nil.
    func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        var slot = Self.hash(name) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if bytes[index].elementsEqual(name) { return index }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return Int(truncatingIfNeeded: hash >> 1)
    }
}
