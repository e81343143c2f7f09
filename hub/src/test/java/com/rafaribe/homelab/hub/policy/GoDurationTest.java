package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
    @Test
    void parsesWhatGoPrints() {
        assertThat(GoDuration.parse("3.565197556s")).contains(Duration.ofNanos(3_565_197_556L));
        assertThat(GoDuration.parse("4m2.771034118s")).contains(Duration.ofNanos(242_771_034_118L));
        assertThat(GoDuration.parse("2h4m0s")).contains(Duration.ofMinutes(124));
        assertThat(GoDuration.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(GoDuration.parse("1.5µs")).contains(Duration.ofNanos(1500));
        assertThat(GoDuration.parse("12us")).contains(Duration.ofNanos(12_000));
        assertThat(GoDuration.parse("0")).contains(Duration.ZERO);
        assertThat(GoDuration.parse("-1m")).contains(Duration.ofMinutes(-1));
        assertThat(GoDuration.parse("2562047h47m16.854775807s")).contains(Duration.ofNanos(Long.MAX_VALUE));
    }

    @Test
    void rejectsWhatGoRejects() {
        assertThat(GoDuration.parse("")).isEmpty();
        assertThat(GoDuration.parse("5")).isEmpty();
        assertThat(GoDuration.parse("1d")).isEmpty();
        assertThat(GoDuration.parse("m")).isEmpty();
        assertThat(GoDuration.parse(".s")).isEmpty();
        assertThat(GoDuration.parse(null)).isEmpty();
        assertThat(GoDuration.parse("9999999999999h")).isEmpty();
    }
}
