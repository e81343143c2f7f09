package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.HUB_NS;
import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.TcpProxy;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two hubs on the same two clusters, as two replicas (or the deployed hub and a laptop's run) would
 * be: each on its own Vertx, with its own identity. Each cluster's Lease names one of them, which
 * acts there; the other watches and says who acts, as does a third started later (a laptop's
 * run), which stays standby on every cluster. A lock failure on each cluster gets one unlock
 * Job, counted once, with one Event of each kind. When the acting hub stops, the other takes both
 * clusters over within 20 s and unlocks the next failures, and the monitors' counters go on from
 * where the first left them. On mock API servers and on real control planes (the Lease through
 * agent-config's RBAC).
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class TwoHubsTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration HANDOVER = Duration.ofSeconds(20);
    static final String NS = "apps";
    @Parameter
    Backend backend;

    @Test
    void eachClusterHasOneActingHubAndTheOtherTakesOverWhenItStops() throws Exception {
        Path dir = Files.createTempDirectory("two-hubs");
        List<TestCluster> clusters = backend.start("east", "west");
        HubFixture first = null;
        HubFixture second = null;
        try {
            for (TestCluster c : clusters) {
                VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
            }
            Path kubeconfig = Backend.kubeconfig(dir, clusters);
            first = HubFixture.startAs(Vertx.vertx(), Duration.ofSeconds(2), lease("hub-first"), kubeconfig);
            second = HubFixture.startAs(Vertx.vertx(), Duration.ofSeconds(2), lease("hub-second"), kubeconfig);
            HubFixture a = first;
            HubFixture b = second;

            // Each cluster: exactly one acting hub, and the other names it.
            await().atMost(WAIT).untilAsserted(() -> {
                for (TestCluster c : clusters) {
                    JsonObject onA = cluster(a, c.name());
                    JsonObject onB = cluster(b, c.name());
                    assertThat(onA.getBoolean("acting") ^ onB.getBoolean("acting")).as(onA + " / " + onB).isTrue();
                    JsonObject standby = onA.getBoolean("acting") ? onB : onA;
                    assertThat(standby.getString("actingHub")).isEqualTo(onA.getBoolean("acting") ? "hub-first" : "hub-second");
                    assertThat(standby.getString("actingSince")).isNotNull();
                    assertThat(standby.getString("state")).isEqualTo("Connected");
                }
            });

            // A third hub started later (a laptop's run beside the deployed ones): standby on every cluster, and it stays so.
            try (HubFixture laptop = HubFixture.startAs(Vertx.vertx(), Duration.ofSeconds(2), lease("laptop-of-ana"), kubeconfig)) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(clusters).allSatisfy(c -> {
                    JsonObject seen = cluster(laptop, c.name());
                    assertThat(seen.getString("state")).isEqualTo("Connected");
                    assertThat(seen.getString("actingHub")).isIn("hub-first", "hub-second");
                }));
                // Over several retry periods (1 s here) and a whole lease (6 s): it never takes a Lease from a hub that renews it.
                await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(20)).until(() -> clusters.stream().noneMatch(c ->
                        cluster(laptop, c.name()).getBoolean("acting")) && clusters.stream().allMatch(c -> {
                            String holder = c.client().leases().inNamespace(HUB_NS).withName(LeaseSettings.NAME).get().getSpec().getHolderIdentity();
                            return "hub-first".equals(holder) || "hub-second".equals(holder);
                        }));
            }

            // One lock failure per cluster: one unlock Job each, by the hub that acts there, counted once.
            for (TestCluster c : clusters) {
                VolSyncWorld.failMover(c, NS, "wiki", "w1w1w", "wiki-restic", VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            }
            for (TestCluster c : clusters) {
                await().atMost(WAIT).until(() -> unlockJobs(c, NS).size() == 1);
                HubFixture acting = actingOn(c, a, b);
                await().atMost(WAIT).until(() -> acting.api.list("/api/unlocks").stream().anyMatch(u -> c.name().equals(u.getString("cluster"))));
                assertThat(other(acting, a, b).api.list("/api/unlocks")).as("the standby hub unlocks nothing on " + c.name())
                        .noneMatch(u -> c.name().equals(u.getString("cluster")));
                VolSyncWorld.finishJob(c, unlockJobs(c, NS).get(0), true);
                await().atMost(WAIT).untilAsserted(() -> assertThat(counters(c)).containsExactly(1L, 1L));
                assertThat(unlockJobs(c, NS)).as("one unlock Job on " + c.name()).hasSize(1);
            }
            assertNoDuplicateEvents(clusters);

            // The hub acting on east stops (a rolling update): the other takes every cluster over.
            HubFixture leaving = actingOn(clusters.get(0), a, b);
            HubFixture staying = other(leaving, a, b);
            Instant stopped = Instant.now();
            leaving.close();
            if (leaving == first) {
                first = null;
            } else {
                second = null;
            }
            await().atMost(HANDOVER).untilAsserted(() -> {
                for (TestCluster c : clusters) {
                    assertThat(cluster(staying, c.name()).getBoolean("acting")).as(c.name()).isTrue();
                }
            });
            assertThat(Duration.between(stopped, Instant.now())).isLessThan(HANDOVER);

            // The next failures are unlocked by the hub that stayed, once; the counters go on.
            for (TestCluster c : clusters) {
                VolSyncWorld.failMover(c, NS, "wiki", "w2w2w", "wiki-restic", VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            }
            for (TestCluster c : clusters) {
                await().atMost(WAIT).until(() -> unlockJobs(c, NS).size() == 2);
                Job next = unlockJobs(c, NS).stream().filter(j -> j.getStatus() == null || j.getStatus().getSucceeded() == null)
                        .findFirst().orElseThrow();
                VolSyncWorld.finishJob(c, next, true);
                await().atMost(WAIT).untilAsserted(() -> assertThat(counters(c)).containsExactly(2L, 2L));
                assertThat(unlockJobs(c, NS)).as("no unlock Job again for the first failure on " + c.name()).hasSize(2);
            }
            assertNoDuplicateEvents(clusters);
        } finally {
            List<AutoCloseable> started = new java.util.ArrayList<>();
            if (first != null) {
                started.add(first);
            }
            if (second != null) {
                started.add(second);
            }
            started.addAll(clusters);
            Teardown.close(dir, started.toArray(AutoCloseable[]::new));
        }
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    /**
     * The acting hub cut off from its clusters (a partition, a frozen process: it cannot release its
     * Leases): it stops acting once it cannot renew (renew deadline), and the other hub takes each
     * cluster once the Lease has expired, then unlocks the next failures, once each.
     */
    @Test
    void aHubCutOffFromItsClustersStopsActingAndTheOtherTakesOverOnceTheLeaseExpires() throws Exception {
        Path dir = Files.createTempDirectory("two-hubs-cut");
        List<TestCluster> clusters = backend.start("east", "west");
        List<TcpProxy> relays = new java.util.ArrayList<>();
        HubFixture cutOff = null;
        HubFixture other = null;
        try {
            Map<String, String> relayed = new java.util.TreeMap<>();
            for (TestCluster c : clusters) {
                VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
                java.net.URI direct = java.net.URI.create(c.server());
                TcpProxy relay = new TcpProxy(direct.getPort());
                relays.add(relay);
                relayed.put(c.name(), direct.getScheme() + "://127.0.0.1:" + relay.port());
            }
            Path relayedConfig = Files.writeString(dir.resolve("relayed.yaml"), kubeconfig(clusters, relayed));
            cutOff = HubFixture.startAs(Vertx.vertx(), Duration.ofSeconds(2), lease("hub-cut-off"), relayedConfig);
            HubFixture a = cutOff;
            await().atMost(WAIT).untilAsserted(() -> assertThat(clusters).allSatisfy(c ->
                    assertThat(cluster(a, c.name()).getBoolean("acting")).as(c.name()).isTrue()));
            other = HubFixture.startAs(Vertx.vertx(), Duration.ofSeconds(2), lease("hub-other"), Backend.kubeconfig(dir, clusters));
            HubFixture b = other;
            await().atMost(WAIT).untilAsserted(() -> assertThat(clusters).allSatisfy(c -> {
                assertThat(cluster(b, c.name()).getBoolean("acting")).as(c.name()).isFalse();
                assertThat(cluster(b, c.name()).getString("actingHub")).isEqualTo("hub-cut-off");
            }));

            Instant cut = Instant.now();
            relays.forEach(r -> r.cut(true));
            await().atMost(HANDOVER).untilAsserted(() -> assertThat(clusters).allSatisfy(c ->
                    assertThat(cluster(b, c.name()).getBoolean("acting")).as(c.name()).isTrue()));
            System.out.printf("%s: handed over %d ms after the acting hub was cut off%n", backend, Duration.between(cut, Instant.now()).toMillis());
            assertThat(clusters).as("the cut-off hub stopped acting by itself").allSatisfy(c ->
                    assertThat(cluster(a, c.name()).getBoolean("acting")).as(c.name()).isFalse());
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(a.api.list("/api/monitors")).as("what its policy dropped is not shown as if it still acted").isEmpty();
                assertThat(a.api.list("/api/clusters")).as("the clusters are still shown").hasSize(clusters.size());
                assertThat(b.api.list("/api/monitors")).as("the acting hub shows the monitors").hasSize(clusters.size());
            });

            for (TestCluster c : clusters) {
                VolSyncWorld.failMover(c, NS, "wiki", "c1c1c", "wiki-restic", VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            }
            for (TestCluster c : clusters) {
                await().atMost(WAIT).until(() -> b.api.list("/api/unlocks").stream().anyMatch(u -> c.name().equals(u.getString("cluster"))));
                assertThat(unlockJobs(c, NS)).as("one unlock Job on " + c.name()).hasSize(1);
                VolSyncWorld.finishJob(c, unlockJobs(c, NS).get(0), true);
                await().atMost(WAIT).untilAsserted(() -> assertThat(counters(c)).containsExactly(1L, 1L));
            }
            assertNoDuplicateEvents(clusters);
        } finally {
            List<AutoCloseable> started = new java.util.ArrayList<>();
            if (cutOff != null) {
                started.add(cutOff);
            }
            if (other != null) {
                started.add(other);
            }
            started.addAll(relays);
            started.addAll(clusters);
            Teardown.close(dir, started.toArray(AutoCloseable[]::new));
        }
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    /** A kubeconfig with a context per cluster at these servers, with the hub's token of each. */
    static String kubeconfig(List<TestCluster> clusters, Map<String, String> servers) {
        StringBuilder entries = new StringBuilder();
        StringBuilder users = new StringBuilder();
        StringBuilder contexts = new StringBuilder();
        for (TestCluster c : clusters) {
            entries.append("- name: %s\n  cluster: {server: \"%s\", insecure-skip-tls-verify: true}\n".formatted(c.name(), servers.get(c.name())));
            users.append("- name: %s\n  user: {token: \"%s\"}\n".formatted(c.name(), c.hubToken()));
            contexts.append("- name: %1$s\n  context: {cluster: %1$s, user: %1$s}\n".formatted(c.name()));
        }
        return "apiVersion: v1\nkind: Config\nclusters:\n" + entries + "users:\n" + users + "contexts:\n" + contexts
                + "current-context: " + clusters.get(0).name() + "\n";
    }

    /** Short, so that a hub that stops without releasing hands over quickly too; the order of the defaults kept. */
    static LeaseSettings lease(String identity) {
        return new LeaseSettings(HUB_NS, identity, Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofSeconds(1));
    }

    static JsonObject cluster(HubFixture hub, String name) {
        return hub.api.list("/api/clusters").stream().filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
    }

    static HubFixture actingOn(TestCluster c, HubFixture a, HubFixture b) {
        return cluster(a, c.name()).getBoolean("acting") ? a : b;
    }

    static HubFixture other(HubFixture hub, HubFixture a, HubFixture b) {
        return hub == a ? b : a;
    }

    /** Unlocks created and succeeded, as the monitor's status counts them. */
    static List<Long> counters(TestCluster c) {
        VolSyncMonitorStatus s = HubFixture.status(c, "volsync-monitor");
        return s == null ? List.of() : java.util.Arrays.asList(s.getTotalUnlocksCreated(), s.getTotalUnlocksSucceeded());
    }

    /** One Event per object, reason and message, each counted once: a second hub would have recorded it again. */
    static void assertNoDuplicateEvents(List<TestCluster> clusters) {
        for (TestCluster c : clusters) {
            for (String ns : List.of(NS, HUB_NS)) {
                List<Event> events = c.client().v1().events().inNamespace(ns).list().getItems();
                Map<String, Long> perObjectAndReason = events.stream().collect(Collectors.groupingBy(
                        // With the message, which names the failed pod: each failure here is another pod of a Job of the same name.
                        e -> e.getInvolvedObject().getName() + "/" + e.getInvolvedObject().getUid() + "/" + e.getReason() + "/" + e.getMessage(),
                        Collectors.counting()));
                assertThat(perObjectAndReason).as(c.name() + "/" + ns).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1L));
                assertThat(events).as(c.name() + "/" + ns + ": counted once")
                        .allSatisfy(e -> assertThat(e.getCount() == null ? 1 : e.getCount()).as(e.getReason()).isEqualTo(1));
            }
            assertThat(c.client().v1().events().inNamespace(NS).list().getItems()).as(c.name() + ": the unlocks were told").isNotEmpty();
        }
    }
}
