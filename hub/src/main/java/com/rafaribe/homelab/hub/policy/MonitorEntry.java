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
        return of(monitor, trusted, UnlockAllowList.MOVER_ONLY);
    }

    public static MonitorEntry of(VolSyncMonitor monitor, TrustedNamespaces trusted, UnlockAllowList allowed) {
        return new MonitorEntry(monitor, MonitorValidator.validate(monitor, allowed), trusted.contains(monitor.getMetadata().getNamespace()));
    }
}
