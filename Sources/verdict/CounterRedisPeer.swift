// The Redis alternative to in-process counters, for `verdict counters bench`: starts a private
// redis-server on a loopback port (no persistence) and sends INCR+EXPIRE per counter, pipelined in
// one round trip per event, over a plain TCP socket speaking RESP (as ../shared/bench/peers).
import Foundation

final class CounterRedisPeer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let server: Process
    private let socket: Int32
    private var request: [UInt8] = []
    private var reply = [UInt8](repeating: 0, count: 4096)

    /// Starts `redis-server` from PATH on a free-looking port and connects to it.
    static func start() throws -> CounterRedisPeer {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let binary = paths.map({ "\($0)/redis-server" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "redis-server not found (`scripts/install-deps.sh bench` installs it)")
        }
        let port = 20_000 + Int(getpid() % 20_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--protected-mode", "yes", "--logfile", ""]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        for _ in 0..<100 {
            if let socket = connectLoopback(port: UInt16(port)) { return CounterRedisPeer(server: server, socket: socket) }
            usleep(50_000)
        }
        server.terminate()
        throw Failure(description: "redis-server did not accept connections on port \(port)")
    }

    private init(server: Process, socket: Int32) {
        self.server = server
        self.socket = socket
    }

    /// INCR key + EXPIRE key 3600 for each key, all in one write, then reads the 2 x keys replies.
    func incrementAndExpire(_ keys: [String]) throws {
        request.removeAll(keepingCapacity: true)
        for key in keys {
            append(["INCR", key])
            append(["EXPIRE", key, "3600"])
        }
        let sent = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw Failure(description: "redis send failed") }
        var lines = 0
        while lines < 2 * keys.count {
            let got = reply.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw Failure(description: "redis connection closed") }
            guard reply[0] != UInt8(ascii: "-") else { throw Failure(description: "redis error reply") }
            for i in 0..<got where reply[i] == UInt8(ascii: "\n") { lines += 1 }
        }
    }

    private func append(_ words: [String]) {
        request += Array("*\(words.count)\r\n".utf8)
        for word in words {
            request += Array("$\(word.utf8.count)\r\n\(word)\r\n".utf8)
        }
    }

    func stop() {
        close(socket)
        server.terminate()
        server.waitUntilExit()
    }
}

private func connectLoopback(port: UInt16) -> Int32? {
    let fd = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        return nil
    }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    return fd
}
