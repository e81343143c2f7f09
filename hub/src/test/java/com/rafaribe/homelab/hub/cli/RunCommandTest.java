package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `run`'s options as the hub gets them, without starting it. */
class RunCommandTest {
    static HubConfig config(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.config();
    }

    @Test
    void byDefaultTemplatesMayAskForNothingButTheMoversOwnImageAndServiceAccount() {
        assertThat(config("--kubeconfig", "/nonexistent/kubeconfig").unlockAllow()).isEqualTo(UnlockAllowList.MOVER_ONLY);
    }

    @Test
    void theAllowListsAreRepeatableAndCommaSeparated() {
        UnlockAllowList allow = config("--kubeconfig", "/nonexistent/kubeconfig",
                "--unlock-image-allow", "docker.io/restic/restic:*", "--unlock-image-allow", "quay.io/backube/volsync@sha256:*,alpine:3.*",
                "--unlock-service-account-allow", "volsync-unlock-sa").unlockAllow();
        assertThat(allow.imagePatterns()).containsExactly("docker.io/restic/restic:*", "quay.io/backube/volsync@sha256:*", "alpine:3.*");
        assertThat(allow.serviceAccounts()).isEqualTo(Set.of("volsync-unlock-sa"));
        assertThat(allow.imageAllowed("restic/restic:0.18.1")).isTrue();
    }

    @Test
    void aNameThatIsNoServiceAccountStopsTheHubSayingWhich() {
        assertThatThrownBy(() -> config("--kubeconfig", "/nonexistent/kubeconfig", "--unlock-service-account-allow", "Not_A_Name"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--unlock-service-account-allow Not_A_Name is not a ServiceAccount name");
    }
}
