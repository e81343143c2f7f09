package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The kinds the hub watches read as their own types from a watch event, without fabric8's class-path scan. */
class HubSerializationTest {
    private final KubernetesSerialization serialization = HubSerialization.create();

    private KubernetesResource watched(String apiVersion, String kind) {
        return (KubernetesResource) serialization.unmarshal("{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind
                + "\",\"metadata\":{\"name\":\"x\",\"namespace\":\"n\"}}}", WatchEvent.class).getObject();
    }

    @Test
    void theHubsKindsReadAsTheirTypes() {
        assertThat(watched("v1", "Pod")).isInstanceOf(Pod.class);
        assertThat(watched("batch/v1", "Job")).isInstanceOf(Job.class);
        assertThat(watched("homelab.rafaribe.com/v1alpha1", "VolSyncMonitor")).isInstanceOf(com.rafaribe.homelab.hub.api.VolSyncMonitor.class);
        assertThat(watched("coordination.k8s.io/v1", "Lease")).isInstanceOf(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class);
    }

    @Test
    void otherKindsReadAsGenericResources() {
        assertThat(watched("volsync.backube/v1alpha1", "ReplicationSource")).isInstanceOf(GenericKubernetesResource.class);
        assertThat(watched("gateway.networking.k8s.io/v1", "HTTPRoute")).as("not scanned for").isInstanceOf(GenericKubernetesResource.class);
    }
}
