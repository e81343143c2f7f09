package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a client asked, told from what its transport sent again on its own. */
class RequestRecordingTest {
    static final String JOBS = "/apis/batch/v1/namespaces/apps/jobs";

    @Test
    void aCreateOfANameStoredMomentsBeforeAndAnswered409IsTheTransportsResend() {
        RequestRecording recording = new RequestRecording("Bearer t");

        recording.answered("POST", JOBS, "unlock-a", 201, 1_000);
        recording.answered("POST", JOBS, "unlock-a", 409, 1_120);

        assertThat(recording.requests).containsExactly("POST " + JOBS);
        assertThat(recording.resends).containsExactly("POST " + JOBS + " unlock-a (stored 120 ms before)");
        assertThat(recording.answers).containsExactly("POST " + JOBS + " unlock-a -> 201 at 1000", "POST " + JOBS + " unlock-a -> 409 at 1120");
    }

    @Test
    void aCreateOfTheSameNameLaterIsTheClientAskingAgain() {
        RequestRecording recording = new RequestRecording("Bearer t");

        recording.answered("POST", JOBS, "unlock-a", 201, 1_000);
        recording.answered("POST", JOBS, "unlock-a", 409, 1_000 + RequestRecording.RESEND_WINDOW_MILLIS + 1);

        assertThat(recording.requests).containsExactly("POST " + JOBS, "POST " + JOBS);
        assertThat(recording.resends).isEmpty();
    }

    @Test
    void aConflictOverANameThisClientNeverStoredIsItsOwnRequest() {
        RequestRecording recording = new RequestRecording("Bearer t");

        recording.answered("POST", JOBS, "unlock-b", 409, 1_000);
        recording.answered("POST", JOBS, "unlock-c", 201, 1_000);
        recording.answered("POST", "/apis/batch/v1/namespaces/other/jobs", "unlock-c", 409, 1_010);

        assertThat(recording.requests).hasSize(3);
        assertThat(recording.resends).isEmpty();
    }

    @Test
    void anAnswer5xxIsNotARequestTheClientMadeButItsResendIs() {
        RequestRecording recording = new RequestRecording("Bearer t");

        recording.answered("POST", JOBS, "unlock-a", 503, 1_000);
        recording.answered("POST", JOBS, "unlock-a", 201, 1_100);
        recording.answered("GET", "/version", null, 500, 1_200);

        assertThat(recording.requests).containsExactly("POST " + JOBS);
        assertThat(recording.answers).hasSize(3);
    }
}
