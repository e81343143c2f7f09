package com.rafaribe.homelab.hub.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.ImageJvmOptions;
import com.rafaribe.homelab.hub.testing.Kustomize;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every manifest in deploy/ and agent-config/ parses, deploy/ and its example overlay build with
 * `kubectl kustomize`, and what they build holds the rules users rely on: two replicas rolled
 * one at a time, a restricted pod, probes on the hub's health endpoints, limits, the kubeconfigs from a
 * Secret where the hub reads them, and the same user, arguments and port as the image.
 */
class DeployManifestsTest {
    static final Path REPO = Path.of(System.getProperty("repo.dir", ".."));
    static List<HasMetadata> base;
    static Deployment deployment;
    static Container hub;

    @BeforeAll
    static void build() throws Exception {
        base = Kustomize.build(Kustomize.DEPLOY);
        deployment = Kustomize.hubDeployment(base);
        hub = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void everyManifestParses() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        for (Path root : List.of(REPO.resolve("deploy"), AgentConfig.DIR)) {
            try (Stream<Path> files = Files.walk(root)) {
                // deploy/monitoring/tests holds promtool's unit tests, not manifests (MonitoringRulesTest runs them).
                for (Path file : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                        .filter(p -> !p.startsWith(REPO.resolve("deploy/monitoring/tests"))).toList()) {
                    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
                        if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                            continue;
                        }
                        @SuppressWarnings("unchecked")
                        Map<String, Object> object = yaml.readValue(doc, Map.class);
                        assertThat(object).as(file.toString()).containsKeys("apiVersion", "kind");
                        if (!"Kustomization".equals(object.get("kind"))) {
                            assertThat((Object) Serialization.unmarshal(doc)).as(file.toString()).isInstanceOf(HasMetadata.class);
                        }
                    }
                }
            }
        }
    }

    /** With the PATH's kubectl and with Debian's 1.20 (kustomize 2.0.3: no folders under `resources`, no `components`). */
    @Test
    void everyKustomizationBuildsWithOldAndNewKustomize() throws Exception {
        for (String kubectl : Kustomize.kubectls()) {
            for (Path root : List.of(REPO.resolve("deploy"), AgentConfig.DIR)) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path kustomization : files.filter(p -> p.getFileName().toString().matches("kustomization\\.ya?ml")).toList()) {
                        Path dir = kustomization.getParent();
                        List<HasMetadata> built = dir.equals(Kustomize.EXAMPLE) ? Kustomize.buildExample(kubectl) : Kustomize.build(dir, kubectl);
                        assertThat(built).as(kubectl + " kustomize " + dir).isNotEmpty();
                    }
                }
            }
        }
    }

    /** `kubectl apply -k agent-config/`: the Namespace, the CRD and the identity; the samples are their own kustomization. */
    @Test
    void agentConfigIsTheCrdAndTheIdentityAndTheSamplesAMonitor() throws Exception {
        List<HasMetadata> agentConfig = Kustomize.build(AgentConfig.DIR);
        assertThat(agentConfig).extracting(o -> o.getKind() + " " + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "Namespace homelab-assistant-system", "CustomResourceDefinition " + AgentConfig.MONITOR_CRD,
                "ServiceAccount volsync-monitor-hub", "ClusterRole volsync-monitor-hub", "ClusterRoleBinding volsync-monitor-hub",
                "Role volsync-monitor-hub-lease", "RoleBinding volsync-monitor-hub-lease");
        // The right to act: Leases only, in the hub's namespace only, bound to the hub's ServiceAccount.
        io.fabric8.kubernetes.api.model.rbac.Role lease = Kustomize.one(agentConfig, io.fabric8.kubernetes.api.model.rbac.Role.class,
                "volsync-monitor-hub-lease");
        assertThat(lease.getMetadata().getNamespace()).isEqualTo(AgentConfig.HUB_NAMESPACE);
        assertThat(lease.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(rule.getResources()).containsExactly("leases");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "create", "patch");
        });
        io.fabric8.kubernetes.api.model.rbac.RoleBinding binding = Kustomize.one(agentConfig,
                io.fabric8.kubernetes.api.model.rbac.RoleBinding.class, "volsync-monitor-hub-lease");
        assertThat(binding.getRoleRef().getName()).isEqualTo("volsync-monitor-hub-lease");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getName()).isEqualTo(AgentConfig.HUB_SERVICE_ACCOUNT);
            assertThat(subject.getNamespace()).isEqualTo(AgentConfig.HUB_NAMESPACE);
        });
        assertThat(Kustomize.one(agentConfig, CustomResourceDefinition.class, AgentConfig.MONITOR_CRD))
                .isEqualTo(Serialization.unmarshal(Files.readString(AgentConfig.DIR.resolve("crd/" + AgentConfig.MONITOR_CRD + "-v1.yml"))));
        assertThat(Kustomize.build(AgentConfig.DIR.resolve("samples"))).singleElement().satisfies(monitor -> {
            assertThat(monitor.getKind()).isEqualTo("VolSyncMonitor");
            assertThat(monitor.getMetadata().getNamespace()).isEqualTo("homelab-assistant-system");
        });
    }

    /** The hub's own cluster gets the CRD too (without it every watch of the home cluster fails), unchanged. */
    @Test
    void deployInstallsTheCrd() throws Exception {
        assertThat(Kustomize.one(base, CustomResourceDefinition.class, AgentConfig.MONITOR_CRD))
                .isEqualTo(Kustomize.one(Kustomize.build(AgentConfig.DIR), CustomResourceDefinition.class, AgentConfig.MONITOR_CRD));
    }

    /** The base's image is a name to replace: the example overlay shows how, with kustomize's `images:`. */
    @Test
    void theExampleOverlayNamesItsOwnImage() throws Exception {
        String image = Kustomize.hubDeployment(Kustomize.buildExample()).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        assertThat(image).isNotEqualTo(hub.getImage()).doesNotStartWith("ghcr.io/rafaribe/").contains("/volsync-monitor-hub:");
    }

    /**
     * Two replicas (the Leases let one act per cluster), replaced one at a time with the new pod
     * first, never both drained at once, on two nodes where there are two, each holding Leases
     * under its own pod name.
     */
    @Test
    void twoReplicasRolledOneAtATimeOnTwoNodesInTheNamespaceTheTroubleshootingCommandsUse() {
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("homelab-assistant-system");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        var antiAffinity = deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution();
        assertThat(antiAffinity).singleElement().satisfies(term -> {
            assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
                    .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        });
        io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget budget = Kustomize.one(base,
                io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class, "homelab-assistant-controller");
        assertThat(budget.getMetadata().getNamespace()).isEqualTo("homelab-assistant-system");
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(hub.getEnv()).filteredOn(e -> "POD_NAME".equals(e.getName())).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
        assertThat(hub.getEnv()).as("the hubs share the clusters as many ways as there are replicas")
                .filteredOn(e -> "HUB_REPLICAS".equals(e.getName())).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo(String.valueOf(deployment.getSpec().getReplicas())));
        assertThat(Kustomize.one(base, io.fabric8.kubernetes.api.model.Service.class, "homelab-assistant-controller").getSpec()
                .getSessionAffinity()).as("a login session lives in one replica").isEqualTo("ClientIP");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "homelab-assistant-controller");
        assertThat(base).filteredOn(o -> o instanceof io.fabric8.kubernetes.api.model.Namespace)
                .extracting(o -> o.getMetadata().getName()).containsExactly("homelab-assistant-system");
    }

    @Test
    void thePodIsRestricted() {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isNotNull().isNotZero();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        for (Container c : pod.getContainers()) {
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
            assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
            assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
        }
    }

    @Test
    void probesAskTheHubsHealthEndpointsOnItsPort() {
        String port = env(hub).get("HUB_HTTP_PORT");
        assertThat(hub.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getContainerPort()).isEqualTo(Integer.parseInt(port));
            assertThat(p.getName()).isEqualTo("http");
        });
        assertThat(hub.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(hub.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(hub.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(hub.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        Service service = Kustomize.one(base, Service.class, "homelab-assistant-controller");
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
        NetworkPolicy policy = Kustomize.one(base, NetworkPolicy.class, "homelab-assistant-controller");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(Integer.parseInt(port));
            assertThat(rule.getFrom()).as("the ingress controller's and Prometheus's namespaces, not every pod").extracting(
                    peer -> peer.getPodSelector() == null && peer.getIpBlock() == null
                            ? peer.getNamespaceSelector().getMatchLabels() : Map.of("not only", "a namespace"))
                    .containsExactly(Map.of("kubernetes.io/metadata.name", "ingress-nginx"), Map.of("kubernetes.io/metadata.name", "monitoring"));
        });
    }

    @Test
    void theKubeconfigsComeFromASecretWhereTheHubReadsThem() {
        String folder = env(hub).get("HUB_KUBECONFIG");
        assertThat(hub.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(folder)).singleElement().satisfies(m -> {
            assertThat(m.getReadOnly()).isTrue();
            Volume volume = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(v -> v.getName().equals(m.getName())).findFirst().orElseThrow();
            assertThat(volume.getSecret().getSecretName()).isEqualTo("hub-kubeconfigs");
        });
        assertThat(hub.getVolumeMounts()).as("a writable /tmp on a read-only root").anyMatch(m -> m.getMountPath().equals("/tmp"));
        assertThat(env(hub)).containsEntry("HUB_IN_CLUSTER", "true");
    }

    @Test
    void inClusterTheHubRunsAsAgentConfigsIdentity() throws Exception {
        String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(Kustomize.one(base, ServiceAccount.class, account).getMetadata().getNamespace()).isEqualTo("homelab-assistant-system");
        ClusterRole built = Kustomize.one(base, ClusterRole.class, "volsync-monitor-hub");
        ClusterRole agentConfig = Kustomize.one(Kustomize.build(AgentConfig.DIR), ClusterRole.class, "volsync-monitor-hub");
        assertThat(built.getRules()).isEqualTo(agentConfig.getRules());
    }

    @Test
    void theImageRunsAsTheDeploymentExpects() throws IOException {
        String dockerfile = Files.readString(REPO.resolve("Dockerfile"));
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        String user = pod.getSecurityContext().getRunAsUser() + ":" + pod.getSecurityContext().getRunAsGroup();
        assertThat(last(dockerfile, "(?m)^USER\\s+(\\S+)")).isEqualTo(user);
        assertThat(last(dockerfile, "(?m)^CMD\\s+\\[\"(\\w+)\"\\]")).isEqualTo(String.join(" ", hub.getArgs()));
        assertThat(last(dockerfile, "(?m)^ENTRYPOINT\\s+(.+)$")).startsWith("[\"java\", ").endsWith(", \"-jar\", \"/app/volsync-monitor-hub.jar\"]");
        assertThat(last(dockerfile, "(?m)^EXPOSE\\s+(\\d+)")).isEqualTo(String.valueOf(hub.getPorts().get(0).getContainerPort()));
        assertThat(hub.getCommand()).as("the image's entrypoint runs").isNullOrEmpty();

        String pom = Files.readString(REPO.resolve("hub/pom.xml"));
        String jib = pom.substring(pom.indexOf("<artifactId>jib-maven-plugin</artifactId>"));
        jib = jib.substring(0, jib.indexOf("</plugin>"));
        assertThat(last(jib, "<user>([^<]+)</user>")).isEqualTo(user);
        assertThat(last(jib, "<args>([^<]+)</args>")).isEqualTo(String.join(",", hub.getArgs()));
        assertThat(last(jib, "<ports>([^<]+)</ports>")).isEqualTo(String.valueOf(hub.getPorts().get(0).getContainerPort()));
        assertThat(last(jib, "<mainClass>([^<]+)</mainClass>")).isEqualTo("com.rafaribe.homelab.hub.Main");
        // The base image's working directory is /, read-only in the pod: one that exists, the same in both images.
        assertThat(last(dockerfile, "(?m)^WORKDIR\\s+(\\S+)")).as("the Dockerfile's last WORKDIR").isEqualTo("/app");
        assertThat(last(jib, "<workingDirectory>([^<]+)</workingDirectory>")).isEqualTo("/app");
    }

    /** A JVM that threw OutOfMemoryError is left in an unknown state: it exits, and Kubernetes starts it again. */
    @Test
    void everyWayTheHubIsLaunchedExitsOnOutOfMemoryError() throws IOException {
        assertThat(ImageJvmOptions.of(REPO)).contains("-XX:+ExitOnOutOfMemoryError");
        everyWayTheHubIsLaunchedHasTheImagesJvmOptions();
    }

    /**
     * The Dockerfile's JVM options (what scripts/bench measures, docs/performance.md) are Jib's too,
     * and the Deployment's JAVA_TOOL_OPTIONS repeats them: a Deployment may run either image.
     */
    @Test
    void everyWayTheHubIsLaunchedHasTheImagesJvmOptions() throws IOException {
        List<String> options = ImageJvmOptions.of(REPO);
        assertThat(options).as("the Dockerfile's ENTRYPOINT options").isNotEmpty();
        assertThat(env(hub).get("JAVA_TOOL_OPTIONS")).as("the Deployment's JAVA_TOOL_OPTIONS").isNotNull()
                .satisfies(deployed -> assertThat(deployed.split("\\s+")).containsAll(options));
        String pom = Files.readString(REPO.resolve("hub/pom.xml"));
        String jib = pom.substring(pom.indexOf("<artifactId>jib-maven-plugin</artifactId>"));
        jib = jib.substring(0, jib.indexOf("</plugin>"));
        List<String> jibFlags = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(jib).results().map(m -> m.group(1)).toList();
        assertThat(jibFlags).as("Jib's jvmFlags").containsExactlyElementsOf(options);
        // Started at the JVM's 1/64 of the limit, the heap grows through dozens of collections while the first lists arrive.
        assertThat(ImageJvmOptions.deploymentInitialHeapShare(REPO)).as("the Deployment's initial heap, a share of its maximum").isEqualTo(0.5);
    }

    /** The image's environment (MALLOC_ARENA_MAX: what scripts/bench measures) is Jib's too, and the Deployment's. */
    @Test
    void everyWayTheHubIsLaunchedHasTheImagesEnvironment() throws IOException {
        Map<String, String> image = ImageJvmOptions.environment(REPO);
        assertThat(image).as("the Dockerfile's runtime ENV").containsEntry("MALLOC_ARENA_MAX", "2");
        assertThat(env(hub)).as("the Deployment's env").containsAllEntriesOf(image);
        String pom = Files.readString(REPO.resolve("hub/pom.xml"));
        String jib = pom.substring(pom.indexOf("<artifactId>jib-maven-plugin</artifactId>"));
        jib = jib.substring(jib.indexOf("<environment>"), jib.indexOf("</environment>"));
        Map<String, String> jibEnv = new java.util.LinkedHashMap<>();
        Pattern.compile("<([A-Za-z_][A-Za-z0-9_]*)>([^<]*)</\\1>").matcher(jib).results().forEach(m -> jibEnv.put(m.group(1), m.group(2)));
        assertThat(jibEnv).as("Jib's environment").isEqualTo(image);
    }

    @Test
    void theExampleOverlayAddsAnIngressAndTheDashboardTokenFromAnExistingSecret() throws Exception {
        List<HasMetadata> example = Kustomize.buildExample();
        Deployment withToken = Kustomize.hubDeployment(example);
        Container c = withToken.getSpec().getTemplate().getSpec().getContainers().get(0);
        String tokenFile = env(c).get("HUB_DASHBOARD_TOKEN_FILE");
        assertThat(tokenFile).isNotNull().endsWith("/token");
        assertThat(c.getVolumeMounts()).filteredOn(m -> tokenFile.startsWith(m.getMountPath() + "/")).singleElement()
                .satisfies(m -> assertThat(withToken.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals(m.getName()))
                        .singleElement().satisfies(v -> {
                            assertThat(v.getSecret().getSecretName()).as("the Secret the docs tell users to create").isEqualTo("hub-dashboard-token");
                            assertThat(v.getSecret().getOptional()).as("no token, no pod: never an open dashboard by accident").isNotEqualTo(Boolean.TRUE);
                        }));
        assertThat(example).as("no Secret is built from a file outside git (Flux and Argo CD could not build it)")
                .noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.Secret);
        assertThat(Files.readString(Kustomize.EXAMPLE.resolve("kustomization.yaml"))).doesNotContain("secretGenerator")
                .contains("create secret generic hub-dashboard-token --from-literal=token=$(openssl rand -hex 32)");
        Ingress ingress = Kustomize.one(example, Ingress.class, "homelab-assistant-controller");
        assertThat(ingress.getSpec().getIngressClassName()).as("ingressClassName").isNotBlank();
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo("homelab-assistant-controller");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as("the overlay keeps the base's rules").isTrue();
    }

    /** The cloud metadata service (AWS, GCP, Azure and most others; AWS's IPv6 one): it hands out the node's cloud credentials. */
    static final List<String> METADATA = List.of("169.254.169.254", "fd00:ec2::254");

    /**
     * Out: DNS to the cluster's resolver, and the API servers' ports (443, 6443) to any address
     * but the metadata service. Every rule names its ports and its destinations: a rule without
     * ports lets out every port, one without destinations every address.
     */
    @Test
    void egressIsDnsAndTheApiServersPortsButNeverTheMetadataService() {
        NetworkPolicy policy = Kustomize.one(base, NetworkPolicy.class, "homelab-assistant-controller");
        assertThat(policy.getSpec().getEgress()).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getPorts()).as("ports of " + rule).isNotEmpty();
            assertThat(rule.getTo()).as("destinations of " + rule).isNotEmpty();
        });
        for (String metadata : METADATA) {
            assertThat(EgressRules.admitsOnSomePort(policy, metadata)).as(metadata + " on any port").isFalse();
        }
        for (String apiServer : List.of("203.0.113.10", "192.168.1.20", "10.43.0.1", "2001:db8::1")) {
            for (int port : List.of(443, 6443)) {
                assertThat(EgressRules.admits(policy, apiServer, "TCP", port)).as(apiServer + " TCP " + port).isTrue();
            }
            for (int port : List.of(22, 80, 8080, 16443)) {
                assertThat(EgressRules.admits(policy, apiServer, "TCP", port)).as(apiServer + " TCP " + port).isFalse();
            }
            assertThat(EgressRules.admits(policy, apiServer, "UDP", 443)).as(apiServer + " UDP 443").isFalse();
        }
        assertThat(policy.getSpec().getEgress()).as("DNS, UDP and TCP, to the resolver's pods in whatever namespace").anySatisfy(rule -> {
            assertThat(rule.getPorts()).extracting(p -> p.getProtocol() + " " + p.getPort().getIntVal())
                    .containsExactlyInAnyOrder("UDP 53", "TCP 53");
            assertThat(rule.getTo()).singleElement().satisfies(peer -> {
                assertThat(peer.getNamespaceSelector().getMatchLabels()).as("every namespace").isNullOrEmpty();
                assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("k8s-app", "kube-dns"));
            });
        });
        assertThat(policy.getSpec().getEgress()).flatExtracting(rule -> rule.getPorts())
                .extracting(p -> p.getPort().getIntVal()).containsOnly(53, 443, 6443);
    }

    /** A port of your own (microk8s's 16443 in the example) is a JSON patch away, and the metadata service stays out. */
    @Test
    void theExampleOverlayAddsAnApiServerPort() throws Exception {
        NetworkPolicy policy = Kustomize.one(Kustomize.buildExample(), NetworkPolicy.class, "homelab-assistant-controller");
        assertThat(EgressRules.admits(policy, "203.0.113.10", "TCP", 16443)).isTrue();
        assertThat(EgressRules.admits(policy, "203.0.113.10", "TCP", 6443)).isTrue();
        for (String metadata : METADATA) {
            assertThat(EgressRules.admitsOnSomePort(policy, metadata)).as(metadata).isFalse();
        }
    }

    /** The namespace admits only pods of Pod Security's "restricted" profile, which the hub's pod is (thePodIsRestricted). */
    @Test
    void theNamespaceEnforcesTheRestrictedPodSecurityStandard() throws Exception {
        for (Path dir : List.of(Kustomize.DEPLOY, Kustomize.EXAMPLE, AgentConfig.DIR, AgentConfig.DIR.resolve("rbac-namespaced"))) {
            Namespace namespace = Kustomize.one(Kustomize.build(dir), Namespace.class, "homelab-assistant-system");
            assertThat(namespace.getMetadata().getLabels()).as(dir.toString())
                    .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
                    .containsEntry("pod-security.kubernetes.io/audit", "restricted")
                    .containsEntry("pod-security.kubernetes.io/warn", "restricted");
        }
    }

    /**
     * Both Secrets mount with mode 0400 and the pod's fsGroup the hub's own group: the kubelet
     * then makes the files 0440 root:10001 (it adds group read for fsGroup to a read-only volume),
     * so the hub reads them and no other user does. Without fsGroup 0400 would leave them to root.
     */
    @Test
    void theSecretsMountReadableByTheHubsGroupOnly() throws Exception {
        PodSpec pod = Kustomize.hubDeployment(Kustomize.buildExample()).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getFsGroup()).as("fsGroup").isEqualTo(pod.getSecurityContext().getRunAsGroup());
        List<Volume> secrets = pod.getVolumes().stream().filter(v -> v.getSecret() != null).toList();
        assertThat(secrets).extracting(v -> v.getSecret().getSecretName()).containsExactlyInAnyOrder("hub-kubeconfigs", "hub-dashboard-token");
        assertThat(secrets).allSatisfy(v -> {
            assertThat(v.getSecret().getDefaultMode()).as(v.getName() + " defaultMode").isEqualTo(0400);
            assertThat(v.getSecret().getItems()).as(v.getName() + " items").allSatisfy(item -> assertThat(item.getMode()).isNull());
        });
    }

    /** A tag moves; a digest names one image. The runtime image is the same in the Dockerfile and in Jib. */
    @Test
    void baseImagesArePinnedByDigestTheSameInTheDockerfileAndJib() throws IOException {
        String dockerfile = Files.readString(REPO.resolve("Dockerfile"));
        List<String> froms = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile).results().map(m -> m.group(1)).toList();
        Pattern pinned = Pattern.compile("[a-z0-9./-]+:[\\w.-]+@sha256:[0-9a-f]{64}");
        assertThat(froms).hasSize(2).allSatisfy(image -> assertThat(image).matches(pinned));
        String pom = Files.readString(REPO.resolve("hub/pom.xml"));
        String jib = pom.substring(pom.indexOf("<artifactId>jib-maven-plugin</artifactId>"));
        jib = jib.substring(jib.indexOf("<from>"), jib.indexOf("</from>"));
        assertThat(last(jib, "<image>([^<]+)</image>")).isEqualTo(froms.get(froms.size() - 1));
    }

    private static String last(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return found;
    }
}
