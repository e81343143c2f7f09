package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection reports every cached object to the policy, and the cluster's counts to the read
 * model once, not once per object: each cluster view is a message the dashboard and the policy
 * handle, and a hub of 20 clusters of 300 movers made 6,000 of them while it started.
 */
@ExtendWith(VertxExtension.class)
class ClusterViewsOnConnectTest {
    static final int MOVERS = 40;
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aClusterOfManyMoversIsCountedOnceWhenItConnects(Vertx vertx, @TempDir Path dir) throws Exception {
        try (SandboxApiServer east = SandboxApiServer.start("east")) {
            VolSyncWorld.applyHubMonitor(east, "{enabled: true}");
            VolSyncWorld.ensureNamespace(east.client(), "apps");
            for (int i = 0; i < MOVERS; i++) {
                Job job = VolSyncObjects.sourceJob("apps", "app-" + i, "rs-uid-" + i, "job-uid-" + i);
                Pod pod = east.client().pods().inNamespace("apps")
                        .resource(VolSyncObjects.sourcePod(job, "a1b2c", "pod-uid-" + i, "app-" + i + "-restic").build()).create();
                pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").build());
                east.client().pods().inNamespace("apps").resource(pod).updateStatus();
            }
            // Both on one context: the cluster verticle publishes in order, and one context hears in that order.
            List<String> heard = new CopyOnWriteArrayList<>();
            Context listening = vertx.getOrCreateContext();
            Promise<Void> listen = Promise.promise();
            listening.runOnContext(x -> {
                vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> {
                    if (m.body() instanceof ReadModelUpdate.ClusterView v && v.name().equals("east")) {
                        heard.add("view " + v.state() + "/" + v.moverPods());
                    }
                });
                vertx.eventBus().<ClusterEvent>consumer(Addresses.CLUSTER_EVENTS, m -> {
                    if (m.body() instanceof ClusterEvent.ClusterSynced s && s.cluster().equals("east")) {
                        heard.add("synced");
                    }
                }).completion().onComplete(listen);
            });
            listen.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            try (HubFixture hub = HubFixture.start(vertx, dir, Duration.ofMinutes(10), east)) {
                await().atMost(WAIT).until(() -> heard.contains("synced") && heard.contains("view Connected/" + MOVERS));

                List<String> sofar = List.copyOf(heard);
                List<String> untilSynced = sofar.subList(0, sofar.indexOf("synced"));
                assertThat(untilSynced).as("what was heard of east until everything it caches was reported").hasSizeLessThan(MOVERS / 4);
            }
        }
    }
}
