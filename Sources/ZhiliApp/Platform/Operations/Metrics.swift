import CoreMetrics
import Prometheus
import Vapor

/// Prometheus metrics. Vapor's responder already records `http_requests_total` and
/// `http_request_duration_seconds` per route through swift-metrics once a factory is set.
enum Metrics {
    static let registry = PrometheusCollectorRegistry()

    /// The metrics system is process-wide and may be bootstrapped only once (tests build many apps).
    private static let bootstrap: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    static func bootstrapOnce() { _ = bootstrap }
}
