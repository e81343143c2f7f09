package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.SandboxClustersTest;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.ControlPlaneExtension;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.Tier;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 4 with tier 3: the lock-to-recovery flow on a real API server with the real Job
 * controller and RBAC. The sandbox's apps run through the virtual kubelet, and the hub runs with
 * nothing but the identity agent-config/rbac grants.
 */
@ExtendWith(ControlPlaneExtension.class)
class RealClusterUnlockTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    /** The user's own view: kubectl (Debian's kubernetes-client, or whatever kubectl the machine has) against the admin token. */
    static String kubectl(ControlPlane plane, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", plane.kubeconfig("kubectl", plane.adminToken).toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("kubectl " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    @Test
    void aStaleLockIsUnlockedByTheHubsIdentityAndTheBackupRecovers(ControlPlane plane, @TempDir Path root) throws Exception {
        Tier.requireSandbox();
        try (KubernetesClient admin = plane.admin()) {
            // Other tests' monitors share this API server; this one must govern alone.
            if (admin.namespaces().withName("homelab-assistant-system").get() != null) {
                admin.resources(VolSyncMonitor.class).inNamespace("homelab-assistant-system").delete();
            }
            try (InputStream in = Files.newInputStream(RealApiServerTest.AGENT_CONFIG.resolve("rbac/hub-identity.yaml"))) {
                admin.load(in).forceConflicts().serverSideApply();
            }
            SandboxLeftovers.clear(admin);
            try (Sandbox cluster = Sandbox.startOn("real", admin, root, List.of("sonarr"), null, Sandbox.DEFAULT_MONITOR_SPEC)) {
                SandboxClustersTest.awaitBackedUp(cluster, "sonarr", "initial");
                try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("real", plane.hubToken))) {
                    HubApi api = hub.api;
                    await().atMost(WAIT).until(() -> "Connected".equals(api.list("/api/clusters").get(0).getString("state")));

                    cluster.injectStaleLock("sonarr", "volsync-src-sonarr-x7k2p");
                    String sync = cluster.syncNow("sonarr");
                    await().atMost(WAIT).until(() -> api.list("/api/unlocks").stream().anyMatch(u -> "Succeeded".equals(u.getString("state"))));
                    JsonObject unlock = api.list("/api/unlocks").get(0);
                    Job job = admin.batch().v1().jobs().inNamespace(Sandbox.APPS_NAMESPACE).withName(unlock.getString("unlockJob")).get();
                    assertThat(job.getMetadata().getLabels()).containsEntry(UnlockJobMetadata.NAME_LABEL, UnlockJobMetadata.NAME);
                    assertThat(job.getStatus().getSucceeded()).as("the real Job controller's count").isEqualTo(1);
                    assertThat(cluster.locks("sonarr")).isZero();
                    SandboxClustersTest.awaitBackedUp(cluster, "sonarr", sync);
                    await().atMost(WAIT).until(() -> api.list("/api/unlocks").get(0).getString("recoveredAt") != null);
                    assertThat(admin.v1().events().inNamespace(Sandbox.APPS_NAMESPACE).list().getItems()).extracting(e -> e.getReason())
                            .as("Events created by the hub's identity").contains("LockDetected", "UnlockSucceeded");
                    assertThat(admin.v1().events().inNamespace(Sandbox.APPS_NAMESPACE).list().getItems())
                            .as("the creation told: with the detection in one Event, or on its own after a wait")
                            .anyMatch(e -> "UnlockJobCreated".equals(e.getReason()) || e.getMessage().contains("created unlock Job"));
                    String table = kubectl(plane, "get", "volsyncmonitor", "-n", "homelab-assistant-system", "-o", "wide");
                    assertThat(table.lines().findFirst().orElse("")).as(table)
                            .containsSubsequence("NAME", "ENABLED", "PHASE", "ACTIVE", "CREATED", "SUCCEEDED", "FAILED", "AGE", "LAST UNLOCK", "LAST ERROR");
                    assertThat(table).as("kubectl's printer columns after one unlock")
                            .containsPattern("volsync-monitor\\s+true\\s+Active\\s+0\\s+1\\s+1\\s+0\\s+\\S+\\s+\\d+[smh]");
                    assertThat(admin.resources(VolSyncMonitor.class).inNamespace("homelab-assistant-system").withName("volsync-monitor").get()
                            .getStatus().getTotalUnlocksSucceeded()).as("status written by the hub's identity").isEqualTo(1L);
                }
            }
        }
    }
}
