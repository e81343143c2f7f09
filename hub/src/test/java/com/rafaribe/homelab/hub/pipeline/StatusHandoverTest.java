package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.HUB_NS;
import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.RepositoryFailures;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hub that lost a Lease writes the monitor's status once more on its way out (its write was on
 * its way), after the new holder read it: the new holder's next write must not overwrite that one.
 * It is refused (the monitor changed since the version the hub last saw), the hub reads the monitor
 * again and lays its own changes over it: counters add up, and the other hub's circuit-breaker
 * state and processedJobs stay. Before, the write went against the cache's version, which already
 * held the other hub's write, and replaced it.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class StatusHandoverTest {
    static final String NS = "apps";
    @Parameter
    Backend backend;

    @Test
    void aLateWriteOfTheOtherHubIsMergedNotOverwritten() throws Exception {
        Path dir = Files.createTempDirectory("status-handover");
        TestCluster c = backend.start("east");
        List<TestCluster> clusters = List.of(c);
        HubFixture hub = null;
        try {
            VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
            hub = HubFixture.startAs(Vertx.vertx(), Duration.ofSeconds(2), TwoHubsTest.lease("hub-new"), Backend.kubeconfig(dir, clusters));
            VolSyncWorld.failMover(c, NS, "wiki", "w1w1w", "wiki-restic", VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            await().atMost(HubFixture.WAIT).until(() -> unlockJobs(c, NS).size() == 1);
            await().atMost(HubFixture.WAIT).untilAsserted(() -> assertThat(TwoHubsTest.counters(c)).containsExactly(1L, 0L));

            // The old holder's late write: two unlocks it created and saw succeed, one repository failing twice.
            VolSyncMonitor monitor = VolSyncWorld.monitor(c, HUB_NS, "volsync-monitor");
            VolSyncMonitorStatus late = monitor.getStatus();
            late.setTotalUnlocksCreated(late.getTotalUnlocksCreated() + 2);
            late.setTotalUnlocksSucceeded(late.getTotalUnlocksSucceeded() + 2);
            RepositoryFailures failing = new RepositoryFailures();
            failing.setRepositoryKey("apps/other-repository");
            failing.setConsecutiveFailures(2);
            late.getFailingRepositories().add(failing);
            c.client().resources(VolSyncMonitor.class).inNamespace(HUB_NS).resource(monitor).updateStatus();

            // This hub's next change: its unlock ends.
            VolSyncWorld.finishJob(c, unlockJobs(c, NS).get(0), true);
            await().atMost(HubFixture.WAIT).untilAsserted(() -> {
                VolSyncMonitorStatus s = HubFixture.status(c, "volsync-monitor");
                assertThat(Arrays.asList(s.getTotalUnlocksCreated(), s.getTotalUnlocksSucceeded())).as("both hubs' counting").containsExactly(3L, 3L);
                assertThat(s.getFailingRepositories()).extracting(RepositoryFailures::getRepositoryKey).contains("apps/other-repository");
                assertThat(s.getProcessedJobs()).hasSize(1);
                assertThat(s.getProcessedJobs().get(0).getUnlockResult()).isEqualTo("Succeeded");
            });
        } finally {
            Teardown.close(dir, hub, c);
        }
    }
}
