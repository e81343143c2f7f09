package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cluster the hub runs in, through the pod's ServiceAccount. Outside a pod fabric8 would fall
 * back to whatever ~/.kube/config holds: a cluster nobody asked for, under a name that says
 * otherwise. The hub refuses that and says why.
 */
final class InCluster {
    static final Path TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private InCluster() {
    }

    static Config config() {
        if (System.getenv("KUBERNETES_SERVICE_HOST") == null || !Files.isReadable(TOKEN)) {
            throw new IllegalStateException("--in-cluster: not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST, or no "
                    + "service account token at " + TOKEN + "); outside a cluster give its kubeconfig instead");
        }
        // In a pod fabric8 reads the token (and re-reads it as the kubelet rotates it), the CA and the namespace.
        return Config.autoConfigure(null);
    }
}
