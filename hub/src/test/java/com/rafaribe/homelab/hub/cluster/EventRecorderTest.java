package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An Event's create resent by the client's transport (the first answer was lost: a dropped
 * connection) meets the Event the first attempt stored. The name is the recorder's own random
 * one, so 409 AlreadyExists means "recorded", not a failure; seen once in CI as a warning and a
 * 33rd Event request for 16 unlocks.
 */
class EventRecorderTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void aCreateThatMeetsItsOwnEarlierAttemptIsRecorded() throws InterruptedException {
        server.expect().post().withPath("/api/v1/namespaces/apps/events")
                .andReturn(409, new StatusBuilder().withCode(409).withReason("AlreadyExists").withMessage("already exists").build()).once();
        EventRecorder recorder = new EventRecorder(client, Clock.fixed(Instant.parse("2026-12-06T04:00:00Z"), ZoneOffset.UTC));
        ClusterCommand.RecordEvent event = new ClusterCommand.RecordEvent(new ObjectReferenceBuilder().withKind("Job").withNamespace("apps")
                .withName("volsync-src-app3").withUid("u-1").build(), "Warning", "LockDetected", "repository is already locked");

        assertThatCode(() -> recorder.record(event)).doesNotThrowAnyException();

        // Remembered as written: the same Event again is a count bump of it, not a second create.
        catchThrowable(() -> recorder.record(event)); // nothing answers the bump here; only the request it makes counts
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getMethod()).isEqualTo("POST");
        RecordedRequest next = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(next.getMethod() + " " + next.getPath()).startsWith("PATCH /api/v1/namespaces/apps/events/volsync-src-app3.");
    }
}
