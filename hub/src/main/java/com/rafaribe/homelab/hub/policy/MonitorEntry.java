package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;

/** A cluster's monitor as the policy holds it: the resource, its validation, and whether its namespace is trusted. */
public record MonitorEntry(VolSyncMonitor monitor, MonitorValidator.Result validation, boolean trusted) {
    public String namespace() {
        return monitor.getMetadata().getNamespace();
    }

    public String name() {
        return monitor.getMetadata().getName();
    }

    public String key() {
        return namespace() + "/" + name();
    }

    public static MonitorEntry of(VolSyncMonitor monitor, TrustedNamespaces trusted) {
        return new MonitorEntry(monitor, MonitorValidator.validate(monitor), trusted.contains(monitor.getMetadata().getNamespace()));
    }
}
