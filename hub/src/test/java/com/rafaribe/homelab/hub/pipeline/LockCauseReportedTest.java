package com.rafaribe.homelab.hub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * Why each lock was left, as the holder pod was last seen (an earlier attempt of the failed mover's
 * own Job): told in /api/unlocks, in the UnlockSucceeded Event and as the cause label of the lock
 * errors counter.
 */
@ExtendWith(VertxExtension.class)
class LockCauseReportedTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NS = "apps";

    SandboxApiServer east;
    HubFixture fixture;

    @BeforeEach
    void start(Vertx vertx, @TempDir Path dir) throws Exception {
        east = SandboxApiServer.start("east");
        VolSyncWorld.applyHubMonitor(east, "{enabled: true}");
        VolSyncWorld.ensureNamespace(east.client(), NS);
        fixture = HubFixture.start(vertx, dir, Duration.ofSeconds(5), east);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        east.close();
    }

    @Test
    void aHolderKilledWithExitCode137IsToldAsExitedWithCode137() {
        Mover holder = VolSyncWorld.failMover(east, NS, "immich", "a1b2c", "immich-restic", null);
        Pod killed = holder.pod();
        killed.setStatus(new PodStatusBuilder().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder().withName("restic")
                .withNewState().withNewTerminated().withExitCode(137).withReason("Error").endTerminated().endState().build()).build());
        east.client().pods().inNamespace(NS).resource(killed).updateStatus();
        // The hub saw the holder's end (a failure of its own) before the next attempt fails on its lock.
        await().atMost(WAIT).until(() -> fixture.failure(killed.getMetadata().getUid()) != null);

        JsonObject unlock = unlockAfterFailureOn("volsync-src-immich-a1b2c", "d4e5f");
        assertThat(unlock.getString("cause")).isEqualTo("exited with code 137");
        assertThat(unlock.getString("causeLabel")).isEqualTo("exited");
        assertThat(succeededMessage()).contains("why the lock was left: exited with code 137");
        assertThat(fixture.api.get("/metrics").body()).contains("volsync_hub_lock_errors_detected_total{cause=\"exited\",cluster=\"east\"} 1");
    }

    @Test
    void aHolderDeletedWhileRunningIsToldAsDeletedWhileRunning() {
        Mover holder = VolSyncWorld.failMover(east, NS, "immich", "a1b2c", "immich-restic", null);
        Pod running = holder.pod();
        running.setStatus(new PodStatusBuilder().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder().withName("restic")
                .withNewState().withNewRunning().endRunning().endState().build()).build());
        east.client().pods().inNamespace(NS).resource(running).updateStatus();
        east.client().pods().inNamespace(NS).withName(running.getMetadata().getName()).delete();

        JsonObject unlock = unlockAfterFailureOn("volsync-src-immich-a1b2c", "d4e5f");
        assertThat(unlock.getString("cause")).isEqualTo("deleted while running");
        assertThat(unlock.getString("causeLabel")).isEqualTo("deleted_while_running");
        assertThat(succeededMessage()).contains("why the lock was left: deleted while running");
        assertThat(fixture.api.get("/metrics").body())
                .contains("volsync_hub_lock_errors_detected_total{cause=\"deleted_while_running\",cluster=\"east\"} 1");
    }

    /** Another attempt of the Job fails on the holder's lock; its unlock Job succeeds: the unlock as /api/unlocks shows it. */
    private JsonObject unlockAfterFailureOn(String holderPod, String suffix) {
        Mover mover = VolSyncWorld.failMover(east, NS, "immich", suffix, "immich-restic", VolSyncWorld.lockLog(holderPod, "0s"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> HubFixture.unlockJobs(east, NS).size() == 1);
        Job job = HubFixture.unlockJobs(east, NS).get(0);
        VolSyncWorld.finishJob(east, job, true);
        await().atMost(WAIT).until(() -> fixture.unlock(uid) != null && "Succeeded".equals(fixture.unlock(uid).getString("state")));
        return fixture.unlock(uid);
    }

    private String succeededMessage() {
        await().atMost(WAIT).until(() -> HubFixture.eventReasons(east, NS).contains("UnlockSucceeded"));
        List<Event> events = east.client().v1().events().inNamespace(NS).list().getItems();
        return events.stream().filter(e -> "UnlockSucceeded".equals(e.getReason())).map(Event::getMessage).findFirst().orElseThrow();
    }
}
