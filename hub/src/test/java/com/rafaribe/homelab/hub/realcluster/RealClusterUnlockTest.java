package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
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
import java.util.Set;
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
    static final int RACE_ROUNDS = 4;

    /** The user's own view: kubectl (Debian's kubernetes-client, or whatever kubectl the machine has) against the admin token. */
    static String kubectl(ControlPlane plane, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", plane.kubeconfig("kubectl", plane.adminToken).toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("kubectl " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    /** The unlock of the newest failure: the API lists them in the order they last changed. */
    static JsonObject newest(HubApi api) {
        return api.list("/api/unlocks").stream().max(java.util.Comparator.comparing(u -> u.getString("detectedAt"))).orElseThrow();
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

                    // The real Job controller starts the failed mover's next pod at once; when it starts before the unlock pod
                    // has run, the Job is withdrawn (race 1). If its pod ran anyway, that next pod backs up and the unlock ends
                    // as not needed: a round that raced so is checked, and the lock is made again.
                    String sync = null;
                    JsonObject unlock = null;
                    int created = 0;
                    for (int round = 0; round < RACE_ROUNDS && unlock == null; round++) {
                        cluster.injectStaleLock("sonarr", "volsync-src-sonarr-x7k2p");
                        sync = cluster.syncNow("sonarr");
                        int before = round;
                        await().atMost(WAIT).until(() -> api.list("/api/unlocks").size() > before && Set.of("Succeeded", "Cancelled", "Failed")
                                .contains(newest(api).getString("state")));
                        JsonObject last = newest(api);
                        created++;
                        if ("Succeeded".equals(last.getString("state"))) {
                            unlock = last;
                        } else {
                            assertThat(last.getString("state") + ": " + last.getString("reason")).as("a raced round")
                                    .startsWith("Cancelled").contains("of the repository succeeded after the lock was seen");
                            assertThat(last.getString("recoveredAt")).isNotNull();
                            SandboxClustersTest.awaitBackedUp(cluster, "sonarr", sync);
                        }
                    }
                    assertThat(unlock).as("an unlock that ran unraced in " + RACE_ROUNDS + " rounds").isNotNull();
                    Job job = admin.batch().v1().jobs().inNamespace(Sandbox.APPS_NAMESPACE).withName(unlock.getString("unlockJob")).get();
                    assertThat(job.getMetadata().getLabels()).containsEntry(UnlockJobMetadata.NAME_LABEL, UnlockJobMetadata.NAME);
                    assertThat(job.getStatus().getSucceeded()).as("the real Job controller's count").isEqualTo(1);
                    assertThat(cluster.locks("sonarr")).isZero();
                    SandboxClustersTest.awaitBackedUp(cluster, "sonarr", sync);
                    String unlocked = unlock.getString("failedPodUid");
                    await().atMost(WAIT).until(() -> api.list("/api/unlocks").stream()
                            .anyMatch(u -> unlocked.equals(u.getString("failedPodUid")) && u.getString("recoveredAt") != null));
                    assertThat(admin.v1().events().inNamespace(Sandbox.APPS_NAMESPACE).list().getItems()).extracting(e -> e.getReason())
                            .as("Events created by the hub's identity").contains("LockDetected", "UnlockSucceeded");
                    assertThat(admin.v1().events().inNamespace(Sandbox.APPS_NAMESPACE).list().getItems())
                            .as("the creation told: with the detection in one Event, or on its own after a wait")
                            .anyMatch(e -> "UnlockJobCreated".equals(e.getReason()) || e.getMessage().contains("created unlock Job"));
                    // The status is written a second after it changes: wait for the write that carries the unlock's end.
                    int rounds = created;
                    await().atMost(WAIT).untilAsserted(() -> {
                        VolSyncMonitorStatus status = admin.resources(VolSyncMonitor.class).inNamespace("homelab-assistant-system")
                                .withName("volsync-monitor").get().getStatus();
                        assertThat(status).as("status written by the hub's identity").isNotNull();
                        assertThat(status.getTotalUnlocksSucceeded()).as("status written by the hub's identity").isEqualTo(1L);
                        long createdJobs = status.getTotalUnlocksCreated();
                        assertThat(createdJobs).as("one unlock Job per round, and one more per race").isGreaterThanOrEqualTo(rounds);
                        String table = kubectl(plane, "get", "volsyncmonitor", "-n", "homelab-assistant-system", "-o", "wide");
                        assertThat(table.lines().findFirst().orElse("")).as(table)
                                .containsSubsequence("NAME", "ENABLED", "PHASE", "ACTIVE", "CREATED", "SUCCEEDED", "FAILED", "AGE", "LAST UNLOCK", "LAST ERROR");
                        assertThat(table).as("kubectl's printer columns after one unlock")
                                .containsPattern("volsync-monitor\\s+true\\s+Active\\s+0\\s+" + createdJobs + "\\s+1\\s+0\\s+\\S+\\s+\\d+[smh]");
                    });
                }
            }
        }
    }
}
