package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A monitor author must not choose what runs with the credentials of the namespaces the monitor
 * selects: only images and ServiceAccounts the hub's operator allowed, and only restic unlock.
 */
class UnlockAllowListTest {
    static final UnlockAllowList RESTIC_AND_VOLSYNC = new UnlockAllowList(
            List.of("docker.io/restic/restic:*", "quay.io/backube/volsync@sha256:*"), Set.of("volsync-unlock-sa"));

    static MonitorValidator.Result validate(String template, UnlockAllowList allowed) throws IOException {
        String yaml = "apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\nmetadata: {name: m, namespace: ns}\n"
                + "spec: {enabled: true, unlockJobTemplate: " + template + "}\n";
        VolSyncMonitor monitor = MonitorYaml.parseAll(yaml).get(0);
        return MonitorValidator.validate(monitor, allowed);
    }

    static List<String> problems(String template) throws IOException {
        return validate(template, RESTIC_AND_VOLSYNC).problems();
    }

    @Test
    void byDefaultATemplateMayNotChooseAnImageAndTheReasonNamesTheFlag() throws IOException {
        MonitorValidator.Result r = validate("{image: \"restic/restic:0.18.1\"}", UnlockAllowList.MOVER_ONLY);
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p)
                .startsWith("spec.unlockJobTemplate.image \"restic/restic:0.18.1\" is not allowed")
                .contains("--unlock-image-allow", "HUB_UNLOCK_IMAGE_ALLOW"));
        assertThat(validate("{}", UnlockAllowList.MOVER_ONLY).valid()).as("the mover's own image needs no flag").isTrue();
    }

    @Test
    void byDefaultATemplateMayNotChooseAServiceAccountAndTheReasonNamesTheFlag() throws IOException {
        MonitorValidator.Result r = validate("{serviceAccount: cluster-admin-sa}", UnlockAllowList.MOVER_ONLY);
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p)
                .startsWith("spec.unlockJobTemplate.serviceAccount \"cluster-admin-sa\" is not allowed")
                .contains("--unlock-service-account-allow", "HUB_UNLOCK_SERVICE_ACCOUNT_ALLOW"));
        assertThat(validate("{serviceAccount: volsync-unlock-sa}", RESTIC_AND_VOLSYNC).valid()).isTrue();
        assertThat(problems("{serviceAccount: default}")).singleElement().asString().contains("\"default\" is not allowed");
    }

    @Test
    void imageGlobsMatchTagsAndDigestsAndDockerHubsShortNames() {
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("docker.io/restic/restic:0.18.1")).isTrue();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("restic/restic:latest")).as("Docker Hub's short name").isTrue();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("index.docker.io/restic/restic:0.17.3")).isTrue();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("quay.io/backube/volsync@sha256:0123abcd")).isTrue();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("quay.io/backube/volsync:0.13.0")).as("a tag, where only digests are allowed").isFalse();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("docker.io/evil/restic:0.18.1")).isFalse();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("docker.io/restic/restic-evil:1")).isFalse();
        assertThat(RESTIC_AND_VOLSYNC.imageAllowed("ghcr.io/restic/restic:1")).isFalse();
        assertThat(new UnlockAllowList(List.of("alpine:3.*"), Set.of()).imageAllowed("docker.io/library/alpine:3.20")).isTrue();
        assertThat(new UnlockAllowList(List.of("*"), Set.of()).imageAllowed("anything.example/x:y")).isTrue();
        assertThatThrownBy(() -> new UnlockAllowList(List.of("has space"), Set.of())).hasMessageContaining("--unlock-image-allow");
    }

    @Test
    void aShellIsNotRestic() throws IOException {
        assertThat(problems("{command: [\"sh\", \"-c\", \"restic unlock\"]}")).singleElement().asString()
                .contains("command \"sh -c restic unlock\" does not run restic");
        assertThat(problems("{command: [\"/bin/restic-wrapper.sh\"], args: [\"unlock\"]}")).singleElement().asString().contains("does not run restic");
        assertThat(problems("{command: []}")).singleElement().asString().contains("command is empty");
    }

    @Test
    void resticByAnyPathRunningUnlockIsFine() throws IOException {
        assertThat(problems("{command: [\"/usr/local/bin/restic\"], args: [\"unlock\", \"--remove-all\"]}")).isEmpty();
        assertThat(problems("{command: [\"restic\", \"unlock\"]}")).isEmpty();
        assertThat(problems("{args: [\"unlock\"]}")).isEmpty();
        assertThat(problems("{args: [\"--verbose\", \"unlock\", \"--no-cache\", \"--verbose=2\"]}")).isEmpty();
        assertThat(problems("{}")).isEmpty();
    }

    @Test
    void anotherSubcommandIsNotAnUnlock() throws IOException {
        assertThat(problems("{args: [\"snapshots\"]}")).singleElement().asString()
                .isEqualTo("spec.unlockJobTemplate.args give restic the subcommand \"snapshots\"; it must be unlock");
        assertThat(problems("{command: [\"restic\", \"forget\"], args: [\"--prune\"]}")).singleElement().asString()
                .contains("the subcommand \"forget\"");
        assertThat(problems("{command: [\"restic\"]}")).singleElement().asString().contains("no subcommand");
    }

    /** --password-command and rclone.program run a program with the mover's env; -r sends restic elsewhere. */
    @Test
    void flagsThatRunProgramsOrChangeTheRepositoryAreRefused() throws IOException {
        assertThat(problems("{args: [\"unlock\", \"--password-command\", \"sh -c env\"]}"))
                .anySatisfy(p -> assertThat(p).contains("flag \"--password-command\" is not allowed"))
                .anySatisfy(p -> assertThat(p).contains("argument \"sh -c env\" is not allowed"));
        assertThat(problems("{args: [\"unlock\", \"-o\", \"rclone.program=/bin/sh\"]}")).anySatisfy(p -> assertThat(p).contains("flag \"-o\""));
        assertThat(problems("{args: [\"unlock\", \"--repo=s3:evil.example/x\"]}")).singleElement().asString().contains("flag \"--repo=s3:evil.example/x\"");
    }
}
