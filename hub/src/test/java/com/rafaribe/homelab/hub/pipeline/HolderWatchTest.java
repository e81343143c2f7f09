package com.rafaribe.homelab.hub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting for a live holder the pod watches do not cover (a pod of the repository that is no
 * VolSync mover) is a watch on that one name, not a poll: while the record waits, the hub asks the
 * API server nothing about the holder, however short its re-check period; when the holder goes,
 * the watch says so and the record is decided again at once, still without a GET.
 */
@ExtendWith(VertxExtension.class)
class HolderWatchTest {
    /** Far shorter than any wait below: a poll at this period would show within it. */
    static final Duration RECHECK = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofSeconds(30);

    SandboxApiServer east;
    HubFixture fixture;

    @BeforeEach
    void start(Vertx vertx, @TempDir Path dir) throws Exception {
        east = SandboxApiServer.start("east");
        VolSyncWorld.applyHubMonitor(east, "{enabled: true}");
        VolSyncWorld.ensureNamespace(east.client(), "apps");
        fixture = HubFixture.start(vertx, dir, RECHECK, east);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        east.close();
    }

    @Test
    void aLiveHolderIsWatchedNotPolled() {
        // A restic cron pod of the repository, no mover: created before the lock it holds, Running.
        Pod holder = east.client().pods().inNamespace("apps").resource(new PodBuilder().withNewMetadata().withName("restic-cron")
                .withNamespace("apps").endMetadata().withNewSpec().addNewContainer().withName("restic").withImage("restic/restic")
                .endContainer().endSpec().build()).create();
        holder.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
        east.client().pods().inNamespace("apps").resource(holder).updateStatus();
        List<String> requests = east.recordRequests("Bearer token-" + east.name);
        Mover mover = VolSyncWorld.failMover(east, "apps", "immich", "w1w1w", "immich-restic", VolSyncWorld.lockLog("restic-cron", "0s"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.unlock(uid) != null && "WaitingForHolder".equals(fixture.unlock(uid).getString("state")));
        assertThat(fixture.unlock(uid).getString("reason")).contains("restic-cron is Running");
        assertThat(podReads(requests)).as("one GET of the holder by name: the pod watches do not cover it").hasSize(1);

        // Several re-check periods: a poll would GET the holder in each.
        await().during(RECHECK.multipliedBy(5)).atMost(RECHECK.multipliedBy(7))
                .until(() -> podReads(requests).size() == 1 && "WaitingForHolder".equals(fixture.unlock(uid).getString("state")));

        east.client().pods().inNamespace("apps").withName("restic-cron").delete();
        // The watch tells of the deletion, and the record is decided again: a plain unlock once the lock could be stale (the
        // holder was alive when the lock was printed, so only restic's own stale rule is safe).
        await().atMost(WAIT).until(() -> fixture.unlock(uid).getString("reason").contains("a plain restic unlock"));
        east.stopRecording();
        assertThat(podReads(requests)).as("no GET of a pod while waiting for the holder, nor after it went").hasSize(1);
        assertThat(requests).as("a watch on the holder's name").anyMatch(r -> r.startsWith("GET /api/v1/namespaces/apps/pods?")
                && r.contains("watch=true") && r.contains("restic-cron"));
    }

    /**
     * A record Queued behind a busy repository wakes every re-check period; a holder the caches cannot place (a NAS
     * host) was answered absent by the first GET, and that answer stays true for the same evidence (a pod of that
     * name created since the lock cannot be its holder): no GET of that name again while it waits.
     */
    @Test
    void anAbsentHolderIsAskedAboutOncePerEvidence() {
        // A mover of the same repository, Running: the repository is busy.
        Mover busy = VolSyncWorld.failMover(east, "apps", "immich", "b1b1b", "immich-restic", null);
        busy.pod().setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
        Pod running = east.client().pods().inNamespace("apps").resource(busy.pod()).updateStatus();
        List<String> requests = east.recordRequests("Bearer token-" + east.name);
        // The lock is 45 minutes old, held by a NAS host: a plain unlock may run at once, once the repository is free.
        Mover mover = VolSyncWorld.failMover(east, "apps", "immich", "q1q1q", "immich-restic", VolSyncWorld.lockLog("truenas-backup", "45m"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.unlock(uid) != null && "Queued".equals(fixture.unlock(uid).getString("state")));
        assertThat(fixture.unlock(uid).getString("reason")).contains("repository in use by pod apps/" + running.getMetadata().getName());
        await().atMost(WAIT).until(() -> holderReads(requests, "truenas-backup").size() == 1);

        // Several re-check periods: the queued record wakes in each, and asks nothing about the holder.
        await().during(RECHECK.multipliedBy(5)).atMost(RECHECK.multipliedBy(7))
                .until(() -> holderReads(requests, "truenas-backup").size() == 1 && "Queued".equals(fixture.unlock(uid).getString("state")));

        running.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Succeeded").build());
        east.client().pods().inNamespace("apps").resource(running).updateStatus();
        await().atMost(WAIT).until(() -> "Running".equals(fixture.unlock(uid).getString("state")));
        assertThat(fixture.unlock(uid).getString("reason")).contains("a plain restic unlock");
        east.stopRecording();
        assertThat(holderReads(requests, "truenas-backup")).as("one GET of the absent holder for this evidence").hasSize(1);
    }

    /** GETs of the pod of that name. */
    static List<String> holderReads(List<String> requests, String name) {
        return podReads(requests).stream().filter(r -> r.contains("/pods/" + name)).toList();
    }

    /** GETs and lists of pods other than watches and log reads. */
    static List<String> podReads(List<String> requests) {
        return requests.stream().filter(r -> r.startsWith("GET ") && r.contains("/pods") && !r.contains("watch=true") && !r.contains("/log"))
                .toList();
    }
}
