package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.Main;
import com.rafaribe.homelab.hub.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class CheckLogCommandTest {
    static final String LOCK_LOG = "unable to create lock in backend: repository is already locked exclusively by PID 31 on "
            + "volsync-src-app-x7k2p by root (UID 0, GID 0)\nlock was created at 2026-11-26 11:23:55 (31m4.5s ago)\nstorage ID 2a3338ae\n";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void printsOneTabSeparatedLinePerFile() throws IOException {
        Path lock = file("lock.log", LOCK_LOG);
        Path ok = file("ok.log", "snapshot 1d93e0b5 saved\n");
        Run r = run("", "check-log", lock.toString(), ok.toString());
        assertThat(r.exit()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0].split("\t")).hasSize(3).startsWith(lock.toString(), "lock");
        assertThat(lines[0]).contains("already-locked", "volsync-src-app-x7k2p", "lock age 1864s");
        assertThat(lines[1]).isEqualTo(ok + "\tnot-lock\tno lock conflict in the log");
    }

    @Test
    void readsStandardInputForADash() {
        Run r = run(LOCK_LOG, "check-log", "-");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("-\tlock\t");
    }

    @Test
    void jsonCarriesTheHolderAndTheLocksAge() throws IOException {
        Run r = run(LOCK_LOG, "check-log", "--json", "-");
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.path("verdict").asString()).isEqualTo("lock");
        assertThat(o.path("rule").asString()).isEqualTo("already-locked");
        assertThat(o.path("holder").path("host").asString()).isEqualTo("volsync-src-app-x7k2p");
        assertThat(o.path("holder").path("pid").asLong()).isEqualTo(31);
        assertThat(o.path("holder").path("exclusive").asBoolean()).isTrue();
        assertThat(o.path("lockAgeSeconds").asDouble()).isEqualTo(1864.5);
        assertThat(o.path("lockCreatedAt").asString()).isEqualTo("2026-11-26 11:23:55");
        assertThat(o.path("line").asInt()).isEqualTo(1);
    }

    @Test
    void aMonitorsPatternsJoinTheBuiltInDetector() throws IOException {
        Path log = file("wrapper.log", "backup-wrapper: timeout while waiting for the repo lock\n");
        assertThat(run("", "check-log", log.toString()).out()).contains("\tnot-lock\t");
        Run r = run("", "check-log", "--monitor", TestData.seedMonitors().toString(), "--monitor-name", "volsync-monitor-advanced",
                log.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\tlock\tpattern \"timeout.*waiting.*for.*lock\" at line 1");
    }

    @Test
    void withoutAMonitorNameTheFirstMonitorOfTheFileIsUsed() throws IOException {
        Path log = file("wrapper.log", "backup-wrapper: timeout while waiting for the repo lock\n");
        Run r = run("", "check-log", "--monitor", TestData.seedMonitors().toString(), log.toString());
        assertThat(r.out()).as("volsync-monitor-main has no patterns").contains("\tnot-lock\t");
    }

    @Test
    void anInvalidMonitorIsAUsageErrorNamingThePattern() throws IOException {
        Path monitor = file("m.yaml", """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: bad, namespace: homelab-assistant-system}
                spec:
                  lockErrorPatterns: ["(?<=repo) locked"]
                """);
        Run r = run(LOCK_LOG, "check-log", "--monitor", monitor.toString(), "-");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("invalid VolSyncMonitor bad").contains("lockErrorPatterns[0] \"(?<=repo) locked\"");
    }

    @Test
    void anUnknownMonitorNameIsAnError() {
        Run r = run(LOCK_LOG, "check-log", "--monitor", TestData.seedMonitors().toString(), "--monitor-name", "nope", "-");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no VolSyncMonitor named nope");
    }

    @Test
    void anUnreadableFileExitsTwoAfterCheckingTheOthers() throws IOException {
        Path lock = file("lock.log", LOCK_LOG);
        Run r = run("", "check-log", dir.resolve("missing.log").toString(), lock.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read " + dir.resolve("missing.log"));
        assertThat(r.out()).startsWith(lock + "\tlock\t");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("", "check-log").exit()).isEqualTo(2);
        assertThat(run("", "check-log", "--monitor-name", "x", "-").exit()).isEqualTo(2);
        assertThat(run("", "check-log", "--bogus", "-").exit()).isEqualTo(2);
        assertThat(run("").exit()).isEqualTo(2);
    }

    @Test
    void tabsAndNewlinesInTheReasonAreEscaped() throws IOException {
        Path monitor = file("m.yaml", """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: tabs, namespace: ns}
                spec: {lockErrorPatterns: ["busy"]}
                """);
        Run r = run("repo\tbusy \\ now\n", "check-log", "--monitor", monitor.toString(), "-");
        String[] fields = r.out().stripTrailing().split("\t");
        assertThat(fields).hasSize(3);
        assertThat(fields[2]).contains("repo\\tbusy \\\\ now");
    }

    @Test
    void onlyTheLast64KiBOfAHugeLogIsExamined() throws IOException {
        Path huge = dir.resolve("huge.log");
        Files.writeString(huge, LOCK_LOG + ("x".repeat(1023) + "\n").repeat(8 * 1024));
        assertThat(run("", "check-log", huge.toString()).out()).contains("\tnot-lock\t");
        Files.writeString(huge, LOCK_LOG, java.nio.file.StandardOpenOption.APPEND);
        assertThat(run("", "check-log", huge.toString()).out()).contains("\tlock\t");
    }

    @Test
    void everyCommandHasHelpAndTheVersionIsTheBuilds() {
        Run help = run("", "check-log", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: volsync-monitor-hub check-log", "--monitor=FILE.yaml", "--json", "Exit codes:");
        Run top = run("", "--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("check-log");
        Run version = run("", "--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("volsync-monitor-hub " + HubVersion.version()).doesNotContain("${");
    }
}
