package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.VirtualKubelet;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.ControlPlaneExtension;
import com.rafaribe.homelab.hub.testing.Restic;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 4: the sandbox's virtual kubelet on a real API server. The real Job controller makes the
 * pod, the kubelet binds and runs it with the real restic, the pod's status goes through
 * pods/status, and the API server's pods/log proxy reads the log back with tailLines applied.
 */
@ExtendWith(ControlPlaneExtension.class)
class VirtualKubeletTest {
    @Test
    void theRealJobControllersPodsRunAndTheirLogsComeThroughTheApiServer(ControlPlane plane, @TempDir Path root) throws Exception {
        Restic.requireInstalled();
        try (KubernetesClient admin = plane.admin(); VirtualKubelet kubelet = new VirtualKubelet(admin, root)) {
            if (admin.namespaces().withName("kubelet-test").get() == null) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("kubelet-test").endMetadata().build()).create();
            }
            Job ok = admin.batch().v1().jobs().inNamespace("kubelet-test").resource(job("restic-version", List.of("restic", "version"))).create();
            Job bad = admin.batch().v1().jobs().inNamespace("kubelet-test").resource(job("restic-wrong", List.of("restic", "--no-such-flag")))
                    .create();

            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(admin, ok));
            Pod pod = admin.pods().inNamespace("kubelet-test").withLabel("job-name", "restic-version").list().getItems().get(0);
            assertThat(pod.getSpec().getNodeName()).isEqualTo(VirtualKubelet.NODE);
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isZero();
            String log = admin.pods().inNamespace("kubelet-test").withName(pod.getMetadata().getName()).getLog();
            assertThat(log).contains("restic 0.").contains("compiled with go");
            String tail = admin.pods().inNamespace("kubelet-test").withName(pod.getMetadata().getName()).tailingLines(1).getLog();
            assertThat(tail.lines().count()).as("tailLines=1 through the API server's proxy").isEqualTo(1);

            // The real Job controller counts the failed pod (and would retry after its 10 s back-off).
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Job j = admin.batch().v1().jobs().inNamespace("kubelet-test").withName(bad.getMetadata().getName()).get();
                return j.getStatus() != null && j.getStatus().getFailed() != null && j.getStatus().getFailed() >= 1;
            });
            // Its retry would wait, unbound, for the next test's kubelet: the namespace goes, and the Jobs with it.
            admin.namespaces().withName("kubelet-test").delete();
        }
        assertThat(Files.exists(root.resolve("kubelet.p12"))).isTrue();
    }

    static Job job(String name, List<String> command) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withBackoffLimit(1).withNewTemplate().withNewSpec().withRestartPolicy("Never")
                    .addNewContainer().withName("restic").withImage("docker.io/restic/restic:0.14.0").withCommand(command).endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    static boolean succeeded(KubernetesClient admin, Job job) {
        Job j = admin.batch().v1().jobs().inNamespace("kubelet-test").withName(job.getMetadata().getName()).get();
        return j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() == 1;
    }
}
