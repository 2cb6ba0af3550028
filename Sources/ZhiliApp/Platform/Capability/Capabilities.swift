/// The capabilities of this build, in the order their migrations run and their routes are
/// registered. Adding a capability: its own folder with a type conforming to `Capability`,
/// and one line here (see docs/ARCHITECTURE.md).
enum Capabilities {
    static let all: [any Capability] = [
        PlatformCapability(),
        HierarchyCapability(),
        PlacesCapability(),
        RegistryCapability(),
        PartyCapability(),
        ComplaintsCapability(),
        NotificationsCapability(),
    ]
}
