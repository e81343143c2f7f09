package com.rafaribe.homelab.hub.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.cli.HubVersion;
import com.rafaribe.homelab.hub.testing.Command;
import com.rafaribe.homelab.hub.testing.Kustomize;
import com.rafaribe.homelab.hub.testing.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What a release is made of, held together: the version in one place (the root pom.xml, which
 * surefire hands over as {@code project.version}) is the jar's, Jib's default tag and deploy/'s
 * image tag, and CHANGELOG.md has its section; both GitHub workflows pass a workflow linter
 * (@action-validator/cli from npm, run by Node: scripts/install-workflow-linter) and do what
 * docs/releasing.md says they do.
 */
class ReleaseTest {
    static final Path REPO = Path.of(System.getProperty("repo.dir", "..")).toAbsolutePath().normalize();
    static final Path WORKFLOWS = REPO.resolve(".github/workflows");
    static final String IMAGE = "ghcr.io/rafaribe/volsync-monitor-hub";

    static String version() {
        String version = System.getProperty("project.version");
        assertThat(version).as("surefire's project.version (hub/pom.xml)").isNotBlank().doesNotContain("${");
        return version;
    }

    @Test
    void theVersionIsTheJarsAndASemanticVersion() {
        assertThat(version()).matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");
        assertThat(HubVersion.version()).as("what --version prints").isEqualTo(version());
    }

    @Test
    void deploysImageTagIsTheProjectVersion() throws Exception {
        String image = Kustomize.hubDeployment(Kustomize.build(Kustomize.DEPLOY)).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage();
        assertThat(image).as("the image `kubectl apply -k deploy/` runs: bump it with the root pom.xml's version (docs/releasing.md)")
                .isEqualTo(IMAGE + ":" + version());
    }

    @Test
    void jibPushesTheProjectVersionForAmd64AndArm64() throws Exception {
        String pom = Files.readString(REPO.resolve("hub/pom.xml"));
        String jib = pom.substring(pom.indexOf("<artifactId>jib-maven-plugin</artifactId>"));
        jib = jib.substring(0, jib.indexOf("</plugin>"));
        assertThat(group(jib, "<to>\\s*<image>([^<]+)</image>")).isEqualTo(IMAGE + ":${project.version}");
        assertThat(group(jib, "<skip>([^<]+)</skip>")).as("the root pom skips Jib; hub/ does not").isEqualTo("false");
        String from = jib.substring(jib.indexOf("<from>"), jib.indexOf("</from>"));
        List<String> platforms = Pattern.compile("<architecture>(\\w+)</architecture>\\s*<os>(\\w+)</os>").matcher(from).results()
                .map(m -> m.group(2) + "/" + m.group(1)).toList();
        assertThat(platforms).containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
        String root = Files.readString(REPO.resolve("pom.xml"));
        assertThat(group(root, "<artifactId>volsync-monitor-hub-parent</artifactId>\\s*<version>([^<]+)</version>")).isEqualTo(version());
    }

    @Test
    void theChangelogHasASectionForTheVersion() throws Exception {
        String changelog = Files.readString(REPO.resolve("CHANGELOG.md"));
        assertThat(changelog).startsWith("# Changelog").contains("keepachangelog.com", "\n## [Unreleased]\n")
                .containsPattern("(?m)^## \\[" + Pattern.quote(version()) + "\\] - \\d{4}-\\d{2}-\\d{2}$")
                .containsPattern("(?m)^\\[" + Pattern.quote(version()) + "\\]: https://");
        assertThat(changelog.indexOf("## [Unreleased]")).as("Unreleased first, then the newest version")
                .isLessThan(changelog.indexOf("## [" + version() + "]"));
    }

    @Test
    void theLicenseIsApache2() throws Exception {
        String license = Files.readString(REPO.resolve("LICENSE"));
        assertThat(license).contains("Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION");
    }

    @Test
    void bothWorkflowsPassTheLinter() throws Exception {
        Path cli = linter();
        for (String workflow : List.of("ci.yml", "release.yml")) {
            Path file = WORKFLOWS.resolve(workflow);
            assertThat(file).exists();
            Command.Output out = Command.run(REPO, 120, List.of("node", cli.toString(), file.toString()));
            assertThat(out.exit()).as("action-validator " + workflow + " says:\n" + out.text()).isZero();
        }
    }

    @Test
    void ciRunsDotCiRunAndTheReleaseTestsPushesAndAttaches() throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        Map<String, Object> ci = yaml.readValue(WORKFLOWS.resolve("ci.yml").toFile(), Map.class);
        assertThat(String.valueOf(ci.get("on"))).contains("workflow_call", "pull_request", "push");
        assertThat(Files.readString(WORKFLOWS.resolve("ci.yml"))).containsPattern("(?m)^\\s+run: \\.ci/run$");

        String release = Files.readString(WORKFLOWS.resolve("release.yml"));
        Map<String, Object> parsed = yaml.readValue(release, Map.class);
        assertThat(String.valueOf(parsed.get("on"))).isEqualTo("{push={tags=[v*]}}");
        assertThat(release).contains("uses: ./.github/workflows/ci.yml")
                .contains("jib:build -Djib.to.image=${{ steps.version.outputs.image }}")
                .contains("ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/volsync-monitor-hub:$version")
                .contains("\"$GITHUB_REF_NAME\" != \"v$version\"")
                .contains("kustomize build release > install.yaml")
                .contains("gh release create \"$GITHUB_REF_NAME\" install.yaml");
    }

    /** The linter's CLI, installed by scripts/install-workflow-linter (which .ci/run runs first) when it is missing. */
    static Path linter() throws Exception {
        String tier = "the workflow linter (@action-validator/cli on Node)";
        Tier.require(Command.onPath("node") && Command.onPath("npm"), tier, "install Node and npm (apt-get install nodejs npm)");
        Command.Output install = Command.run(REPO, 300, List.of(REPO.resolve("scripts/install-workflow-linter").toString()));
        Tier.require(install.exit() == 0, tier, "scripts/install-workflow-linter failed (exit " + install.exit() + "):\n" + install.text());
        String[] lines = install.text().strip().split("\n");
        Path cli = Path.of(lines[lines.length - 1]);
        assertThat(cli).as(install.text()).isRegularFile();
        return cli;
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
