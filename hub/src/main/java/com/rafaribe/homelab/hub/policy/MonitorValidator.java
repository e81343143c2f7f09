package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.DEFAULT_MAX_CONCURRENT_UNLOCKS;
import static com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.DEFAULT_SCAN_INTERVAL;

import com.google.re2j.Pattern;
import com.rafaribe.homelab.hub.api.JobSelector;
import com.rafaribe.homelab.hub.api.TemplateResources;
import com.rafaribe.homelab.hub.api.TemplateSecurityContext;
import com.rafaribe.homelab.hub.api.UnlockJobTemplate;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a monitor the way its CRD schema would, and more (patterns must compile under RE2/J):
 * mock API servers and CRDs installed by the original controller enforce no schema at all.
 */
public final class MonitorValidator {
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern LABEL_NAME = Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    private static final Pattern QUANTITY = Pattern.compile("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$");
    private static final Duration MIN_SCAN_INTERVAL = Duration.ofSeconds(1);

    private MonitorValidator() {
    }

    /** Every problem found (each naming its field), or the policy when there are none. */
    public record Result(List<String> problems, MonitorPolicy policy) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** As the hub validates it by default: only the failed mover's own image and ServiceAccount. */
    public static Result validate(VolSyncMonitor monitor) {
        return validate(monitor, UnlockAllowList.MOVER_ONLY);
    }

    /** @param allowed the images and ServiceAccounts the hub's operator allowed templates to ask for */
    public static Result validate(VolSyncMonitor monitor, UnlockAllowList allowed) {
        List<String> problems = new ArrayList<>();
        String name = monitor.getMetadata() == null ? null : monitor.getMetadata().getName();
        String namespace = monitor.getMetadata() == null ? null : monitor.getMetadata().getNamespace();
        VolSyncMonitorSpec spec = monitor.getSpec() == null ? new VolSyncMonitorSpec() : monitor.getSpec();

        int maxConcurrent = DEFAULT_MAX_CONCURRENT_UNLOCKS;
        if (spec.getMaxConcurrentUnlocks() != null) {
            if (spec.getMaxConcurrentUnlocks() < 0) {
                problems.add("spec.maxConcurrentUnlocks is " + spec.getMaxConcurrentUnlocks() + "; it must be 0 (meaning "
                        + DEFAULT_MAX_CONCURRENT_UNLOCKS + ") or more");
            } else if (spec.getMaxConcurrentUnlocks() > 0) {
                maxConcurrent = spec.getMaxConcurrentUnlocks();
            }
        }
        if (spec.getTtlSecondsAfterFinished() != null && spec.getTtlSecondsAfterFinished() < 0) {
            problems.add("spec.ttlSecondsAfterFinished is " + spec.getTtlSecondsAfterFinished() + "; it must be 0 or more");
        }

        LockPatterns patterns = LockPatterns.NONE;
        try {
            patterns = LockPatterns.compile(spec.getLockErrorPatterns());
        } catch (LockPatterns.InvalidPatternsException e) {
            e.problems().forEach(p -> problems.add("spec." + p));
        }

        String scanText = spec.getScanInterval() == null ? DEFAULT_SCAN_INTERVAL : spec.getScanInterval();
        Duration scanInterval = GoDuration.parse(scanText).orElse(null);
        if (scanInterval == null || scanInterval.compareTo(MIN_SCAN_INTERVAL) < 0) {
            problems.add("spec.scanInterval " + LockPatterns.quote(scanText)
                    + " is not a Go duration of 1s or more (for example \"30s\", \"5m\", \"1h30m\")");
        }

        JobSelector selector = spec.getJobSelector() == null ? new JobSelector() : spec.getJobSelector();
        String namePrefix = selector.getNamePrefix() == null || selector.getNamePrefix().isEmpty()
                ? JobSelector.DEFAULT_NAME_PREFIX : selector.getNamePrefix();
        checkSelector(selector, problems);

        UnlockJobTemplate template = spec.getUnlockJobTemplate() == null ? new UnlockJobTemplate() : spec.getUnlockJobTemplate();
        checkTemplate(template, problems);
        if (problems.isEmpty()) {
            problems.addAll(allowed.problems(template));
        }

        if (!problems.isEmpty()) {
            return new Result(List.copyOf(problems), null);
        }
        return new Result(List.of(), new MonitorPolicy(namespace, name, Boolean.TRUE.equals(spec.getEnabled()), maxConcurrent,
                spec.getTtlSecondsAfterFinished(), patterns, Boolean.TRUE.equals(spec.getRemoveFailedJobs()), scanInterval,
                namePrefix,
                selector.getLabelSelector() == null ? Map.of() : Map.copyOf(selector.getLabelSelector()),
                selector.getNamespaces() == null ? List.of() : List.copyOf(selector.getNamespaces()),
                template));
    }

