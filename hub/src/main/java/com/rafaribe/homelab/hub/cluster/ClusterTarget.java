package com.rafaribe.homelab.hub.cluster;

import java.nio.file.Path;

/**
 * One cluster to watch: a kubeconfig context, or the pod's own service account (in-cluster).
 *
 * @param name        the cluster's name in the hub: the context, or {@code <file name>/<context>}
 *                    when two files have a context of that name
 * @param context     the context in {@code file}; null in-cluster
 * @param file        the kubeconfig file; null in-cluster
 * @param server      the API server URL, for display
 * @param proxy       the context's proxy-url, or null
 * @param problem     why this cluster cannot even be tried (unreadable kubeconfig), or null
 * @param kubeconfig  the file's text when it was read: the verticle connects (and reconnects)
 *                    with it, so a file broken later does not break a running cluster
 * @param fingerprint the context's whole content (its context, cluster and user entries): two
 *                    targets of one name with equal fingerprints are the same connection
 * @param serverKey   a digest of the server URL and CA, or null: two contexts with equal keys reach
 *                    one cluster, which tells them apart where its kube-system UID cannot be read
 *                    ({@link ClusterIdentities})
 */
public record ClusterTarget(String name, String context, Path file, String server, String proxy, String problem, String kubeconfig,
                            String fingerprint, String serverKey) {
    public static final String IN_CLUSTER = "in-cluster";

    /** A target without a server key: its cluster is known by its kube-system UID only. */
    public ClusterTarget(String name, String context, Path file, String server, String proxy, String problem, String kubeconfig,
                         String fingerprint) {
        this(name, context, file, server, proxy, problem, kubeconfig, fingerprint, null);
    }

    public static ClusterTarget inCluster() {
        return new ClusterTarget(IN_CLUSTER, null, null, "https://kubernetes.default.svc", null, null, null, IN_CLUSTER);
    }

    /** A kubeconfig file or folder that gives no context at all: a cluster named after it, Failed. */
    static ClusterTarget broken(Path path, String problem) {
        return new ClusterTarget(path.getFileName().toString(), null, path, null, null, problem, null, problem);
    }

    public boolean isInCluster() {
        return file == null && problem == null;
    }

    /** A file that did not parse, rather than a context. */
    boolean isBrokenFile() {
        return context == null && problem != null && file != null;
    }
}
