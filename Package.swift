// swift-tools-version:6.2
import Foundation
import PackageDescription

/// Every capability's stylesheets and scripts (the files in `Assets/` folders below
/// Sources/ZhiliApp) and its message catalogues (`Messages/*.json`), embedded in the binary
/// (`PackageResources.<name>`), so one executable is the whole deployment and a capability
/// adds an asset or a message inside its own folder.
let appAssets: [Resource] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/ZhiliApp")
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return walker.compactMap { $0 as? String }
        .filter {
            let folder = $0.split(separator: "/").dropLast().last
            return (folder == "Assets" && ($0.hasSuffix(".css") || $0.hasSuffix(".js")))
                || (folder == "Messages" && $0.hasSuffix(".json"))
        }
        .sorted()
        .map { Resource.embedInCode($0) }
}()

let package = Package(
    name: "zhili",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zhili", targets: ["zhili"])
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/jwt.git", from: "5.2.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // The wristband port (a TCP text protocol) is a SwiftNIO server of its own.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Pure domain rules: codes, identity numbers, geometry, QR. No server, no database.
        .target(name: "ZhiliDomain"),
        // Photo normalisation (decode, orient, shrink, re-encode without metadata) in C over
        // Debian's libjpeg-turbo and libpng: apt-get install libjpeg-dev libpng-dev.
        .target(name: "CZhiliImage", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        // The MQTT client library, Debian's libmosquitto: apt-get install libmosquitto-dev.
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // Reading and writing CSV and .xlsx for imports and exports.
        .target(name: "ZhiliSheets", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // The platform: every capability in its own folder, shared plumbing in Platform/.
        .target(
            name: "ZhiliApp",
            dependencies: [
                "ZhiliDomain",
                "ZhiliSheets",
                "CZhiliImage",
                "CMosquitto",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "JWT", package: "jwt"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: appAssets
        ),
        .executableTarget(name: "zhili", dependencies: ["ZhiliApp"]),
        .testTarget(name: "ZhiliDomainTests", dependencies: ["ZhiliDomain"]),
        // Fixtures/ holds .xlsx files written by openpyxl, read by path (#filePath).
        .testTarget(name: "ZhiliSheetsTests", dependencies: ["ZhiliSheets"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ZhiliAppTests",
            dependencies: [
                "ZhiliApp",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
