package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseShareTest {
    static final Instant T0 = Instant.parse("2026-12-06T05:00:00Z");
    static final Duration LEASE = Duration.ofSeconds(15);

    @Test
    void threeReplicasOfSixClustersTakeAtMostThreeEachWhileOthersMayTakeTheRest() {
        LeaseShare share = sixClusters(3);
        assertThat(share.limit()).isEqualTo(3);
        for (int i = 0; i < 6; i++) {
            share.seen("c" + i, true, T0);
        }
        assertThat(java.util.stream.IntStream.range(0, 6).filter(i -> share.mayTake("c" + i, T0.plusSeconds(2))).count()).isEqualTo(3);
        assertThat(share.held()).isEqualTo(3);
        assertThat(share.mayTake("c0", T0.plusSeconds(2))).as("renewing one it holds").isTrue();
    }

    @Test
    void aLeaseFreeForLongerThanTheLeaseIsTakenWhateverTheCount() {
        LeaseShare share = sixClusters(3);
        for (int i = 0; i < 3; i++) {
            assertThat(share.mayTake("c" + i, T0)).isTrue();
        }
        share.seen("c5", true, T0);
        assertThat(share.mayTake("c5", T0.plus(LEASE).minusMillis(1))).as("another hub may still take it").isFalse();
        share.seen("c5", true, T0.plus(LEASE));
        assertThat(share.mayTake("c5", T0.plus(LEASE))).as("nobody did: the hub that would have is gone").isTrue();
    }

    @Test
    void aLeaseSeenHeldByAnotherStartsItsPatienceAgain() {
        LeaseShare share = sixClusters(3);
        for (int i = 0; i < 3; i++) {
            share.mayTake("c" + i, T0);
        }
        share.seen("c5", true, T0);
        share.seen("c5", false, T0.plusSeconds(5));
        share.seen("c5", true, T0.plusSeconds(20));
        assertThat(share.mayTake("c5", T0.plusSeconds(21))).isFalse();
    }

    @Test
    void aReleasedLeaseMakesRoomAndOneReplicaTakesEverything() {
        LeaseShare share = sixClusters(3);
        for (int i = 0; i < 3; i++) {
            share.mayTake("c" + i, T0);
        }
        share.released("c0");
        assertThat(share.mayTake("c3", T0)).isTrue();
        LeaseShare alone = sixClusters(1);
        assertThat(java.util.stream.IntStream.range(0, 6).allMatch(i -> alone.mayTake("c" + i, T0))).isTrue();
    }

    private static LeaseShare sixClusters(int replicas) {
        LeaseShare share = new LeaseShare(replicas, LEASE);
        for (int i = 0; i < 6; i++) {
            share.compete("c" + i);
        }
        return share;
    }
}
