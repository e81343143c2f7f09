package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.ShiftedClock;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.Tier;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tier 3, real restic: a NAS cron job ("truenas", a host no watched cluster can place) runs a
 * restic check of an app's repository and holds its exclusive lock, refreshing it every 5
 * minutes as restic does, for longer than restic's stale age (30 minutes). The app's mover fails
 * on that lock, and the hub waits: it cannot prove the holder gone, so it may only do what restic
 * itself would do once the lock could be stale, a plain {@code restic unlock}. That unlock finds a
 * fresh lock and leaves it in place, and the unlock goes back to waiting for the holder. Removing
 * it with {@code unlock --remove-all} because 30 minutes passed since the age the mover printed
 * would break a live check on the NAS.
 *
 * <p>The 30 minutes are simulated on the hub's clock alone (a {@link ShiftedClock} moved on by 35
 * minutes): restic, the lock files and the API server stay in real time, where the NAS's lock is
 * seconds old, just as a lock refreshed every 5 minutes is never older than that. The mover's log
 * is restic's own, untouched.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NasLiveLockTest {
    static final String NS = Sandbox.APPS_NAMESPACE;
    static final String APP = "paperless";
    static final String NAS = "truenas";
    static final Duration STEP = Duration.ofSeconds(30);
    /** Longer than restic's stale age (30 minutes), as a long check on the NAS runs: the hub may now unlock, plainly. */
    static final Duration HELD_FOR = Duration.ofMinutes(35);

    Path root;
    TestCluster cluster;
    Sandbox sandbox;
    HubFixture hub;
    final ShiftedClock clock = new ShiftedClock();
    Process nas;

    @BeforeEach
    void start() throws Exception {
        Tier.requireSandbox();
        root = Files.createTempDirectory("nas-live-lock-test");
        cluster = Backend.MOCK.start("homelab-nas-lock");
        sandbox = cluster.sandbox(root.resolve("cluster"), List.of(APP), Sandbox.DEFAULT_MONITOR_SPEC);
        SandboxClustersTest.awaitBackedUp(sandbox, APP, "initial");
        hub = HubFixture.startOnClock(Vertx.vertx(), Duration.ofSeconds(1), clock, Backend.kubeconfig(root.resolve("hub"), List.of(cluster)));
    }

    @AfterEach
    void stop() throws Exception {
        if (nas != null) {
            nas.destroyForcibly().waitFor();
        }
        // The hub first: it would reconnect to whatever server gets the closed cluster's port next.
        Teardown.close(root, hub, sandbox, cluster);
    }

    @Test
    void plainUnlockLeavesTheLiveLockOfANasCheckInPlaceAndTheUnlockWaitsAgain() throws Exception {
        Instant started = Instant.now();
        String nasLock = startNasCheck();
        assertThat(resticOnRepository("cat", "lock", nasLock, "--no-lock").text())
                .as("the NAS's lock as restic stored it").contains("\"hostname\": \"" + NAS + "\"", "\"exclusive\": true");

        sandbox.syncNow(APP);
        Pod failed = awaitFailedMoverPod();
        assertThat(cluster.client().pods().inNamespace(NS).withName(failed.getMetadata().getName()).getLog())
                .as("the mover's log: restic's own lock error").contains("repository is already locked exclusively by PID", "on " + NAS, "ERROR:");
        String podUid = failed.getMetadata().getUid();
        await().atMost(STEP).until(() -> state(podUid).equals("WaitingForHolder"));
        assertThat(hub.unlock(podUid).getString("holder")).startsWith(NAS);
        assertThat(unlockJobs()).as("unlock Jobs while the NAS's lock is younger than 30 minutes").isEmpty();

        // The check on the NAS goes on for longer than the stale age, refreshing its lock every 5 minutes.
        clock.advance(HELD_FOR);
        await().atMost(STEP).until(() -> !unlockJobs().isEmpty());
        Job unlock = unlockJobs().get(0);
        await().atMost(STEP).until(() -> finished(unlock.getMetadata().getName()));

        List<String> locksAfter = lockIds();
        String afterwards = locksAfter.contains(nasLock) ? "the NAS's lock is still in the repository"
                : "it removed the NAS's live lock " + nasLock + " while the check " + (nas.isAlive() ? "still runs" : "is gone");
        assertThat(unlock.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .as("the unlock Job's args, for a lock of %s, a host the hub cannot place: plain restic unlock, which removes only"
                        + " locks restic itself calls stale, never --remove-all (after the Job %s ran, %s)", NAS, unlock.getMetadata().getName(), afterwards)
                .containsExactly("unlock");
        assertThat(locksAfter).as("locks in the repository after the unlock Job %s ran", unlock.getMetadata().getName()).contains(nasLock);
        assertThat(nas.isAlive()).as("the NAS's check still runs").isTrue();
        assertThat(unlockPodLog(unlock.getMetadata().getName())).as("the unlock pod ran the real restic").contains("successfully removed locks");

        // Nothing was removed. restic 0.15+ says so (silence): the record waits for the holder again. Debian's restic 0.14
        // prints "successfully removed locks" whatever it did: the record ends saying its log cannot tell, and VolSync's
        // next try of the mover meets the NAS's lock again, which waits for its holder: never a --remove-all.
        await().atMost(STEP).until(() -> state(podUid).equals("WaitingForHolder") || state(podUid).equals("Succeeded"));
        JsonObject waiting = hub.unlock(podUid);
        if (waiting.getString("state").equals("Succeeded")) {
            assertThat(waiting.getString("reason")).as("restic 0.14's unlock does not say what it removed")
                    .contains("does not say whether it removed the lock");
            await().atMost(STEP).until(() -> failedMoverPods().stream().map(p -> p.getMetadata().getUid())
                    .anyMatch(uid -> !uid.equals(podUid) && state(uid).equals("WaitingForHolder")));
            String retry = failedMoverPods().stream().map(p -> p.getMetadata().getUid())
                    .filter(uid -> !uid.equals(podUid) && state(uid).equals("WaitingForHolder")).findFirst().orElseThrow();
            waiting = hub.unlock(retry);
            assertThat(waiting.getString("reason")).as("the retry's lock age is fresh: the NAS refreshed it")
                    .contains("once the lock could be stale");
        }
        assertThat(unlockJobs()).as("unlock Jobs of %s", APP).allSatisfy(j -> assertThat(j.getSpec().getTemplate().getSpec()
                .getContainers().get(0).getArgs()).doesNotContain("--remove-all"));
        assertThat(lockIds()).contains(nasLock);
        System.out.printf("NAS live lock: unlock %s back to %s (%s) after %d ms%n", unlock.getMetadata().getName(),
                waiting.getString("state"), waiting.getString("reason"), Duration.between(started, Instant.now()).toMillis());

        // The NAS's check dies (SIGKILL): its lock stays, and becomes stale only 30 minutes after its last refresh, in real time.
        nas.destroyForcibly().waitFor();
        assertThat(lockIds()).as("a killed holder's lock stays until restic calls it stale").contains(nasLock);
    }

    /**
     * The NAS cron job: {@code restic check --read-data} at 1 KiB/s of the app's repository (its
     * random 256 KiB database keeps it reading for minutes), a local process outside any pod with
     * its own hostname. Returns the ID of its exclusive lock once restic wrote it.
     */
    private String startNasCheck() throws Exception {
        assertThat(lockIds()).as("locks before the NAS's check").isEmpty();
        nas = process(List.of("unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec restic \"$@\"", NAS,
                "check", "--read-data", "--limit-download", "1"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("nas-check.log").toFile())).start();
        nas.getOutputStream().close();
        await().atMost(STEP).until(() -> !nas.isAlive() || lockIds().size() == 1);
        assertThat(nas.isAlive()).as("the NAS's check runs (%s)", root.resolve("nas-check.log")).isTrue();
        return lockIds().get(0);
    }

    private record Output(int exit, String text) {
    }

    private Output resticOnRepository(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("restic"));
        argv.addAll(List.of(args));
        Process p = process(argv).start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("restic " + argv + " did not finish");
        }
        return new Output(p.exitValue(), text);
    }

    /** The lock IDs restic lists, read without taking a lock. */
    private List<String> lockIds() throws IOException, InterruptedException {
        Output list = resticOnRepository("list", "locks", "--no-lock");
        if (list.exit() != 0) {
            throw new IllegalStateException("restic list locks failed: " + list.text());
        }
        return list.text().lines().map(String::strip).filter(l -> l.matches("[0-9a-f]{64}")).toList();
    }

    private ProcessBuilder process(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("RESTIC_REPOSITORY", sandbox.repository(APP).toString());
        pb.environment().put("RESTIC_PASSWORD", Sandbox.PASSWORD);
        pb.environment().put("RESTIC_CACHE_DIR", root.resolve("nas-cache").toString());
        return pb;
    }

    private Pod awaitFailedMoverPod() {
        await().atMost(STEP).until(() -> !failedMoverPods().isEmpty());
        return failedMoverPods().get(0);
    }

    private List<Pod> failedMoverPods() {
        return cluster.client().pods().inNamespace(NS).withLabel("job-name", "volsync-src-" + APP).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()))
                .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp())).toList();
    }

    private List<Job> unlockJobs() {
        return HubFixture.unlockJobs(cluster.client(), NS).stream()
                .filter(j -> ("volsync-src-" + APP).equals(j.getMetadata().getLabels().get(UnlockJobMetadata.FAILED_JOB_LABEL)))
                .sorted(java.util.Comparator.comparing(j -> j.getMetadata().getCreationTimestamp())).toList();
    }

    private boolean finished(String job) {
        Job j = cluster.client().batch().v1().jobs().inNamespace(NS).withName(job).get();
        return j != null && j.getStatus() != null && (j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0
                || j.getStatus().getConditions() != null && j.getStatus().getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    private String unlockPodLog(String job) {
        return cluster.client().pods().inNamespace(NS).withLabel("job-name", job).list().getItems().stream()
                .map(p -> cluster.client().pods().inNamespace(NS).withName(p.getMetadata().getName()).getLog())
                .reduce("", String::concat);
    }

    private String state(String podUid) {
        JsonObject unlock = hub.unlock(podUid);
        return unlock == null ? "" : unlock.getString("state", "");
    }
}
