package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.FAILED_POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.TestData;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two mock API servers as two clusters, one kubeconfig with both contexts, the hub as `run` starts it. */
@ExtendWith(VertxExtension.class)
class PipelineTest {
    static final Duration WAIT = HubFixture.WAIT;
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();

    static SandboxApiServer east;
    static SandboxApiServer west;
    static HubFixture fixture;
    static HubApi api;

    @BeforeAll
    static void startHub(Vertx vertx, @TempDir Path dir) throws Exception {
        east = SandboxApiServer.start("east");
        west = SandboxApiServer.start("west");
        for (SandboxApiServer c : List.of(east, west)) {
            VolSyncWorld.applyHubMonitor(c, "{enabled: true, ttlSecondsAfterFinished: 3600, removeFailedJobs: true}");
        }
        fixture = HubFixture.start(vertx, dir, HubConfig.DEFAULT_RESYNC, east, west);
        api = fixture.api;
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        east.close();
        west.close();
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    static List<Job> unlockJobs(SandboxApiServer cluster, String namespace) {
        return HubFixture.unlockJobs(cluster, namespace);
    }

    static List<String> eventReasons(SandboxApiServer cluster, String namespace) {
        return HubFixture.eventReasons(cluster, namespace);
    }

    static VolSyncMonitorStatus status(SandboxApiServer cluster) {
        return HubFixture.status(cluster, "volsync-monitor");
    }

    @Test
    void aLockFailureInEitherClusterGetsExactlyOneUnlockJobThere() {
        for (SandboxApiServer cluster : List.of(east, west)) {
            String ns = "media-" + cluster.name;
            VolSyncMonitorStatus initial = status(cluster);
            long created = initial == null || initial.getTotalUnlocksCreated() == null ? 0 : initial.getTotalUnlocksCreated();
            long detected = initial == null || initial.getTotalLockErrorsDetected() == null ? 0 : initial.getTotalLockErrorsDetected();
            long succeeded = initial == null || initial.getTotalUnlocksSucceeded() == null ? 0 : initial.getTotalUnlocksSucceeded();
            long removed = initial == null || initial.getTotalFailedJobsRemoved() == null ? 0 : initial.getTotalFailedJobsRemoved();
            long before = System.nanoTime();
            // The holder is an earlier attempt of the same Job, which no longer exists: provably gone.
            Mover mover = VolSyncWorld.failMover(cluster, ns, "jellyfin", "b2c3d", "jellyfin-restic",
                    VolSyncWorld.lockLog("volsync-src-jellyfin-a1b2c", "3m2s"));
            await().atMost(WAIT).until(() -> unlockJobs(cluster, ns).size() == 1);
            System.out.printf("cluster %s: unlock Job created %d ms after the pod failed%n", cluster.name,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before));
            Job unlock = unlockJobs(cluster, ns).get(0);
            assertThat(unlock.getMetadata().getAnnotations()).containsEntry(FAILED_POD_UID, mover.pod().getMetadata().getUid())
                    .containsEntry(UnlockJobMetadata.CLUSTER, cluster.name);
            assertThat(unlock.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("unlock", "--remove-all");
            SandboxApiServer other = cluster == east ? west : east;
            assertThat(unlockJobs(other, ns)).as("nothing in the other cluster").isEmpty();
            assertThat(fixture.failure(mover.pod().getMetadata().getUid()).getString("decision"))
                    .as("/api/failures lists every failed mover pod").isEqualTo("unlocked");

            await().atMost(WAIT).untilAsserted(() -> {
                VolSyncMonitorStatus s = status(cluster);
                assertThat(s).isNotNull();
                assertThat(s.getTotalUnlocksCreated()).isEqualTo(created + 1);
                assertThat(s.getTotalLockErrorsDetected()).isEqualTo(detected + 1);
                assertThat(s.getProcessedJobs()).anySatisfy(p -> assertThat(p.getPodUid()).isEqualTo(mover.pod().getMetadata().getUid()));
                assertThat(s.getActiveUnlocks()).anySatisfy(a -> assertThat(a.getPodUid()).isEqualTo(mover.pod().getMetadata().getUid()));
            });
            // Detected and created at once: one Event says both.
            assertThat(cluster.client().v1().events().inNamespace(ns).list().getItems())
                    .filteredOn(e -> e.getInvolvedObject().getName().equals(mover.job().getMetadata().getName()))
                    .singleElement().satisfies(e -> {
                        assertThat(e.getReason()).isEqualTo("LockDetected");
                        assertThat(e.getMessage()).contains("volsync-src-jellyfin-a1b2c")
                                .contains("created unlock Job " + unlock.getMetadata().getName());
                    });
            await().atMost(WAIT).until(() -> fixture.unlock(mover.pod().getMetadata().getUid()) != null
                    && "Running".equals(fixture.unlock(mover.pod().getMetadata().getUid()).getString("state")));

            VolSyncWorld.finishJob(cluster, unlock, true);
            await().atMost(WAIT).untilAsserted(() -> {
                VolSyncMonitorStatus s = status(cluster);
                assertThat(s).isNotNull();
                assertThat(s.getTotalUnlocksSucceeded()).isEqualTo(succeeded + 1);
                assertThat(s.getActiveUnlocks()).noneSatisfy(a -> assertThat(a.getPodUid()).isEqualTo(mover.pod().getMetadata().getUid()));
                assertThat(s.getTotalFailedJobsRemoved()).isEqualTo(removed + 1);
            });
            assertThat(cluster.client().batch().v1().jobs().inNamespace(ns).withName(mover.job().getMetadata().getName()).get())
                    .as("removeFailedJobs deleted the failed mover Job").isNull();
            await().atMost(WAIT).until(() -> eventReasons(cluster, ns).contains("UnlockSucceeded"));
            JsonObject view = fixture.unlock(mover.pod().getMetadata().getUid());
            assertThat(view.getString("state")).isEqualTo("Succeeded");
            assertThat(view.getString("app")).isEqualTo("jellyfin");
            assertThat(view.getString("holder")).contains("volsync-src-jellyfin-a1b2c");
            assertThat(unlockJobs(cluster, ns)).hasSize(1);
        }
    }

    @Test
    void aFailureThatIsNotALockGetsNoUnlockAndSaysWhy() throws Exception {
        String ns = "db-" + east.name;
        // Wrong password, no space left, an unreadable source file: real restic output from the corpus.
        List<String> logs = List.of(VolSyncWorld.WRONG_PASSWORD_LOG,
                java.nio.file.Files.readString(TestData.corpus().resolve("079-volsync-no-space-left.log")),
                java.nio.file.Files.readString(TestData.corpus().resolve("046-unreadable-source-dir.log")));
        for (int i = 0; i < logs.size(); i++) {
            Mover mover = VolSyncWorld.failMover(east, ns, "postgres" + i, "x9y8" + i, "postgres-restic", logs.get(i));
            String uid = mover.pod().getMetadata().getUid();
            await().atMost(WAIT).until(() -> fixture.failure(uid) != null);
            JsonObject failure = fixture.failure(uid);
            assertThat(failure.getString("decision")).isEqualTo("not-a-lock");
            assertThat(failure.getString("reason")).isEqualTo("no lock conflict in the log");
            assertThat(failure.getString("cluster")).isEqualTo("east");
        }
        assertThat(unlockJobs(east, ns)).isEmpty();
        assertThat(eventReasons(east, ns)).doesNotContain("LockDetected");
    }

    @Test
    void a50MbLogIsNeverReadBeyondItsTail() {
        String ns = "big-" + west.name;
        String progress = String.format("%-99s%n", "[0:10] 41.22%  1311 files 1.925 GiB, total 3180 files 4.671 GiB, 0 errors ETA 0:14");
        // The lock error first, then 50 MB of progress lines: what the hub reads (the last 500 lines) holds no error.
        String errorFirst = VolSyncWorld.lockLog("volsync-src-immich-zzzzz", "1m") + progress.repeat(500_000);
        Mover early = VolSyncWorld.failMover(west, ns, "immich", "j1j1j", "immich-restic", errorFirst);
        String uid = early.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.failure(uid) != null);
        assertThat(fixture.failure(uid).getString("decision")).isEqualTo("not-a-lock");
        assertThat(west.logRequests).filteredOn(r -> r.contains(early.pod().getMetadata().getName()))
                .singleElement().satisfies(r -> assertThat(r).contains("tailLines=500"));
        assertThat(unlockJobs(west, ns)).isEmpty();

        // One 50 MB line and then the error: the tail streams through a 64 KiB buffer and the error is found.
        String errorLast = "x".repeat(50 * 1024 * 1024) + "\n" + VolSyncWorld.lockLog("volsync-src-photos-zzzzz", "1m");
        VolSyncWorld.failMover(west, ns, "photos", "k1k1k", "photos-restic", errorLast);
        await().atMost(WAIT).until(() -> unlockJobs(west, ns).size() == 1);
    }

    @Test
    void theApiListsBothClustersConnected() {
        List<JsonObject> clusters = api.list("/api/clusters");
        assertThat(clusters).extracting(c -> c.getString("name")).containsExactly("east", "west");
        assertThat(clusters).allSatisfy(c -> {
            assertThat(c.getString("state")).isEqualTo("Connected");
            assertThat(c.getString("server")).startsWith("http://127.0.0.1:");
            assertThat(c.getInteger("monitors")).isEqualTo(1);
        });
        assertThat(api.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(api.list("/api/monitors")).extracting(m -> m.getString("cluster") + "/" + m.getString("name"))
                .contains("east/volsync-monitor", "west/volsync-monitor");
    }
}
