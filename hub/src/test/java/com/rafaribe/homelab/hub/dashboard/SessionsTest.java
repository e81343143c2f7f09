package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionsTest {
    final Sessions sessions = new Sessions();
    final long now = 1_700_000_000_000L;

    @Test
    void aSessionLasts12HoursThenEnds() {
        String cookie = sessions.issue(now);
        assertThat(cookie).startsWith(now + ".");
        assertThat(sessions.valid(cookie, now + Sessions.LIFETIME.toMillis() - 1)).isTrue();
        assertThat(sessions.valid(cookie, now + Sessions.LIFETIME.toMillis())).isFalse();
    }

    @Test
    void anotherProcessesCookieOrAnAlteredOneIsNotASession() {
        String cookie = sessions.issue(now);
        assertThat(new Sessions().valid(cookie, now)).as("a key drawn per process").isFalse();
        String later = (now + 1000) + cookie.substring(cookie.indexOf('.'));
        assertThat(sessions.valid(later, now)).as("an issue time moved").isFalse();
        assertThat(sessions.valid("garbage", now)).isFalse();
        assertThat(sessions.valid("..", now)).isFalse();
    }

    @Test
    void endingASessionOrAllOfThem() {
        String one = sessions.issue(now);
        String two = sessions.issue(now);
        sessions.end(one);
        assertThat(sessions.valid(one, now)).isFalse();
        assertThat(sessions.valid(two, now)).isTrue();
        sessions.endAll();
        assertThat(sessions.valid(two, now)).isFalse();
    }

    @Test
    void theHubRemembersABoundedNumberOfSessions() {
        String first = sessions.issue(now);
        for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
            sessions.issue(now);
        }
        assertThat(sessions.live()).isEqualTo(Sessions.MAX_SESSIONS);
        assertThat(sessions.valid(first, now)).as("the oldest goes first").isFalse();
    }
}
