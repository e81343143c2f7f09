package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.Hub;
import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Starts the hub as `run` does, against mock clusters, and reads what it did. */
public final class HubFixture implements AutoCloseable {
    public static final String HUB_NS = TrustedNamespaces.DEFAULT;
    public static final Duration WAIT = Duration.ofSeconds(30);

    public final Hub hub;
    public final HubApi api;

    private HubFixture(Hub hub) {
        this.hub = hub;
        this.api = new HubApi(hub.httpPort());
    }

    public static HubFixture start(Vertx vertx, Path dir, Duration resync, SandboxApiServer... clusters) throws Exception {
        return awaitReady(startUnready(vertx, dir, resync, clusters));
    }

    /** The hub on these kubeconfigs (a real cluster's, a minted one), with a dashboard token or null, once ready. */
    public static HubFixture start(Vertx vertx, Duration resync, String dashboardToken, Path... kubeconfigs) throws Exception {
        return awaitReady(launch(vertx, resync, dashboardToken, UnlockAllowList.MOVER_ONLY, Clock.systemUTC(), kubeconfigs));
    }

    /** The same, with --unlock-image-allow and --unlock-service-account-allow. */
    public static HubFixture startAllowing(Vertx vertx, Duration resync, UnlockAllowList unlockAllow, Path... kubeconfigs) throws Exception {
        return awaitReady(launch(vertx, resync, null, unlockAllow, Clock.systemUTC(), kubeconfigs));
    }

    /** The same on a clock of the test's, which it may move on to simulate time passing for the hub alone. */
    public static HubFixture startOnClock(Vertx vertx, Duration resync, Clock clock, Path... kubeconfigs) throws Exception {
        return awaitReady(launch(vertx, resync, null, UnlockAllowList.MOVER_ONLY, clock, kubeconfigs));
    }

    /** A hub of its own identity and Lease timings, beside other hubs on the same clusters (each on its own Vertx, as processes are). */
    public static HubFixture startAs(Vertx vertx, Duration resync, LeaseSettings lease, Path... kubeconfigs) throws Exception {
        HubConfig config = new HubConfig(List.of(kubeconfigs), Set.of(), false, new TrustedNamespaces(Set.of(HUB_NS)),
                "127.0.0.1", 0, resync, null, UnlockAllowList.MOVER_ONLY).withLease(lease);
        return awaitReady(new HubFixture(Hub.start(vertx, config, Clock.systemUTC()).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS)));
    }

    /** Started, without waiting for the clusters: for a hub that a test may kill while it starts. */
    public static HubFixture startUnready(Vertx vertx, Path dir, Duration resync, SandboxApiServer... clusters) throws Exception {
        return launch(vertx, resync, null, UnlockAllowList.MOVER_ONLY, Clock.systemUTC(), SandboxApiServer.kubeconfig(dir, clusters));
    }

    public static HubFixture startUnready(Vertx vertx, Duration resync, Path kubeconfig) throws Exception {
        return launch(vertx, resync, null, UnlockAllowList.MOVER_ONLY, Clock.systemUTC(), kubeconfig);
    }

    private static HubFixture launch(Vertx vertx, Duration resync, String dashboardToken, UnlockAllowList unlockAllow, Clock clock,
                                     Path... kubeconfigs) throws Exception {
        HubConfig config = new HubConfig(List.of(kubeconfigs), Set.of(), false, new TrustedNamespaces(Set.of(HUB_NS)),
                "127.0.0.1", 0, resync, dashboardToken, unlockAllow);
        Hub hub = Hub.start(vertx, config, clock).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new HubFixture(hub);
    }

    /** Ready: every cluster synced or failed. /readyz is open with a dashboard token too. */
    private static HubFixture awaitReady(HubFixture fixture) {
        await().atMost(WAIT).ignoreExceptions().until(() -> fixture.api.get("/readyz").statusCode() == 200);
        return fixture;
    }

    public static List<Job> unlockJobs(SandboxApiServer cluster, String namespace) {
        return unlockJobs(cluster.client(), namespace);
    }

    public static List<Job> unlockJobs(TestCluster cluster, String namespace) {
        return unlockJobs(cluster.client(), namespace);
    }

    public static List<Job> unlockJobs(KubernetesClient client, String namespace) {
        return client.batch().v1().jobs().inNamespace(namespace)
                .withLabel(UnlockJobMetadata.NAME_LABEL, UnlockJobMetadata.NAME).list().getItems();
    }

    public static List<String> eventReasons(SandboxApiServer cluster, String namespace) {
        return eventReasons(cluster.client(), namespace);
    }

    public static List<String> eventReasons(TestCluster cluster, String namespace) {
        return eventReasons(cluster.client(), namespace);
    }

    public static List<String> eventReasons(KubernetesClient client, String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream().map(Event::getReason).toList();
    }

    public static VolSyncMonitorStatus status(SandboxApiServer cluster, String monitor) {
        return status(cluster.client(), monitor);
    }

    public static VolSyncMonitorStatus status(TestCluster cluster, String monitor) {
        return status(cluster.client(), monitor);
    }

    /** The monitor's status; an empty one until the hub first writes it, so that a wait on a counter retries rather than fails. */
    public static VolSyncMonitorStatus status(KubernetesClient client, String monitor) {
        VolSyncMonitorStatus status = VolSyncWorld.monitor(client, HUB_NS, monitor).getStatus();
        return status == null ? new VolSyncMonitorStatus() : status;
    }

    /**
     * Stops the hub before its clusters go: a hub still running when a test's API server stops
     * would reconnect to whatever server gets that port next, another test's.
     */
    @Override
    public void close() throws Exception {
        hub.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public JsonObject failure(String podUid) {
        return api.list("/api/failures").stream().filter(f -> podUid.equals(f.getString("failedPodUid"))).findFirst().orElse(null);
    }

    public JsonObject unlock(String podUid) {
        return api.list("/api/unlocks").stream().filter(u -> podUid.equals(u.getString("failedPodUid"))).findFirst().orElse(null);
    }
}
