package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Turns what went wrong talking to a cluster into one line a person can act on. */
public final class ConnectionErrors {
    private ConnectionErrors() {
    }

    public static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() == 401) {
                return "401 Unauthorized: the API server rejected the credentials (expired or wrong token?)";
            }
            if (t instanceof KubernetesClientException k && k.getCode() == 403) {
                return "403 Forbidden: " + firstLine(k.getStatus() != null && k.getStatus().getMessage() != null
                        ? k.getStatus().getMessage() : k.getMessage()) + " (missing RBAC permission)";
            }
            if (t instanceof KubernetesClientException k && k.getCode() == 404 && String.valueOf(k.getMessage()).contains("volsyncmonitors")) {
                return "404 Not Found: the VolSyncMonitor CRD is not installed in this cluster (kubectl apply -f agent-config/crd/)";
            }
            if (t instanceof UnknownHostException || t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "unreachable: " + firstLine(t.getMessage());
            }
            if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return "unreachable: timed out" + (t.getMessage() == null ? "" : ": " + firstLine(t.getMessage()));
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.contains("Cannot run program") || message.contains("exec") && message.contains("plugin")) {
                return "exec credential plugin failed: " + firstLine(message);
            }
            if (message.toLowerCase().contains("proxy")) {
                return "proxy problem: " + firstLine(message);
            }
        }
        String root = error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
        return firstLine(root);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
