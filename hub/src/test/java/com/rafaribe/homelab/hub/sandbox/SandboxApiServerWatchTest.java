package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A sandbox cluster's watch from a resource version sends what changed after it, as a real API server
 * does. The mock alone sends every stored object again as ADDED: an informer (which drops an update
 * of the same version) reads each object it has just listed a second time, and a benchmark counts
 * that as the hub's work.
 */
class SandboxApiServerWatchTest {
    @Test
    void aWatchFromAListsVersionGetsWhatChangedAfterItAndNothingTheListHad() throws Exception {
        try (SandboxApiServer cluster = SandboxApiServer.start("watch")) {
            for (String name : List.of("a", "b", "c")) {
                cluster.client().pods().inNamespace("apps").resource(pod(name)).create();
            }
            String listed = cluster.client().pods().inNamespace("apps").list().getMetadata().getResourceVersion();
            List<String> seen = new CopyOnWriteArrayList<>();
            try (Watch watch = cluster.client().pods().inNamespace("apps").withResourceVersion(listed).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod pod) {
                    seen.add(action + " " + pod.getMetadata().getName());
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                cluster.client().pods().inNamespace("apps").resource(pod("d")).create();
                cluster.client().pods().inNamespace("apps").withName("b").edit(p -> new PodBuilder(p).editMetadata()
                        .addToLabels("edited", "yes").endMetadata().build());

                // A watch's events arrive in order: a replay of a, b and c would come before these two.
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("MODIFIED b"));
                assertThat(seen).containsExactly("ADDED d", "MODIFIED b");
            }
        }
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("apps").endMetadata().build();
    }
}
