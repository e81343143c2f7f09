package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hub's clients read objects that are equal to what plain fabric8 reads, with repeated strings
 * shared and one empty map for every model object without unknown fields.
 */
class CompactModelsTest {
    private final KubernetesSerialization plain = new KubernetesSerialization();
    private final KubernetesSerialization compact = new KubernetesSerialization(
            JsonMapper.builder().addModule(new CompactModels()).build(), true);

    private static String moverPod(String suffix, String uid) {
        Job job = VolSyncObjects.sourceJob("apps", "db", "rs-uid", "job-uid");
        return new KubernetesSerialization().asJson(VolSyncObjects.sourcePod(job, suffix, uid, "restic-secret").build());
    }

    @Test
    void readsWhatPlainFabric8ReadsWithRepeatedStringsShared() {
        String first = moverPod("a1", "uid-1");
        String second = moverPod("b2", "uid-2");

        Pod a = compact.unmarshal(first, Pod.class);
        Pod b = compact.unmarshal(second, Pod.class);

        assertThat(a).isEqualTo(plain.unmarshal(first, Pod.class));
        assertThat(b).isEqualTo(plain.unmarshal(second, Pod.class));
        assertThat(a.getMetadata().getNamespace()).isSameAs(b.getMetadata().getNamespace());
        assertThat(a.getSpec().getContainers().get(0).getImage()).isSameAs(b.getSpec().getContainers().get(0).getImage());
        assertThat(a.getMetadata().getLabels().values()).isNotEmpty();
        a.getMetadata().getLabels().forEach((k, v) -> assertThat(b.getMetadata().getLabels().get(k)).isSameAs(v));
        assertThat(a.getMetadata().getUid()).isNotEqualTo(b.getMetadata().getUid());
    }

    @Test
    void modelObjectsWithoutUnknownFieldsShareOneEmptyMap() {
        Pod a = compact.unmarshal(moverPod("a1", "uid-1"), Pod.class);
        Pod b = compact.unmarshal(moverPod("b2", "uid-2"), Pod.class);

        assertThat(a.getAdditionalProperties()).isEmpty();
        assertThat(a.getAdditionalProperties()).isSameAs(b.getAdditionalProperties());
        assertThat(a.getMetadata().getAdditionalProperties()).isSameAs(b.getSpec().getContainers().get(0).getAdditionalProperties());
        Pod plainPod = plain.unmarshal(moverPod("a1", "uid-1"), Pod.class);
        assertThat(plainPod.getMetadata().getAdditionalProperties()).isNotSameAs(plainPod.getSpec().getAdditionalProperties());
    }

    @Test
    void unknownFieldsAreKeptInAMapOfTheirOwn() {
        String json = moverPod("a1", "uid-1").replace("\"spec\":{", "\"spec\":{\"fieldFromANewerKubernetes\":{\"on\":true},");

        Pod pod = compact.unmarshal(json, Pod.class);

        assertThat(pod.getSpec().getAdditionalProperties()).containsEntry("fieldFromANewerKubernetes", Map.of("on", true));
        pod.getSpec().setAdditionalProperty("more", 1);
        assertThat(pod.getSpec().getAdditionalProperties()).containsKey("more");
    }

    @Test
    void genericResourcesKeepMutableMaps() {
        GenericKubernetesResource rs = compact.unmarshal(
                "{\"apiVersion\":\"volsync.backube/v1alpha1\",\"kind\":\"ReplicationSource\",\"metadata\":{\"name\":\"db\",\"namespace\":\"apps\"}}",
                GenericKubernetesResource.class);

        rs.setAdditionalProperty("spec", Map.of("trigger", Map.of("schedule", "0 * * * *")));

        assertThat(rs.getAdditionalProperties()).containsKey("spec");
    }

    @Test
    void theTableSharesRecentStringsAndLeavesLongOnesAlone() {
        StringTable table = new StringTable(16);
        String first = new String("Succeeded");
        String again = new String("Succeeded");
        String longText = "x".repeat(StringTable.MAX_LENGTH + 1);

        assertThat(table.dedup(first)).isSameAs(first);
        assertThat(table.dedup(again)).isSameAs(first);
        assertThat(table.dedup(new String(longText))).isNotSameAs(table.dedup(new String(longText)));
        assertThat(table.dedup(null)).isNull();
        assertThatThrownBy(() -> new StringTable(12)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    }
}
