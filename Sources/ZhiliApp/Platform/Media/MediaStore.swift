import Foundation

/// Where photos live: files under one folder (the data folder's `media/` unless
/// `ZHILI_MEDIA_DIR` says otherwise). With several app instances, point that setting at
/// storage they share. Files are written whole (temporary name, then rename), so a reader
/// never sees half a picture; the database row is what makes a photo exist.
final class MediaStore: Sendable {
    enum Variant: String, Sendable { case image, thumb }

    let root: URL

    init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    func url(_ id: UUID, _ variant: Variant) -> URL {
        let name = id.uuidString.lowercased()
        return root.appendingPathComponent(String(name.prefix(2)), isDirectory: true)
            .appendingPathComponent("\(name)-\(variant.rawValue).jpg")
    }

    func write(_ id: UUID, _ variant: Variant, _ data: Data) throws {
        let target = url(id, variant)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target, options: .atomic)
    }

    func read(_ id: UUID, _ variant: Variant) -> Data? {
        try? Data(contentsOf: url(id, variant))
    }

    func remove(_ id: UUID) {
        for v in [Variant.image, .thumb] { try? FileManager.default.removeItem(at: url(id, v)) }
    }
}
