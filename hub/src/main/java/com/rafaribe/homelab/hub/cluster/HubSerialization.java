package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * The serialization every hub client shares, made once: Jackson builds a type's deserializers once per
 * serialization, not per connection, and one {@link CompactModels} table serves every cluster's objects,
 * since clusters repeat each other's strings.
 *
 * <p>It knows the kinds the hub reads by their kind alone (a watch event names its object's kind)
 * instead of finding every kind fabric8 has through the class path: that scan, at the first watch
 * event, loaded about 600 model classes the hub never uses (Gateway API, dynamic resource
 * allocation ...). A kind not listed still reads, as a generic resource that fabric8 converts to the
 * type asked for.
 */
final class HubSerialization {
    static final List<Class<? extends KubernetesResource>> KINDS = List.of(Pod.class, Job.class, VolSyncMonitor.class, Lease.class,
            Event.class, Namespace.class, Status.class);

    private HubSerialization() {
    }

    static KubernetesSerialization create() {
        KubernetesSerialization serialization = new KubernetesSerialization(JsonMapper.builder().addModule(new CompactModels()).build(), false);
        KINDS.forEach(serialization::registerKubernetesResource);
        return serialization;
    }
}
