package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepositoryKeyTest {
    /** Where csi-rclone and the S3 CSI drivers take their keys: in the volume's attributes, in the pod spec. */
    static Pod csiMover(String namespace, Map<String, String> attributes) {
        return new PodBuilder()
                .withNewMetadata().withName("volsync-src-app-x1").withNamespace(namespace).endMetadata()
                .withNewSpec()
                    .addNewContainer().withName("restic").withImage("quay.io/backube/volsync:0.16.0").endContainer()
                    .addNewVolume().withName("data").withNewPersistentVolumeClaim("app-data", true).endVolume()
                    .addNewVolume().withName("repository").withNewCsi().withDriver("csi-rclone").withVolumeAttributes(attributes).endCsi()
                    .endVolume()
                .endSpec().build();
    }

    static Map<String, String> rcloneAttributes(String secretKey) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("remote", "s3");
        a.put("remotePath", "volsync/app");
        a.put("s3-provider", "Minio");
        a.put("s3-access-key-id", "AKIACSIATTRIBUTE0001");
        a.put("s3-secret-access-key", secretKey);
        return a;
    }

    @Test
    void csiVolumeAttributesNeverAppearInTheKey() {
        RepositoryKey key = RepositoryKey.of("home", csiMover("media", rcloneAttributes("csiSecretValue42")));
        for (String text : new String[] {key.asString(), key.location(), key.toString(), String.join(",", key.volumeSources())}) {
            assertThat(text).doesNotContain("csiSecretValue42").doesNotContain("AKIACSIATTRIBUTE0001").doesNotContain("volsync/app")
                    .contains("csi:csi-rclone:");
        }
    }

    @Test
    void theHashStillTellsRepositoriesApartAndIgnoresTheAttributesOrder() {
        RepositoryKey one = RepositoryKey.of("home", csiMover("media", rcloneAttributes("keyOne")));
        RepositoryKey other = RepositoryKey.of("home", csiMover("media", rcloneAttributes("keyTwo")));
        Map<String, String> reversed = new LinkedHashMap<>();
        java.util.List<Map.Entry<String, String>> entries = new java.util.ArrayList<>(rcloneAttributes("keyOne").entrySet());
        java.util.Collections.reverse(entries);
        entries.forEach(e -> reversed.put(e.getKey(), e.getValue()));
        RepositoryKey sameAsOne = RepositoryKey.of("home", csiMover("media", reversed));
        assertThat(one).isNotEqualTo(other);
        assertThat(one.asString()).isNotEqualTo(other.asString());
        assertThat(sameAsOne.asString()).isEqualTo(one.asString());
        assertThat(RepositoryKey.of("home", csiMover("books", rcloneAttributes("keyOne"))).location())
                .as("the same CSI repository seen from another namespace").isEqualTo(one.location());
    }

    @Test
    void attributesThatOnlyDifferInWhereAKeyEndsHashApart() {
        RepositoryKey a = RepositoryKey.of("home", csiMover("media", Map.of("a", "b,c=d")));
        RepositoryKey b = RepositoryKey.of("home", csiMover("media", Map.of("a", "b", "c", "d")));
        assertThat(a.location()).isNotEqualTo(b.location());
    }
}
