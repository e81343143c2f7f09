package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One cluster's API server stops: that cluster turns Failed, the other keeps unlocking, and what
 * happened meanwhile is handled once it is back. On mock API servers and on real control planes,
 * where the API server restarts over the same etcd.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class ClusterOutageTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    static final Duration WAIT = Duration.ofSeconds(60);
    @Parameter
    Backend backend;

    @Test
    void aClusterThatStopsTurnsFailedWhileTheOtherKeepsUnlockingAndCatchesUpWhenBack() throws Exception {
        Path dir = Files.createTempDirectory("outage-test");
        List<TestCluster> clusters = backend.start("alpha", "beta");
        TestCluster alpha = clusters.get(0);
        TestCluster beta = clusters.get(1);
        HubFixture hub = null;
        try {
            for (TestCluster c : clusters) {
                VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
            }
            hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(2), null, Backend.kubeconfig(dir, clusters));
            HubFixture api = hub;
            await().atMost(WAIT).until(() -> "Connected".equals(cluster(api, "alpha").getString("state")));
            long stoppedAt = System.nanoTime();
            alpha.stop();
            await().atMost(WAIT).until(() -> "Failed".equals(cluster(api, "alpha").getString("state")));
            System.out.printf("%s: cluster alpha reported Failed %d ms after its API server stopped%n", backend,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));

            VolSyncWorld.failMover(beta, "apps-beta", "wiki", "h1h1h", "wiki-restic", VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            await().atMost(WAIT).until(() -> unlockJobs(beta, "apps-beta").size() == 1);

            // A mover fails while the hub cannot reach alpha: written through a second server over the same objects.
            KubernetesClient backdoor = alpha.backdoor();
            VolSyncWorld.failMover(alpha, backdoor, "apps-alpha", "grafana", "i1i1i", "grafana-restic",
                    VolSyncWorld.lockLog("volsync-src-grafana-zzzzz", "1m"));
            backdoor.close();
            assertThat(cluster(api, "alpha").getString("state")).isEqualTo("Failed");
            alpha.restart();
            await().atMost(WAIT).until(() -> "Connected".equals(cluster(api, "alpha").getString("state")));
            await().atMost(WAIT).until(() -> unlockJobs(alpha, "apps-alpha").size() == 1);
            assertThat(unlockJobs(beta, "apps-beta")).as("the other cluster's unlocks, unchanged").hasSize(1);
        } finally {
            Teardown.close(dir, hub == null ? null : hub::close, alpha, beta);
        }
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    static JsonObject cluster(HubFixture hub, String name) {
        return hub.api.list("/api/clusters").stream().filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
    }
}
