package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ConnectionErrorsTest {
    @Test
    void saysWhatToDoAboutTheCommonFailures() {
        assertThat(ConnectionErrors.describe(new CompletionException(new KubernetesClientException("Unauthorized", 401, null))))
                .startsWith("401 Unauthorized");
        assertThat(ConnectionErrors.describe(new KubernetesClientException("x", 403,
                new StatusBuilder().withMessage("jobs.batch is forbidden: User \"u\" cannot create resource \"jobs\"\nmore").build())))
                .isEqualTo("403 Forbidden: jobs.batch is forbidden: User \"u\" cannot create resource \"jobs\" (missing RBAC permission)");
        assertThat(ConnectionErrors.describe(new KubernetesClientException(
                "Failure executing: GET at: https://k/apis/homelab.rafaribe.com/v1alpha1/volsyncmonitors. Message: Not Found.", 404, null)))
                .contains("VolSyncMonitor CRD is not installed");
        assertThat(ConnectionErrors.describe(new RuntimeException(new ConnectException("Connection refused: /10.0.0.1:6443"))))
                .isEqualTo("unreachable: Connection refused: /10.0.0.1:6443");
        assertThat(ConnectionErrors.describe(new IllegalStateException("Cannot run program \"aws\": error=2")))
                .startsWith("exec credential plugin failed");
    }
}
