package com.rafaribe.homelab.hub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.rafaribe.homelab.hub.api.bus.StageTiming;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a handled lock failure costs the API servers, counted at the servers: lock failures on two
 * mock clusters, each unlocked to the end, with every request the hub makes recorded. Watches,
 * the 10-second /version probe and the Lease's renewals (timers, not failures) are not counted;
 * everything else is, by verb and path. The budget
 * per handled failure is 5: one log read, one Job create, at most two Events, at most one status
 * patch (coalesced per monitor); the holder decision costs nothing when the holder's name is a
 * pod of the failed mover's own Job and the caches do not hold it.
 */
@ExtendWith(VertxExtension.class)
class ApiRequestsPerFailureTest {
    static final int PER_CLUSTER = 8;
    static final int BUDGET = 5;
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern WATCH = Pattern.compile("[?&]watch=(true|1)");

    SandboxApiServer east;
    SandboxApiServer west;
    HubFixture fixture;

    @BeforeEach
    void start(Vertx vertx, @TempDir Path dir) throws Exception {
        east = SandboxApiServer.start("east");
        west = SandboxApiServer.start("west");
        for (SandboxApiServer c : List.of(east, west)) {
            // West also removes each failed mover Job once unlocked (the monitor's option): one DELETE each, outside the budget.
            VolSyncWorld.applyHubMonitor(c, "{enabled: true, ttlSecondsAfterFinished: 3600, maxConcurrentUnlocks: 20"
                    + (c == west ? ", removeFailedJobs: true}" : "}"));
            VolSyncWorld.ensureNamespace(c.client(), "apps");
        }
        fixture = HubFixture.start(vertx, dir, HubConfig.DEFAULT_RESYNC, east, west);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        east.close();
        west.close();
    }

    @Test
    void aHandledLockFailureCostsAtMostFiveRequests() {
        Map<SandboxApiServer, List<String>> requests = new java.util.LinkedHashMap<>();
        for (SandboxApiServer c : List.of(east, west)) {
            requests.put(c, c.recordRequests("Bearer token-" + c.name));
        }
        // One after another: a burst at once makes the mock server drop connections on this shared machine, and the client's
        // retries of them are the transport's, not the hub's (scripts/bench measures bursts).
        List<Mover> movers = new java.util.ArrayList<>();
        for (int i = 0; i < PER_CLUSTER; i++) {
            for (SandboxApiServer c : List.of(east, west)) {
                // The holder is an earlier pod of the failed mover's own Job, gone by now: the common case.
                String app = "app" + i;
                movers.add(VolSyncWorld.failMover(c, "apps", app, "f" + i + "x0y", app + "-restic",
                        VolSyncWorld.lockLog("volsync-src-" + app + "-a1b2c", "3m2s")));
            }
        }
        for (SandboxApiServer c : List.of(east, west)) {
            await().atMost(WAIT).until(() -> HubFixture.unlockJobs(c, "apps").size() == PER_CLUSTER);
            HubFixture.unlockJobs(c, "apps").forEach(job -> VolSyncWorld.finishJob(c, job, true));
        }
        for (SandboxApiServer c : List.of(east, west)) {
            await().atMost(WAIT).untilAsserted(() -> {
                VolSyncMonitorStatus s = HubFixture.status(c, "volsync-monitor");
                assertThat(s.getTotalUnlocksSucceeded()).isEqualTo(PER_CLUSTER);
                assertThat(s.getActiveUnlocks()).isEmpty();
                assertThat(s.getTotalFailedJobsRemoved()).isEqualTo(c == west ? PER_CLUSTER : 0);
            });
        }
        movers.forEach(m -> assertThat(fixture.unlock(m.pod().getMetadata().getUid()).getString("state")).isEqualTo("Succeeded"));
        // Anything still on its way (an Event, a last patch) lands within a status write's gap: wait until a second passes quietly.
        int[] seen = {-1};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(1500)).until(() -> {
            int now = requests.values().stream().mapToInt(List::size).sum();
            boolean quiet = now == seen[0];
            seen[0] = now;
            return quiet;
        });
        // Each Job create as the servers answered it, and what the transport sent again, for the message when a count is off.
        List<String> jobCreates = new java.util.ArrayList<>();
        for (SandboxApiServer c : List.of(east, west)) {
            c.recordedAnswers().stream().filter(a -> a.startsWith("POST /apis/batch/v1/")).forEach(a -> jobCreates.add(c.name + ": " + a));
            c.recordedResends().forEach(r -> System.out.printf("  resent by the transport, not counted (%s): %s%n", c.name, r));
            c.stopRecording();
        }

