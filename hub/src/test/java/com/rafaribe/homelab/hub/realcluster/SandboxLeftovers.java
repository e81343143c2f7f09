package com.rafaribe.homelab.hub.realcluster;

import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.VolSyncEmulator;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * The tier-4 tests share one control plane, and a sandbox's apps (their Secrets, ReplicationSources,
 * mover and unlock Jobs and pods) outlive it there: a test that starts a sandbox first clears what
 * an earlier one left in its namespace, or its Secrets collide and old unlock Jobs look like its own.
 */
final class SandboxLeftovers {
    private SandboxLeftovers() {
    }

    static void clear(KubernetesClient admin) {
        String ns = Sandbox.APPS_NAMESPACE;
        if (admin.namespaces().withName(ns).get() == null) {
            return;
        }
        if (admin.apiextensions().v1().customResourceDefinitions().withName("replicationsources.volsync.backube").get() != null) {
            admin.genericKubernetesResources(VolSyncEmulator.REPLICATION_SOURCES).inNamespace(ns).delete();
        }
        admin.batch().v1().jobs().inNamespace(ns).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        // No kubelet confirms a pod's end once its sandbox stopped: removed at once.
        admin.pods().inNamespace(ns).withGracePeriod(0).delete();
        admin.secrets().inNamespace(ns).list().getItems().stream().filter(s -> s.getMetadata().getName().endsWith("-restic"))
                .forEach(s -> admin.secrets().inNamespace(ns).withName(s.getMetadata().getName()).delete());
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.batch().v1().jobs().inNamespace(ns).list().getItems().isEmpty()
                && admin.pods().inNamespace(ns).list().getItems().isEmpty()
                && admin.secrets().inNamespace(ns).list().getItems().stream().noneMatch(s -> s.getMetadata().getName().endsWith("-restic")));
    }
}