    private static void checkSelector(JobSelector selector, List<String> problems) {
        if (selector.getNamePrefix() != null && selector.getNamePrefix().length() > 63) {
            problems.add("spec.jobSelector.namePrefix is longer than a Job name can be (63 characters)");
        }
        if (selector.getLabelSelector() != null) {
            selector.getLabelSelector().forEach((key, value) -> {
                if (key == null || !validLabelKey(key)) {
                    problems.add("spec.jobSelector.labelSelector key " + LockPatterns.quote(key) + " is not a valid label key");
                }
                if (value == null || value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                    problems.add("spec.jobSelector.labelSelector[" + key + "] value " + LockPatterns.quote(value) + " is not a valid label value");
                }
            });
        }
        if (selector.getNamespaces() != null) {
            for (String ns : selector.getNamespaces()) {
                if (ns == null || ns.length() > 63 || !DNS_LABEL.matcher(ns).matches()) {
                    problems.add("spec.jobSelector.namespaces entry " + LockPatterns.quote(ns) + " is not a valid namespace name");
                }
            }
        }
    }

    private static void checkTemplate(UnlockJobTemplate template, List<String> problems) {
        if (template.getImage() != null && (template.getImage().isBlank() || template.getImage().chars().anyMatch(Character::isWhitespace))) {
            problems.add("spec.unlockJobTemplate.image " + LockPatterns.quote(template.getImage()) + " is not an image reference");
        }
        if (template.getCommand() != null && template.getCommand().stream().anyMatch(Objects::isNull)) {
            problems.add("spec.unlockJobTemplate.command has an empty entry");
        }
        if (template.getArgs() != null && template.getArgs().stream().anyMatch(Objects::isNull)) {
            problems.add("spec.unlockJobTemplate.args has an empty entry");
        }
        String sa = template.getServiceAccount();
        if (sa != null && (sa.length() > 253 || !DNS_SUBDOMAIN.matcher(sa).matches())) {
            problems.add("spec.unlockJobTemplate.serviceAccount " + LockPatterns.quote(sa) + " is not a valid service account name");
        }
        TemplateResources resources = template.getResources();
        if (resources != null) {
            checkQuantities("limits", resources.getLimits(), problems);
            checkQuantities("requests", resources.getRequests(), problems);
        }
        TemplateSecurityContext sc = template.getSecurityContext();
        if (sc != null) {
            checkId("runAsUser", sc.getRunAsUser(), problems);
            checkId("runAsGroup", sc.getRunAsGroup(), problems);
            checkId("fsGroup", sc.getFsGroup(), problems);
        }
    }

    private static void checkQuantities(String field, Map<String, String> quantities, List<String> problems) {
        if (quantities == null) {
            return;
        }
        quantities.forEach((resource, quantity) -> {
            if (quantity == null || !QUANTITY.matcher(quantity).matches()) {
                problems.add("spec.unlockJobTemplate.resources." + field + "." + resource + " " + LockPatterns.quote(quantity)
                        + " is not a quantity (for example \"500m\", \"512Mi\")");
            }
        });
    }

    private static void checkId(String field, Long id, List<String> problems) {
        if (id != null && id < 0) {
            problems.add("spec.unlockJobTemplate.securityContext." + field + " is " + id + "; it must be 0 or more");
        }
    }

    private static boolean validLabelKey(String key) {
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean prefixOk = prefix == null || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches());
        return prefixOk && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }
}
