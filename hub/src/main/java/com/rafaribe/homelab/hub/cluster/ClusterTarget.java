package com.rafaribe.homelab.hub.cluster;

import java.nio.file.Path;

/**
 * One cluster to watch: a kubeconfig context, or the pod's own service account (in-cluster).
 *
 * @param name    the cluster's name in the hub: the context, or {@code <file name>/<context>} when
 *                two files have a context of that name
 * @param context the context in {@code file}; null in-cluster
 * @param file    the kubeconfig file; null in-cluster
 * @param server  the API server URL, for display
 * @param proxy   the context's proxy-url, or null
 * @param problem why this cluster cannot even be tried (unreadable kubeconfig), or null
 */
public record ClusterTarget(String name, String context, Path file, String server, String proxy, String problem) {
    public static final String IN_CLUSTER = "in-cluster";

    public static ClusterTarget inCluster() {
        return new ClusterTarget(IN_CLUSTER, null, null, "https://kubernetes.default.svc", null, null);
    }

    public boolean isInCluster() {
        return file == null && problem == null;
    }
}
