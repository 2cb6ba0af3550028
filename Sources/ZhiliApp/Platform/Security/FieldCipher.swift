import Crypto
import Foundation
import ZhiliDomain

/// Encrypts personal fields (ID numbers, phones) with AES-GCM and derives keyed hashes so an
/// exact value can still be found without decrypting every row.
/// Ciphertext text form: `<keyID>:<base64(nonce|ciphertext|tag)>`, so keys can rotate.
public struct FieldCipher: Sendable {
    let keys: [String: SymmetricKey]
    let currentKeyID: String
    let indexKey: SymmetricKey
    /// The keyed hash with its key already laid out; each hash starts from a copy.
    let indexHMAC: HMAC<SHA256>

    public init(secrets: Secrets) throws {
        var keys: [String: SymmetricKey] = [:]
        for (id, text) in secrets.dataKeys {
            guard let data = Data(base64Encoded: text), data.count == 32 else {
                throw ConfigError("data key \(id) in secrets is not 32 bytes of base64 / 密钥 \(id) 格式错误")
            }
            keys[id] = SymmetricKey(data: data)
        }
        guard let index = Data(base64Encoded: secrets.indexKey), index.count == 32 else {
            throw ConfigError("index key in secrets is not 32 bytes of base64 / 索引密钥格式错误")
        }
        self.keys = keys
        self.currentKeyID = secrets.currentKeyID
        self.indexKey = SymmetricKey(data: index)
        self.indexHMAC = HMAC<SHA256>(key: indexKey)
    }

    public func encrypt(_ plaintext: String) throws -> String {
        guard let key = keys[currentKeyID] else { throw ConfigError("current data key missing") }
        let sealed = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = sealed.combined else { throw ConfigError("AES-GCM produced no output") }
        return currentKeyID + ":" + combined.base64EncodedString()
    }

    public func decrypt(_ stored: String) throws -> String {
        guard let colon = stored.firstIndex(of: ":"),
            let key = keys[String(stored[..<colon])],
            let data = Data(base64Encoded: String(stored[stored.index(after: colon)...]))
        else { throw AppError.internalFailure("undecryptable field") }
        let box = try AES.GCM.SealedBox(combined: data)
        return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
    }

    /// Keyed hash for exact-match lookup; normalised so "x" and "X" check digits match.
    /// The first 128 bits of HMAC-SHA256, as 32 hex digits: a collision among even a billion
    /// people has odds of about 1 in 10^21, and the indexes on these hashes (the ones every
    /// insert lands on at a random place) are half the size of full 64-digit ones.
    public func searchHash(_ value: String) -> String {
        let normalised = value.trimmedWhitespace.uppercased()
        var hmac = indexHMAC
        hmac.update(data: Array(normalised.utf8))
        return Self.hex(hmac.finalize().prefix(Self.searchHashBytes))
    }

    static let searchHashBytes = 16

    /// Lower-case hex without `String(format:)`, which is slow enough on Linux to dominate bulk work.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
