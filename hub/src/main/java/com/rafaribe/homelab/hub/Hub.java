package com.rafaribe.homelab.hub;

import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import com.rafaribe.homelab.hub.cluster.ClusterTarget;
import com.rafaribe.homelab.hub.cluster.ClusterSupervisor;
import com.rafaribe.homelab.hub.dashboard.BackupVerticle;
import com.rafaribe.homelab.hub.dashboard.DashboardVerticle;
import com.rafaribe.homelab.hub.policy.PolicyVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running hub: the dashboard, the policy, then one verticle per cluster, on one Vertx. */
public final class Hub {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    private final Vertx vertx;
    private final DashboardVerticle dashboard;
    private final ClusterSupervisor clusters;

    private Hub(Vertx vertx, DashboardVerticle dashboard, ClusterSupervisor clusters) {
        this.vertx = vertx;
        this.dashboard = dashboard;
        this.clusters = clusters;
    }

    /** As {@link #start(Vertx, HubConfig, Clock, PrometheusMeterRegistry)}, with metrics of the hub's own only. */
    public static Future<Hub> start(Vertx vertx, HubConfig config, Clock clock) {
        return start(vertx, config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Deploys the dashboard, the backups' read model, the policy, then the supervisor, which starts a verticle per cluster and follows the kubeconfigs. */
    public static Future<Hub> start(Vertx vertx, HubConfig config, Clock clock, PrometheusMeterRegistry registry) {
        LocalCodec.register(vertx);
        DashboardVerticle dashboard = new DashboardVerticle(config.httpHost(), config.httpPort(), config.dashboardToken(),
                config.dashboardTokenFile(), registry);
        ClusterSupervisor clusters = new ClusterSupervisor(config.kubeconfigs(), config.contexts(), config.inCluster(), config.resync(),
                config.lease());
        return vertx.deployVerticle(dashboard)
                .compose(id -> vertx.deployVerticle(new BackupVerticle(clock)))
                .compose(id -> vertx.deployVerticle(new PolicyVerticle(config.trustedNamespaces(), config.unlockAllow(), clock, config.resync())))
                .compose(id -> vertx.deployVerticle(clusters))
                .map(id -> {
                    LOG.info("monitors trusted in: {}; their unlock templates may ask for {}; acting on a cluster while holding its Lease {}/{} as {}",
                            config.trustedNamespaces(), config.unlockAllow(), config.lease().namespace(),
                            com.rafaribe.homelab.hub.cluster.LeaseSettings.NAME, config.lease().identity());
                    return new Hub(vertx, dashboard, clusters);
                });
    }

    public int httpPort() {
        return dashboard.actualPort();
    }

    public List<ClusterTarget> clusters() {
        return clusters.clusters();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Completes when the hub is first ready (what /readyz says): every configured cluster synced or failed. */
    public Future<Void> ready() {
        return dashboard.firstReady();
    }
}
