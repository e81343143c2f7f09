package com.rafaribe.homelab.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs a newcomer reads hold together: every relative link of README.md and docs/*.md
 * points at a file that exists, and at one of its headings when it names one (anchors as
 * GitHub makes them); the README stays short; the files its examples name exist; and the
 * sections the alerts' runbooks point at are there.
 */
class DocsLinksTest {
    static final Path REPO = Path.of(System.getProperty("repo.dir", "..")).toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(REPO.resolve("README.md"));
        try (Stream<Path> files = Files.list(REPO.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    @Test
    void everyRelativeLinkPointsAtAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        int checked = 0;
        for (Path doc : documents()) {
            for (String link : links(doc)) {
                if (link.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // http:, https:, mailto:
                }
                checked++;
                String file = link.contains("#") ? link.substring(0, link.indexOf('#')) : link;
                String anchor = link.contains("#") ? link.substring(link.indexOf('#') + 1) : null;
                Path target = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                String where = REPO.relativize(doc) + ": (" + link + ")";
                if (!target.startsWith(REPO)) {
                    broken.add(where + " leaves the repository");
                } else if (!Files.exists(target)) {
                    broken.add(where + " names a file that does not exist");
                } else if (anchor != null) {
                    Set<String> known = anchors.computeIfAbsent(target, DocsLinksTest::anchorsOf);
                    if (!known.contains(anchor)) {
                        broken.add(where + " names a heading " + REPO.relativize(target) + " does not have; it has " + known);
                    }
                }
            }
        }
        assertThat(checked).as("relative links found").isGreaterThan(10);
        assertThat(broken).isEmpty();
    }

    @Test
    void theReadmeIsShortAndItsExamplesNameFilesThatExist() throws IOException {
        List<String> readme = Files.readAllLines(REPO.resolve("README.md"));
        assertThat(readme.size()).as("README.md lines").isLessThanOrEqualTo(150);
        String text = String.join("\n", readme);
        assertThat(text).contains("mvn -B verify").contains("docs/dashboard.png");
        Matcher paths = Pattern.compile("(?:examples|hub/src/test/resources)/[\\w./-]+\\.(?:yaml|log)").matcher(text);
        int found = 0;
        while (paths.find()) {
            found++;
            assertThat(REPO.resolve(paths.group())).as(paths.group()).exists();
        }
        assertThat(found).as("files named by the README's check-log example").isGreaterThan(0);
    }

    @Test
    void everyAlertHasItsRunbookSection() {
        Set<String> troubleshooting = anchorsOf(REPO.resolve("docs/troubleshooting.md"));
        for (String alert : List.of("VolSyncHubClusterDisconnected", "VolSyncHubUnlockFailed", "VolSyncHubMonitorDegraded",
                "VolSyncHubUnlockWaitingTooLong", "VolSyncHubAbsent")) {
            assertThat(troubleshooting).as("docs/troubleshooting.md#" + alert.toLowerCase(Locale.ROOT)).contains(alert.toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        assertThat(slug("`check-log`: test a log, or your own patterns, against the lock detector"))
                .isEqualTo("check-log-test-a-log-or-your-own-patterns-against-the-lock-detector");
        assertThat(slug("Deploying with `deploy/`")).isEqualTo("deploying-with-deploy");
        assertThat(slug("The original controller's four common issues, with the hub"))
                .isEqualTo("the-original-controllers-four-common-issues-with-the-hub");
        assertThat(slug("[Link](x.md) and *emphasis*")).isEqualTo("link-and-emphasis");
    }

    /** Links outside fenced code blocks and inline code. */
    static List<String> links(Path doc) throws IOException {
        List<String> links = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (m.find()) {
                links.add(m.group(2));
            }
        }
        return links;
    }

    static Set<String> anchorsOf(Path doc) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        boolean fenced = false;
        for (String line : lines) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!fenced && m.matches()) {
                String slug = slug(m.group(2));
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        }
        return anchors;
    }

    /** GitHub's heading anchors: the text as shown, lower case, punctuation dropped, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
