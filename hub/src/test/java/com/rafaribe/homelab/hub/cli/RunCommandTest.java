package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.Main;
import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `run`'s options as the hub gets them, and what it refuses before it starts anything: an open dashboard on the network, a short token. */
class RunCommandTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    record Outcome(int exit, String err) {
    }

    Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.execute(new ByteArrayInputStream(new byte[0]), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new Outcome(exit, err.toString());
    }

    RunCommand parsed(String... args) {
        RunCommand command = new RunCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    Path kubeconfig() throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
    }

    /** The Lease in the first monitor namespace, held under the pod's name; a laptop's hub is host:pid; flags win. */
    @Test
    void theLeaseLivesInTheFirstMonitorNamespaceUnderThePodsNameUnlessTheFlagsSayOtherwise() {
        TrustedNamespaces trusted = new TrustedNamespaces(new java.util.LinkedHashSet<>(List.of("backups", "other")));
        LeaseSettings inPod = parsed().lease(trusted, Map.of("POD_NAME", "hub-7d9f-abcde", "KUBERNETES_SERVICE_HOST", "10.0.0.1")::get);
        assertThat(inPod.namespace()).isEqualTo("backups");
        assertThat(inPod.identity()).isEqualTo("hub-7d9f-abcde");
        assertThat(inPod.leaseDuration()).isEqualTo(Duration.ofSeconds(12));
        assertThat(inPod.renewDeadline()).isEqualTo(Duration.ofSeconds(8));
        assertThat(inPod.retryPeriod()).isEqualTo(Duration.ofSeconds(2));

        LeaseSettings laptop = parsed().lease(new TrustedNamespaces(java.util.Set.of("*")), Map.<String, String>of()::get);
        assertThat(laptop.namespace()).isEqualTo(TrustedNamespaces.DEFAULT);
        assertThat(laptop.identity()).endsWith(":" + ProcessHandle.current().pid());

        LeaseSettings told = parsed("--lease-namespace", "ops", "--identity", "laptop-of-ana").lease(trusted, Map.of("POD_NAME", "x")::get);
        assertThat(told.namespace()).isEqualTo("ops");
        assertThat(told.identity()).isEqualTo("laptop-of-ana");
        assertThat(told.replicas()).as("alone unless told").isEqualTo(1);
        assertThat(parsed("--replicas", "3").lease(trusted, Map.<String, String>of()::get).replicas()).isEqualTo(3);
    }

    @Test
    void aNumberOfReplicasBelowOneStopsTheStart() throws IOException {
        Outcome outcome = run("run", "--kubeconfig", kubeconfig().toString(), "--replicas", "0");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("--replicas 0 is not a number of hubs");
    }

    @Test
    void aLeaseNamespaceNoNamespaceCanHaveStopsTheStart() throws IOException {
        Outcome outcome = run("run", "--kubeconfig", kubeconfig().toString(), "--lease-namespace", "Not_A_Namespace");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("--lease-namespace Not_A_Namespace is not a namespace name");
    }

    @Test
    void aTokenShorterThan32CharactersStopsTheStartWithoutQuotingIt() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "abc\n");
        Outcome outcome = run("run", "--kubeconfig", kubeconfig().toString(), "--http-host", "127.0.0.1", "--dashboard-token-file", token.toString());
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("--dashboard-token-file " + token, "at least 32 characters", "this one has 3")
                .doesNotContain("abc\n");
    }

    @Test
    void anAddressOthersReachWithoutATokenIsRefusedUnlessInsecureOpenDashboardSaysSo() throws IOException {
        Outcome outcome = run("run", "--kubeconfig", kubeconfig().toString(), "--http-host", "0.0.0.0");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("--http-host 0.0.0.0", "--dashboard-token-file", "--insecure-open-dashboard");
        HubConfig open = parsed("--kubeconfig", kubeconfig().toString(), "--http-host", "0.0.0.0", "--insecure-open-dashboard").config();
        assertThat(open.httpHost()).isEqualTo("0.0.0.0");
        assertThat(open.dashboardToken()).isNull();
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        HubConfig guarded = parsed("--kubeconfig", kubeconfig().toString(), "--http-host", "0.0.0.0", "--dashboard-token-file", token.toString())
                .config();
        assertThat(guarded.dashboardToken()).isEqualTo(TOKEN);
        assertThat(guarded.dashboardTokenFile()).isEqualTo(token);
    }

    @Test
    void withoutHttpHostOnlyThisMachineOutsideAPodAndEveryAddressInOne() throws IOException {
        RunCommand command = parsed("--kubeconfig", kubeconfig().toString());
        assertThat(command.httpHost(Map.<String, String>of()::get)).isEqualTo("127.0.0.1");
        assertThat(command.httpHost(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")::get)).isEqualTo("0.0.0.0");
        assertThat(parsed("--kubeconfig", kubeconfig().toString(), "--http-host", "::1").httpHost(Map.of("KUBERNETES_SERVICE_HOST", "x")::get))
                .isEqualTo("::1");
    }

    static HubConfig config(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.config();
    }

    @Test
    void byDefaultTemplatesMayAskForNothingButTheMoversOwnImageAndServiceAccount() {
        assertThat(config("--kubeconfig", "/nonexistent/kubeconfig", "--http-host", "127.0.0.1").unlockAllow()).isEqualTo(UnlockAllowList.MOVER_ONLY);
    }

    @Test
    void theAllowListsAreRepeatableAndCommaSeparated() {
        UnlockAllowList allow = config("--kubeconfig", "/nonexistent/kubeconfig", "--http-host", "127.0.0.1",
                "--unlock-image-allow", "docker.io/restic/restic:*", "--unlock-image-allow", "quay.io/backube/volsync@sha256:*,alpine:3.*",
                "--unlock-service-account-allow", "volsync-unlock-sa").unlockAllow();
        assertThat(allow.imagePatterns()).containsExactly("docker.io/restic/restic:*", "quay.io/backube/volsync@sha256:*", "alpine:3.*");
        assertThat(allow.serviceAccounts()).isEqualTo(Set.of("volsync-unlock-sa"));
        assertThat(allow.imageAllowed("restic/restic:0.18.1")).isTrue();
    }

    @Test
    void aNameThatIsNoServiceAccountStopsTheHubSayingWhich() {
        assertThatThrownBy(() -> config("--kubeconfig", "/nonexistent/kubeconfig", "--http-host", "127.0.0.1", "--unlock-service-account-allow", "Not_A_Name"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--unlock-service-account-allow Not_A_Name is not a ServiceAccount name");
    }
}
