package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginBackoffTest {
    final LoginBackoff backoff = new LoginBackoff();
    long now = 1_000_000;

    void fail(String address, int times) {
        for (int i = 0; i < times; i++) {
            backoff.failed(address, now);
        }
    }

    @Test
    void fiveFailuresWithinAMinuteBlockThatAddressOnly() {
        fail("10.0.0.1", LoginBackoff.FREE_FAILURES - 1);
        assertThat(backoff.retryAfterSeconds("10.0.0.1", now)).isZero();
        fail("10.0.0.1", 1);
        assertThat(backoff.retryAfterSeconds("10.0.0.1", now)).isEqualTo(LoginBackoff.FIRST_BLOCK.toSeconds());
        assertThat(backoff.retryAfterSeconds("10.0.0.2", now)).as("another address").isZero();
        now += LoginBackoff.FIRST_BLOCK.toMillis();
        assertThat(backoff.retryAfterSeconds("10.0.0.1", now)).isZero();
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteDoNotBlock() {
        for (int i = 0; i < 20; i++) {
            fail("10.0.0.1", 1);
            now += Duration.ofSeconds(20).toMillis();
        }
        assertThat(backoff.retryAfterSeconds("10.0.0.1", now)).isZero();
    }

    @Test
    void eachFurtherBlockDoublesUpToAnHour() {
        long expected = LoginBackoff.FIRST_BLOCK.toSeconds();
        for (int round = 0; round < 10; round++) {
            fail("10.0.0.1", LoginBackoff.FREE_FAILURES);
            assertThat(backoff.retryAfterSeconds("10.0.0.1", now)).as("round " + round).isEqualTo(expected);
            now += expected * 1000;
            expected = Math.min(expected * 2, LoginBackoff.MAX_BLOCK.toSeconds());
        }
        now += LoginBackoff.FORGET.toMillis() + 1;
        fail("10.0.0.1", LoginBackoff.FREE_FAILURES);
        assertThat(backoff.retryAfterSeconds("10.0.0.1", now)).as("after a long quiet").isEqualTo(LoginBackoff.FIRST_BLOCK.toSeconds());
    }

    @Test
    void aScanFromManyAddressesIsRememberedOnlyUpToTheBound() {
        for (int i = 0; i < LoginBackoff.MAX_ADDRESSES + 500; i++) {
            fail("10.1." + (i / 250) + "." + (i % 250), 1);
        }
        assertThat(backoff.addresses()).isLessThanOrEqualTo(LoginBackoff.MAX_ADDRESSES);
    }
}
