package com.rafaribe.homelab.hub.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A cluster's policy for stale restic locks, and where the hub reports what it did there.
 * Field for field the original Go controller's resource, plus additive fields; the CRD in
 * {@code agent-config/crd/} is generated from this class.
 */
@Group(VolSyncMonitor.GROUP)
@Version(VolSyncMonitor.VERSION)
@AdditionalPrinterColumn(name = "Enabled", jsonPath = ".spec.enabled", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.activeUnlockCount", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Created", jsonPath = ".status.totalUnlocksCreated", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Succeeded", jsonPath = ".status.totalUnlocksSucceeded", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.totalUnlocksFailed", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Last Unlock", jsonPath = ".status.lastUnlockTime", type = Type.DATE, priority = 1)
@AdditionalPrinterColumn(name = "Last Error", jsonPath = ".status.lastError", type = Type.STRING, priority = 1)
public class VolSyncMonitor extends CustomResource<VolSyncMonitorSpec, VolSyncMonitorStatus> implements Namespaced {
    public static final String GROUP = "homelab.rafaribe.com";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "VolSyncMonitor";
    public static final String API_VERSION = GROUP + "/" + VERSION;
}
