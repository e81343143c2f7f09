package com.rafaribe.homelab.hub;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** The application's Vertx, with Vert.x's own metrics (event loops, HTTP, event bus) in the hub's Prometheus registry. */
public record HubVertx(Vertx vertx, PrometheusMeterRegistry registry) {
    public static HubVertx create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        return new HubVertx(vertx, registry);
    }
}
