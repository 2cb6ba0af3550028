import Foundation
import Testing
import VaporTesting

@testable import ZhiliApp

extension HTTPHeaders {
    func merging(_ other: HTTPHeaders) -> HTTPHeaders {
        var copy = self
        for (name, value) in other { copy.replaceOrAdd(name: name, value: value) }
        return copy
    }
}
