package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which clusters a kubeconfig change starts, restarts or stops: exactly the ones it touched. */
class KubeconfigChangesTest {
    static final Path HOME = Path.of("/kubeconfigs/home");
    static final Path NAS = Path.of("/kubeconfigs/nas");

    static ClusterTarget context(String name, Path file, String fingerprint) {
        return new ClusterTarget(name, name, file, "https://" + name + ":6443", null, null, "kubeconfig text", fingerprint);
    }

    static ClusterTarget brokenFile(Path file) {
        return ClusterTarget.broken(file, "kubeconfig " + file + " does not parse: mapping values are not allowed here");
    }

    static final ClusterTarget MAIN = context("main", HOME, "a1");
    static final ClusterTarget MEDIA = context("media", HOME, "b1");
    static final ClusterTarget NAS_CTX = context("nas", NAS, "c1");

    @Test
    void theFirstReadingStartsEveryCluster() {
        KubeconfigChanges changes = KubeconfigChanges.between(List.of(), List.of(MAIN, MEDIA, NAS_CTX));
        assertThat(changes.start()).containsExactly(MAIN, MEDIA, NAS_CTX);
        assertThat(changes.stop()).isEmpty();
    }

    @Test
    void theSameContentAgainChangesNothing() {
        KubeconfigChanges changes = KubeconfigChanges.between(List.of(MAIN, MEDIA), List.of(context("main", HOME, "a1"), MEDIA));
        assertThat(changes.changesNothing()).isTrue();
        assertThat(changes.configErrors()).containsEntry("main", null).containsEntry("media", null);
    }

    @Test
    void aChangedTokenRestartsThatClusterOnly() {
        ClusterTarget rotated = context("main", HOME, "a2");
        KubeconfigChanges changes = KubeconfigChanges.between(List.of(MAIN, MEDIA, NAS_CTX), List.of(rotated, MEDIA, NAS_CTX));
        assertThat(changes.stop()).containsExactly("main");
        assertThat(changes.start()).containsExactly(rotated);
    }

    @Test
    void aNewFileStartsItsClustersAndARemovedContextStopsOnlyItself() {
        KubeconfigChanges added = KubeconfigChanges.between(List.of(MAIN, MEDIA), List.of(MAIN, MEDIA, NAS_CTX));
        assertThat(added.start()).containsExactly(NAS_CTX);
        assertThat(added.stop()).isEmpty();
        KubeconfigChanges removed = KubeconfigChanges.between(List.of(MAIN, MEDIA, NAS_CTX), List.of(MAIN, NAS_CTX));
        assertThat(removed.stop()).containsExactly("media");
        assertThat(removed.start()).isEmpty();
    }

    @Test
    void aFileThatStopsParsingKeepsItsClustersRunningWithTheErrorShown() {
        KubeconfigChanges changes = KubeconfigChanges.between(List.of(MAIN, MEDIA, NAS_CTX), List.of(brokenFile(HOME), NAS_CTX));
        assertThat(changes.changesNothing()).isTrue();
        assertThat(changes.configErrors().get("main")).contains("/kubeconfigs/home does not parse", "last good configuration");
        assertThat(changes.configErrors().get("media")).contains("does not parse");
        assertThat(changes.configErrors()).containsEntry("nas", null);
    }

    @Test
    void onceItParsesAgainTheErrorGoesAndOnlyWhatChangedRestarts() {
        KubeconfigChanges fixed = KubeconfigChanges.between(List.of(MAIN, MEDIA), List.of(MAIN, context("media", HOME, "b2")));
        assertThat(fixed.configErrors()).containsEntry("main", null);
        assertThat(fixed.stop()).containsExactly("media");
        assertThat(fixed.start()).extracting(ClusterTarget::fingerprint).containsExactly("b2");
    }

    @Test
    void aFileBrokenFromTheStartIsAFailedClusterOfItsOwn() {
        ClusterTarget broken = brokenFile(NAS);
        KubeconfigChanges changes = KubeconfigChanges.between(List.of(MAIN), List.of(MAIN, broken));
        assertThat(changes.start()).containsExactly(broken);
        assertThat(KubeconfigChanges.between(List.of(MAIN, broken), List.of(MAIN, broken)).changesNothing()).isTrue();
        KubeconfigChanges repaired = KubeconfigChanges.between(List.of(MAIN, broken), List.of(MAIN, NAS_CTX));
        assertThat(repaired.stop()).containsExactly("nas");
        assertThat(repaired.start()).containsExactly(NAS_CTX);
    }
}
