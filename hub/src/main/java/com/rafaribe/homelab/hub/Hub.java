package com.rafaribe.homelab.hub;

import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import com.rafaribe.homelab.hub.cluster.ClusterTarget;
import com.rafaribe.homelab.hub.cluster.ClusterVerticle;
import com.rafaribe.homelab.hub.cluster.Kubeconfigs;
import com.rafaribe.homelab.hub.dashboard.DashboardVerticle;
import com.rafaribe.homelab.hub.policy.PolicyVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running hub: the dashboard, the policy, then one verticle per cluster, on one Vertx. */
public final class Hub {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    private final Vertx vertx;
    private final DashboardVerticle dashboard;
    private final List<ClusterTarget> clusters;

    private Hub(Vertx vertx, DashboardVerticle dashboard, List<ClusterTarget> clusters) {
        this.vertx = vertx;
        this.dashboard = dashboard;
        this.clusters = clusters;
    }

    /** As {@link #start(Vertx, HubConfig, Clock, PrometheusMeterRegistry)}, with metrics of the hub's own only. */
    public static Future<Hub> start(Vertx vertx, HubConfig config, Clock clock) {
        return start(vertx, config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Reads the kubeconfigs (blocking file I/O: call it off the event loop), then deploys everything. */
    public static Future<Hub> start(Vertx vertx, HubConfig config, Clock clock, PrometheusMeterRegistry registry) {
        List<ClusterTarget> targets = new ArrayList<>(Kubeconfigs.discover(config.kubeconfigs(), config.contexts()));
        if (config.inCluster()) {
            targets.add(ClusterTarget.inCluster());
        }
        LocalCodec.register(vertx);
        DashboardVerticle dashboard = new DashboardVerticle(config.httpHost(), config.httpPort(), config.dashboardToken(), registry);
        return vertx.deployVerticle(dashboard)
                .compose(id -> vertx.deployVerticle(new PolicyVerticle(config.trustedNamespaces(), clock, config.resync())))
                .compose(id -> {
                    // Each cluster is deployed on its own; one that cannot even start is reported Failed by its verticle.
                    List<Future<String>> deployments = targets.stream()
                            .map(t -> vertx.deployVerticle(new ClusterVerticle(t, config.resync()))).toList();
                    return Future.join(deployments);
                })
                .map(v -> {
                    LOG.info("watching {} cluster(s): {}; monitors trusted in: {}", targets.size(),
                            targets.stream().map(ClusterTarget::name).toList(), config.trustedNamespaces());
                    return new Hub(vertx, dashboard, targets);
                });
    }

    public int httpPort() {
        return dashboard.actualPort();
    }

    public List<ClusterTarget> clusters() {
        return clusters;
    }

    public Vertx vertx() {
        return vertx;
    }
}
