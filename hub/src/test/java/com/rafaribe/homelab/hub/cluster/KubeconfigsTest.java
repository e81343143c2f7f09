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

    /** A YAML error message quotes the offending line, which may be a credential: only its line, column and problem are told. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: LEAKED-TOKEN-1234 :bad: [\n",
        "apiVersion: v1\nusers:\n- name: u\n  user: {token: LEAKED-TOKEN-1234\n",
        "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: LEAKED-TOKEN-1234\n   bad: x\n",
        "\"LEAKED-TOKEN-1234\n",
        "apiVersion: v1\nusers: *LEAKED-TOKEN-1234\n"})
    void aParseErrorNamesLineAndColumnButNeverQuotesTheFile(String yaml) throws IOException {
        Files.writeString(dir.resolve("leaky.yaml"), yaml);
        List<ClusterTarget> targets = Kubeconfigs.discover(List.of(dir), Set.of());
        assertThat(targets).singleElement().satisfies(t -> {
            assertThat(t.problem()).contains("does not parse").doesNotContain("LEAKED");
            assertThat(t.fingerprint()).doesNotContain("LEAKED");
        });
        assertThat(targets.get(0).problem()).as(targets.get(0).problem()).matches("(?s).*line \\d+, column \\d+: .*");
    }

    /** YAML of the wrong shape is mapped after parsing, so it has no line: the path of the field says where. */
    @Test
    void aKubeconfigOfTheWrongShapeNamesTheFieldButNotItsValue() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: [LEAKED-TOKEN-1234]\n");
        Files.writeString(dir.resolve("b.yaml"), "apiVersion: v1\nusers: LEAKED-TOKEN-1234\n");
        assertThat(Kubeconfigs.discover(List.of(dir), Set.of())).extracting(ClusterTarget::problem).containsExactly(
                "kubeconfig " + dir.resolve("a.yaml") + " does not parse: not a kubeconfig: users[0].user.token has the wrong type",
                "kubeconfig " + dir.resolve("b.yaml") + " does not parse: not a kubeconfig: users has the wrong type");
    }

    @Test
    void theProblemsThatNameWhatTheyFoundAreCutShort() {
        assertThat(KubeconfigParseError.problem("found undefined alias LEAKED-TOKEN-1234")).isEqualTo("found undefined alias …");
        assertThat(KubeconfigParseError.problem("found unknown escape character LEAKED")).isEqualTo("found unknown escape character …");
        assertThat(KubeconfigParseError.problem("found character '\\t' that cannot start any token"))
                .isEqualTo("found character '\\t' that cannot start any token");
        assertThat(KubeconfigParseError.problem("expected <block end>, but found '<block mapping start>'")).isEqualTo(
                "expected <block end>, but found '<block mapping start>'");
        assertThat(KubeconfigParseError.problem("x".repeat(200))).hasSize(KubeconfigParseError.MAX_PROBLEM + 1);
    }
}
