package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GoverningMonitorTest {
    static final TrustedNamespaces TRUSTED = new TrustedNamespaces(Set.of("hub"));
    static final FailedMover MEDIA = new FailedMover("media", "volsync-src-plex-abcde", "uid", "volsync-src-plex", "juid",
            "ReplicationSource", "plex");

    static MonitorEntry monitor(String namespace, String name, String created, String spec) throws IOException {
        VolSyncMonitor m = MonitorYaml.parseAll("apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\nmetadata: {name: " + name
                + ", namespace: " + namespace + ", creationTimestamp: \"" + created + "\"}\nspec: " + spec + "\n").get(0);
        return MonitorEntry.of(m, TRUSTED);
    }

    @Test
    void aMonitorListingTheNamespaceBeatsOneListingNone() throws IOException {
        MonitorEntry catchAll = monitor("hub", "all", "2024-01-01T00:00:00Z", "{enabled: true}");
        MonitorEntry media = monitor("hub", "media", "2025-01-01T00:00:00Z", "{enabled: false, jobSelector: {namespaces: [media]}}");
        assertThat(GoverningMonitor.select(List.of(catchAll, media), MEDIA, Map.of())).contains(media);
    }

    @Test
    void tiesGoToTheOldestThenByName() throws IOException {
        MonitorEntry younger = monitor("hub", "a", "2025-01-01T00:00:00Z", "{}");
        MonitorEntry older = monitor("hub", "z", "2024-01-01T00:00:00Z", "{}");
        MonitorEntry sameAge = monitor("hub", "b", "2024-01-01T00:00:00Z", "{}");
        assertThat(GoverningMonitor.select(List.of(younger, sameAge, older), MEDIA, Map.of())).contains(sameAge);
    }

    @Test
    void prefixLabelsAndNamespacesMustAllMatch() throws IOException {
        MonitorEntry prefix = monitor("hub", "p", "2024-01-01T00:00:00Z", "{jobSelector: {namePrefix: volsync-dst-}}");
        MonitorEntry labels = monitor("hub", "l", "2024-01-01T00:00:00Z", "{jobSelector: {labelSelector: {tier: gold}}}");
        MonitorEntry other = monitor("hub", "o", "2024-01-01T00:00:00Z", "{jobSelector: {namespaces: [downloads]}}");
        assertThat(GoverningMonitor.select(List.of(prefix, labels, other), MEDIA, Map.of("tier", "silver"))).isEmpty();
        assertThat(GoverningMonitor.select(List.of(prefix, labels, other), MEDIA, Map.of("tier", "gold"))).contains(labels);
    }

    @Test
    void untrustedMonitorsNeverGovern() throws IOException {
        MonitorEntry rogue = monitor("rogue", "r", "2024-01-01T00:00:00Z", "{enabled: true}");
        assertThat(GoverningMonitor.select(List.of(rogue), MEDIA, Map.of())).isEmpty();
        assertThat(GoverningMonitor.untrustedWouldMatch(List.of(rogue), MEDIA, Map.of())).isTrue();
        assertThat(MonitorEntry.of(rogue.monitor(), new TrustedNamespaces(Set.of("*"))).trusted()).isTrue();
    }
}
