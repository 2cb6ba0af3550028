import Foundation
import SQLKit

/// Group commit: callers hand in items and wait; items that arrive while a write is under
/// way are written together by the next one, so many requests share one transaction and one
/// disk flush. Each caller resumes only after its own item is committed (durable), with its
/// own result. If a batch fails, its items are retried one by one, so one bad item cannot
/// fail the others.
actor GroupCommit<Item: Sendable, Output: Sendable> {
    typealias Writer = @Sendable ([Item], any SQLDatabase) async throws -> [Output]

    private let db: any SQLDatabase
    private let maxBatch: Int
    private let write: Writer
    private var pending: [(Item, CheckedContinuation<Output, any Error>)] = []
    private var flushing = false

    /// `write` gets a batch and a database handle and returns one output per item, in order.
    init(db: any SQLDatabase, maxBatch: Int = 500, write: @escaping Writer) {
        self.db = db
        self.maxBatch = maxBatch
        self.write = write
    }

    func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Output, any Error>) in
            pending.append((item, c))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let outputs = try await write(batch.map(\.0), db)
                for (i, (_, c)) in batch.enumerated() { c.resume(returning: outputs[i]) }
            } catch {
                if batch.count == 1 { batch[0].1.resume(throwing: error); continue }
                for (item, c) in batch {
                    do { c.resume(returning: try await write([item], db)[0]) } catch { c.resume(throwing: error) }
                }
            }
        }
        flushing = false
    }
}
