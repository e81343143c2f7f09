package com.rafaribe.homelab.hub.sandbox;

/** Where a pod runner keeps what a container printed: the mock API server's pods/log, or a virtual kubelet's /containerLogs. */
public interface ContainerLogs {
    void setLog(String namespace, String pod, String text);
}
