import Fluent
import Vapor

/// Places and facilities on the map (场所设施): schools, clinics, shops, venues, with the
/// organisations and devices bound to them.
struct PlacesCapability: Capability {
    let name = "places"

    var migrations: [any Migration] { [CreatePlaceTables()] }

    func routes(_ app: Application) throws { PlaceRoutes.register(app) }

    var operations: [APIOperation] { PlacesAPI.operations }
}
