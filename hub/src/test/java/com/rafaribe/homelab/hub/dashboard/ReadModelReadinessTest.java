package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Readiness counts the clusters the kubeconfigs name, not only those that have said something. */
class ReadModelReadinessTest {
    private final ReadModel model = new ReadModel();

    private void state(String name, String state) {
        model.apply(new ClusterView(name, "https://" + name, state, null, Instant.now(), 0, 0, null));
    }

    @Test
    void notReadyBeforeTheKubeconfigsAreRead() {
        assertThat(model.ready()).as("nothing read yet, nothing heard").isFalse();
        state("east", "Connected");
        assertThat(model.ready()).as("a cluster synced, but the kubeconfigs not yet read").isFalse();
        model.configured(Set.of("east"));
        assertThat(model.ready()).isTrue();
    }

    @Test
    void notReadyWhileAConfiguredClusterHasNotSaidAnything() {
        model.configured(Set.of("east", "west"));
        state("east", "Connected");
        assertThat(model.ready()).as("west named but not heard of").isFalse();
        state("west", "Connecting");
        assertThat(model.ready()).as("west connecting").isFalse();
        state("west", "Failed");
        assertThat(model.ready()).as("failed clusters do not hold readiness back").isTrue();
    }

    @Test
    void duplicatesDoNotHoldReadinessBackAndARemovedClusterIsNotWaitedFor() {
        model.configured(Set.of("east", "east-again", "west"));
        state("east", "Connected");
        state("east-again", "Duplicate");
        state("west", "Connecting");
        assertThat(model.ready()).isFalse();
        model.apply(new ClusterGone("west"));
        model.configured(Set.of("east", "east-again"));
        assertThat(model.ready()).isTrue();
    }

    @Test
    void noClusterConfiguredIsReadyOnceRead() {
        model.configured(Set.of());
        assertThat(model.ready()).isTrue();
    }
}