        Map<String, Integer> byKind = new TreeMap<>();
        int total = 0;
        for (List<String> list : requests.values()) {
            for (String request : list) {
                // The Lease is renewed on a timer (every retry period), whatever fails: a cost per cluster, not per failure.
                if (WATCH.matcher(request).find() || request.startsWith("GET /version") || request.contains("/apis/coordination.k8s.io/")) {
                    continue;
                }
                byKind.merge(kind(request), 1, Integer::sum);
                total++;
            }
        }
        int failures = movers.size();
        // The failed mover Job is deleted as the watch saw it, its UID and resourceVersion as preconditions: no GET first.
        assertThat(byKind.getOrDefault("GET /apis/batch/v1/namespaces/{ns}/jobs/{name}", 0)).as("no GET of a Job to remove").isZero();
        assertThat(byKind.remove("DELETE /apis/batch/v1/namespaces/{ns}/jobs/{name}")).as("one DELETE per removed Job").isEqualTo(PER_CLUSTER);
        total -= PER_CLUSTER;
        System.out.printf("%d non-watch requests for %d handled failures (%.2f each):%n", total, failures, (double) total / failures);
        byKind.forEach((k, n) -> System.out.printf("  %4d  %s%n", n, k));
        assertThat(byKind).as("no list of pods, cluster-wide or namespaced").doesNotContainKey("GET /api/v1/pods")
                .doesNotContainKey("GET /api/v1/namespaces/{ns}/pods");
        assertThat(byKind.getOrDefault("GET /api/v1/namespaces/{ns}/pods/{name}", 0)).as("no GET of a holder the caches place").isZero();
        assertThat(byKind.get("GET /api/v1/namespaces/{ns}/pods/{name}/log")).as("one log read per failure").isEqualTo(failures);
        assertThat(byKind.get("POST /apis/batch/v1/namespaces/{ns}/jobs")).as("one Job create per failure: " + jobCreates).isEqualTo(failures);
        assertThat(byKind.getOrDefault("POST /api/v1/namespaces/{ns}/events", 0)).as("at most two Events per unlock").isLessThanOrEqualTo(2 * failures);
        assertThat(byKind.getOrDefault("PATCH /apis/homelab.rafaribe.com/v1alpha1/namespaces/{ns}/volsyncmonitors/{name}/status", 0))
                // Plus one per monitor: the write that records the last unlocks' ends, when a slow machine spreads the failures
                // so far apart that no later failure's write carries it (17 for 16 failures once, at a load of 10 on 2 CPUs).
                .as("status patches coalesced: at most one per failure").isLessThanOrEqualTo(failures + requests.size());
        assertThat(total).as("requests per handled failure: " + byKind).isLessThanOrEqualTo(BUDGET * failures);

        // Where the time went: each stage of each failure, timed where it ran, in /metrics.
        String metrics = fixture.api.get("/metrics").body();
        for (String stage : StageTiming.STAGES) {
            double count = 0;
            double sum = 0;
            for (SandboxApiServer c : List.of(east, west)) {
                count += sample(metrics, "volsync_hub_failure_stage_seconds_count", c.name, stage);
                sum += sample(metrics, "volsync_hub_failure_stage_seconds_sum", c.name, stage);
            }
            System.out.printf("  stage %-15s %3.0f timed, mean %6.1f ms%n", stage, count, count == 0 ? 0 : 1000 * sum / count);
            assertThat(count).as("failures timed in stage " + stage).isGreaterThanOrEqualTo(failures);
            if (stage.equals(StageTiming.JOB_CREATE)) {
                // The hub's own count of the creates it asked for: the servers' count above leaves out the transport's resends.
                assertThat(count).as("Job creates the hub asked for").isEqualTo(failures);
            }
        }
    }

    static double sample(String metrics, String name, String cluster, String stage) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{cluster=\"" + Pattern.quote(cluster) + "\",stage=\"" + stage + "\"} (\\S+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** "GET /api/v1/namespaces/apps/pods/x/log?tailLines=500" is "GET /api/v1/namespaces/{ns}/pods/{name}/log". */
    static String kind(String request) {
        String[] verbAndPath = request.split(" ", 2);
        String[] parts = verbAndPath[1].replaceFirst("\\?.*$", "").split("/");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("namespaces") && i + 2 < parts.length) {
                parts[i + 1] = "{ns}";
                if (i + 3 < parts.length) {
                    parts[i + 3] = "{name}";
                }
                break;
            }
        }
        return verbAndPath[0] + " " + String.join("/", parts);
    }

    @Test
    void requestKindsNameTheirPaths() {
        assertThat(kind("GET /api/v1/namespaces/apps/pods/x-1/log?tailLines=500")).isEqualTo("GET /api/v1/namespaces/{ns}/pods/{name}/log");
        assertThat(kind("GET /api/v1/namespaces/apps/pods/x-1")).isEqualTo("GET /api/v1/namespaces/{ns}/pods/{name}");
        assertThat(kind("GET /api/v1/namespaces/apps/pods?fieldSelector=metadata.name%3Dx")).isEqualTo("GET /api/v1/namespaces/{ns}/pods");
        assertThat(kind("POST /apis/batch/v1/namespaces/apps/jobs")).isEqualTo("POST /apis/batch/v1/namespaces/{ns}/jobs");
        assertThat(kind("GET /api/v1/pods?labelSelector=a%3Db")).isEqualTo("GET /api/v1/pods");
        assertThat(kind("PATCH /apis/homelab.rafaribe.com/v1alpha1/namespaces/h/volsyncmonitors/m/status"))
                .isEqualTo("PATCH /apis/homelab.rafaribe.com/v1alpha1/namespaces/{ns}/volsyncmonitors/{name}/status");
    }
}
