package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recording a client's requests changes nothing they do: a test that counts the hub's requests
 * must see the same cluster the hub would see without the count.
 */
class SandboxApiServerRecordingTest {
    @Test
    void anEventCreatedWhileRecordedIsStoredAndRecordedOnce() {
        try (SandboxApiServer cluster = SandboxApiServer.start("recording");
                KubernetesClient hub = new KubernetesClientBuilder()
                        .withConfig(new ConfigBuilder().withMasterUrl(cluster.url()).withOauthToken("token-hub").build()).build()) {
            List<String> requests = cluster.recordRequests("Bearer token-hub");
            Event event = new EventBuilder().withNewMetadata().withName("job-a.17c0ffee").withNamespace("apps").endMetadata()
                    .withReason("LockDetected").withMessage("the repository is locked").withType("Warning").build();

            hub.v1().events().inNamespace("apps").resource(event).create();
            cluster.stopRecording();

            assertThat(cluster.client().v1().events().inNamespace("apps").withName("job-a.17c0ffee").get())
                    .as("the Event the recorded client created").isNotNull()
                    .extracting(Event::getReason).isEqualTo("LockDetected");
            assertThat(requests).containsExactly("POST /api/v1/namespaces/apps/events");
        }
    }

    @Test
    void aCreateTheTransportSendsAgainAfterA5xxIsRecordedOnce() {
        try (SandboxApiServer cluster = SandboxApiServer.start("recording");
                KubernetesClient hub = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.url())
                        .withOauthToken("token-hub").withRequestRetryBackoffLimit(1).withRequestRetryBackoffInterval(10).build()).build()) {
            cluster.backdoor().expect().post().withPath("/apis/batch/v1/namespaces/apps/jobs")
                    .andReturn(503, "{\"kind\":\"Status\",\"code\":503,\"message\":\"busy\"}").once();
            List<String> requests = cluster.recordRequests("Bearer token-hub");

            hub.batch().v1().jobs().inNamespace("apps").resource(new JobBuilder().withNewMetadata().withName("unlock-a")
                    .withNamespace("apps").endMetadata().build()).create();
            cluster.stopRecording();

            assertThat(cluster.client().batch().v1().jobs().inNamespace("apps").withName("unlock-a").get()).as("stored on the second try")
                    .isNotNull();
            assertThat(requests).containsExactly("POST /apis/batch/v1/namespaces/apps/jobs");
        }
    }

    @Test
    void aJobCreatedTwiceAtOnceIsRecordedOnceAndItsSecondSendListed() {
        try (SandboxApiServer cluster = SandboxApiServer.start("recording");
                KubernetesClient hub = new KubernetesClientBuilder()
                        .withConfig(new ConfigBuilder().withMasterUrl(cluster.url()).withOauthToken("token-hub").build()).build()) {
            List<String> requests = cluster.recordRequests("Bearer token-hub");
            var job = new JobBuilder().withNewMetadata().withName("unlock-a").withNamespace("apps").endMetadata().build();

            hub.batch().v1().jobs().inNamespace("apps").resource(job).create();
            // What the transport sends when the first answer was lost: the same create, refused as AlreadyExists.
            assertThat(catchThrowableOfType(KubernetesClientException.class,
                    () -> hub.batch().v1().jobs().inNamespace("apps").resource(job).create()).getCode()).isEqualTo(409);
            List<String> resends = cluster.recordedResends();
            List<String> answers = cluster.recordedAnswers();
            cluster.stopRecording();

            assertThat(requests).containsExactly("POST /apis/batch/v1/namespaces/apps/jobs");
            assertThat(resends).singleElement().asString().startsWith("POST /apis/batch/v1/namespaces/apps/jobs unlock-a (stored ");
            assertThat(answers).extracting(a -> a.replaceFirst(" at \\d+$", ""))
                    .containsExactly("POST /apis/batch/v1/namespaces/apps/jobs unlock-a -> 201", "POST /apis/batch/v1/namespaces/apps/jobs unlock-a -> 409");
        }
    }
}
