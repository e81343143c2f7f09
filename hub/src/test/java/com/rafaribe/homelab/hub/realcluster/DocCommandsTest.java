package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Kustomize;
import com.rafaribe.homelab.hub.testing.Teardown;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tier 4: the install commands of the documentation work as written. Every shell line of a
 * ```sh, ```bash, ```shell or ```console block in README.md, docs/ and the READMEs of
 * agent-config/, deploy/ and examples/ that applies manifests (`kubectl apply`, `kubectl create`
 * of files or kustomizations, `kubectl kustomize`), runs a script of the repository
 * (agent-config/mint-kubeconfig) or prepares a file for them (`openssl rand`, `mkdir`, `cp`) is
 * run exactly as written, in the document's order, by bash with pipefail, in a copy of the
 * repository as checked out (its root the working directory; no .git, no target/, none of the
 * git-ignored dashboard token or kubeconfigs), with KUBECONFIG naming the admin of a fresh
 * control plane for that document (VolSync's CRD stands in for VolSync) and HOME a folder of its
 * own. Only the placeholders of {@link #PLACEHOLDERS} are replaced; any other `<...>` in such a
 * line fails. Each document runs twice: with the PATH's kubectl (what this machine ships: a modern
 * kustomize) and with Debian's kubectl 1.20 (kustomize 2.0.3, the oldest the README promises).
 *
 * <p>A command passes when it exits 0 and what it applied is there: `kubectl get` finds every
 * object of each applied file or kustomization; agent-config/ leaves the CRD Established and the
 * hub's ServiceAccount; agent-config/samples/ a VolSyncMonitor; deploy/ the Deployment; a minted
 * kubeconfig is the hub's identity (pods yes, Secrets 403) over verified TLS. After a document
 * that deploys the hub, the hub running as its ServiceAccount sees that cluster Connected. A
 * failure names the document, the line, the command and its output.
 */
class DocCommandsTest {
    static final Path REPO = Path.of(System.getProperty("repo.dir", "..")).toAbsolutePath().normalize();
    static final String CONTEXT = "home";
    static final String HUB_NS = AgentConfig.HUB_NAMESPACE;
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    /** The documented placeholders and what they stand for here: the context, and the API server's address as the hub reaches it. */
    static final String PLACEHOLDERS = "<ctx> (a context of your kubeconfig), https://<address>:6443 (the API server as the hub reaches it)";

    /** The agreed install commands: each must be in a shell block of some document, so that it is run. */
    static final List<String> AGREED = List.of("kubectl apply -k agent-config/", "kubectl apply -k agent-config/samples/",
            "agent-config/mint-kubeconfig --context <ctx> --server https://<address>:6443 > hub-<ctx>.kubeconfig", "kubectl apply -k deploy/");

    static final Set<String> SHELL_LANGUAGES = Set.of("sh", "bash", "shell", "console", "zsh", "shell-session");
    static final Set<String> PREPARING = Set.of("openssl", "mkdir", "cp");
    static final Set<String> KUBECTL_FLAGS_WITH_VALUE = Set.of("-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user",
            "-s", "--server", "--token", "--as", "--request-timeout", "-v", "--cache-dir");
    static final Pattern FENCE = Pattern.compile("^\\s*(```+|~~~+)\\s*([\\w+-]*).*$");
    static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
    static final Pattern PLACEHOLDER = Pattern.compile("<[A-Za-z][\\w.-]*>");
    static final Pattern HEREDOC = Pattern.compile("<<-?\\s*['\"]?(\\w+)['\"]?");
    static final Pattern REDIRECT = Pattern.compile(">\\s*([^\\s|;&<>]+)\\s*$");

    /** A command of a document: where it is, and its text as written (continuations joined). */
    record Command(Path doc, int line, String text) {
        String where() {
            return REPO.relativize(doc) + ":" + line;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Which documents, and which of their lines

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(REPO.resolve("README.md"));
        for (String folder : List.of("docs", "agent-config", "deploy", "examples")) {
            Path dir = REPO.resolve(folder);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
                }
            }
        }
        return docs.stream().filter(Files::isRegularFile).toList();
    }

    /** Every command of the document's shell blocks, in order, continuations and heredocs joined, prompts and comments dropped. */
    static List<Command> shellCommands(Path doc, String markdown) {
        List<Command> commands = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String fence = null;
        String language = null;
        int indent = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher f = FENCE.matcher(line);
            if (fence == null) {
                if (f.matches()) {
                    fence = f.group(1);
                    language = f.group(2).toLowerCase();
                    indent = line.indexOf(fence);
                }
                continue;
            }
            if (line.strip().startsWith(fence) && line.strip().replace(fence.substring(0, 1), "").isEmpty()) {
                fence = null;
                continue;
            }
            if (!SHELL_LANGUAGES.contains(language)) {
                continue;
            }
            int start = i;
            String text = line.strip();
            boolean console = language.equals("console") || language.equals("shell-session");
            if (text.startsWith("$ ")) {
                text = text.substring(2).strip();
            } else if (console) {
                continue; // output
            }
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            StringBuilder command = new StringBuilder(text);
            while (command.toString().endsWith("\\") && i + 1 < lines.length) {
                command.setLength(command.length() - 1);
                String next = lines[++i].strip();
                command.append(' ').append(console && next.startsWith("> ") ? next.substring(2) : next);
            }
            // One line, its spaces as a reader sees them; a heredoc's body verbatim, less the block's indentation.
            StringBuilder full = new StringBuilder(command.toString().replaceAll("[ \\t]+", " ").strip());
            Matcher heredoc = HEREDOC.matcher(command);
            if (heredoc.find()) {
                String end = heredoc.group(1);
                while (i + 1 < lines.length) {
                    String next = lines[++i];
                    int cut = 0;
                    while (cut < indent && cut < next.length() && next.charAt(cut) == ' ') {
                        cut++;
                    }
                    full.append('\n').append(next.substring(cut));
                    if (next.strip().equals(end)) {
                        break;
                    }
                }
            }
            commands.add(new Command(doc, start + 1, full.toString()));
        }
        return commands;
    }

    /** The parts of a command line: `a | b && c; d` gives a, b, c, d (heredoc bodies left out), each split into words. */
    static List<List<String>> segments(String command) {
        String firstLine = command.lines().findFirst().orElse("");
        List<List<String>> segments = new ArrayList<>();
        for (String part : firstLine.split("\\|\\||&&|\\||;")) {
            List<String> words = List.of(part.strip().split("\\s+"));
            if (!part.isBlank()) {
                segments.add(words);
            }
        }
        return segments;
    }

    /** `kubectl [global flags] VERB ...`: the verb and the words after it, or null when the segment is no kubectl command. */
    static List<String> kubectlVerb(List<String> words) {
        if (words.isEmpty() || !words.get(0).equals("kubectl")) {
            return null;
        }
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (KUBECTL_FLAGS_WITH_VALUE.contains(w)) {
                i++;
            } else if (!w.startsWith("-")) {
                return words.subList(i, words.size());
            }
        }
        return null;
    }

    static boolean filesOrKustomization(List<String> args) {
        return args.stream().anyMatch(a -> a.equals("-f") || a.equals("-k") || a.startsWith("-f=") || a.startsWith("-k=")
                || a.startsWith("--filename") || a.startsWith("--kustomize"));
    }

    /** It applies manifests: kubectl apply, kubectl create -f/-k, kubectl kustomize. */
    static boolean applies(String command) {
        // A release's install.yaml by its URL exists only once the release is cut: not a command of this checkout.
        if (command.contains("https://github.com/") && command.contains("/releases/download/")) {
            return false;
        }
        return segments(command).stream().map(DocCommandsTest::kubectlVerb).anyMatch(verb -> verb != null
                && (verb.get(0).equals("apply") || verb.get(0).equals("kustomize") || verb.get(0).equals("create") && filesOrKustomization(verb)));
    }

    /** Not just the tool's name (`kubectl kustomize`, `kubectl apply -f`): a file, folder or kustomization to apply or build. */
    static boolean namesWhatItApplies(String command) {
        return segments(command).stream().map(DocCommandsTest::kubectlVerb).filter(java.util.Objects::nonNull).anyMatch(verb -> {
            List<String> rest = verb.subList(1, verb.size());
            return verb.get(0).equals("kustomize") ? rest.stream().anyMatch(w -> !w.startsWith("-"))
                    : target(rest) != null;
        });
    }

    /** The first -f/-k (or --filename/--kustomize) value of these words, or null. */
    static String target(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (Set.of("-f", "-k", "--filename", "--kustomize").contains(w) && i + 1 < words.size()) {
                return words.get(i + 1);
            }
            if (w.matches("(-f|-k|--filename|--kustomize)=.+")) {
                return w.substring(w.indexOf('=') + 1);
            }
        }
        return null;
    }

    static boolean runsARepositoryScript(String command) {
        String first = segments(command).isEmpty() ? "" : segments(command).get(0).get(0);
        return first.contains("/") && !first.startsWith("/") && Files.isRegularFile(REPO.resolve(first))
                && Files.isExecutable(REPO.resolve(first));
    }

    static boolean prepares(String command) {
        return !segments(command).isEmpty() && PREPARING.contains(segments(command).get(0).get(0));
    }

    static boolean runs(String command) {
        return applies(command) || runsARepositoryScript(command) || prepares(command);
    }

    static List<Command> commandsToRun(Path doc) throws IOException {
        return shellCommands(doc, Files.readString(doc)).stream().filter(c -> runs(c.text())).toList();
    }

    // ---------------------------------------------------------------------------------------------
    // What the extraction finds, without a cluster

    @Test
    void theExtractionTakesShellBlocksLinesThatApplyOrPrepareAndNothingElse() {
        String markdown = """
                Inline `kubectl apply -k nowhere/` is prose.

                ```sh
                # a comment
                kubectl apply -k agent-config/
                kubectl -n homelab-assistant-system create secret generic x --from-file=a --dry-run=client -o yaml | kubectl apply -f -
                kubectl --context home create -f some.yaml
                kubectl create secret generic y --from-literal=a=b
                kubectl get pods
                openssl rand -hex 32 > deploy/overlays/example/dashboard-token
                agent-config/mint-kubeconfig --context <ctx> \\
                  --server https://<address>:6443 > hub-<ctx>.kubeconfig
                java -jar hub.jar run
                cat <<EOF | kubectl apply -f -
                apiVersion: v1
                metadata:
                  name: x
                EOF
                ```

                1. In a list:

                   ```sh
                   kubectl  apply   -k deploy/
                   ```

                ```console
                $ kubectl kustomize deploy/
                apiVersion: v1
                ```

                ```yaml
                kubectl apply -f not-shell.yaml
                ```
                """;
        List<String> run = shellCommands(REPO.resolve("x.md"), markdown).stream().filter(c -> runs(c.text())).map(Command::text).toList();
        assertThat(run).containsExactly(
                "kubectl apply -k agent-config/",
                "kubectl -n homelab-assistant-system create secret generic x --from-file=a --dry-run=client -o yaml | kubectl apply -f -",
                "kubectl --context home create -f some.yaml",
                "openssl rand -hex 32 > deploy/overlays/example/dashboard-token",
                "agent-config/mint-kubeconfig --context <ctx> --server https://<address>:6443 > hub-<ctx>.kubeconfig",
                "cat <<EOF | kubectl apply -f -\napiVersion: v1\nmetadata:\n  name: x\nEOF",
                "kubectl apply -k deploy/",
                "kubectl kustomize deploy/");
    }

    @Test
    void onlyTheDocumentedPlaceholdersAreFilledIn() {
        Command mint = new Command(REPO.resolve("x.md"), 1, AGREED.get(2));
        assertThat(substitute(mint, "https://127.0.0.1:4443"))
                .isEqualTo("agent-config/mint-kubeconfig --context home --server https://127.0.0.1:4443 > hub-home.kubeconfig");
        Command unknown = new Command(REPO.resolve("x.md"), 7, "kubectl apply -k deploy/overlays/<yours>");
        assertThatThrownBy(() -> substitute(unknown, "https://127.0.0.1:4443")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("x.md:7").hasMessageContaining("<yours>").hasMessageContaining("<ctx>");
    }

    /** The agreed install commands are in some document's shell blocks (so they are run), and no applying command hides in prose. */
    @Test
    void theInstallCommandsAreAllInShellBlocksWhereTheyAreRun() throws IOException {
        List<String> run = new ArrayList<>();
        List<String> inline = new ArrayList<>();
        for (Path doc : documents()) {
            String markdown = Files.readString(doc);
            commandsToRun(doc).forEach(c -> run.add(c.text()));
            Matcher m = INLINE.matcher(markdown.replaceAll("(?ms)^\\s*(```|~~~).*?^\\s*(```|~~~)\\s*$", ""));
            while (m.find()) {
                if (applies(m.group(1).strip()) && namesWhatItApplies(m.group(1).strip())) {
                    inline.add(REPO.relativize(doc) + ": `" + m.group(1).strip() + "`");
                }
            }
        }
        assertThat(run).as("the install commands as agreed, each in a ```sh block of README.md or docs/").containsAll(AGREED);
        assertThat(inline).as("commands that apply manifests written inline in prose are run by no test: put each in a ```sh block"
                + " (prose may name it too, if the block has it)").allSatisfy(span -> {
                    String command = span.substring(span.indexOf('`') + 1, span.lastIndexOf('`'));
                    assertThat(run).as(span).contains(command);
                });
    }

    // ---------------------------------------------------------------------------------------------
    // Running them

    /** A kubectl to run the documents with: PATH's, or Debian's 1.20 put first on the PATH. */
    record Kubectl(String label, Path dir) {
    }

    @TestFactory
    Stream<DynamicTest> everyInstallCommandRunsAsWrittenOnAFreshCluster() throws IOException {
        List<Kubectl> kubectls = List.of(new Kubectl("the PATH's kubectl", null),
                new Kubectl("Debian's kubectl 1.20", Kustomize.debianKubectl().getParent()));
        List<DynamicTest> tests = new ArrayList<>();
        for (Kubectl kubectl : kubectls) {
            for (Path doc : documents()) {
                List<Command> commands = commandsToRun(doc);
                if (!commands.isEmpty()) {
                    tests.add(DynamicTest.dynamicTest(REPO.relativize(doc) + " with " + kubectl.label() + " (" + commands.size() + " commands)",
                            () -> runDocument(kubectl, doc, commands)));
                }
            }
        }
        return tests.stream();
    }

    void runDocument(Kubectl kubectl, Path doc, List<Command> commands) throws Exception {
        ControlPlane.requireInstalled();
        Kustomize.requireKubectl();
        if (kubectl.dir() != null) {
            Kustomize.requireDebianKubectl();
        }
        Path work = Files.createTempDirectory("doc-commands");
        try (ControlPlane plane = ControlPlane.start(); KubernetesClient admin = plane.admin()) {
            // VolSync is installed in every cluster the documents speak of.
            // So is the Prometheus Operator, for deploy/monitoring (its CRDs as stand-ins).
            for (String crd : List.of("/sandbox-replicationsource-crd.yaml", "/prometheus-operator-crds.yaml")) {
                try (InputStream in = AgentConfig.class.getResourceAsStream(crd)) {
                    admin.load(in).forceConflicts().serverSideApply();
                }
            }
            Path repo = copyOfRepository(work.resolve("repo"));
            if (!plane.servesPolicyV1()) {
                budgetInTheVersionTheTestPlaneServes(repo);
            }
            Path home = Files.createDirectories(work.resolve("home"));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KUBECONFIG", plane.kubeconfig(CONTEXT, plane.adminToken).toString());
            env.put("HOME", home.toString());
            env.put("PATH", (kubectl.dir() == null ? "" : kubectl.dir() + java.io.File.pathSeparator) + System.getenv("PATH"));
            Shell shell = new Shell(repo, env);
            boolean deployed = false;
            boolean monitor = false;
            for (Command command : commands) {
                String text = substitute(command, plane.server);
                long started = System.nanoTime();
                Shell.Result result = shell.run(text);
                System.out.printf("%s (%s): exit %d in %d ms: %s%n", command.where(), kubectl.label(), result.exit(),
                        (System.nanoTime() - started) / 1_000_000, command.text());
                if (result.exit() != 0) {
                    throw new AssertionError(failure(command, text, result, "exited " + result.exit()));
                }
                try {
                    Outcome outcome = verify(command, text, shell, admin, plane);
                    deployed |= outcome.deployed();
                    monitor |= outcome.monitor();
                } catch (AssertionError e) {
                    throw new AssertionError(failure(command, text, result, "ran, but " + e.getMessage()), e);
                }
            }
            if (deployed) {
                long started = System.nanoTime();
                theHubSeesTheClusterConnected(plane, monitor, doc);
                System.out.printf("%s (%s): the hub saw the cluster Connected in %d ms%n", REPO.relativize(doc), kubectl.label(),
                        (System.nanoTime() - started) / 1_000_000);
            }
        } finally {
            Teardown.delete(work);
        }
    }

    static String failure(Command command, String text, Shell.Result result, String what) {
        return command.where() + ": the documented command\n    " + command.text()
                + (text.equals(command.text()) ? "" : "\n  (run as: " + text + ")") + "\n" + what + "; its output:\n" + result.output().indent(4);
    }

    /** Only the documented placeholders are replaced; any other one in a command to run is a documentation error. */
    static String substitute(Command command, String server) {
        String text = command.text().replaceAll("https://<address>(:\\d+)?", Matcher.quoteReplacement(server))
                .replace("<ctx>", CONTEXT);
        Matcher left = PLACEHOLDER.matcher(text.lines().findFirst().orElse(""));
        if (left.find()) {
            throw new AssertionError(command.where() + ": the command\n    " + command.text() + "\nhas the placeholder " + left.group()
                    + ", which DocCommandsTest cannot fill in; documented placeholders: " + PLACEHOLDERS);
        }
        return text;
    }

    record Outcome(boolean deployed, boolean monitor) {
    }

    /** What the command must have left on the cluster, by what it applied. */
    static Outcome verify(Command command, String text, Shell shell, KubernetesClient admin, ControlPlane plane) throws Exception {
        boolean deployed = false;
        boolean monitor = false;
        for (List<String> words : segments(text)) {
            List<String> verb = kubectlVerb(words);
            if (verb == null || !verb.get(0).equals("apply") && !verb.get(0).equals("create")) {
                continue;
            }
            for (int i = 1; i < verb.size(); i++) {
                String flag = verb.get(i);
                String target = null;
                String kind = null;
                if ((flag.equals("-k") || flag.equals("--kustomize") || flag.equals("-f") || flag.equals("--filename")) && i + 1 < verb.size()) {
                    kind = flag.startsWith("-k") || flag.equals("--kustomize") ? "-k" : "-f";
                    target = verb.get(++i);
                } else if (flag.matches("(-k|--kustomize|-f|--filename)=.+")) {
                    kind = flag.startsWith("-k") || flag.startsWith("--kustomize") ? "-k" : "-f";
                    target = flag.substring(flag.indexOf('=') + 1);
                }
                if (target == null || target.equals("-")) {
                    continue;
                }
                // Every object the file or kustomization holds is there now.
                Shell.Result found = shell.run("kubectl get " + kind + " " + target + " -o name");
                assertThat(found.exit()).as("`kubectl get %s %s` finds what it applied:\n%s", kind, target, found.output()).isZero();
                String dir = target.replaceAll("/+$", "");
                if (kind.equals("-k") && (dir.equals("agent-config") || dir.startsWith("deploy"))) {
                    awaitEstablished(admin);
                    assertThat(admin.serviceAccounts().inNamespace(HUB_NS).withName(AgentConfig.HUB_SERVICE_ACCOUNT).get())
                            .as("the hub's ServiceAccount").isNotNull();
                }
                if (kind.equals("-k") && dir.equals("agent-config/samples")) {
                    assertThat(admin.resources(VolSyncMonitor.class).inNamespace(HUB_NS).list().getItems()).as("a VolSyncMonitor").isNotEmpty();
                    monitor = true;
                }
                if (kind.equals("-k") && dir.startsWith("deploy")) {
                    assertThat(admin.apps().deployments().inNamespace(HUB_NS).withName("homelab-assistant-controller").get())
                            .as("the hub's Deployment").isNotNull();
                    deployed = true;
                }
            }
        }
        if (runsARepositoryScript(text) && segments(text).get(0).get(0).endsWith("mint-kubeconfig")) {
            Matcher out = REDIRECT.matcher(text);
            assertThat(out.find()).as("the minted kubeconfig is saved to a file").isTrue();
            theMintedKubeconfigIsTheHubsIdentity(Files.readString(shell.dir().resolve(out.group(1))), plane);
        }
        return new Outcome(deployed, monitor);
    }

    static void awaitEstablished(KubernetesClient admin) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(AgentConfig.established(
                admin.apiextensions().v1().customResourceDefinitions().withName(AgentConfig.MONITOR_CRD).get()))
                .as("the CRD %s is Established", AgentConfig.MONITOR_CRD).isTrue());
    }

    static void theMintedKubeconfigIsTheHubsIdentity(String kubeconfig, ControlPlane plane) throws IOException {
        assertThat(kubeconfig).as("the minted kubeconfig").contains("server: " + plane.server, "certificate-authority-data: " + plane.caData())
                .doesNotContain("insecure-skip-tls-verify", plane.adminToken);
        try (KubernetesClient hub = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
            assertThat(hub.pods().inAnyNamespace().list().getItems()).isNotNull();
            assertThatThrownBy(() -> hub.secrets().inAnyNamespace().list()).as("the hub's identity reads no Secret")
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    /** What deploy/ promises its own cluster: the hub, as its ServiceAccount, watches it (Connected, not Failed), with the monitor if one was applied. */
    static void theHubSeesTheClusterConnected(ControlPlane plane, boolean monitor, Path doc) throws Exception {
        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig(CONTEXT + "-hub", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hub.api.list("/api/clusters")).singleElement()
                    .satisfies(c -> {
                        assertThat(c.getString("state")).as(REPO.relativize(doc) + ": after its commands, the hub's view of the cluster: "
                                + c.encode()).isEqualTo("Connected");
                        if (monitor) {
                            assertThat(c.getInteger("monitors")).as(c.encode()).isGreaterThanOrEqualTo(1);
                        }
                    }));
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** The repository as checked out, without what git ignores that a command could trip over or leak. */
    /**
     * The 1.20 test plane serves PodDisruptionBudgets only as policy/v1beta1 (ControlPlane.servesPolicyV1),
     * whose fields are the same as policy/v1's for this budget: the copy's budget says v1beta1, so the
     * documents run as written. DeployManifestsTest checks that the shipped one says policy/v1.
     */
    static void budgetInTheVersionTheTestPlaneServes(Path repo) throws IOException {
        Path budget = repo.resolve("deploy/base/poddisruptionbudget.yaml");
        String yaml = Files.readString(budget);
        assertThat(yaml).contains("\napiVersion: policy/v1\n");
        Files.writeString(budget, yaml.replace("\napiVersion: policy/v1\n", "\napiVersion: policy/v1beta1\n"));
    }

    static Path copyOfRepository(Path to) throws IOException {
        Files.walkFileTree(REPO, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!dir.equals(REPO) && Set.of(".git", "target", "node_modules", ".idea", ".vscode").contains(name)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(REPO.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                if (!attrs.isRegularFile() || name.equals("dashboard-token") || name.endsWith(".kubeconfig")) {
                    return FileVisitResult.CONTINUE;
                }
                Files.copy(file, to.resolve(REPO.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    /** bash -e -o pipefail -c, in the copy of the repository, with the document's environment; output and errors together. */
    record Shell(Path dir, Map<String, String> env) {
        record Result(int exit, String output) {
        }

        Result run(String command) throws Exception {
            Path out = Files.createTempFile("doc-command", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", command).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                    return new Result(-1, Files.readString(out) + "\n(killed after " + COMMAND_TIMEOUT.toSeconds() + " s)");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        }
    }
}
