import Foundation
import Synchronization

/// Tokens whose signature this instance has already checked, by their exact text, until they
/// expire. A request with a known token skips the HMAC and the JSON decoding of its payload;
/// what a token grants does not change (the same text carries the same signed claims), and
/// an expired one is never taken from here. Bounded: emptied when it reaches `capacity`.
final class VerifiedTokens: Sendable {
    private let entries = Mutex<[String: SessionToken]>([:])
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func lookup(_ text: String, now: Date = Date()) -> SessionToken? {
        entries.withLock { map in
            guard let token = map[text] else { return nil }
            if token.exp.value <= now {
                map[text] = nil
                return nil
            }
            return token
        }
    }

    func remember(_ text: String, _ token: SessionToken) {
        entries.withLock { map in
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[text] = token
        }
    }
}
