/// The capabilities of this build, in the order their migrations run and their routes are
/// registered. Adding a capability: its own folder with a type conforming to `Capability`,
/// and one line here (see docs/ARCHITECTURE.md).
import Vapor

enum Capabilities {
    static let all: [any Capability] = [
        PlatformCapability(),
        HierarchyCapability(),
        PlacesCapability(),
        RegistryCapability(),
        PartyCapability(),
        ComplaintsCapability(),
        NotificationsCapability(),
        SensingCapability(),
        VolunteersCapability(),
    ]
}

struct CapabilitiesKey: StorageKey { typealias Value = [any Capability] }

extension Application {
    /// The capabilities this instance was configured with (`Capabilities.all` outside tests).
    var capabilities: [any Capability] { storage[CapabilitiesKey.self] ?? Capabilities.all }
}
