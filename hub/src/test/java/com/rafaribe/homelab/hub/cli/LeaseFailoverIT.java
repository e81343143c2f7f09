package com.rafaribe.homelab.hub.cli;

import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.HubProcesses;
import static com.rafaribe.homelab.hub.testing.HubProcesses.perHub;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hubs as users run them: packaged jars, each its own process, on the same mock clusters, with the
 * default Lease timings (12 s lease, 2 s retry). A hub is killed with SIGKILL: it releases nothing,
 * and its clusters go to the others once their Leases expire. Who acts is read where it is
 * decided, in each cluster's Lease.
 */
class LeaseFailoverIT {
    static final Duration HANDOVER = Duration.ofSeconds(20);
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String NS = "apps";

    @TempDir
    Path dir;
    HubProcesses hubs;

    @AfterEach
    void stop() throws Exception {
        if (hubs != null) {
            hubs.close();
        }
    }

    /**
     * 3 hubs share the clusters: each cluster held by one, none holds more than ceil(n/3)+1; one
     * killed, its clusters held by the others within 20 s. Six mock clusters (at most 3 each), and
     * three real control planes as agent-config's identity (at most 2 each): six planes beside three
     * hubs are more than two cores start in time.
     */
    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
    void threeHubsShareTheClustersAndTheSurvivorsTakeOverAKilledOnesShare(Backend backend) throws Exception {
        int n = backend == Backend.MOCK ? 6 : 3;
        long cap = (n + 2) / 3 + 1;
        hubs = new HubProcesses(dir, backend.start(IntStream.range(0, n).mapToObj(i -> "c" + i).toArray(String[]::new)));
        for (String identity : List.of("hub-a", "hub-b", "hub-c")) {
            hubs.start(identity, 3);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, String> held = hubs.holders();
            assertThat(held).as("every cluster held by a running hub").hasSize(n).allSatisfy((c, h) -> assertThat(hubs.running()).contains(h));
            assertThat(perHub(held).values()).as("ceil(%d/3)+1 at most: %s", n, held).allSatisfy(k -> assertThat(k).isLessThanOrEqualTo(cap));
        });
        Map<String, String> before = hubs.holders();
        String victim = perHub(before).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        System.out.println("shared: " + perHub(before) + "; killing " + victim);

        Instant killed = hubs.kill(victim);
        await().atMost(HANDOVER.plusSeconds(10)).untilAsserted(() -> assertThat(hubs.holders()).as("held by the survivors")
                .hasSize(n).allSatisfy((c, h) -> assertThat(h).isNotEqualTo(victim).isIn(hubs.running())));
        Duration took = Duration.between(killed, Instant.now());
        System.out.printf("after the kill of %s: %s, taken over in %d ms%n", victim, perHub(hubs.holders()), took.toMillis());
        assertThat(took).as("handed over within 20 s of the kill").isLessThan(HANDOVER);
    }

    /**
     * 2 hubs, 2 clusters, lock failures while the acting hub of the first cluster is killed: each
     * failure gets exactly one unlock Job, the clusters are handed over within 20 s of the kill, the
     * monitors count each failure once, and no Event is told twice. On mock API servers, and on real
     * control planes where the hubs run as agent-config's identity (the Lease through its RBAC).
     */
    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
    void lockFailuresDuringTheKillOfTheActingHubAreUnlockedOnceEach(Backend backend) throws Exception {
        hubs = new HubProcesses(dir, backend.start("east", "west"));
        List<TestCluster> clusters = hubs.clusters();
        for (TestCluster c : clusters) {
            VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
            VolSyncWorld.ensureNamespace(c.client(), NS);
        }
        hubs.start("hub-one", 2);
        hubs.start("hub-two", 2);
        await().atMost(WAIT).until(hubs::allHeldByRunningHubs);
        String victim = hubs.holders().get(clusters.get(0).name());

        int perCluster = 3;
        Instant killed = null;
        for (int i = 0; i < perCluster; i++) {
            for (TestCluster c : clusters) {
                String app = "app" + i;
                VolSyncWorld.failMover(c, NS, app, "k" + i + "x0y", app + "-restic", VolSyncWorld.lockLog("volsync-src-" + app + "-a1b2c", "3m"));
            }
            if (i == 0) {
                killed = hubs.kill(victim);
            }
        }
        await().atMost(HANDOVER).until(hubs::allHeldByRunningHubs);
        Duration took = Duration.between(killed, Instant.now());
        System.out.printf("taken over within %d ms of the kill%n", took.toMillis());
        assertThat(took).isLessThan(HANDOVER);

        for (TestCluster c : clusters) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(unlockJobs(c, NS)).as(c.name()).hasSize(perCluster));
            unlockJobs(c, NS).forEach(job -> VolSyncWorld.finishJob(c, job, true));
        }
        for (TestCluster c : clusters) {
            await().atMost(WAIT).untilAsserted(() -> {
                VolSyncMonitorStatus s = HubFixture.status(c, "volsync-monitor");
                assertThat(Arrays.asList(s.getTotalLockErrorsDetected(), s.getTotalUnlocksCreated(), s.getTotalUnlocksSucceeded()))
                        .as(c.name() + ": each failure counted once").containsExactly((long) perCluster, (long) perCluster, (long) perCluster);
                assertThat(s.getActiveUnlocks()).isEmpty();
            });
            assertThat(unlockJobs(c, NS)).as(c.name() + ": one unlock Job per failure").hasSize(perCluster);
            List<Event> events = c.client().v1().events().inNamespace(NS).list().getItems();
            Map<String, Long> told = events.stream().collect(Collectors.groupingBy(
                    e -> e.getInvolvedObject().getName() + "/" + e.getReason() + "/" + e.getMessage(), Collectors.counting()));
            assertThat(told).as(c.name() + ": each Event once").isNotEmpty().allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
            assertThat(events).allSatisfy(e -> assertThat(e.getCount() == null ? 1 : e.getCount()).as(e.getReason()).isEqualTo(1));
        }
    }
}
