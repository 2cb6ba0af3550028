import Crypto
import Foundation

/// Keys the platform needs: token signing, field encryption, keyed search hashes.
/// Generated on first run into `secrets.json` (mode 0600) in the data folder; every app
/// instance sharing one PostgreSQL database must be given the same file.
public struct Secrets: Codable, Sendable {
    public var tokenKey: String
    /// Field-encryption keys by id; `currentKeyID` encrypts, all decrypt (rotation keeps old ids).
    public var dataKeys: [String: String]
    public var currentKeyID: String
    public var indexKey: String

    public static func generate() -> Secrets {
        Secrets(
            tokenKey: randomKey(), dataKeys: ["k1": randomKey()], currentKeyID: "k1", indexKey: randomKey()
        )
    }

    static func randomKey() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// Loads the secrets file or creates it; a damaged file is an error, never silently replaced
    /// (replacing it would make every encrypted field unreadable).
    public static func loadOrCreate(dataDir: String) throws -> Secrets {
        let path = (dataDir as NSString).appendingPathComponent("secrets.json")
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            guard let data = fm.contents(atPath: path),
                let secrets = try? JSONDecoder().decode(Secrets.self, from: data),
                secrets.dataKeys[secrets.currentKeyID] != nil
            else {
                throw ConfigError(
                    "secrets file \(path) is unreadable or damaged; restore it from backup / 密钥文件损坏，请从备份恢复")
            }
            return secrets
        }
        let secrets = generate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(secrets)
        guard fm.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError("cannot write \(path) / 无法写入密钥文件")
        }
        return secrets
    }
}
