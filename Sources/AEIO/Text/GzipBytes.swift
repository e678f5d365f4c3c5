import AECore
import CZlib

/// The decompressed bytes of a gzip stream (zlib's inflate), read as the
/// reader asks for them, so a compressed input streams like a plain one.
///
/// Several gzip members one after another (`cat a.gz b.gz`, or `gzip -r`
/// output joined) read as one stream, as gunzip reads them. A stream that
/// ends inside a member is an error ("truncated gzip data") once the bytes
/// before the cut have been handed over, so rows in front of it are read.
final class GzipBytes: ByteSource {
    /// The first two bytes of every gzip member.
    static func hasMagic(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: [0x1F, 0x8B])
    }

    private let upstream: ByteSource
    private let source: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private static let inputCapacity = 1 << 16
    private var upstreamEnded = false
    /// Inside a member: its end marker and checksum have not been read yet.
    private var inMember = false
    private var finished = false

    init(_ upstream: ByteSource, source: String) throws(AEError) {
        self.upstream = upstream
        self.source = source
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: Self.inputCapacity)
        guard ae_inflate_init_gzip(stream) == Z_OK else {
            input.deallocate()
            stream.deallocate()
            throw AEError("cannot start gzip decompression", source: source)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(AEError) -> Int {
        guard !finished, count > 0 else { return 0 }
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = UInt32(min(count, Int(UInt32.max)))
        let requested = stream.pointee.avail_out
        while stream.pointee.avail_out == requested {
            if stream.pointee.avail_in == 0 {
                if !upstreamEnded { try refill() }
                if stream.pointee.avail_in == 0 {
                    guard !inMember else { throw AEError("truncated gzip data", source: source) }
                    finished = true
                    break
                }
            }
            if !inMember {
                // A member starts here: the first one, or one after another.
                if inflateReset(stream) != Z_OK { throw damaged() }
                inMember = true
            }
            switch inflate(stream, Z_NO_FLUSH) {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                inMember = false
            case Z_MEM_ERROR:
                throw AEError("out of memory decompressing gzip data", source: source)
            default:
                throw damaged()
            }
        }
        return Int(requested - stream.pointee.avail_out)
    }

    private func refill() throws(AEError) {
        let n = try upstream.read(into: input, count: Self.inputCapacity)
        if n == 0 { upstreamEnded = true }
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(n)
    }

    private func damaged() -> AEError {
        let reason = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
        return AEError("damaged gzip data: \(reason)", source: source)
    }
}
