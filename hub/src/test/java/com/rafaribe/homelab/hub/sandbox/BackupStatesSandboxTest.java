package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.MockCluster;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.Tier;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Tier 3, real restic: every state of the hub's backup read model, driven as it happens in a
 * cluster, and what the hub says of each in {@code /api/backups} (state and reason), and for the
 * injected locks in {@code /api/unlocks} and the UnlockSucceeded Event (why the lock was left).
 * One sandbox cluster (mock API server) whose VolSync syncs each app on the schedule
 * {@code *}{@code /1 * * * *}; the apps the test breaks are switched to manual syncs first, so a
 * scheduled run never gets in the way.
 *
 * <p>The states the hub holds only for seconds (Locked while the unlock Job runs; Late between a
 * resume and the sync it starts) are read from the hub's own event stream ({@code /api/events},
 * the {@code backup} events carry the same rows as {@code /api/backups}), so no polling interval
 * can miss them. The wait for Late (two scheduled runs after the paused app's last success)
 * starts first and overlaps every other case.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupStatesSandboxTest {
    static final String NS = Sandbox.APPS_NAMESPACE;
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String HEALTHY = "sonarr";
    static final String PAUSED = "jellyfin";
    static final String WRONG_PASSWORD = "paperless";
    static final String KILLED = "immich";
    static final String DELETED = "radarr";
    /** New data for a mover to back up: restic holds its lock while it reads it, about a second. */
    static final int NEW_DATA_BYTES = 32 * 1024 * 1024;

    static Instant started;
    static Path root;
    static TestCluster cluster;
    static Sandbox sandbox;
    static HubFixture hub;
    static BackupEvents events;
    /** Its own threads: the common pool has one thread on a 2-CPU machine, and a killer waiting there could starve. */
    static final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backup-states-test");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void start() throws Exception {
        Tier.requireSandbox();
        started = Instant.now();
        root = Files.createTempDirectory("backup-states-test");
        cluster = Backend.MOCK.start("homelab-states");
        sandbox = Sandbox.startOn(((MockCluster) cluster).api, root.resolve("cluster"),
                List.of(HEALTHY, PAUSED, WRONG_PASSWORD, KILLED, DELETED), Duration.ofMinutes(1), Sandbox.DEFAULT_MONITOR_SPEC);
        // Paused right after its first scheduled success: the two scheduled runs that make it Late pass meanwhile.
        await().atMost(WAIT).until(() -> lastSyncTime(PAUSED) != null);
        sandbox.setPaused(PAUSED, true);
        for (String app : List.of(WRONG_PASSWORD, KILLED, DELETED)) {
            await().atMost(WAIT).until(() -> lastSyncTime(app) != null);
            SandboxClustersTest.awaitBackedUp(sandbox, app, sandbox.syncNow(app));
        }
        hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, Backend.kubeconfig(root.resolve("hub"), List.of(cluster)));
        events = new BackupEvents(hub.api.get("/readyz").uri().getPort());
        System.out.printf("backup states: sandbox and hub up in %d ms%n", Duration.between(started, Instant.now()).toMillis());
    }

    @AfterAll
    static void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        background.shutdownNow();
        // The hub first: it would reconnect to whatever server gets the closed cluster's port next.
        Teardown.close(root, hub, sandbox, cluster);
        if (started != null) {
            System.out.printf("backup states: wall time %d ms%n", Duration.between(started, Instant.now()).toMillis());
        }
    }

    @Test
    @Order(1)
    void anAppThatBackedUpIsHealthy() {
        await().atMost(WAIT).until(() -> "Healthy".equals(backup(HEALTHY).getString("state")));
        JsonObject row = backup(HEALTHY);
        System.out.printf("backup states: Healthy: %s%n", row.getString("reason"));
        assertThat(row.getString("reason")).startsWith("last success at " + row.getString("lastSyncTime"));
        assertThat(row.getString("trigger")).isEqualTo("schedule");
    }

    @Test
    @Order(2)
    void aWrongPasswordFailsTheMoverAndTheBackupIsFailing() {
        Instant lastSuccess = lastSyncTime(WRONG_PASSWORD);
        sandbox.changePassword(WRONG_PASSWORD, "not-the-password");
        sandbox.syncNow(WRONG_PASSWORD);
        await().atMost(WAIT).until(() -> "Failing".equals(backup(WRONG_PASSWORD).getString("state")));
        JsonObject row = backup(WRONG_PASSWORD);
        System.out.printf("backup states: Failing: %s%n", row.getString("reason"));
        assertThat(row.getString("reason")).matches("\\d+ mover pods? failed since the last success at " + Pattern.quote(lastSuccess.toString()));
        assertThat(row.getInteger("consecutiveFailures")).isPositive();
        assertThat(row.getString("unlockState")).as("a wrong password is no lock").isNull();
    }

    @Test
    @Order(3)
    void resticKilledWithSigkillLeavesALockWhoseCauseIsExitCode137() throws Exception {
        Files.write(sandbox.data(KILLED).resolve("photos.bin"), randomBytes(KILLED));
        CompletableFuture<Pod> killed = CompletableFuture.supplyAsync(() -> call(() -> sandbox.killResticHoldingLock(KILLED, WAIT)), background);
        sandbox.syncNow(KILLED);
        Pod holder = killed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> terminated(holder) != null);
        assertThat(terminated(holder).getExitCode()).as("the killed mover's exit code").isEqualTo(137);
        assertThat(sandbox.locks(KILLED)).as("locks the killed restic left").isEqualTo(1);

        JsonObject unlock = awaitUnlockSucceeded(KILLED);
        assertThat(unlock.getString("holder")).startsWith(holder.getMetadata().getName() + " (PID ");
        assertThat(unlock.getString("cause")).isEqualTo("exited with code 137");
        assertThat(unlock.getString("causeLabel")).isEqualTo("exited");
        assertThat(succeededEvent(unlock)).contains("why the lock was left: exited with code 137");
        assertLockedThenHealthy(KILLED, holder, "exited with code 137");
    }

    @Test
    @Order(4)
    void aMoverPodDeletedWhileRunningLeavesALockWhoseCauseIsDeletedWhileRunning() throws Exception {
        Files.write(sandbox.data(DELETED).resolve("movies.bin"), randomBytes(DELETED));
        CompletableFuture<Pod> deleted = CompletableFuture.supplyAsync(() -> call(() -> sandbox.deleteRunningMover(DELETED, WAIT)), background);
        sandbox.syncNow(DELETED);
        Pod holder = deleted.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        JsonObject unlock = awaitUnlockSucceeded(DELETED);
        assertThat(unlock.getString("holder")).startsWith(holder.getMetadata().getName() + " (PID ");
        assertThat(unlock.getString("cause")).isEqualTo("deleted while running");
        assertThat(unlock.getString("causeLabel")).isEqualTo("deleted_while_running");
        assertThat(succeededEvent(unlock)).contains("why the lock was left: deleted while running");
        assertLockedThenHealthy(DELETED, holder, "deleted while running");
    }

    @Test
    @Order(5)
    void aPausedAppIsPausedAndLateOnceTheScheduleHasPassedTwice() {
        JsonObject paused = backup(PAUSED);
        Instant last = Instant.parse(paused.getString("lastSyncTime"));
        assertThat(paused.getString("state")).isEqualTo("Paused");
        System.out.printf("backup states: Paused: %s%n", paused.getString("reason"));
        assertThat(paused.getString("reason")).isEqualTo("paused (spec.paused is true): no sync runs; last success at " + last);

        // The second run of */1 after the last success; VolSync wrote no duration, so Late begins there.
        Instant secondRun = last.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(2));
        await().atMost(Duration.ofMinutes(3)).until(() -> Instant.now().isAfter(secondRun));
        sandbox.setPaused(PAUSED, false);
        // Resumed: the pause no longer explains the missed runs, until the sync the resume starts succeeds.
        await().atMost(WAIT).until(() -> events.states(PAUSED).contains("Late")
                && Instant.parse(backup(PAUSED).getString("lastSyncTime")).isAfter(last)
                && "Healthy".equals(backup(PAUSED).getString("state")));
        String late = events.reason(PAUSED, "Late");
        System.out.printf("backup states: Late: %s%n", late);
        assertThat(late).isEqualTo("no success since " + last + ": the runs scheduled at " + secondRun.minus(Duration.ofMinutes(1))
                + " and " + secondRun + " passed without one (schedule */1 * * * *)");
        List<String> states = events.states(PAUSED);
        assertThat(states.subList(states.indexOf("Late"), states.size())).as("states of %s from Late on", PAUSED).endsWith("Healthy");
    }

    /** Locked while the hub unlocked it, naming the holder's cause; then Healthy once the next backup succeeded. */
    private static void assertLockedThenHealthy(String app, Pod holder, String cause) {
        await().atMost(WAIT).until(() -> "Healthy".equals(backup(app).getString("state")));
        String locked = events.reason(app, "Locked");
        System.out.printf("backup states: Locked (%s): %s%n", app, locked);
        assertThat(locked).as("the Locked reason of %s", app).startsWith("its repository is locked: the unlock for failed pod ")
                .endsWith("(lock left by: " + cause + ")");
        List<String> states = events.states(app);
        assertThat(states.subList(states.indexOf("Locked"), states.size())).as("states of %s from Locked on", app).endsWith("Healthy");
        JsonObject healthy = backup(app);
        System.out.printf("backup states: Healthy again (%s): %s%n", app, healthy.getString("reason"));
        assertThat(Instant.parse(healthy.getString("lastSyncTime"))).as("the last success of %s", app)
                .isAfter(Instant.parse(holder.getMetadata().getCreationTimestamp()));
        assertThat(healthy.getString("unlockState")).isEqualTo("Succeeded");
    }

    private static JsonObject awaitUnlockSucceeded(String app) {
        await().atMost(WAIT).until(() -> unlocks(app).stream().anyMatch(u -> "Succeeded".equals(u.getString("state"))));
        List<JsonObject> unlocks = unlocks(app);
        assertThat(unlocks).as("unlocks of %s", app).hasSize(1);
        return unlocks.get(0);
    }

    private static List<JsonObject> unlocks(String app) {
        return hub.api.list("/api/unlocks").stream().filter(u -> app.equals(u.getString("app"))).toList();
    }

    private static String succeededEvent(JsonObject unlock) {
        await().atMost(WAIT).until(() -> succeededEvents(unlock).size() == 1);
        return succeededEvents(unlock).get(0);
    }

    private static List<String> succeededEvents(JsonObject unlock) {
        return cluster.client().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "UnlockSucceeded".equals(e.getReason()) && e.getMessage().startsWith(unlock.getString("unlockJob") + ": "))
                .map(Event::getMessage).toList();
    }

    private static JsonObject backup(String app) {
        return hub.api.list("/api/backups?namespace=" + NS).stream().filter(b -> app.equals(b.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no backup " + app + " in /api/backups"));
    }

    @SuppressWarnings("unchecked")
    private static Instant lastSyncTime(String app) {
        Object status = sandbox.replicationSource(app).getAdditionalProperties().get("status");
        Object last = status instanceof Map<?, ?> s ? ((Map<String, Object>) s).get("lastSyncTime") : null;
        return last == null ? null : Instant.parse(String.valueOf(last));
    }

    private static ContainerStateTerminated terminated(Pod pod) {
        Pod now = cluster.client().pods().inNamespace(NS).withName(pod.getMetadata().getName()).get();
        return now == null || now.getStatus() == null || now.getStatus().getContainerStatuses() == null
                || now.getStatus().getContainerStatuses().isEmpty() ? null
                : now.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    }

    /** Random, so it neither compresses nor deduplicates: the backup reads and writes all of it. */
    private static byte[] randomBytes(String seed) {
        byte[] bytes = new byte[NEW_DATA_BYTES];
        new Random(seed.hashCode()).nextBytes(bytes);
        return bytes;
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T call(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every {@code backup} event of the hub's event stream, in order: the states a backup went
     * through, including those it held for a moment only.
     */
    static final class BackupEvents implements AutoCloseable {
        private final List<JsonObject> rows = new CopyOnWriteArrayList<>();
        private final CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> stream;

        BackupEvents(int port) {
            HttpClient http = HttpClient.newHttpClient();
            stream = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            // The snapshot comes first: once it is here, no later update can be missed.
            CompletableFuture<Void> snapshot = new CompletableFuture<>();
            stream.thenAcceptAsync(response -> {
                String type = null;
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (line.startsWith("event: ")) {
                        type = line.substring("event: ".length());
                        if (type.equals("snapshot")) {
                            snapshot.complete(null);
                        }
                    } else if (line.startsWith("data: ") && "backup".equals(type)) {
                        rows.add(new JsonObject(line.substring("data: ".length())));
                    }
                }
            }, background);
            snapshot.orTimeout(30, TimeUnit.SECONDS).join();
        }

        List<String> states(String app) {
            return rows.stream().filter(r -> app.equals(r.getString("name"))).map(r -> r.getString("state")).toList();
        }

        /** The reason of the backup's last row in this state. */
        String reason(String app, String state) {
            List<JsonObject> in = rows.stream().filter(r -> app.equals(r.getString("name")) && state.equals(r.getString("state"))).toList();
            assertThat(in).as("%s rows of %s in the hub's event stream (states: %s)", state, app, states(app)).isNotEmpty();
            return in.get(in.size() - 1).getString("reason");
        }

        @Override
        public void close() {
            stream.thenAccept(r -> r.body().close());
        }
    }
}
