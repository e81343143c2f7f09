package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigsTest {
    @TempDir
    Path dir;

    Path kubeconfig(String file, String... contextAndServer) throws IOException {
        StringBuilder y = new StringBuilder("apiVersion: v1\nkind: Config\nclusters:\n");
        for (int i = 0; i < contextAndServer.length; i += 2) {
            y.append("- name: c").append(i).append("\n  cluster: {server: \"").append(contextAndServer[i + 1]).append("\"}\n");
        }
        y.append("users:\n- name: u\n  user: {token: t}\ncontexts:\n");
        for (int i = 0; i < contextAndServer.length; i += 2) {
            y.append("- name: ").append(contextAndServer[i]).append("\n  context: {cluster: c").append(i).append(", user: u}\n");
        }
        return Files.writeString(dir.resolve(file), y);
    }

    @Test
    void aContextNameInTwoFilesIsPrefixedWithItsFileName() throws IOException {
        kubeconfig("home.yaml", "admin", "https://10.0.0.1:6443", "nas", "https://10.0.0.9:6443");
        kubeconfig("office.yaml", "admin", "https://10.1.0.1:6443");
        List<ClusterTarget> targets = Kubeconfigs.discover(List.of(dir), Set.of());
        assertThat(targets).extracting(ClusterTarget::name).containsExactly("home.yaml/admin", "nas", "office.yaml/admin");
        assertThat(targets).allSatisfy(t -> assertThat(t.problem()).isNull());
    }

    /** Both are clusters of the hub, and one watches: the same server and CA mark them as one cluster ({@link ClusterIdentities}). */
    @Test
    void theSameServerAndCaAreKnownAsOneCluster() throws IOException {
        Path file = kubeconfig("k.yaml", "one", "https://10.0.0.1:6443", "two", "https://10.0.0.1:6443", "three", "https://10.0.0.3:6443");
        List<ClusterTarget> targets = Kubeconfigs.discover(List.of(file), Set.of());
        assertThat(targets).extracting(ClusterTarget::name).containsExactly("one", "two", "three");
        assertThat(targets.get(0).serverKey()).isNotNull().isEqualTo(targets.get(1).serverKey()).isNotEqualTo(targets.get(2).serverKey());
    }

    @Test
    void onlyTheNamedContexts() throws IOException {
        Path file = kubeconfig("k.yaml", "one", "https://10.0.0.1:6443", "two", "https://10.0.0.2:6443");
        assertThat(Kubeconfigs.discover(List.of(file), Set.of("two"))).extracting(ClusterTarget::name).containsExactly("two");
    }

    @Test
    void aBrokenFileIsAFailedClusterAndTheOthersGoOn() throws IOException {
        kubeconfig("good.yaml", "one", "https://10.0.0.1:6443");
        Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Config\nclusters: [ {name: x, cluster: {server: ");
        List<ClusterTarget> targets = Kubeconfigs.discover(List.of(dir, dir.resolve("missing.yaml")), Set.of());
        assertThat(targets).extracting(ClusterTarget::name).containsExactlyInAnyOrder("broken.yaml", "missing.yaml", "one");
        assertThat(targets).filteredOn(t -> t.name().equals("broken.yaml")).singleElement()
                .satisfies(t -> assertThat(t.problem()).contains("does not parse"));
        assertThat(targets).filteredOn(t -> t.name().equals("missing.yaml")).singleElement()
                .satisfies(t -> assertThat(t.problem()).contains("does not exist"));
    }
}
