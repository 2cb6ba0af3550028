/// Typed keys the demo generator uses while building families and tags. Display names and the
/// full lists live in `RegistryVocabulary` and `KeyPopulationCatalogue`; these only spell the
/// stored keys without string typos.
enum HouseholdRelation: String, Sendable {
    case head, spouse, child, parent, grandchild
}

enum ResidencyType: String, Sendable {
    case registeredResident = "registered", nonRegisteredResident = "non_registered", migrant
}

enum KeyPopulationTag: String, Sendable {
    case elderlyAlone = "elderly_alone", disabled, criticallyIll = "critically_ill", leftBehindChild =
        "left_behind_child", pairedAssistance = "paired_assistance"
}
