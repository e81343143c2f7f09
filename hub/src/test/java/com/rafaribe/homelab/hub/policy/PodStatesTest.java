package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodStatesTest {
    @Test
    void aPodOfAJobIsTheJobsNameAndFiveCharacters() {
        assertThat(PodStates.isPodOfJob("volsync-src-app-x7k2p", "volsync-src-app")).isTrue();
        assertThat(PodStates.isPodOfJob("volsync-src-app-db-h2x9k", "volsync-src-app")).as("another Job's pod").isFalse();
        assertThat(PodStates.isPodOfJob("volsync-src-app-X7K2P", "volsync-src-app")).isFalse();
        assertThat(PodStates.isPodOfJob("volsync-src-apps-x7k2", "volsync-src-app")).isFalse();
    }
}
