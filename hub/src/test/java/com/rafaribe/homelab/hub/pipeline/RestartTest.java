package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.WAIT;
import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.cluster.ClusterVerticle;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Map;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hub killed at each step of an unlock and started again: state lives in the cluster
 * (unlock Jobs' annotations, the monitor's status), so there is still exactly one unlock Job per
 * failed pod, counters continue, and nothing is deleted twice. "Killed" is the hub's Vertx closed
 * at once from an event-bus interceptor: nothing is flushed, as with a SIGKILL. On a mock API
 * server and a real control plane.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class RestartTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    @Parameter
    Backend backend;
    static TestCluster cluster;
    static Path dir;
    static Path kubeconfig;
    Vertx vertx;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        cluster = backend.start("home");
        // One monitor per test namespace, so that each test reads counters only its own unlocks move.
        for (String ns : new String[] {"kill-detect", "kill-create", "kill-status", "kill-finish", "while-down", "vs-deleted"}) {
            VolSyncWorld.applyMonitor(cluster, """
                    apiVersion: homelab.rafaribe.com/v1alpha1
                    kind: VolSyncMonitor
                    metadata: {name: m-%s, namespace: homelab-assistant-system}
                    spec: {enabled: true, removeFailedJobs: true, jobSelector: {namespaces: [%s]}}
                    """.formatted(ns, ns));
        }
        dir = Files.createTempDirectory("restart-test");
        kubeconfig = Backend.kubeconfig(dir, List.of(cluster));
    }

    @AfterEach
    void closeHub() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    static void stop() throws Exception {
        Teardown.close(dir, cluster);
        cluster = null;
    }

    @AfterAll
    static void checkBlockedThreads() {
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    /** Starts a hub that is killed when {@code point} passes the bus (delivered first, or dropped). */
    CountDownLatch startHubKilledAt(Predicate<Object> point, boolean deliver) throws Exception {
        Vertx hubVertx = Vertx.vertx();
        CountDownLatch killed = new CountDownLatch(1);
        AtomicBoolean fired = new AtomicBoolean();
        hubVertx.eventBus().addOutboundInterceptor((DeliveryContext<Object> ctx) -> {
            if (!fired.get() && point.test(ctx.body()) && fired.compareAndSet(false, true)) {
                if (deliver) {
                    ctx.next();
                }
                hubVertx.close().onComplete(ar -> killed.countDown());
                return;
            }
            ctx.next();
        });
        HubFixture.startUnready(hubVertx, Duration.ofSeconds(1), kubeconfig);
        return killed;
    }

    HubFixture startHub() throws Exception {
        vertx = Vertx.vertx();
        return HubFixture.start(vertx, Duration.ofSeconds(1), null, kubeconfig);
    }

    static long counter(Long value) {
        return value == null ? 0 : value;
    }

    static VolSyncMonitorStatus status(String ns) {
        VolSyncMonitorStatus s = HubFixture.status(cluster, "m-" + ns);
        return s == null ? new VolSyncMonitorStatus() : s;
    }

    static Mover fail(String ns) {
        return VolSyncWorld.failMover(cluster, ns, "app", UUID.randomUUID().toString().substring(0, 5), "app-restic",
                VolSyncWorld.lockLog("volsync-src-app-zzzzz", "1m"));
    }

    void assertOneUnlockAfterRestart(String ns, Mover mover, long createdBefore) throws Exception {
        startHub();
        await().atMost(WAIT).until(() -> unlockJobs(cluster, ns).size() == 1);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(counter(status(ns).getTotalUnlocksCreated())).isEqualTo(createdBefore + 1);
            assertThat(status(ns).getProcessedJobs()).filteredOn(p -> mover.pod().getMetadata().getUid().equals(p.getPodUid()))
                    .singleElement().satisfies(p -> assertThat(p.getUnlockJobName()).isNotNull());
        });
        assertThat(unlockJobs(cluster, ns)).hasSize(1);
    }

    @Test
    void aPodThatFailedWhileNoHubRanIsHandledWhenOneStarts() throws Exception {
        String ns = "while-down";
        Mover mover = fail(ns);
        assertOneUnlockAfterRestart(ns, mover, 0);
        assertThat(counter(status(ns).getTotalLockErrorsDetected())).isEqualTo(1);
    }

    @Test
    void aJobVolSyncDeletedWhileNoHubRanIsHandledFromLatestMoverStatus() throws Exception {
        String ns = "vs-deleted";
        VolSyncWorld.ensureNamespace(cluster.client(), ns);
        GenericKubernetesResource rs = new GenericKubernetesResource();
        rs.setApiVersion("volsync.backube/v1alpha1");
        rs.setKind("ReplicationSource");
        rs.setMetadata(new ObjectMetaBuilder().withName("bookstack").withNamespace(ns).build());
        rs.setAdditionalProperty("spec", Map.of("sourcePVC", "bookstack-data", "restic", Map.of("repository", "bookstack-restic")));
        var sources = cluster.client().genericKubernetesResources(ClusterVerticle.REPLICATION_SOURCES).inNamespace(ns);
        rs = sources.resource(rs).create();
        // Through the status subresource, as VolSync writes it.
        rs.setAdditionalProperty("status", Map.of("latestMoverStatus", Map.of("result", "Failed", "time", "2026-11-26T03:00:00Z",
                "logs", VolSyncWorld.lockLog("volsync-src-bookstack-q1q1q", "1m"))));
        rs = sources.resource(rs).updateStatus();
        // VolSync deleted the Job after 8 failed pods and created it again; no pod of it exists yet (parallelism 0 keeps
        // a real Job controller from making one).
        Job recreated = VolSyncObjects.sourceJob(ns, "bookstack", rs.getMetadata().getUid(), null);
        recreated.getMetadata().setUid(null);
        recreated.getSpec().setParallelism(0);
        cluster.client().batch().v1().jobs().inNamespace(ns).resource(recreated).create();

        startHub();
        await().atMost(WAIT).until(() -> unlockJobs(cluster, ns).size() == 1);
        Job unlock = unlockJobs(cluster, ns).get(0);
        assertThat(unlock.getMetadata().getAnnotations()).containsEntry(UnlockJobMetadata.FAILED_JOB, "volsync-src-bookstack")
                .containsEntry(UnlockJobMetadata.APP, "ReplicationSource/bookstack");
        assertThat(unlock.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName()).isEqualTo("RESTIC_REPOSITORY"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(counter(status(ns).getTotalUnlocksCreated())).isEqualTo(1));
    }

    @Test
    void killedAfterDetectionBeforeTheJobIsCreated() throws Exception {
        String ns = "kill-detect";
        long created = counter(status(ns).getTotalUnlocksCreated());
        long detected = counter(status(ns).getTotalLockErrorsDetected());
        CountDownLatch killed = startHubKilledAt(body -> body instanceof ClusterCommand.CreateJob, false);
        Mover mover = fail("kill-detect");
        assertThat(killed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unlockJobs(cluster, "kill-detect")).isEmpty();
        assertOneUnlockAfterRestart("kill-detect", mover, created);
        assertThat(counter(status(ns).getTotalLockErrorsDetected())).isEqualTo(detected + 1);
    }

    @Test
    void killedRightAfterTheJobWasCreated() throws Exception {
        String ns = "kill-create";
        long created = counter(status(ns).getTotalUnlocksCreated());
        CountDownLatch killed = startHubKilledAt(body -> body instanceof CommandReply.JobCreated, true);
        Mover mover = fail("kill-create");
        assertThat(killed.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> unlockJobs(cluster, "kill-create").size() == 1);
        assertOneUnlockAfterRestart("kill-create", mover, created);
    }

    @Test
    void killedAfterTheStatusWrite() throws Exception {
        String ns = "kill-status";
        long created = counter(status(ns).getTotalUnlocksCreated());
        AtomicBoolean jobCreated = new AtomicBoolean();
        CountDownLatch killed = startHubKilledAt(body -> {
            if (body instanceof CommandReply.JobCreated) {
                jobCreated.set(true);
            }
            return jobCreated.get() && body instanceof CommandReply.StatusWritten;
        }, true);
        Mover mover = fail("kill-status");
        assertThat(killed.await(30, TimeUnit.SECONDS)).isTrue();
        assertOneUnlockAfterRestart("kill-status", mover, created);
    }

    @Test
    void killedAfterTheUnlockFinishedAndBeforeTheFailedJobWasRemoved() throws Exception {
        String ns = "kill-finish";
        HubFixture first = startHub();
        long succeeded = counter(status(ns).getTotalUnlocksSucceeded());
        long removed = counter(status(ns).getTotalFailedJobsRemoved());
        Mover mover = fail("kill-finish");
        await().atMost(WAIT).until(() -> unlockJobs(cluster, "kill-finish").size() == 1);
        await().atMost(WAIT).until(() -> first.unlock(mover.pod().getMetadata().getUid()) != null
                && "Running".equals(first.unlock(mover.pod().getMetadata().getUid()).getString("state")));
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx = null;

        // The unlock finishes while no hub runs; the next hub is killed before it removes the failed Job.
        VolSyncWorld.finishJob(cluster, unlockJobs(cluster, "kill-finish").get(0), true);
        CountDownLatch killed = startHubKilledAt(body -> body instanceof ClusterCommand.DeleteFailedJob, false);
        assertThat(killed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(cluster.client().batch().v1().jobs().inNamespace("kill-finish").withName("volsync-src-app").get()).isNotNull();

        startHub();
        await().atMost(WAIT).until(() -> cluster.client().batch().v1().jobs().inNamespace("kill-finish").withName("volsync-src-app").get() == null);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(counter(status(ns).getTotalUnlocksSucceeded())).isEqualTo(succeeded + 1);
            assertThat(counter(status(ns).getTotalFailedJobsRemoved())).isEqualTo(removed + 1);
        });
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx = null;

        // VolSync re-creates the Job under the same name: a restarted hub must not delete that newer Job.
        Job recreated = VolSyncObjects.sourceJob("kill-finish", "app", VolSyncWorld.replicationSourceUid(cluster.client(), "kill-finish", "app"), null);
        recreated.getMetadata().setUid(null);
        recreated.getSpec().setParallelism(0);
        cluster.client().batch().v1().jobs().inNamespace("kill-finish").resource(recreated).create();
        HubFixture third = startHub();
        await().atMost(WAIT).until(() -> third.unlock(mover.pod().getMetadata().getUid()) != null);
        assertThat(third.unlock(mover.pod().getMetadata().getUid()).getString("state")).isEqualTo("Succeeded");
        assertThat(cluster.client().batch().v1().jobs().inNamespace("kill-finish").withName("volsync-src-app").get()).isNotNull();
        assertThat(counter(status(ns).getTotalUnlocksSucceeded())).isEqualTo(succeeded + 1);
        assertThat(unlockJobs(cluster, "kill-finish")).hasSize(1);
    }
}
