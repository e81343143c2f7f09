package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.HUB_NS;
import static com.rafaribe.homelab.hub.testing.HubFixture.WAIT;
import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Never remove a live lock; never more unlocks than allowed; stop after repeated failures. On mock API servers and real control planes. */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class SafetyTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    @Parameter
    Backend backend;
    static Path dir;
    static TestCluster north;
    static TestCluster south;
    static HubFixture fixture;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        List<TestCluster> clusters = backend.start("north", "south");
        north = clusters.get(0);
        south = clusters.get(1);
        for (TestCluster c : clusters) {
            VolSyncWorld.applyHubMonitor(c, "{enabled: true, maxConcurrentUnlocks: 2}");
        }
        dir = Files.createTempDirectory("safety-test");
        // A short re-check so that a holder outside the watched movers is looked at again quickly.
        fixture = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(1), null, Backend.kubeconfig(dir, clusters));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    static void stop() throws Exception {
        Teardown.close(dir, fixture == null ? null : fixture::close, north, south);
        fixture = null;
        north = south = null;
    }

    @AfterAll
    static void checkBlockedThreads() {
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    /**
     * Tests share the clusters' monitor and its maxConcurrentUnlocks: each ends with no unlock
     * queued or running. An unlock still queued gets its Job later, so Jobs are finished until none is left.
     */
    @AfterEach
    void finishRunningUnlocks() {
        await().atMost(WAIT).until(() -> {
            for (TestCluster cluster : List.of(north, south)) {
                cluster.client().batch().v1().jobs().inAnyNamespace().withLabel(UnlockJobMetadata.NAME_LABEL, UnlockJobMetadata.NAME)
                        .list().getItems().stream()
                        .filter(j -> j.getStatus() == null || (j.getStatus().getSucceeded() == null && j.getStatus().getFailed() == null))
                        .forEach(j -> VolSyncWorld.finishJob(cluster, j, true));
            }
            return fixture.api.list("/api/unlocks").stream().noneMatch(u -> Set.of("Queued", "Running").contains(u.getString("state")));
        });
    }

    static Pod holderPod(TestCluster cluster, String namespace, String name, String phase) {
        VolSyncWorld.ensureNamespace(cluster.client(), namespace);
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().addNewContainer().withName("restic").withImage("restic/restic").endContainer().endSpec().build();
        pod = cluster.client().pods().inNamespace(namespace).resource(pod).create();
        return setPhase(cluster, pod, phase);
    }

    /** Through pods/status, as a kubelet writes it. */
    static Pod setPhase(TestCluster cluster, Pod pod, String phase) {
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(phase).build());
        return cluster.client().pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    }

    /** The same NFS repository used from both clusters: its mover in the other cluster holds the lock. */
    @Test
    void aHolderRunningInTheOtherClusterKeepsTheLockUntilItEnds() {
        String nfs = "/mnt/storage-0/volsync/immich";
        // A mover of the same repository in south, Running: created before the lock it holds.
        Mover holder = VolSyncWorld.failMoverOnNfs(south, "photos", "immich", "h8d2c", "immich-restic", null, nfs);
        Pod running = setPhase(south, holder.pod(), "Running");
        // Age 0s: the holder's pod was created (a moment ago) before its lock; an older lock would make it an impostor.
        Mover mover = VolSyncWorld.failMoverOnNfs(north, "photos", "immich", "c3c3c", "immich-restic",
                VolSyncWorld.lockLog(running.getMetadata().getName(), "0s"), nfs);
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.unlock(uid) != null && "WaitingForHolder".equals(fixture.unlock(uid).getString("state")));
        assertThat(fixture.unlock(uid).getString("reason")).contains("is Running in cluster south");
        assertThat(unlockJobs(north, "photos")).isEmpty();
        await().atMost(WAIT).until(() -> HubFixture.eventReasons(north, "photos").contains("WaitingForHolder"));

        setPhase(south, running, "Succeeded");
        // A holder seen alive that ends most likely removed its own lock, and another process may hold one now: the log
        // printed while it ran no longer shows the lock table, so no --remove-all on it (a plain unlock once it could be stale).
        await().atMost(WAIT).until(() -> fixture.unlock(uid).getString("reason").contains("until a newer failure shows the lock again"));
        assertThat(fixture.unlock(uid).getString("state")).isEqualTo("WaitingForHolder");
        assertThat(unlockJobs(north, "photos")).isEmpty();

        // The next mover of the repository fails on the same lock, after the hub saw its holder gone: that proves it dead.
        VolSyncWorld.failMoverOnNfs(north, "photos", "immich", "c4c4c", "immich-restic", VolSyncWorld.lockLog(running.getMetadata().getName(), "0s"), nfs);
        await().atMost(WAIT).until(() -> unlockJobs(north, "photos").size() == 1);
        assertThat(fixture.unlock(uid).getString("reason")).contains("has terminated");
        assertThat(unlockJobs(north, "photos").get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .as("a holder proven gone: every lock is removed").containsExactly("unlock", "--remove-all");
    }

    /** Bug: a pod created after the lock with the holder's name (`kubectl run truenas`) made the hub remove a NAS's live lock. */
    @Test
    void anImpostorNamedLikeTheHolderIsNotTheHolder() {
        Pod impostor = holderPod(north, "impostor", "truenas", "Succeeded");
        Mover mover = VolSyncWorld.failMover(north, "impostor", "paperless", "i1i1i", "paperless-restic",
                VolSyncWorld.lockLog(impostor.getMetadata().getName(), "40m0s"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> unlockJobs(north, "impostor").size() == 1);
        assertThat(fixture.unlock(uid).getString("reason")).contains("truenas is not a pod the hub can place").doesNotContain("terminated");
        assertThat(unlockJobs(north, "impostor").get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .as("the impostor terminated, the real holder is unknown: restic's own stale rule only").containsExactly("unlock");
    }

    @Test
    void aLogThatCouldNotBeReadAtFirstIsReadOnTheNextRescan() {
        Mover mover = VolSyncWorld.failMover(north, "late-log", "kavita", "m1m1m", "kavita-restic", null);
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.failure(uid) != null);
        assertThat(fixture.failure(uid).getString("decision")).isEqualTo("log-unavailable");
        north.setLog("late-log", mover.pod().getMetadata().getName(), VolSyncWorld.lockLog("volsync-src-kavita-zzzzz", "1m"));
        await().atMost(WAIT).until(() -> unlockJobs(north, "late-log").size() == 1);
    }

    @Test
    void theSameEventAgainIsCountedOnTheEventAlreadyThere() {
        String log = VolSyncWorld.lockLog("volsync-src-kopia-zzzzz", "2m");
        VolSyncWorld.failMover(north, "repeat", "kopia", "k1k1k", "kopia-restic", log);
        VolSyncWorld.failMover(north, "repeat", "kopia", "k2k2k", "kopia-restic", log);
        VolSyncWorld.failMover(north, "repeat", "kopia", "k3k3k", "kopia-restic", log);
        // Three detections of one lock on one Job: the first pod's may name its unlock Job's creation too; the same Event again is a count.
        await().atMost(WAIT).untilAsserted(() -> {
            List<io.fabric8.kubernetes.api.model.Event> detected = north.client().v1().events().inNamespace("repeat").list().getItems()
                    .stream().filter(e -> "LockDetected".equals(e.getReason())).toList();
            assertThat(detected.stream().mapToInt(io.fabric8.kubernetes.api.model.Event::getCount).sum()).isEqualTo(3);
            assertThat(detected).as("the same LockDetected again bumps the count").hasSizeLessThan(3)
                    .anySatisfy(e -> assertThat(e.getCount()).isGreaterThanOrEqualTo(2));
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(unlockJobs(north, "repeat")).extracting(j -> j.getMetadata().getName()
                + " " + j.getMetadata().getUid() + " " + j.getMetadata().getDeletionTimestamp()).hasSize(1));
    }

    /** Never --remove-all for a holder the hub cannot place; a plain unlock once the lock could be stale by the age restic printed. */
    @Test
    void anUnknownHolderGetsAPlainUnlockOnceTheLockCouldBeStale() {
        Mover young = VolSyncWorld.failMover(north, "nas-young", "paperless", "d4d4d", "paperless-restic",
                VolSyncWorld.lockLog("nas-cron", "10m0s"));
        Mover old = VolSyncWorld.failMover(north, "nas-old", "paperless", "e5e5e", "paperless-restic-2",
                VolSyncWorld.lockLog("nas-cron", "40m0s"));
        await().atMost(WAIT).until(() -> unlockJobs(north, "nas-old").size() == 1);
        JsonObject waiting = fixture.unlock(young.pod().getMetadata().getUid());
        assertThat(waiting.getString("state")).isEqualTo("WaitingForHolder");
        assertThat(waiting.getString("reason")).contains("nas-cron is not a pod the hub can place").contains("once the lock could be stale");
        assertThat(unlockJobs(north, "nas-young")).isEmpty();
        assertThat(fixture.unlock(old.pod().getMetadata().getUid()).getString("reason")).contains("plain restic unlock");
        assertThat(unlockJobs(north, "nas-old").get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("unlock");
    }

    @Test
    void aBurstOf20FailuresOver5RepositoriesStaysWithinTheLimits() {
        String ns = "burst";
        List<String> repositories = List.of("repo-0", "repo-1", "repo-2", "repo-3", "repo-4");
        for (int i = 0; i < 20; i++) {
            VolSyncWorld.failMover(south, ns, "app-" + i, "f" + (10000 + i), repositories.get(i % 5),
                    VolSyncWorld.lockLog("volsync-src-app-" + i + "-zzzzz", "2m"));
        }
        Set<String> unlockedRepositories = new HashSet<>();
        Set<String> finished = new HashSet<>();
        while (finished.size() < 5) {
            // A Job whose create raced a mover's start is withdrawn (deleted) by the hub: wait until the cluster's unfinished
            // unlock Jobs are exactly those the hub reports Running, so a Job on its way out is not counted as running.
            await().atMost(WAIT).until(() -> {
                Set<String> present = unfinishedUnlockJobs(ns, finished);
                return !present.isEmpty() && present.equals(runningUnlocks(ns));
            });
            List<Job> running = unlockJobs(south, ns).stream().filter(j -> !finished.contains(j.getMetadata().getName())).toList();
            assertThat(running.size()).as("running unlocks").isLessThanOrEqualTo(2);
            Map<String, Integer> perRepository = new HashMap<>();
            running.forEach(j -> perRepository.merge(j.getMetadata().getAnnotations().get(UnlockJobMetadata.REPOSITORY_KEY), 1, Integer::sum));
            assertThat(perRepository.values()).as("unlocks per repository").allMatch(n -> n == 1);
            Job next = running.get(0);
            assertThat(unlockedRepositories.add(next.getMetadata().getAnnotations().get(UnlockJobMetadata.REPOSITORY_KEY)))
                    .as("each repository is unlocked once").isTrue();
            VolSyncWorld.finishJob(south, next, true);
            finished.add(next.getMetadata().getName());
        }
        await().atMost(WAIT).until(() -> {
            Long succeeded = HubFixture.status(south, "volsync-monitor").getTotalUnlocksSucceeded();
            return succeeded != null && succeeded >= 5;
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(unlockJobs(south, ns)).hasSize(5));
        assertThat(unlockedRepositories).hasSize(5);
        assertThat(fixture.api.list("/api/failures").stream().filter(f -> "joined".equals(f.getString("decision"))
                && ns.equals(f.getString("namespace")))).hasSize(15);
        // Only the mock's dispatcher sees each write as it arrives.
        south.statusWrites(HUB_NS, "volsync-monitor").ifPresent(writes -> {
            for (int i = 1; i < writes.size(); i++) {
                assertThat(writes.get(i) - writes.get(i - 1)).as("status writes are at least ~1 s apart").isGreaterThan(900_000_000L);
            }
            System.out.printf("burst: %d status writes for the monitor over the whole test class%n", writes.size());
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(HubFixture.status(south, "volsync-monitor").getProcessedJobs())
                .filteredOn(p -> ns.equals(p.getNamespace())).hasSize(20)
                .as("every failed pod, joined ones too, names the unlock that served it").allSatisfy(p -> assertThat(p.getUnlockJobName()).isNotNull()));
    }

    private Set<String> unfinishedUnlockJobs(String ns, Set<String> finished) {
        return unlockJobs(south, ns).stream().map(j -> j.getMetadata().getName()).filter(n -> !finished.contains(n))
                .collect(java.util.stream.Collectors.toSet());
    }

    private Set<String> runningUnlocks(String ns) {
        return fixture.api.list("/api/unlocks").stream()
                .filter(u -> south.name().equals(u.getString("cluster")) && ns.equals(u.getString("namespace"))
                        && "Running".equals(u.getString("state")) && u.getString("unlockJob") != null)
                .map(u -> u.getString("unlockJob")).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void threeFailedUnlocksOpenTheCircuitAndTheAnnotationClosesIt() {
        String ns = "circuit";
        for (int i = 0; i < 3; i++) {
            VolSyncWorld.failMover(north, ns, "vault", "g" + (1000 + i), "vault-restic", VolSyncWorld.lockLog("volsync-src-vault-zzzzz", "2m"));
            int expected = i + 1;
            await().atMost(WAIT).until(() -> unlockJobs(north, ns).size() == expected);
            Job job = unlockJobs(north, ns).stream().filter(j -> j.getStatus() == null || j.getStatus().getFailed() == null).findFirst().orElseThrow();
            VolSyncWorld.finishJob(north, job, false);
            await().atMost(WAIT).until(() -> {
                Long failed = HubFixture.status(north, "volsync-monitor").getTotalUnlocksFailed();
                return failed != null && failed >= expected;
            });
        }
        await().atMost(WAIT).until(() -> MonitorPrecedenceTest.condition(VolSyncWorld.monitor(north, HUB_NS, "volsync-monitor"), "Degraded")
                .getStatus().equals("True"));
        String degradedMetric = "volsync_hub_monitor_degraded{cluster=\"" + north.name() + "\",monitor=\"volsync-monitor\",monitor_namespace=\""
                + HUB_NS + "\"} ";
        await().atMost(WAIT).until(() -> fixture.api.get("/metrics").body().contains(degradedMetric + "1"));
        Mover blocked = VolSyncWorld.failMover(north, ns, "vault", "g2000", "vault-restic", VolSyncWorld.lockLog("volsync-src-vault-zzzzz", "2m"));
        await().atMost(WAIT).until(() -> fixture.failure(blocked.pod().getMetadata().getUid()) != null);
        assertThat(fixture.failure(blocked.pod().getMetadata().getUid()).getString("decision")).isEqualTo("circuit-open");
        assertThat(unlockJobs(north, ns)).hasSize(3);

        // A patch, as kubectl annotate sends: the hub writes the status meanwhile.
        north.client().resources(VolSyncMonitor.class).inNamespace(HUB_NS).withName("volsync-monitor").edit(m -> {
            m.getMetadata().setAnnotations(Map.of("homelab.rafaribe.com/retry-unlock", "2026-11-26T12:00"));
            return m;
        });
        await().atMost(WAIT).until(() -> MonitorPrecedenceTest.condition(VolSyncWorld.monitor(north, HUB_NS, "volsync-monitor"), "Degraded")
                .getStatus().equals("False"));
        await().atMost(WAIT).until(() -> fixture.api.get("/metrics").body().contains(degradedMetric + "0"));
        VolSyncWorld.failMover(north, ns, "vault", "g3000", "vault-restic", VolSyncWorld.lockLog("volsync-src-vault-zzzzz", "2m"));
        await().atMost(WAIT).until(() -> unlockJobs(north, ns).size() == 4);
    }
}
