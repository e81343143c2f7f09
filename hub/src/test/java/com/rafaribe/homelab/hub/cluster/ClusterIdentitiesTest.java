package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.cluster.ClusterIdentities.Decision;
import com.rafaribe.homelab.hub.cluster.ClusterIdentities.Decision.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which entry watches a cluster two entries reach: by rank, whatever the order they connect in, and never two at once. */
class ClusterIdentitiesTest {
    static final String HOME = "0a6f3c2e-home";
    static final String NAS = "77d1b9e4-nas";

    final ClusterIdentities identities = new ClusterIdentities();

    void start(String name) {
        identities.starting(name, ClusterTarget.IN_CLUSTER.equals(name), "server-of-" + name);
    }

    Kind kind(String name) {
        Decision d = identities.decision(name);
        return d == null ? null : d.kind();
    }

    @Test
    void inClusterWatchesAndTheContextOfTheSameClusterIsItsDuplicateWhicheverConnectsFirst() {
        for (boolean contextFirst : new boolean[] {true, false}) {
            ClusterIdentities registry = new ClusterIdentities();
            registry.starting("home", false, "https://home.example:6443");
            registry.starting(ClusterTarget.IN_CLUSTER, true, null);
            if (contextFirst) {
                assertThat(registry.identified("home", HOME).kind()).as("in-cluster may be the same cluster").isEqualTo(Kind.WAIT);
                assertThat(registry.identified(ClusterTarget.IN_CLUSTER, HOME)).isEqualTo(Decision.WATCH);
            } else {
                assertThat(registry.identified(ClusterTarget.IN_CLUSTER, HOME)).isEqualTo(Decision.WATCH);
                registry.identified("home", HOME);
            }
            Decision home = registry.decision("home");
            assertThat(home.kind()).isEqualTo(Kind.DUPLICATE);
            assertThat(home.other()).isEqualTo(ClusterTarget.IN_CLUSTER);
            assertThat(home.why()).contains("same cluster (kube-system UID " + HOME + ") as in-cluster; watched there",
                    "in-cluster is preferred");
        }
    }

    @Test
    void ofTwoContextsTheNameSortedFirstWatchesWhicheverConnectsFirst() {
        start("home");
        start("home-external");
        start("nas");
        assertThat(identities.identified("home-external", HOME).kind()).isEqualTo(Kind.WAIT);
        assertThat(identities.identified("nas", NAS).kind()).as("home may be the same cluster as nas, until it connects").isEqualTo(Kind.WAIT);
        assertThat(identities.identified("home", HOME)).isEqualTo(Decision.WATCH);
        assertThat(kind("nas")).isEqualTo(Kind.WATCH);
        assertThat(identities.decision("home-external").other()).isEqualTo("home");
        assertThat(identities.decision("home-external").why()).contains("the name sorted first watches");
    }

    @Test
    void aContextThatCannotConnectHoldsNoOneUp() {
        start("broken");
        start("home");
        identities.unreachable("broken");
        assertThat(identities.identified("home", HOME)).isEqualTo(Decision.WATCH);
    }

    @Test
    void aBetterEntryThatConnectsLateTakesOverOnlyOnceTheOtherHasStopped() {
        start("home");
        start("home-external");
        identities.unreachable("home");
        assertThat(identities.identified("home-external", HOME)).isEqualTo(Decision.WATCH);

        assertThat(identities.identified("home", HOME).kind()).as("home-external still watches").isEqualTo(Kind.WAIT);
        assertThat(kind("home-external")).isEqualTo(Kind.DUPLICATE);
        identities.stoppedWatching("home-external");
        assertThat(identities.decision("home")).isEqualTo(Decision.WATCH);
    }

    @Test
    void whenTheWatchingEntryLeavesItsDuplicateTakesOverAndIsTold() {
        List<String> told = new ArrayList<>();
        start("home");
        start("home-external");
        identities.listen("home-external", () -> told.add("home-external"));
        identities.identified("home", HOME);
        identities.identified("home-external", HOME);
        told.clear();

        identities.stoppedWatching("home");
        assertThat(kind("home-external")).as("home keeps its claim while it restarts or fails").isEqualTo(Kind.DUPLICATE);
        identities.gone("home");
        assertThat(told).containsExactly("home-external");
        assertThat(identities.decision("home-external")).isEqualTo(Decision.WATCH);
    }

    @Test
    void aRestartOfTheWatchingEntryLeavesItsDuplicateADuplicate() {
        start("home");
        start("home-external");
        identities.identified("home", HOME);
        identities.identified("home-external", HOME);

        start("home");
        identities.stoppedWatching("home");
        assertThat(kind("home-external")).isEqualTo(Kind.DUPLICATE);
        assertThat(identities.identified("home", HOME)).isEqualTo(Decision.WATCH);

        start("home");
        identities.unreachable("home");
        assertThat(kind("home-external")).as("restarted on a configuration that does not connect").isEqualTo(Kind.WATCH);
    }

    @Test
    void differentClustersAreAllWatched() {
        start("home");
        start("nas");
        identities.identified("home", HOME);
        identities.identified("nas", NAS);
        assertThat(kind("home")).isEqualTo(Kind.WATCH);
        assertThat(kind("nas")).isEqualTo(Kind.WATCH);
    }

    @Test
    void withoutAUidTheServerAndCaTellAndOtherwiseBothAreWatched() {
        identities.starting("one", false, "k1");
        identities.starting("two", false, "k1");
        identities.starting("three", false, "k3");
        identities.identified("one", HOME);
        assertThat(identities.identified("two", null).kind()).as("same server and CA").isEqualTo(Kind.DUPLICATE);
        assertThat(identities.decision("two").why()).contains("same server and CA");
        assertThat(identities.identified("three", null)).as("cannot tell: watched").isEqualTo(Decision.WATCH);
    }
}
