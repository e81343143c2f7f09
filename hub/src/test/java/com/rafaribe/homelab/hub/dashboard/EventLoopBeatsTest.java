package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventLoopBeatsTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aLoopWhoseBeatIsOlderThanTheLimitIsStuckUntilItBeatsAgain() {
        EventLoopBeats beats = new EventLoopBeats(3, 0);
        Duration limit = Duration.ofSeconds(10);
        assertThat(beats.stuck(10 * SECOND, limit)).as("exactly at the limit").isEmpty();
        beats.beat(0, 9 * SECOND);
        beats.beat(2, 9 * SECOND);
        assertThat(beats.stuck(11 * SECOND, limit)).containsExactly(1);
        beats.beat(1, 11 * SECOND);
        assertThat(beats.stuck(11 * SECOND, limit)).isEmpty();
        assertThat(beats.stuck(30 * SECOND, limit)).containsExactly(0, 1, 2);
    }

    @Test
    void nanoTimeMayBeNegative() {
        long start = -5 * SECOND;
        EventLoopBeats beats = new EventLoopBeats(1, start);
        assertThat(beats.stuck(start + 2 * SECOND, Duration.ofSeconds(1))).containsExactly(0);
        assertThat(beats.stuck(start + SECOND / 2, Duration.ofSeconds(1))).isEmpty();
    }
}
